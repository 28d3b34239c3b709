-- Cairn LTI storage, SQLite: what the JSON API keeps beside the event log (issue 10):
-- auto-scored item sets with their answer keys, evidence files stored by content hash, CSV
-- gradebook imports between preview and confirm, and learners' PLAR requests. Learner data
-- is never deleted with its registration (RESTRICT), like the events.

CREATE TABLE item_sets (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    context_id TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (registration_id, context_id, assessment_id)
);

CREATE TABLE evidence_files (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    context_id TEXT NOT NULL,
    learner_sub TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (registration_id, context_id, learner_sub, sha256)
);

CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    context_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    plan TEXT NOT NULL,
    confirmed_at INTEGER
);
CREATE INDEX imports_scope ON imports (registration_id, context_id);

CREATE TABLE plar_requests (
    id TEXT PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    context_id TEXT NOT NULL,
    learner_sub TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX plar_requests_scope ON plar_requests (registration_id, context_id, learner_sub);
