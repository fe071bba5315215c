-- Gap assessments: one questionnaire over every clause requirement and Annex A control.
-- PostgreSQL flavour. Keep in step with ../sqlite/0002_gap_assessments.sql.

CREATE TABLE gap_assessments (
    id            UUID    NOT NULL PRIMARY KEY,
    org_id        UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    scope_note    TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    completed_at  TIMESTAMPTZ,
    created_by    UUID,
    created_at    TIMESTAMPTZ  NOT NULL,
    updated_at    TIMESTAMPTZ  NOT NULL,
    version       BIGINT  NOT NULL
);
CREATE INDEX gap_assessments_org_created_idx ON gap_assessments (org_id, created_at, id);

CREATE TABLE gap_items (
    id             UUID    NOT NULL PRIMARY KEY,
    org_id         UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    assessment_id  UUID    NOT NULL REFERENCES gap_assessments (id) ON DELETE CASCADE,
    item_key       TEXT    NOT NULL,
    position       BIGINT  NOT NULL,
    area           TEXT    NOT NULL,
    current_level  BIGINT,
    target_level   BIGINT,
    applicable     BOOLEAN NOT NULL,
    na_reason      TEXT,
    notes          TEXT    NOT NULL,
    evidence       TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    answered_at    TIMESTAMPTZ,
    answered_by    UUID,
    version        BIGINT  NOT NULL
);
CREATE UNIQUE INDEX gap_items_assessment_key_uq ON gap_items (assessment_id, item_key);
CREATE INDEX gap_items_org_assessment_position_idx ON gap_items (org_id, assessment_id, position);
CREATE INDEX gap_items_assessment_area_idx ON gap_items (assessment_id, area, position);
