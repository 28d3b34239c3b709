-- Cairn LTI storage, SQLite: the rows of spec/lti.md section 2. Every tenant row hangs off a
-- registration; times are Unix seconds; booleans are INTEGER 0/1; JSON is TEXT.

CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    auth_endpoint TEXT NOT NULL,
    token_endpoint TEXT NOT NULL,
    jwks_url TEXT NOT NULL,
    client_assertion_audience TEXT,
    platform_family TEXT NOT NULL,
    auto_register_deployments INTEGER NOT NULL CHECK (auto_register_deployments IN (0, 1)),
    allow_http INTEGER NOT NULL CHECK (allow_http IN (0, 1)),
    created_at INTEGER NOT NULL,
    UNIQUE (issuer, client_id)
);

CREATE TABLE deployments (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (registration_id, deployment_id)
);

CREATE TABLE login_states (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    deployment_id TEXT,
    target_link_uri TEXT NOT NULL,
    login_hint TEXT NOT NULL,
    lti_message_hint TEXT,
    client_id TEXT,
    binding TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used INTEGER NOT NULL CHECK (used IN (0, 1))
);
CREATE INDEX login_states_registration ON login_states (registration_id);
CREATE INDEX login_states_created_at ON login_states (created_at);

CREATE TABLE used_nonces (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    keep_until INTEGER NOT NULL,
    PRIMARY KEY (registration_id, nonce)
);
CREATE INDEX used_nonces_keep_until ON used_nonces (keep_until);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    token_expires_at INTEGER NOT NULL,
    registration_id INTEGER NOT NULL,
    deployment_id TEXT NOT NULL,
    context_id TEXT,
    user_sub TEXT NOT NULL,
    roles TEXT NOT NULL,
    claims TEXT NOT NULL,
    pending INTEGER NOT NULL CHECK (pending IN (0, 1)),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    FOREIGN KEY (registration_id, deployment_id)
        REFERENCES deployments (registration_id, deployment_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX sessions_token_hash ON sessions (token_hash);
CREATE INDEX sessions_scope ON sessions (registration_id, deployment_id, context_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE tool_keys (
    kid TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('next', 'current', 'previous')),
    sealed_private_key BLOB NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status_since INTEGER NOT NULL
);
