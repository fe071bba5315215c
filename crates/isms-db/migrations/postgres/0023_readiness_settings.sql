-- What the readiness rules accept, per organisation (absent: the defaults). See
-- isms_domain::readiness::Settings. PostgreSQL flavour; keep in step with
-- ../sqlite/0023_readiness_settings.sql.
CREATE TABLE readiness_settings (
    org_id                   UUID    NOT NULL PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    audit_lead_weeks         BIGINT  NOT NULL,   -- internal audit at least this long before Stage 1
    min_measurement_periods  BIGINT  NOT NULL,   -- readings per objective Stage 2 expects
    min_scope_words          BIGINT  NOT NULL,   -- a shorter scope statement is too vague
    updated_at               TIMESTAMPTZ NOT NULL,
    version                  BIGINT  NOT NULL
);
