-- Suppliers (Annex A 5.19-5.23) and the history of their security assessments.
-- SQLite flavour. Keep in step with ../postgres/0020_suppliers_competence.sql.

CREATE TABLE suppliers (
    id                   BLOB    NOT NULL PRIMARY KEY,
    org_id               BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number               BIGINT  NOT NULL,          -- shown as SUP-001
    name                 TEXT    NOT NULL,
    service              TEXT    NOT NULL,          -- the service provided
    criticality          TEXT    NOT NULL,          -- low | medium | high | critical
    data_shared          TEXT    NOT NULL,          -- classes of data the supplier gets
    contract_security    BOOLEAN NOT NULL,          -- the contract sets security requirements
    contract_reference   TEXT    NOT NULL,          -- where: contract, clause
    contact              TEXT    NOT NULL,
    owner                TEXT    NOT NULL,          -- who manages the relationship
    interval_months      BIGINT,                    -- NULL: the default of the criticality
    status               TEXT    NOT NULL,          -- active | offboarded
    created_by           BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    version              BIGINT  NOT NULL
);
CREATE UNIQUE INDEX suppliers_number_uq ON suppliers (org_id, number);
CREATE INDEX suppliers_status_idx ON suppliers (org_id, status, number);
CREATE INDEX suppliers_criticality_idx ON suppliers (org_id, criticality, number);

-- Every security assessment of a supplier; the last one is the latest assessed_on.
CREATE TABLE supplier_assessments (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    supplier_id   BLOB    NOT NULL REFERENCES suppliers (id) ON DELETE CASCADE,
    assessed_on   TEXT    NOT NULL,
    result        TEXT    NOT NULL,                 -- satisfactory | conditional | unsatisfactory
    note          TEXT    NOT NULL,
    recorded_by   BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX supplier_assessments_idx ON supplier_assessments (org_id, supplier_id, assessed_on, id);

-- Competence and awareness (7.2, 7.3, Annex A 6.3): people in scope, the competences each
-- job role requires, training records, awareness campaigns and who took part.
CREATE TABLE people (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL,                 -- may be empty
    job_role      TEXT    NOT NULL,                 -- matched to role_competences.job_role
    department    TEXT    NOT NULL,
    user_id       BLOB    REFERENCES users (id) ON DELETE SET NULL,   -- a member, if any
    active        BOOLEAN NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    version       BIGINT  NOT NULL
);
CREATE INDEX people_name_idx ON people (org_id, name, id);
CREATE INDEX people_role_idx ON people (org_id, job_role);

-- The competences a job role requires (a small table: role -> competence names).
CREATE TABLE role_competences (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    job_role      TEXT    NOT NULL,
    competence    TEXT    NOT NULL
);
CREATE UNIQUE INDEX role_competences_uq ON role_competences (org_id, job_role, competence);

CREATE TABLE trainings (
    id             BLOB    NOT NULL PRIMARY KEY,
    org_id         BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    person_id      BLOB    NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    competence     TEXT    NOT NULL,                -- the course or competence it shows
    completed_on   TEXT    NOT NULL,
    expires_on     TEXT,                            -- NULL: does not expire
    provider       TEXT    NOT NULL,
    evidence_note  TEXT    NOT NULL,
    recorded_by    BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at     BIGINT  NOT NULL
);
CREATE INDEX trainings_person_idx ON trainings (org_id, person_id, competence);
CREATE INDEX trainings_date_idx ON trainings (org_id, completed_on, id);
CREATE INDEX trainings_expiry_idx ON trainings (org_id, expires_on);

CREATE TABLE awareness_campaigns (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    topic         TEXT    NOT NULL,
    starts_on     TEXT    NOT NULL,
    ends_on       TEXT    NOT NULL,                 -- not before starts_on
    audience      TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    version       BIGINT  NOT NULL
);
CREATE INDEX awareness_campaigns_date_idx ON awareness_campaigns (org_id, starts_on, id);

CREATE TABLE campaign_participants (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    campaign_id   BLOB    NOT NULL REFERENCES awareness_campaigns (id) ON DELETE CASCADE,
    person_id     BLOB    NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    completed_on  TEXT                              -- NULL: not done yet
);
CREATE UNIQUE INDEX campaign_participants_uq ON campaign_participants (org_id, campaign_id, person_id);
CREATE INDEX campaign_participants_person_idx ON campaign_participants (org_id, person_id);
