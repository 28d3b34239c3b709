-- Assignment and Grade Services (spec/lti.md §8): the AGS endpoint claim of each launch, the
-- line item found or created per assessment, and the score outbox written in the same
-- transaction as the event that produced the score.

-- The launch's `lti-ags/claim/endpoint`, per (registration, deployment, context, resource link).
CREATE TABLE ags_endpoints (
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    context_id TEXT NOT NULL,
    resource_link_id TEXT NOT NULL,
    lineitems TEXT,
    lineitem TEXT,
    scopes TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (registration_id, deployment_id, context_id, resource_link_id)
);
CREATE INDEX ags_endpoints_context ON ags_endpoints (registration_id, context_id, updated_at);

-- One line item per assessment of a context; its URL verbatim.
CREATE TABLE ags_line_items (
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    context_id TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    lineitem TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (registration_id, context_id, assessment_id)
);

-- status: pending → sending (claimed until lease_until_ms) → sent | superseded | parked.
-- state_key is the (attempt, kept result) state: one row per state, never two.
CREATE TABLE score_outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE RESTRICT,
    context_id TEXT NOT NULL,
    learner_sub TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    state_key TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    score TEXT NOT NULL,
    timestamp_ms BIGINT NOT NULL,
    status TEXT NOT NULL,
    tries BIGINT NOT NULL,
    next_try_ms BIGINT NOT NULL,
    lease_until_ms BIGINT,
    reason TEXT,
    detail TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    UNIQUE (registration_id, context_id, learner_sub, assessment_id, state_key)
);
CREATE INDEX score_outbox_due ON score_outbox (status, next_try_ms);
CREATE INDEX score_outbox_key ON score_outbox
    (registration_id, context_id, assessment_id, learner_sub, timestamp_ms);
