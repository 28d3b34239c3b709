-- A user's sessions by registration: the write path reads a learner's latest launch claims
-- (email and name for the credential's recipient) and the API checks that a learner has
-- launched into a course. Without this index both scanned every session of the registration.
CREATE INDEX sessions_user ON sessions (registration_id, user_sub, created_at);
