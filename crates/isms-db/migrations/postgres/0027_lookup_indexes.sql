-- Lookups within an organisation by a parent id, found by the query-plan test
-- (crates/isms-web/tests/query_plans.rs): for "org_id = ? AND <parent>_id = ?" SQLite
-- chose an index on org_id alone and read every row of the organisation.
-- A risk's control links (the risk register's pages, every risk write): 180 ms per risk
-- write with 100,000 links.
-- Both directions of the link covered, so that neither lookup prefers the other's index.
CREATE INDEX risk_controls_org_risk_idx ON risk_controls (org_id, risk_id, control_id);
DROP INDEX risk_controls_org_control_idx;
CREATE INDEX risk_controls_org_control_risk_idx ON risk_controls (org_id, control_id, risk_id);
-- A document's links (the document register).
CREATE INDEX document_links_org_document_idx ON document_links (org_id, document_id, target_kind, target_ref);
-- A person's trainings, newest first (the competence pages).
CREATE INDEX trainings_org_person_date_idx ON trainings (org_id, person_id, completed_on, id);
