-- The links of one control, clause, risk or audit, found by the query-plan test at large
-- size: for "org_id = ? AND target_kind = ? AND target_ref = ?" reading evidence_id,
-- SQLite preferred evidence_links_uq (org_id, evidence_id, ...) because it covers the
-- query, and read every link of the organisation once per control (2.6 s of the
-- readiness check with 200,000 links). The target index now carries evidence_id too.
DROP INDEX evidence_links_target_idx;
CREATE INDEX evidence_links_target_idx ON evidence_links (org_id, target_kind, target_ref, evidence_number, evidence_id);
-- Risks due for review (the dashboard's deadlines and overdue counts), in date order:
-- there was no index on next_review_on, so both read every risk of the organisation
-- (40 ms each with 50,000 risks).
CREATE INDEX risks_org_review_idx ON risks (org_id, next_review_on, id);
-- Measurements of one kind, newest first (the measurement list filtered by kind): the
-- subject index also holds subject_ref before the date, so the planner walked the date
-- index through every measurement of the organisation instead.
CREATE INDEX measurements_kind_date_idx ON measurements (org_id, subject_kind, measured_on, id);
