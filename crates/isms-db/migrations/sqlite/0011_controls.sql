-- How the organisation implements the controls it relies on (ISO 27001 6.1.3, 8.1): every
-- Annex A control and every own control can have one implementation record. A control
-- without a record is "not started". The SoA (0012), documents (0013) and evidence (0014)
-- name controls by the same reference.
-- SQLite flavour. Keep in step with ../postgres/0011_controls.sql.

CREATE TABLE control_implementations (
    id                    BLOB    NOT NULL PRIMARY KEY,
    org_id                BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    control_ref           TEXT    NOT NULL,            -- Annex A id (5.15) or own-control code (NW-07)
    sort_key              TEXT    NOT NULL,            -- isms_domain::control::sort_key: catalogue order, own controls after
    owner_id              BLOB    REFERENCES users (id) ON DELETE SET NULL,
    status                TEXT    NOT NULL,            -- not_started | planned | partially_implemented | implemented | not_applicable
    implementation        TEXT    NOT NULL,            -- how it is implemented
    due_on                TEXT,                        -- when it should be implemented
    monitoring            TEXT    NOT NULL,            -- the metric or check that shows it works
    check_frequency       TEXT,                        -- isms_domain::control::CheckFrequency
    last_check_on         TEXT,
    last_check_result     TEXT,                        -- effective | partly_effective | not_effective
    last_check_note       TEXT    NOT NULL,
    created_at            BIGINT  NOT NULL,
    updated_at            BIGINT  NOT NULL,
    version               BIGINT  NOT NULL
);
CREATE UNIQUE INDEX control_implementations_ref_uq ON control_implementations (org_id, control_ref);
CREATE INDEX control_implementations_order_idx ON control_implementations (org_id, sort_key);
CREATE INDEX control_implementations_status_idx ON control_implementations (org_id, status, sort_key);
CREATE INDEX control_implementations_owner_idx ON control_implementations (org_id, owner_id, sort_key);
CREATE INDEX control_implementations_due_idx ON control_implementations (org_id, due_on);

-- The ISO 27001 clauses (4-10) a control supports, as the organisation records them.
CREATE TABLE control_clauses (
    id           BLOB    NOT NULL PRIMARY KEY,
    org_id       BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    control_ref  TEXT    NOT NULL,
    clause_id    TEXT    NOT NULL                      -- 6.1.3, 9.2 …
);
CREATE UNIQUE INDEX control_clauses_uq ON control_clauses (org_id, control_ref, clause_id);
CREATE INDEX control_clauses_clause_idx ON control_clauses (org_id, clause_id, control_ref);
