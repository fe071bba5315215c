-- Tasks: the remediation roadmap (generated from gaps or added by hand).
-- SQLite flavour. Keep in step with ../postgres/0003_tasks.sql.

CREATE TABLE tasks (
    id                    BLOB    NOT NULL PRIMARY KEY,
    org_id                BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    title                 TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    item_key              TEXT,
    source_assessment_id  BLOB    REFERENCES gap_assessments (id) ON DELETE SET NULL,
    owner                 TEXT    NOT NULL,
    start_on              TEXT,
    due_on                TEXT,
    status                TEXT    NOT NULL,
    priority              TEXT    NOT NULL,
    created_at            BIGINT  NOT NULL,
    updated_at            BIGINT  NOT NULL,
    version               BIGINT  NOT NULL
);
CREATE INDEX tasks_org_created_idx ON tasks (org_id, created_at, id);
CREATE INDEX tasks_org_status_created_idx ON tasks (org_id, status, created_at, id);
CREATE INDEX tasks_org_due_idx ON tasks (org_id, due_on);
CREATE INDEX tasks_org_item_idx ON tasks (org_id, item_key);
CREATE UNIQUE INDEX tasks_source_item_uq ON tasks (org_id, source_assessment_id, item_key);
