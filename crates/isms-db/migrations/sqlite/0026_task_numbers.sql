-- Roadmap tasks get a number of their own (T-001), as every other register has: the
-- export, the import and people refer to a task by it, and it stays when other tasks are
-- removed. Existing tasks are numbered oldest first, per organisation.
ALTER TABLE tasks ADD COLUMN number BIGINT NOT NULL DEFAULT 0;
UPDATE tasks SET number = (
    SELECT n FROM (
        SELECT id, row_number() OVER (PARTITION BY org_id ORDER BY created_at, id) AS n FROM tasks
    ) numbered WHERE numbered.id = tasks.id
);
CREATE UNIQUE INDEX tasks_number_uq ON tasks (org_id, number);
