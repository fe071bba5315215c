-- The certification lifecycle (issue 7): certification bodies, their audits of the
-- organisation (Stage 1, Stage 2, surveillance, recertification, special) and the
-- certificates they issue. The cycle dates are computed by isms_domain::certification.
-- SQLite flavour. Keep in step with ../postgres/0019_certification.sql.

CREATE TABLE certification_bodies (
    id              BLOB    NOT NULL PRIMARY KEY,
    org_id          BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    accreditation   TEXT    NOT NULL,            -- accreditation body and number, e.g. "UKAS 0123"
    contact_name    TEXT    NOT NULL,
    contact_email   TEXT    NOT NULL,
    notes           TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    version         BIGINT  NOT NULL
);
CREATE UNIQUE INDEX certification_bodies_name_uq ON certification_bodies (org_id, name);

CREATE TABLE certification_audits (
    id              BLOB    NOT NULL PRIMARY KEY,
    org_id          BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number          BIGINT  NOT NULL,            -- shown as CBA-001
    body_id         BLOB    NOT NULL REFERENCES certification_bodies (id) ON DELETE RESTRICT,
    kind            TEXT    NOT NULL,            -- stage1 | stage2 | surveillance1 | surveillance2 | recertification | special
    status          TEXT    NOT NULL,            -- planned | held | cancelled
    planned_start   TEXT    NOT NULL,
    planned_end     TEXT    NOT NULL,
    actual_start    TEXT,
    actual_end      TEXT,
    lead_auditor    TEXT    NOT NULL,
    team            TEXT    NOT NULL,            -- JSON array of names
    auditor_days    BIGINT  NOT NULL,            -- in half days
    scope           TEXT    NOT NULL,
    soa_version     BIGINT,                      -- the SoA version audited
    outcome         TEXT    NOT NULL,            -- the body's conclusion, free text
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    version         BIGINT  NOT NULL
);
CREATE UNIQUE INDEX certification_audits_number_uq ON certification_audits (org_id, number);
CREATE INDEX certification_audits_start_idx ON certification_audits (org_id, planned_start, number);
CREATE INDEX certification_audits_body_idx ON certification_audits (org_id, body_id);

CREATE TABLE certificates (
    id              BLOB    NOT NULL PRIMARY KEY,
    org_id          BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    body_id         BLOB    NOT NULL REFERENCES certification_bodies (id) ON DELETE RESTRICT,
    certificate_no  TEXT    NOT NULL,
    scope           TEXT    NOT NULL,
    decision_on     TEXT    NOT NULL,
    issued_on       TEXT    NOT NULL,
    expires_on      TEXT    NOT NULL,            -- three years after the decision
    soa_version     BIGINT,                      -- the SoA version the certificate relies on
    status          TEXT    NOT NULL,            -- active | suspended | withdrawn | expired | restored
    status_on       TEXT    NOT NULL,            -- when the status last changed
    status_note     TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    version         BIGINT  NOT NULL
);
CREATE UNIQUE INDEX certificates_no_uq ON certificates (org_id, certificate_no);
CREATE INDEX certificates_decision_idx ON certificates (org_id, decision_on);
CREATE INDEX certificates_body_idx ON certificates (org_id, body_id);
