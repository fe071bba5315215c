-- Internal audit (ISO 27001 9.2): audit areas, the programme over the certification
-- cycle, audits with their team, auditee areas and scope, and checklists.
-- Items (what an audit looks at) are written as isms_domain::internal_audit keys:
-- a clause (9.2.2), an Annex A control (A.5.15) or an own control (NW-07).
-- SQLite flavour. Keep in step with ../postgres/0016_internal_audits.sql.

CREATE TABLE audit_areas (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    owner_id      BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    version       BIGINT  NOT NULL
);
-- The list is sorted by name (keyset on name, id); names are unique per organisation.
CREATE UNIQUE INDEX audit_areas_name_uq ON audit_areas (org_id, name);
CREATE INDEX audit_areas_owner_idx ON audit_areas (org_id, owner_id);

CREATE TABLE audit_area_members (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    area_id       BLOB    NOT NULL REFERENCES audit_areas (id) ON DELETE CASCADE,
    user_id       BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX audit_area_members_uq ON audit_area_members (org_id, area_id, user_id);
CREATE INDEX audit_area_members_user_idx ON audit_area_members (org_id, user_id);

-- The programme's settings: one row per organisation (absent: the cycle starts this year).
CREATE TABLE audit_programmes (
    org_id            BLOB    NOT NULL PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    cycle_start_year  BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    version           BIGINT  NOT NULL
);

-- What is planned to be audited in which year.
CREATE TABLE audit_programme_entries (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    year          BIGINT  NOT NULL,
    item_key      TEXT    NOT NULL,
    sort_key      TEXT    NOT NULL,            -- isms_domain::internal_audit::sort_key
    created_by    BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX audit_programme_entries_uq ON audit_programme_entries (org_id, year, item_key);
-- Listing in matrix order (keyset on year, sort_key).
CREATE INDEX audit_programme_entries_order_idx ON audit_programme_entries (org_id, year, sort_key);

CREATE TABLE audits (
    id                          BLOB    NOT NULL PRIMARY KEY,
    org_id                      BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    year                        BIGINT  NOT NULL,   -- AUD-2026-01: year of the planned start
    seq                         BIGINT  NOT NULL,   -- and its number in that year
    title                       TEXT    NOT NULL,
    criteria                    TEXT    NOT NULL,
    planned_start               TEXT    NOT NULL,
    planned_end                 TEXT    NOT NULL,
    actual_start                TEXT,
    actual_end                  TEXT,
    status                      TEXT    NOT NULL,   -- planned | in_progress | completed | cancelled
    lead_auditor_id             BLOB    REFERENCES users (id) ON DELETE SET NULL,
    lead_auditor_external       TEXT,               -- an external auditor's name instead
    independence_conflicts      TEXT    NOT NULL,   -- JSON list of isms_domain::internal_audit::Conflict
    independence_justification  TEXT    NOT NULL,
    created_by                  BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at                  BIGINT  NOT NULL,
    updated_at                  BIGINT  NOT NULL,
    version                     BIGINT  NOT NULL
);
-- Numbering and the list, newest first (keyset on year, seq).
CREATE UNIQUE INDEX audits_number_uq ON audits (org_id, year, seq);
CREATE INDEX audits_status_idx ON audits (org_id, status, year, seq);

CREATE TABLE audit_team (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    audit_id      BLOB    NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    user_id       BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX audit_team_uq ON audit_team (org_id, audit_id, user_id);

CREATE TABLE audit_auditee_areas (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    audit_id      BLOB    NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    area_id       BLOB    NOT NULL REFERENCES audit_areas (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX audit_auditee_areas_uq ON audit_auditee_areas (org_id, audit_id, area_id);
CREATE INDEX audit_auditee_areas_area_idx ON audit_auditee_areas (org_id, area_id);

-- The clauses and controls an audit covers.
CREATE TABLE audit_scope_items (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    audit_id      BLOB    NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    item_key      TEXT    NOT NULL,
    sort_key      TEXT    NOT NULL
);
CREATE UNIQUE INDEX audit_scope_items_uq ON audit_scope_items (org_id, audit_id, item_key);
CREATE INDEX audit_scope_items_order_idx ON audit_scope_items (org_id, audit_id, sort_key);

-- One checklist item per scope item, generated with our own questions.
CREATE TABLE audit_checklist_items (
    id             BLOB    NOT NULL PRIMARY KEY,
    org_id         BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    audit_id       BLOB    NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    item_key       TEXT    NOT NULL,
    sort_key       TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    questions      TEXT    NOT NULL,            -- JSON list of strings
    result         TEXT,                        -- isms_domain::internal_audit::ItemResult; absent: open
    notes          TEXT    NOT NULL,
    evidence_note  TEXT    NOT NULL,            -- what was sampled, in words
    answered_by    BLOB    REFERENCES users (id) ON DELETE SET NULL,
    answered_at    BIGINT,
    version        BIGINT  NOT NULL
);
CREATE UNIQUE INDEX audit_checklist_items_uq ON audit_checklist_items (org_id, audit_id, item_key);
CREATE INDEX audit_checklist_items_order_idx ON audit_checklist_items (org_id, audit_id, sort_key);

-- Evidence items sampled for a checklist item.
CREATE TABLE audit_checklist_evidence (
    id             BLOB    NOT NULL PRIMARY KEY,
    org_id         BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    item_id        BLOB    NOT NULL REFERENCES audit_checklist_items (id) ON DELETE CASCADE,
    evidence_id    BLOB    NOT NULL REFERENCES evidence (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX audit_checklist_evidence_uq ON audit_checklist_evidence (org_id, item_id, evidence_id);
CREATE INDEX audit_checklist_evidence_evidence_idx ON audit_checklist_evidence (org_id, evidence_id);
