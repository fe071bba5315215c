-- Findings from any source and the corrective actions on them (ISO 27001 10.2).
-- source_id and checklist_item_id name an audit, incident or checklist item kept in
-- other registers; they carry no foreign key so findings stand on their own.
-- SQLite flavour. Keep in step with ../postgres/0017_findings.sql.

CREATE TABLE findings (
    id                 BLOB    NOT NULL PRIMARY KEY,
    org_id             BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number             BIGINT  NOT NULL,            -- shown as F-001
    source             TEXT    NOT NULL,            -- internal_audit | certification_audit | incident | management_review | monitoring | complaint | other
    source_id          BLOB,                        -- the audit, incident or review (no FK)
    checklist_item_id  BLOB,                        -- the audit checklist item (no FK)
    grade              TEXT    NOT NULL,            -- major_nc | minor_nc | observation | ofi
    reference          TEXT    NOT NULL,            -- clause 9.2, control A.5.15 or NW-07
    title              TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    evidence           TEXT    NOT NULL,            -- what was seen
    raised_on          TEXT    NOT NULL,
    raised_by          BLOB    REFERENCES users (id) ON DELETE SET NULL,
    status             TEXT    NOT NULL,            -- open | action_planned | verifying | closed
    deadline           TEXT,
    closure_note       TEXT    NOT NULL,
    closed_on          TEXT,
    closed_by          BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    version            BIGINT  NOT NULL
);
CREATE UNIQUE INDEX findings_number_uq ON findings (org_id, number);
CREATE INDEX findings_grade_idx ON findings (org_id, grade, number);
CREATE INDEX findings_status_idx ON findings (org_id, status, number);
CREATE INDEX findings_source_idx ON findings (org_id, source, number);
CREATE INDEX findings_source_id_idx ON findings (org_id, source_id, number);

-- Evidence items a finding points to.
CREATE TABLE finding_evidence (
    org_id       BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    finding_id   BLOB    NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    evidence_id  BLOB    NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    PRIMARY KEY (finding_id, evidence_id)
);
CREATE INDEX finding_evidence_org_idx ON finding_evidence (org_id, finding_id);

CREATE TABLE corrective_actions (
    id                BLOB    NOT NULL PRIMARY KEY,
    org_id            BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number            BIGINT  NOT NULL,            -- shown as CA-001
    finding_id        BLOB    REFERENCES findings (id) ON DELETE RESTRICT,
    review_id         BLOB,                        -- the management review that decided it (no FK)
    title             TEXT    NOT NULL,
    correction        TEXT    NOT NULL,            -- the immediate fix
    correction_on     TEXT,
    rca_method        TEXT,                        -- five_whys | fishbone | other
    five_whys         TEXT    NOT NULL,            -- JSON [{"why","answer"}], at most five
    root_cause        TEXT    NOT NULL,
    description       TEXT    NOT NULL,            -- the corrective action itself
    owner_id          BLOB    REFERENCES users (id) ON DELETE SET NULL,
    due_on            TEXT,
    status            TEXT    NOT NULL,            -- planned | in_progress | implemented | verified_effective | verified_ineffective | closed
    implemented_on    TEXT,
    verified_by       BLOB    REFERENCES users (id) ON DELETE SET NULL,
    verified_on       TEXT,
    verification      TEXT,                        -- effective | ineffective
    verification_note TEXT    NOT NULL,
    closed_on         TEXT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    version           BIGINT  NOT NULL
);
CREATE UNIQUE INDEX corrective_actions_number_uq ON corrective_actions (org_id, number);
CREATE INDEX corrective_actions_status_idx ON corrective_actions (org_id, status, number);
CREATE INDEX corrective_actions_finding_idx ON corrective_actions (org_id, finding_id, number);
CREATE INDEX corrective_actions_owner_idx ON corrective_actions (org_id, owner_id, number);
CREATE INDEX corrective_actions_due_idx ON corrective_actions (org_id, due_on, number);
CREATE INDEX corrective_actions_review_idx ON corrective_actions (org_id, review_id, number);
