//! The one implementation of [`RecordStore`](super::records::RecordStore) that both backends
//! share: every statement on the records and credentials tables is written once here (the
//! dialect SQLite and PostgreSQL both read), and [`impl_record_store!`] expands the trait impl
//! for a backend's pool type. The `events` table has an `INSERT` and `SELECT`s here and no
//! other statement anywhere; `credentials` has one `UPDATE`, on the status columns.

use super::StoreError;
use super::records::{DefinitionRow, LearnerScope};

/// The columns of a definition row.
macro_rules! definition_columns {
    () => {
        "registration_id, context_id, definition_id, version, body, status, created_by, \
         created_at, published_at, archived_at"
    };
}

/// The columns of an event row.
macro_rules! event_columns {
    () => {
        "seq, registration_id, context_id, learner_sub, at, kind, body, meta, author_sub, \
         author_role, deployment_id, request_id, recorded_at"
    };
}

/// The columns of a credential row.
macro_rules! credential_columns {
    () => {
        "id, registration_id, context_id, learner_sub, definition_id, version, cycle, issuer, \
         key_id, issued_at, valid_until, body, event_seq, status_list_id, status_index, \
         suspension_list_id, suspension_index, revoked_at, revoked_reason, revoked_by, \
         suspended_at, suspended_reason, suspended_by, created_at"
    };
}

/// The columns of an issuer row.
macro_rules! issuer_columns {
    () => {
        "id, registration_id, issuer_id, profile, created_at, updated_at"
    };
}

/// The columns of an issuer key row.
macro_rules! issuer_key_columns {
    () => {
        "key_id, issuer, public_key_multibase, sealed_secret, status, created_at, retired_at"
    };
}

/// The columns of a status list row.
macro_rules! status_list_columns {
    () => {
        "id, issuer, purpose, size, credential, generated_at, created_at"
    };
}

pub(super) const INSERT_DEFINITION: &str = concat!(
    "INSERT INTO definitions (",
    definition_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
);
pub(super) const UPDATE_DRAFT_DEFINITION: &str = "UPDATE definitions SET body = $5 \
     WHERE registration_id = $1 AND context_id = $2 AND definition_id = $3 AND version = $4 \
     AND status = 'draft'";
pub(super) const SELECT_DEFINITIONS: &str = concat!(
    "SELECT ",
    definition_columns!(),
    " FROM definitions WHERE registration_id = $1 AND context_id = $2 \
     ORDER BY definition_id, created_at, version"
);
pub(super) const SELECT_DEFINITION: &str = concat!(
    "SELECT ",
    definition_columns!(),
    " FROM definitions WHERE registration_id = $1 AND context_id = $2 AND definition_id = $3 \
     AND version = $4"
);
pub(super) const PUBLISH_DEFINITION: &str = "UPDATE definitions SET status = 'published', \
     published_at = $5 WHERE registration_id = $1 AND context_id = $2 AND definition_id = $3 \
     AND version = $4 AND status = 'draft'";
pub(super) const ARCHIVE_DEFINITION: &str = "UPDATE definitions SET status = 'archived', \
     archived_at = $5 WHERE registration_id = $1 AND context_id = $2 AND definition_id = $3 \
     AND version = $4 AND status <> 'archived'";
pub(super) const SELECT_PUBLISHED_DEFINITIONS: &str = concat!(
    "SELECT ",
    definition_columns!(),
    " FROM definitions WHERE registration_id = $1 AND context_id = $2 AND status = 'published' \
     ORDER BY definition_id, version"
);

