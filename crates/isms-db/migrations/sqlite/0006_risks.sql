-- The risk register (ISO 27001 6.1.2 and 6.1.3): risks rated under a version of the risk
-- method, their treatment, the Annex A controls that treat them, and acceptance of the
-- residual risk; roadmap tasks can belong to a risk as its treatment plan.
-- SQLite flavour. Keep in step with ../postgres/0006_risks.sql.

CREATE TABLE risks (
    id                     BLOB    NOT NULL PRIMARY KEY,
    org_id                 BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number                 BIGINT  NOT NULL,            -- shown as R-001
    title                  TEXT    NOT NULL,
    description            TEXT    NOT NULL,
    threat                 TEXT    NOT NULL,
    vulnerability          TEXT    NOT NULL,
    owner_id               BLOB    REFERENCES users (id) ON DELETE SET NULL,
    method_id              BLOB    NOT NULL REFERENCES risk_methods (id),
    inherent_likelihood    BIGINT  NOT NULL,
    inherent_impact        BIGINT  NOT NULL,
    inherent_level         BIGINT  NOT NULL,
    treatment              TEXT,                        -- modify | retain | avoid | share
    residual_likelihood    BIGINT,
    residual_impact        BIGINT,
    residual_level         BIGINT,
    status                 TEXT    NOT NULL,
    next_review_on         TEXT,
    needs_reassessment     BOOLEAN NOT NULL,
    accepted_by            BLOB    REFERENCES users (id) ON DELETE SET NULL,
    accepted_at            BIGINT,
    acceptance_rationale   TEXT,
    acceptance_expires_on  TEXT,
    accepted_likelihood    BIGINT,
    accepted_impact        BIGINT,
    accepted_level         BIGINT,
    acceptance_kind        TEXT,                        -- by_owner | by_approver
    created_at             BIGINT  NOT NULL,
    updated_at             BIGINT  NOT NULL,
    version                BIGINT  NOT NULL
);
CREATE UNIQUE INDEX risks_number_uq ON risks (org_id, number);
CREATE INDEX risks_org_status_idx ON risks (org_id, status, number);
CREATE INDEX risks_org_owner_idx ON risks (org_id, owner_id, number);
CREATE INDEX risks_org_inherent_idx ON risks (org_id, inherent_level, number);
CREATE INDEX risks_org_residual_idx ON risks (org_id, residual_level, number);
CREATE INDEX risks_org_reassess_idx ON risks (org_id, needs_reassessment, number);
-- Heat maps and heat-map cells: counts per cell of one method version, from the index alone.
CREATE INDEX risks_org_inherent_cell_idx ON risks (org_id, method_id, inherent_likelihood, inherent_impact, number);
CREATE INDEX risks_org_residual_cell_idx ON risks (org_id, method_id, residual_likelihood, residual_impact, number);

CREATE TABLE risk_controls (
    id          BLOB    NOT NULL PRIMARY KEY,
    risk_id     BLOB    NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    org_id      BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    control_id  TEXT    NOT NULL                     -- Annex A id, e.g. 5.15
);
CREATE UNIQUE INDEX risk_controls_uq ON risk_controls (risk_id, control_id);
CREATE INDEX risk_controls_org_control_idx ON risk_controls (org_id, control_id);

ALTER TABLE tasks ADD COLUMN risk_id BLOB REFERENCES risks (id) ON DELETE SET NULL;
CREATE INDEX tasks_org_risk_idx ON tasks (org_id, risk_id);
