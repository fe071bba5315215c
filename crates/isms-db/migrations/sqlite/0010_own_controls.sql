-- The organisation's own controls (besides Annex A), named by a code of its choosing.
-- Risks link to them through risk_controls.control_id, which holds either an Annex A id
-- (5.15) or one of these codes (NW-07); the code never changes once made.
-- SQLite flavour. Keep in step with ../postgres/0010_own_controls.sql.

CREATE TABLE own_controls (
    id           BLOB    NOT NULL PRIMARY KEY,
    org_id       BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    code         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    version      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX own_controls_code_uq ON own_controls (org_id, code);
