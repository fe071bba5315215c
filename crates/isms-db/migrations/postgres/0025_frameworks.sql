-- Frameworks besides ISO 27001 imported into an organisation (an OSCAL catalog such as
-- NIST SP 800-53, a CISO Assistant library), their requirement tree, the organisation's
-- links from its controls to their requirements, and mappings from their requirements
-- to ISO 27001:2022. Links and mappings name a requirement by its ref (ac-2.1), not by
-- row id, so re-importing a framework (its requirements are replaced) keeps them.
-- PostgreSQL flavour. Keep in step with ../sqlite/0025_frameworks.sql.

CREATE TABLE frameworks (
    id               UUID    NOT NULL PRIMARY KEY,
    org_id           UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    source_kind      TEXT    NOT NULL,            -- oscal_catalog | ciso_assistant
    source_key       TEXT    NOT NULL,            -- the catalog's uuid or the library's urn: re-import key
    name             TEXT    NOT NULL,
    fw_version       TEXT    NOT NULL,
    source_sha256    TEXT    NOT NULL,            -- of the file last imported
    requirement_count BIGINT NOT NULL,
    imported_by      TEXT    NOT NULL,            -- who imported it last (a name)
    imported_at      TIMESTAMPTZ NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    version          BIGINT  NOT NULL
);
CREATE UNIQUE INDEX frameworks_source_uq ON frameworks (org_id, source_key);
CREATE INDEX frameworks_org_idx ON frameworks (org_id, id);

CREATE TABLE framework_requirements (
    id             UUID    NOT NULL PRIMARY KEY,
    org_id         UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    framework_id   UUID    NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    ref_id         TEXT    NOT NULL,              -- ac-2.1, A.5.1 …
    parent_ref     TEXT,                          -- the enclosing group or control
    position       BIGINT  NOT NULL,              -- document order
    depth          BIGINT  NOT NULL,              -- 0 = top level
    kind           TEXT    NOT NULL,              -- group | control
    assessable     BOOLEAN NOT NULL,              -- counts towards coverage
    title          TEXT    NOT NULL,
    body           TEXT    NOT NULL               -- the imported text (the customer's licensed copy), or empty
);
CREATE UNIQUE INDEX framework_requirements_ref_uq ON framework_requirements (org_id, framework_id, ref_id);
CREATE INDEX framework_requirements_order_idx ON framework_requirements (org_id, framework_id, position);

-- An organisation's control (Annex A id or own-control code) that meets a requirement.
CREATE TABLE framework_links (
    id               UUID    NOT NULL PRIMARY KEY,
    org_id           UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    framework_id     UUID    NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    requirement_ref  TEXT    NOT NULL,
    control_ref      TEXT    NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX framework_links_uq ON framework_links (org_id, framework_id, requirement_ref, control_ref);
CREATE INDEX framework_links_control_idx ON framework_links (org_id, control_ref);

-- A requirement of the framework related to an ISO 27001:2022 control or clause.
CREATE TABLE framework_mappings (
    id               UUID    NOT NULL PRIMARY KEY,
    org_id           UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    framework_id     UUID    NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    source_ref       TEXT    NOT NULL,            -- the framework's requirement ref
    target_id        TEXT    NOT NULL,            -- 5.15 (Annex A) or 6.1.3 (clause)
    relationship     TEXT    NOT NULL,            -- equal | subset | superset | intersect | related
    rationale        TEXT    NOT NULL,
    position         BIGINT  NOT NULL             -- line order of the file
);
CREATE UNIQUE INDEX framework_mappings_uq ON framework_mappings (org_id, framework_id, source_ref, target_id);
CREATE INDEX framework_mappings_target_idx ON framework_mappings (org_id, target_id);
