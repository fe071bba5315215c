-- Suppliers (Annex A 5.19-5.23) and the history of their security assessments.
-- PostgreSQL flavour. Keep in step with ../sqlite/0020_suppliers_competence.sql.

CREATE TABLE suppliers (
    id                   UUID    NOT NULL PRIMARY KEY,
    org_id               UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
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
    created_by           UUID    REFERENCES users (id) ON DELETE SET NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    version              BIGINT  NOT NULL
);
CREATE UNIQUE INDEX suppliers_number_uq ON suppliers (org_id, number);
CREATE INDEX suppliers_status_idx ON suppliers (org_id, status, number);
CREATE INDEX suppliers_criticality_idx ON suppliers (org_id, criticality, number);

-- Every security assessment of a supplier; the last one is the latest assessed_on.
CREATE TABLE supplier_assessments (
    id            UUID    NOT NULL PRIMARY KEY,
    org_id        UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    supplier_id   UUID    NOT NULL REFERENCES suppliers (id) ON DELETE CASCADE,
    assessed_on   DATE    NOT NULL,
    result        TEXT    NOT NULL,                 -- satisfactory | conditional | unsatisfactory
    note          TEXT    NOT NULL,
    recorded_by   UUID    REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX supplier_assessments_idx ON supplier_assessments (org_id, supplier_id, assessed_on, id);
