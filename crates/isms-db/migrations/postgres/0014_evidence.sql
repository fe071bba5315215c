-- Evidence (ISO 27001 7.5.3, 9.1) and the blob store that holds its files.
-- Files are content-addressed in the database: one row per distinct file per
-- organisation, named by the SHA-256 of its bytes (one place to back up, shared by every
-- instance). The client's file name is kept on the evidence row for display only.
-- PostgreSQL flavour. Keep in step with ../sqlite/0014_evidence.sql.

CREATE TABLE blobs (
    id            UUID    NOT NULL PRIMARY KEY,
    org_id        UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    sha256        TEXT    NOT NULL,            -- 64 lower-case hex characters of the bytes
    size          BIGINT  NOT NULL,
    content_type  TEXT    NOT NULL,            -- sniffed from the bytes, never the client's
    data          BYTEA   NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
-- Content addressing and verification's keyset walk (org_id, sha256).
CREATE UNIQUE INDEX blobs_hash_uq ON blobs (org_id, sha256);

CREATE TABLE evidence (
    id            UUID    NOT NULL PRIMARY KEY,
    org_id        UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number        BIGINT  NOT NULL,            -- shown as EV-0001
    kind          TEXT    NOT NULL,            -- file | link
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    url           TEXT,                        -- kind link: http(s) only
    blob_sha256   TEXT,                        -- kind file: the stored bytes
    file_name     TEXT,                        -- kind file: sanitised client name, display only
    content_type  TEXT,
    size          BIGINT,
    collected_by  UUID    REFERENCES users (id) ON DELETE SET NULL,
    collected_on  DATE    NOT NULL,
    period_from   DATE,
    period_to     DATE,
    valid_until   DATE,                        -- no date: does not expire
    created_by    UUID    REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT  NOT NULL,
    FOREIGN KEY (org_id, blob_sha256) REFERENCES blobs (org_id, sha256)
);
CREATE UNIQUE INDEX evidence_number_uq ON evidence (org_id, number);
CREATE INDEX evidence_kind_idx ON evidence (org_id, kind, number);
CREATE INDEX evidence_valid_idx ON evidence (org_id, valid_until, number);
CREATE INDEX evidence_blob_idx ON evidence (org_id, blob_sha256);

-- What a piece of evidence supports: a control (Annex A id or own-control code), a
-- clause (6.1.3), a risk (by number) or, later, an audit. evidence_number is copied so the
-- per-target list is read from the index in register order.
CREATE TABLE evidence_links (
    id               UUID    NOT NULL PRIMARY KEY,
    org_id           UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    evidence_id      UUID    NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    evidence_number  BIGINT  NOT NULL,
    target_kind      TEXT    NOT NULL,         -- control | clause | risk | audit
    target_ref       TEXT    NOT NULL          -- 5.15, NW-07, 6.1.3, R-012
);
CREATE UNIQUE INDEX evidence_links_uq ON evidence_links (org_id, evidence_id, target_kind, target_ref);
CREATE INDEX evidence_links_target_idx ON evidence_links (org_id, target_kind, target_ref, evidence_number);
