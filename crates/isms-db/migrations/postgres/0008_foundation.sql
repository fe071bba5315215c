-- ISMS foundation records (ISO 27001 clauses 4-6). Postgres flavour.
-- Keep in step with ../sqlite/0008_foundation.sql.

-- Versioned, approvable documents: the scope statement (4.3) and the information
-- security policy (5.2). One rule set (isms_domain::foundation::versioned) for both.
CREATE TABLE isms_documents (
    id           UUID    NOT NULL PRIMARY KEY,
    org_id       UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,            -- scope | policy
    number       BIGINT  NOT NULL,            -- version 1, 2, 3… per organisation and kind
    status       TEXT    NOT NULL,            -- draft | approved | superseded
    content      TEXT    NOT NULL,            -- ScopeContent / PolicyContent as JSON
    based_on     TEXT    NOT NULL,            -- "new" or "version 2"
    change_note  TEXT    NOT NULL,
    approved_by  UUID    REFERENCES users (id) ON DELETE SET NULL,
    approved_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ  NOT NULL,
    updated_at   TIMESTAMPTZ  NOT NULL,
    version      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX isms_documents_number_uq ON isms_documents (org_id, kind, number);
CREATE INDEX isms_documents_status_idx ON isms_documents (org_id, kind, status, number);

-- The foundation registers: issues (4.1), interested parties with their requirements
-- (4.2), roles (5.3), objectives (6.2). The entry is JSON validated by
-- isms_domain::foundation::registers; the columns are what lists filter and sort on.
CREATE TABLE isms_register_entries (
    id           UUID    NOT NULL PRIMARY KEY,
    org_id       UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    register     TEXT    NOT NULL,            -- issue | interested_party | role | objective
    number       BIGINT  NOT NULL,            -- I-001, P-001… per organisation and register
    title        TEXT    NOT NULL,
    kind         TEXT,                        -- issue kind, party kind, objective status
    person_id    UUID    REFERENCES users (id) ON DELETE SET NULL,  -- role holder, objective owner
    body         TEXT    NOT NULL,
    approved_by  UUID    REFERENCES users (id) ON DELETE SET NULL,  -- objectives
    approved_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ  NOT NULL,
    updated_at   TIMESTAMPTZ  NOT NULL,
    version      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX isms_register_entries_number_uq ON isms_register_entries (org_id, register, number);
CREATE INDEX isms_register_entries_kind_idx ON isms_register_entries (org_id, register, kind, number);
CREATE INDEX isms_register_entries_person_idx ON isms_register_entries (org_id, register, person_id, number);
