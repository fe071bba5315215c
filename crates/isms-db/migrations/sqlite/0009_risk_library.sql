-- The organisation's own threat and vulnerability catalogues: changes to (or retirement
-- of) a starter entry under its code (T07, V12), and entries of its own (CT01, CV01).
-- Starter entries nobody changed have no row: the catalogue is the starter list with
-- these rows laid over it (isms_domain::risk::library::merge).
-- SQLite flavour. Keep in step with ../postgres/0009_risk_library.sql.

CREATE TABLE risk_library_entries (
    id           BLOB    NOT NULL PRIMARY KEY,
    org_id       BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,                  -- threat | vulnerability
    code         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    retired      BOOLEAN NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    version      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX risk_library_entries_code_uq ON risk_library_entries (org_id, kind, code);
