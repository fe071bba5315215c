-- The document register (ISO 27001 7.5): policies, procedures, standards, records and
-- plans, their versions with the approval workflow, and the clauses and controls each
-- document serves. Rules in isms_domain::document.
-- Postgres flavour. Keep in step with ../sqlite/0013_documents.sql.

CREATE TABLE documents (
    id               UUID    NOT NULL PRIMARY KEY,
    org_id           UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number           BIGINT  NOT NULL,            -- DOC-001 … per organisation
    title            TEXT    NOT NULL,
    kind             TEXT    NOT NULL,            -- policy | procedure | standard | record | plan
    owner_id         UUID    REFERENCES users (id) ON DELETE SET NULL,
    approver_id      UUID    REFERENCES users (id) ON DELETE SET NULL,  -- when set, only this person (or an admin) approves
    classification   TEXT    NOT NULL,            -- public | internal | confidential | restricted
    review_months    BIGINT  NOT NULL,
    next_review_on   DATE,                        -- approval day + review_months; none until approved
    status           TEXT    NOT NULL,            -- draft | in_review | approved | retired
    template_key     TEXT,                        -- isms_domain::document::templates key it started from
    current_version  BIGINT,                      -- number of the approved version in force
    approved_at      TIMESTAMPTZ,                      -- when that version was approved
    latest_version   BIGINT  NOT NULL,            -- the newest version's number …
    latest_status    TEXT    NOT NULL,            -- … and its status (shown in the list without a join)
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          BIGINT  NOT NULL
);
CREATE UNIQUE INDEX documents_number_uq ON documents (org_id, number);
CREATE INDEX documents_kind_idx ON documents (org_id, kind, number);
CREATE INDEX documents_status_idx ON documents (org_id, status, number);
CREATE INDEX documents_owner_idx ON documents (org_id, owner_id, number);
CREATE INDEX documents_review_idx ON documents (org_id, status, next_review_on);

-- Versions: Markdown content, or (instead) an attached file stored by its SHA-256.
CREATE TABLE document_versions (
    id                UUID    NOT NULL PRIMARY KEY,
    org_id            UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    document_id       UUID    NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    number            BIGINT  NOT NULL,           -- 1, 2, 3 … per document
    status            TEXT    NOT NULL,           -- draft | in_review | approved | rejected | superseded
    content           TEXT    NOT NULL,           -- Markdown ('' when a file is attached)
    file_sha256       TEXT,                       -- attached file: hash of its bytes (blob store)
    file_name         TEXT,
    file_type         TEXT,
    file_size         BIGINT,
    based_on          BIGINT,                     -- the version it was copied from
    change_note       TEXT    NOT NULL,
    created_by        UUID    REFERENCES users (id) ON DELETE SET NULL,
    submitted_by      UUID    REFERENCES users (id) ON DELETE SET NULL,
    submitted_at      TIMESTAMPTZ,
    decided_by        UUID    REFERENCES users (id) ON DELETE SET NULL,  -- approved or rejected by
    decided_at        TIMESTAMPTZ,
    decision_comment  TEXT    NOT NULL,           -- kept when a rejected version is redrafted
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    version           BIGINT  NOT NULL
);
CREATE UNIQUE INDEX document_versions_number_uq ON document_versions (document_id, number);
CREATE INDEX document_versions_org_idx ON document_versions (org_id, document_id, status);

-- What a document serves: a clause (9.2) or a control (5.15, NW-02; see
-- isms_domain::control::parse_control_ref).
CREATE TABLE document_links (
    id           UUID    NOT NULL PRIMARY KEY,
    org_id       UUID    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    document_id  UUID    NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    target_kind  TEXT    NOT NULL,                -- clause | control
    target_ref   TEXT    NOT NULL
);
CREATE UNIQUE INDEX document_links_uq ON document_links (document_id, target_kind, target_ref);
CREATE INDEX document_links_target_idx ON document_links (org_id, target_kind, target_ref, document_id);
