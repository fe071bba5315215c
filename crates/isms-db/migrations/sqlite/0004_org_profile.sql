-- Organisation profile used to project the certification timeline and, later, to size
-- audits: sites in scope and another management system already running (e.g. ISO 9001).
-- Keep in step with ../postgres/0004_org_profile.sql.
ALTER TABLE organisations ADD COLUMN sites INTEGER NOT NULL DEFAULT 1;
ALTER TABLE organisations ADD COLUMN other_management_system TEXT NOT NULL DEFAULT '';