macro_rules! insert_event_into {
    () => {
        "INSERT INTO events (registration_id, context_id, learner_sub, at, kind, body, meta, \
         author_sub, author_role, deployment_id, request_id, recorded_at) "
    };
}
pub(super) const INSERT_EVENT: &str = concat!(
    insert_event_into!(),
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING seq"
);
// The guarded inserts of the SQLite group writer: the event is inserted only when the head
// is the one folded ($13; no head for the first event), so a lost race writes nothing and
// needs no savepoint to undo. Each moves the head in the same round trip (two statements in
// one query; `$n` names the same argument in both): the head takes the event's rowid, and
// only when the insert wrote its row (`changes() = 1`). Both return `seq`: no row when the
// head was not the one folded, two when the event and the head were written. `= +$n`, not
// `= $n`: SQLite 3.54 marks a statement to be compiled again when a parameter it compares
// is bound anew (the planner looks at its value), and sqlx clears the bindings before each
// run, so each append compiled its statements again; a unary plus hides the parameter from
// the planner (the index is still used). Statements shared with PostgreSQL keep `$n` (its
// `+` takes no text).
pub(super) const INSERT_EVENT_MOVING_HEAD: &str = concat!(
    insert_event_into!(),
    "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 WHERE EXISTS (SELECT 1 \
     FROM learner_heads WHERE registration_id = +$1 AND context_id = +$2 AND learner_sub = +$3 \
     AND last_seq = +$13) RETURNING seq; \
     UPDATE learner_heads SET last_seq = last_insert_rowid(), event_count = event_count + 1 \
     WHERE registration_id = +$1 AND context_id = +$2 AND learner_sub = +$3 AND last_seq = +$13 \
     AND changes() = 1 RETURNING last_seq AS seq"
);
pub(super) const INSERT_FIRST_EVENT_AND_HEAD: &str = concat!(
    insert_event_into!(),
    "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 WHERE NOT EXISTS (SELECT 1 \
     FROM learner_heads WHERE registration_id = +$1 AND context_id = +$2 AND learner_sub = +$3) \
     RETURNING seq; \
     INSERT INTO learner_heads (registration_id, context_id, learner_sub, last_seq, \
     event_count) SELECT $1, $2, $3, last_insert_rowid(), 1 WHERE changes() = 1 \
     RETURNING last_seq AS seq"
);
pub(super) const SELECT_LEARNER_EVENTS: &str = concat!(
    "SELECT ",
    event_columns!(),
    " FROM events WHERE registration_id = $1 AND context_id = $2 AND learner_sub = $3 \
     ORDER BY seq"
);
pub(super) const SELECT_HEAD: &str = "SELECT last_seq, event_count FROM learner_heads \
     WHERE registration_id = $1 AND context_id = $2 AND learner_sub = $3";
// The first event: two writers both seeing no head cannot both insert it.
pub(super) const INSERT_HEAD: &str = "INSERT INTO learner_heads (registration_id, context_id, \
     learner_sub, last_seq, event_count) VALUES ($1, $2, $3, $4, 1) \
     ON CONFLICT (registration_id, context_id, learner_sub) DO NOTHING";
// The compare-and-set: only the writer that folded the current head moves it.
pub(super) const MOVE_HEAD: &str = "UPDATE learner_heads SET last_seq = $4, \
     event_count = event_count + 1 WHERE registration_id = $1 AND context_id = $2 \
     AND learner_sub = $3 AND last_seq = $5";
// An issuance without a new event (the sweep) still locks and checks the head.
pub(super) const CHECK_HEAD: &str = "UPDATE learner_heads SET last_seq = last_seq \
     WHERE registration_id = $1 AND context_id = $2 AND learner_sub = $3 AND last_seq = $4";
pub(super) const SELECT_LEARNERS: &str = "SELECT learner_sub, last_seq, event_count \
     FROM learner_heads WHERE registration_id = $1 AND context_id = $2 AND learner_sub > $3 \
     ORDER BY learner_sub LIMIT $4";
pub(super) const SELECT_LEARNER_CLAIMS: &str = "SELECT claims FROM sessions \
     WHERE registration_id = $1 AND user_sub = $2 ORDER BY created_at DESC, id LIMIT 1";
pub(super) const SELECT_CONTEXTS_WITH_LEARNERS: &str = "SELECT DISTINCT registration_id, \
     context_id FROM learner_heads ORDER BY registration_id, context_id";

