-- The Statement of Applicability (ISO 27001 6.1.3 d): versions (draft -> approved ->
-- superseded, the rules of isms_domain::foundation::versioned) and one entry per Annex A
-- control per version. In a draft the derived reasons and the implementation status are
-- computed live from risks, requirements and control_implementations; on approval they are
-- frozen into the entry as JSON, so an approved version never changes.
-- SQLite flavour. Keep in step with ../postgres/0012_soa.sql.

CREATE TABLE soa_versions (
    id             BLOB    NOT NULL PRIMARY KEY,
    org_id         BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number         BIGINT  NOT NULL,            -- version 1, 2, 3… per organisation
    status         TEXT    NOT NULL,            -- draft | approved | superseded
    based_on       TEXT    NOT NULL,            -- "new" or "version 2"
    change_note    TEXT    NOT NULL,
    scope_version  BIGINT,                      -- the approved scope statement's number, fixed on approval
    approved_by    BLOB    REFERENCES users (id) ON DELETE SET NULL,
    approved_at    BIGINT,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL             -- also raised by every entry change (approve checks it)
);
CREATE UNIQUE INDEX soa_versions_number_uq ON soa_versions (org_id, number);
CREATE INDEX soa_versions_status_idx ON soa_versions (org_id, status, number);

CREATE TABLE soa_entries (
    id                       BLOB    NOT NULL PRIMARY KEY,
    org_id                   BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    soa_id                   BLOB    NOT NULL REFERENCES soa_versions (id) ON DELETE CASCADE,
    control_id               TEXT    NOT NULL,   -- Annex A id (5.15)
    position                 BIGINT  NOT NULL,   -- catalogue order (0 = 5.1)
    applicable               TEXT    NOT NULL,   -- undecided | yes | no
    inclusion_note           TEXT    NOT NULL,
    exclusion_justification  TEXT    NOT NULL,
    frozen_reasons           TEXT,               -- JSON list of isms_domain::soa::Reason, set on approval
    frozen_status            TEXT,               -- implementation status at approval
    updated_at               BIGINT  NOT NULL,
    version                  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX soa_entries_control_uq ON soa_entries (soa_id, control_id);
CREATE INDEX soa_entries_order_idx ON soa_entries (org_id, soa_id, position);
CREATE INDEX soa_entries_applicable_idx ON soa_entries (org_id, soa_id, applicable, position);
