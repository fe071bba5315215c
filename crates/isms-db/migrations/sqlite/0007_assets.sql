-- The asset inventory (ISO 27001 A.5.9, A.5.12) and the data flows between assets; risks
-- can name the assets they concern.
-- SQLite flavour. Keep in step with ../postgres/0007_assets.sql.
--
-- Deleting an asset is refused while a data flow or a risk names it (the service answers
-- 409), so the record of what the ISMS relied on is never removed behind an auditor's
-- back; the foreign keys below have no cascade for that reason.

CREATE TABLE assets (
    id               BLOB    NOT NULL PRIMARY KEY,
    org_id           BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number           BIGINT  NOT NULL,            -- shown as A-0001; keyset order
    asset_type       TEXT    NOT NULL,            -- isms_domain::asset::AssetType
    name             TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    owner_id         BLOB    REFERENCES users (id) ON DELETE SET NULL,
    custodian_id     BLOB    REFERENCES users (id) ON DELETE SET NULL,
    location         TEXT    NOT NULL,
    confidentiality  BIGINT  NOT NULL,            -- 1..4
    integrity        BIGINT  NOT NULL,            -- 1..4
    availability     BIGINT  NOT NULL,            -- 1..4
    classification   BIGINT  NOT NULL,            -- highest of the three, set only by isms_domain::asset::classification
    in_scope         BOOLEAN NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    version          BIGINT  NOT NULL
);
CREATE UNIQUE INDEX assets_number_uq ON assets (org_id, number);
CREATE INDEX assets_org_type_idx ON assets (org_id, asset_type, number);
CREATE INDEX assets_org_owner_idx ON assets (org_id, owner_id, number);
CREATE INDEX assets_org_custodian_idx ON assets (org_id, custodian_id, number);
CREATE INDEX assets_org_scope_idx ON assets (org_id, in_scope, number);
CREATE INDEX assets_org_class_idx ON assets (org_id, classification, number);

CREATE TABLE asset_tags (
    id        BLOB    NOT NULL PRIMARY KEY,
    org_id    BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    asset_id  BLOB    NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    asset_number BIGINT NOT NULL,                 -- the asset's number (never changes): the tag filter pages on it
    tag       TEXT    NOT NULL                    -- normalised by isms_domain::asset::normalise_tags
);
CREATE UNIQUE INDEX asset_tags_asset_tag_uq ON asset_tags (org_id, asset_id, tag);
CREATE INDEX asset_tags_org_tag_idx ON asset_tags (org_id, tag, asset_number);

CREATE TABLE data_flows (
    id             BLOB    NOT NULL PRIMARY KEY,
    org_id         BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number         BIGINT  NOT NULL,              -- shown as F-001; keyset order
    from_asset_id  BLOB    NOT NULL REFERENCES assets (id),
    to_asset_id    BLOB    NOT NULL REFERENCES assets (id),
    data_category  TEXT    NOT NULL,
    mechanism      TEXT    NOT NULL,              -- isms_domain::asset::TransferMechanism
    encrypted      BOOLEAN NOT NULL,
    description    TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL
);
CREATE UNIQUE INDEX data_flows_number_uq ON data_flows (org_id, number);
CREATE INDEX data_flows_org_from_idx ON data_flows (org_id, from_asset_id, number);
CREATE INDEX data_flows_org_to_idx ON data_flows (org_id, to_asset_id, number);

CREATE TABLE risk_assets (
    id        BLOB    NOT NULL PRIMARY KEY,
    org_id    BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    risk_id   BLOB    NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    asset_id  BLOB    NOT NULL REFERENCES assets (id)
);
CREATE UNIQUE INDEX risk_assets_uq ON risk_assets (org_id, risk_id, asset_id);
CREATE INDEX risk_assets_org_asset_idx ON risk_assets (org_id, asset_id, risk_id);
