-- Risk assessment methods (ISO 27001 6.1.2): versioned per organisation, approvable.
-- PostgreSQL flavour. Keep in step with ../sqlite/0005_risk_methods.sql.

CREATE TABLE risk_methods (
    id           UUID    NOT NULL PRIMARY KEY,
    org_id       UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number       BIGINT  NOT NULL,            -- version 1, 2, 3… within the organisation
    status       TEXT    NOT NULL,            -- draft | approved | superseded
    definition   TEXT    NOT NULL,            -- isms_domain::risk::Method as JSON
    based_on     TEXT    NOT NULL,            -- "5x5" preset or "version 2"
    change_note  TEXT    NOT NULL,
    approved_by  UUID    REFERENCES users (id) ON DELETE SET NULL,
    approved_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ  NOT NULL,
    updated_at   TIMESTAMPTZ  NOT NULL,
    version      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX risk_methods_number_uq ON risk_methods (org_id, number);
CREATE INDEX risk_methods_org_status_idx ON risk_methods (org_id, status, number);
