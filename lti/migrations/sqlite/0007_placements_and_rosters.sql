-- Deep Linking placements and NRPS rosters (issue 13, spec/lti.md §7 and §9).
-- A placement is one content item Cairn returned to the platform: what it opens (a credential's
-- assessment, or its progress page when assessment_id is NULL). The platform echoes its id in
-- the link's custom parameters; the first launch of the link records the resource link id.
CREATE TABLE placements (
    id TEXT PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    context_id TEXT NOT NULL,
    definition_id TEXT NOT NULL,
    assessment_id TEXT,
    title TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resource_link_id TEXT
);
CREATE INDEX placements_scope ON placements (registration_id, context_id);
CREATE INDEX placements_link ON placements (registration_id, resource_link_id);

-- A course's roster as NRPS last answered it; users are (registration, sub). A member the
-- platform stopped listing gets left_at and stays (grids and credentials still name them).
CREATE TABLE roster_members (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    context_id TEXT NOT NULL,
    user_sub TEXT NOT NULL,
    name TEXT,
    given_name TEXT,
    family_name TEXT,
    email TEXT,
    roles TEXT NOT NULL,
    status TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    left_at INTEGER,
    PRIMARY KEY (registration_id, context_id, user_sub)
);

-- When each course's roster was last fetched (the refresh policy reads it).
CREATE TABLE roster_fetches (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    context_id TEXT NOT NULL,
    memberships_url TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    members INTEGER NOT NULL,
    PRIMARY KEY (registration_id, context_id)
);
