-- Cairn records and credentials, SQLite (issue 10): credential definitions, the append-only
-- event log with its per-learner head (the write path's compare-and-set), issuers and their
-- Ed25519 keys, status lists and issued credentials. Times are Unix seconds; JSON is TEXT.
-- Events, credentials, definitions, heads and issuers refer to their registration with
-- ON DELETE RESTRICT: removing a registration never deletes a record or a credential.

CREATE TABLE definitions (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    context_id TEXT NOT NULL,
    definition_id TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    published_at INTEGER,
    archived_at INTEGER,
    PRIMARY KEY (registration_id, context_id, definition_id, version)
);
CREATE INDEX definitions_status ON definitions (registration_id, context_id, status);

CREATE TABLE learner_heads (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    context_id TEXT NOT NULL,
    learner_sub TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    PRIMARY KEY (registration_id, context_id, learner_sub)
);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    context_id TEXT NOT NULL,
    learner_sub TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    meta TEXT NOT NULL,
    author_sub TEXT NOT NULL,
    author_role TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    request_id TEXT,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX events_learner ON events (registration_id, context_id, learner_sub, seq);

CREATE TABLE issuers (
    id TEXT PRIMARY KEY,
    registration_id INTEGER NOT NULL UNIQUE REFERENCES registrations (id) ON DELETE RESTRICT,
    issuer_id TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE issuer_keys (
    key_id TEXT PRIMARY KEY,
    issuer TEXT NOT NULL REFERENCES issuers (id) ON DELETE RESTRICT,
    public_key_multibase TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('current', 'previous')),
    created_at INTEGER NOT NULL,
    retired_at INTEGER
);
-- One signing key per issuer: two servers creating or rotating at once cannot both succeed.
CREATE UNIQUE INDEX issuer_keys_one_current ON issuer_keys (issuer) WHERE status = 'current';

CREATE TABLE status_lists (
    id TEXT PRIMARY KEY,
    issuer TEXT NOT NULL REFERENCES issuers (id) ON DELETE RESTRICT,
    purpose TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    size INTEGER NOT NULL CHECK (size >= 131072),
    credential TEXT,
    generated_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX status_lists_issuer ON status_lists (issuer, purpose);

CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    context_id TEXT NOT NULL,
    learner_sub TEXT NOT NULL,
    definition_id TEXT NOT NULL,
    version TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    issuer TEXT NOT NULL REFERENCES issuers (id) ON DELETE RESTRICT,
    key_id TEXT NOT NULL REFERENCES issuer_keys (key_id) ON DELETE RESTRICT,
    issued_at INTEGER NOT NULL,
    valid_until INTEGER,
    body TEXT NOT NULL,
    event_seq INTEGER NOT NULL REFERENCES events (seq) ON DELETE RESTRICT,
    status_list_id TEXT NOT NULL REFERENCES status_lists (id) ON DELETE RESTRICT,
    status_index INTEGER NOT NULL,
    suspension_list_id TEXT REFERENCES status_lists (id) ON DELETE RESTRICT,
    suspension_index INTEGER,
    revoked_at INTEGER,
    revoked_reason TEXT,
    revoked_by TEXT,
    suspended_at INTEGER,
    suspended_reason TEXT,
    suspended_by TEXT,
    created_at INTEGER NOT NULL,
    -- The issuance key: a second issuance is impossible, even from two servers.
    UNIQUE (registration_id, context_id, learner_sub, definition_id, version, cycle),
    UNIQUE (status_list_id, status_index),
    UNIQUE (suspension_list_id, suspension_index)
);
CREATE INDEX credentials_context ON credentials (registration_id, context_id, learner_sub);
CREATE INDEX credentials_valid_until ON credentials (valid_until) WHERE valid_until IS NOT NULL;
