-- Foundation: organisations, people, access, sessions, tokens, rate limits, audit trail.
-- SQLite flavour: UUIDs as BLOB(16), instants as BIGINT epoch milliseconds (UTC),
-- calendar dates as TEXT YYYY-MM-DD. Keep in step with ../postgres/0001_foundation.sql.

CREATE TABLE organisations (
    id          BLOB    NOT NULL PRIMARY KEY,
    slug        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    employees   BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    version     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX organisations_slug_uq ON organisations (slug);
CREATE INDEX organisations_name_idx ON organisations (name, id);

CREATE TABLE users (
    id              BLOB    NOT NULL PRIMARY KEY,
    email           TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    is_admin        BOOLEAN NOT NULL,
    disabled        BOOLEAN NOT NULL,
    totp_secret     TEXT,
    totp_enabled    BOOLEAN NOT NULL,
    totp_last_step  BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    version         BIGINT  NOT NULL
);
CREATE UNIQUE INDEX users_email_uq ON users (email);

CREATE TABLE recovery_codes (
    id          BLOB    NOT NULL PRIMARY KEY,
    user_id     BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   TEXT    NOT NULL,
    used_at     BIGINT
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);

CREATE TABLE memberships (
    id          BLOB    NOT NULL PRIMARY KEY,
    org_id      BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id     BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL,
    expires_on  TEXT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    version     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX memberships_org_user_uq ON memberships (org_id, user_id);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE sessions (
    id            BLOB    NOT NULL PRIMARY KEY,
    token_hash    TEXT    NOT NULL,
    user_id       BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT    NOT NULL,
    mfa_pending   BOOLEAN NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_seen_at  BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    user_agent    TEXT    NOT NULL,
    ip            TEXT    NOT NULL
);
CREATE UNIQUE INDEX sessions_token_uq ON sessions (token_hash);
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen_at);

CREATE TABLE api_tokens (
    id              BLOB    NOT NULL PRIMARY KEY,
    user_id         BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    token_hash      TEXT    NOT NULL,
    display_prefix  TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    last_used_at    BIGINT,
    expires_at      BIGINT
);
CREATE UNIQUE INDEX api_tokens_hash_uq ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at);

CREATE TABLE login_attempts (
    attempt_key   TEXT    NOT NULL PRIMARY KEY,
    window_start  BIGINT  NOT NULL,
    failures      BIGINT  NOT NULL
);
CREATE INDEX login_attempts_window_idx ON login_attempts (window_start);

CREATE TABLE audit_heads (
    chain_id   BLOB    NOT NULL PRIMARY KEY,
    last_seq   BIGINT  NOT NULL,
    last_hash  TEXT    NOT NULL
);

CREATE TABLE audit_entries (
    id             BLOB    NOT NULL PRIMARY KEY,
    chain_id       BLOB    NOT NULL,
    seq            BIGINT  NOT NULL,
    at             BIGINT  NOT NULL,
    actor_id       BLOB,
    actor          TEXT    NOT NULL,
    entity         TEXT    NOT NULL,
    entity_id      TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    summary        TEXT    NOT NULL,
    before_digest  TEXT,
    after_digest   TEXT,
    details        TEXT    NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL
);
CREATE UNIQUE INDEX audit_entries_chain_seq_uq ON audit_entries (chain_id, seq);
CREATE INDEX audit_entries_entity_idx ON audit_entries (chain_id, entity, seq);
CREATE INDEX audit_entries_actor_idx ON audit_entries (chain_id, actor_id, seq);
CREATE INDEX audit_entries_at_idx ON audit_entries (chain_id, at);
