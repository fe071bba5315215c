-- Operation records (ISO 27001 9.1, Annex A 5.24-5.28): incidents and what they touched,
-- and measurements of objectives' metrics and control checks over time.
-- SQLite flavour. Keep in step with ../postgres/0015_operations.sql.

CREATE TABLE incidents (
    id               BLOB    NOT NULL PRIMARY KEY,
    org_id           BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number           BIGINT  NOT NULL,            -- shown as INC-001
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    category         TEXT    NOT NULL,            -- malware | phishing | … | other
    severity         TEXT    NOT NULL,            -- low | medium | high | critical
    status           TEXT    NOT NULL,            -- open | contained | resolved | closed
    detected_on      TEXT    NOT NULL,
    reported_on      TEXT    NOT NULL,            -- not before detected_on
    reported_by      TEXT    NOT NULL,            -- who reported it (a name, may be outside staff)
    response         TEXT    NOT NULL,            -- what was done
    root_cause       TEXT    NOT NULL,
    lessons_learned  TEXT    NOT NULL,
    closed_on        TEXT,                        -- set exactly when status is closed
    created_by       BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    version          BIGINT  NOT NULL
);
CREATE UNIQUE INDEX incidents_number_uq ON incidents (org_id, number);
CREATE INDEX incidents_status_idx ON incidents (org_id, status, number);
CREATE INDEX incidents_severity_idx ON incidents (org_id, severity, number);

-- What an incident touched: affected assets (A-0001), risks (R-012), controls (5.24, NW-07).
CREATE TABLE incident_links (
    id           BLOB    NOT NULL PRIMARY KEY,
    org_id       BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    incident_id  BLOB    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    target_kind  TEXT    NOT NULL,                -- asset | risk | control
    target_ref   TEXT    NOT NULL
);
CREATE UNIQUE INDEX incident_links_uq ON incident_links (org_id, incident_id, target_kind, target_ref);
CREATE INDEX incident_links_target_idx ON incident_links (org_id, target_kind, target_ref);

-- One measurement of a subject: an objective's metric (subject_ref = the objective's id)
-- or a control check (subject_ref = 5.15 or NW-07). Append-only history.
CREATE TABLE measurements (
    id            BLOB    NOT NULL PRIMARY KEY,
    org_id        BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    subject_kind  TEXT    NOT NULL,               -- objective | control
    subject_ref   TEXT    NOT NULL,
    measured_on   TEXT    NOT NULL,
    value         REAL,                           -- required for objectives
    result        TEXT,                           -- pass | partial | fail (control checks)
    note          TEXT    NOT NULL,
    recorded_by   BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX measurements_subject_idx ON measurements (org_id, subject_kind, subject_ref, measured_on, id);
CREATE INDEX measurements_date_idx ON measurements (org_id, measured_on, id);