pub(super) const INSERT_CREDENTIAL: &str = "INSERT INTO credentials (id, registration_id, \
     context_id, learner_sub, definition_id, version, cycle, issuer, key_id, issued_at, \
     valid_until, body, event_seq, status_list_id, status_index, created_at, \
     suspension_list_id, suspension_index) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";
pub(super) const SELECT_CREDENTIAL: &str = concat!(
    "SELECT ",
    credential_columns!(),
    " FROM credentials WHERE id = $1"
);
pub(super) const SELECT_LEARNER_CREDENTIALS: &str = concat!(
    "SELECT ",
    credential_columns!(),
    " FROM credentials WHERE registration_id = $1 AND context_id = $2 AND learner_sub = $3 \
     ORDER BY issued_at, definition_id, cycle"
);
pub(super) const SELECT_CONTEXT_CREDENTIALS: &str = concat!(
    "SELECT ",
    credential_columns!(),
    " FROM credentials WHERE registration_id = $1 AND context_id = $2 AND id > $3 \
     ORDER BY id LIMIT $4"
);
pub(super) const SELECT_STATUS_LIST_CREDENTIALS: &str = concat!(
    "SELECT ",
    credential_columns!(),
    " FROM credentials WHERE status_list_id = $1 OR suspension_list_id = $1 ORDER BY id"
);
pub(super) const SELECT_LEARNERS_WITH_EXPIRING: &str = "SELECT DISTINCT registration_id, \
     context_id, learner_sub FROM credentials WHERE valid_until IS NOT NULL \
     ORDER BY registration_id, context_id, learner_sub";
// The status columns are the only ones ever updated on a credential.
pub(super) const REVOKE_CREDENTIAL: &str = "UPDATE credentials SET revoked_at = $2, \
     revoked_reason = $3, revoked_by = $4 WHERE id = $1 AND revoked_at IS NULL";
pub(super) const SUSPEND_CREDENTIAL: &str = "UPDATE credentials SET suspended_at = $2, \
     suspended_reason = $3, suspended_by = $4, suspension_list_id = $5, suspension_index = $6 \
     WHERE id = $1";
pub(super) const UNSUSPEND_CREDENTIAL: &str = "UPDATE credentials SET suspended_at = NULL, \
     suspended_reason = NULL, suspended_by = NULL WHERE id = $1";

pub(super) const INSERT_ISSUER: &str = concat!(
    "INSERT INTO issuers (",
    issuer_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6)"
);
pub(super) const SELECT_ISSUER_FOR_REGISTRATION: &str = concat!(
    "SELECT ",
    issuer_columns!(),
    " FROM issuers WHERE registration_id = $1"
);
pub(super) const SELECT_ISSUER: &str =
    concat!("SELECT ", issuer_columns!(), " FROM issuers WHERE id = $1");
pub(super) const SELECT_ISSUER_BY_ISSUER_ID: &str = concat!(
    "SELECT ",
    issuer_columns!(),
    " FROM issuers WHERE issuer_id = $1"
);
pub(super) const UPDATE_ISSUER_PROFILE: &str = concat!(
    "UPDATE issuers SET profile = $2, updated_at = $3 WHERE id = $1 RETURNING ",
    issuer_columns!()
);
pub(super) const INSERT_ISSUER_KEY: &str = concat!(
    "INSERT INTO issuer_keys (",
    issuer_key_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
);
pub(super) const SELECT_ISSUER_KEYS: &str = concat!(
    "SELECT ",
    issuer_key_columns!(),
    " FROM issuer_keys WHERE issuer = $1 \
     ORDER BY CASE status WHEN 'current' THEN 0 ELSE 1 END, created_at DESC, key_id"
);
pub(super) const RETIRE_ISSUER_KEY: &str = "UPDATE issuer_keys SET status = 'previous', \
     retired_at = $2 WHERE issuer = $1 AND status = 'current'";

