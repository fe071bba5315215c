-- Tasks: the remediation roadmap (generated from gaps or added by hand).
-- PostgreSQL flavour. Keep in step with ../sqlite/0003_tasks.sql.

CREATE TABLE tasks (
    id                    UUID    NOT NULL PRIMARY KEY,
    org_id                UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    title                 TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    item_key              TEXT,
    source_assessment_id  UUID    REFERENCES gap_assessments (id) ON DELETE SET NULL,
    owner                 TEXT    NOT NULL,
    start_on              DATE,
    due_on                DATE,
    status                TEXT    NOT NULL,
    priority              TEXT    NOT NULL,
    created_at            TIMESTAMPTZ  NOT NULL,
    updated_at            TIMESTAMPTZ  NOT NULL,
    version               BIGINT  NOT NULL
);
CREATE INDEX tasks_org_created_idx ON tasks (org_id, created_at, id);
CREATE INDEX tasks_org_status_created_idx ON tasks (org_id, status, created_at, id);
CREATE INDEX tasks_org_due_idx ON tasks (org_id, due_on);
CREATE INDEX tasks_org_item_idx ON tasks (org_id, item_key);
CREATE UNIQUE INDEX tasks_source_item_uq ON tasks (org_id, source_assessment_id, item_key);