pub(super) const INSERT_STATUS_LIST: &str = concat!(
    "INSERT INTO status_lists (",
    status_list_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
);
pub(super) const SELECT_STATUS_LIST: &str = concat!(
    "SELECT ",
    status_list_columns!(),
    " FROM status_lists WHERE id = $1"
);
pub(super) const SELECT_STATUS_LISTS: &str = concat!(
    "SELECT ",
    status_list_columns!(),
    " FROM status_lists WHERE issuer = $1 AND purpose = $2 ORDER BY created_at, id"
);
pub(super) const COUNT_STATUS_LIST_USED: &str = "SELECT \
     (SELECT COUNT(*) FROM credentials WHERE status_list_id = $1) + \
     (SELECT COUNT(*) FROM credentials WHERE suspension_list_id = $1) AS used";
pub(super) const STORE_STATUS_LIST_CREDENTIAL: &str =
    "UPDATE status_lists SET credential = $2, generated_at = $3 WHERE id = $1";

/// Reads stored JSON text, naming the row in the error.
pub(super) fn json_from_text<T: serde::de::DeserializeOwned>(
    text: &str,
    what: impl FnOnce() -> String,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|err| StoreError::Corrupt(format!("{}: {err}", what())))
}

/// The JSON text a value is stored as.
pub(super) fn json_to_text<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|err| StoreError::Corrupt(format!("cannot write JSON: {err}")))
}

/// Binds a new event's columns, in the order of every event insert (`$1`..`$12`): the scope
/// `$s` (a [`super::records::LearnerScope`]), the event `$new` (a
/// [`super::records::NewEvent`]) and its canonical JSON `$body`, and the write instant `$now`.
/// One list for the pool's inserts and the SQLite writer's one-trip appends.
macro_rules! bind_new_event {
    ($query:expr, $s:expr, $new:expr, $body:expr, $now:expr) => {
        $query
            .bind($s.registration_id)
            .bind(&$s.context_id)
            .bind(&$s.learner_sub)
            .bind($new.event.at.unix_seconds())
            .bind(crate::store::sql_records::event_kind(&$body))
            .bind($body.to_string())
            .bind($new.meta.to_string())
            .bind(&$new.author.sub)
            .bind(&$new.author.role)
            .bind(&$new.author.deployment_id)
            .bind(&$new.author.request_id)
            .bind($now)
    };
}
pub(super) use bind_new_event;

/// The event's `type` (the `kind` column), read from its canonical JSON.
pub(super) fn event_kind(body: &serde_json::Value) -> String {
    body.get("type")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Names a definition version in errors.
pub(super) fn definition_name(
    registration_id: i64,
    context_id: &str,
    definition_id: &str,
    version: &str,
) -> String {
    format!(
        "definition {definition_id:?} version {version:?} in context {context_id:?} of \
         registration {registration_id}"
    )
}

/// Names a definition row in errors.
pub(super) fn definition_row_name(row: &DefinitionRow) -> String {
    definition_name(
        row.registration_id,
        &row.context_id,
        &row.definition_id,
        &row.version,
    )
}

/// Names a learner in errors.
pub(super) fn learner_name(scope: &LearnerScope) -> String {
    format!(
        "learner {:?} in context {:?} of registration {}",
        scope.learner_sub, scope.context_id, scope.registration_id
    )
}

/// Whether a unique violation on `credentials` is a status entry's, revocation or suspension
/// (else the issuance key's).
pub(super) fn is_status_index_violation(err: &sqlx::Error) -> bool {
    err.as_database_error().is_some_and(|db| {
        db.kind() == sqlx::error::ErrorKind::UniqueViolation
            && (db.message().contains("status_index")
                || db.message().contains("suspension_index")
                || db
                    .constraint()
                    .is_some_and(|c| c.contains("status_index") || c.contains("suspension_index")))
    })
}

/// Whether an error is a unique violation.
pub(super) fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|db| db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}
