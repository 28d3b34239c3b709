//! Planning the credentials a folded record is owed: every issuance the core derived
//! (definition, version, renewal cycle, instant) that has no stored credential is built from
//! the record folded at its issue time ([`BuildInput::from_record`]) and signed with the
//! tenant issuer's current key ([`cairn::credential::issue`]), with a revocation entry and a
//! suspension entry, each drawn at random among the free ones of the issuer's current list of
//! that purpose (both entries are in the credential, so a verifier sees either status). The caller commits them with
//! the event in one transaction ([`RecordStore::append`](crate::store::records::RecordStore::append)),
//! where the issuance key's unique index makes a second issuance impossible.

use std::collections::BTreeSet;
use std::sync::Arc;

use cairn::credential::build::{BuildInput, Recipient};
use cairn::event::Event;
use cairn::record::{Course, IssuanceRecord, Record};

use super::IssuedKey;
use crate::AppState;
use crate::issuer::{self, IssuerError, Profile};
use crate::random::RandomUnavailable;
use crate::store::StoreError;
use crate::store::records::{
    IssuerRow, LearnerScope, MIN_STATUS_LIST_SIZE, NewCredential, StatusListRow, StatusPurpose,
};

/// A list takes new entries until it is half full, so a random draw rarely collides; then a
/// new list is made (herd privacy stays: every list has at least 65,536 entries in use).
const FILL_LIMIT_NUMERATOR: i64 = 1;
/// See [`FILL_LIMIT_NUMERATOR`].
const FILL_LIMIT_DENOMINATOR: i64 = 2;

/// What the planner made: the credentials to commit, and the issuances it could not build
/// (configuration problems: the event still commits, and the sweep tries again).
#[derive(Debug, Default)]
pub struct Plan {
    /// Signed credentials, ready to store.
    pub credentials: Vec<NewCredential>,
    /// One sentence per issuance that could not be built.
    pub failures: Vec<String>,
}

/// The issuances of `record` that have no stored credential. A stored credential of the
/// same definition and cycle counts whatever its version, so a definition republished
/// under a new version never issues a cycle twice.
pub fn missing<'r>(record: &'r Record, stored: &[IssuedKey]) -> Vec<&'r IssuanceRecord> {
    let have: BTreeSet<(&str, i64)> = stored
        .iter()
        .map(|(definition, cycle)| (definition.as_str(), *cycle))
        .collect();
    record
        .credentials
        .values()
        .flat_map(|c| c.issuances.iter())
        .filter(|i| !have.contains(&(i.definition.as_str(), i64::from(i.cycle))))
        .collect()
}

/// Whether the record has any issuance at all (else no stored credential needs reading).
pub fn has_issuances(record: &Record) -> bool {
    record.credentials.values().any(|c| !c.issuances.is_empty())
}

/// Builds and signs a credential for each issuance in `due`. `events` is the learner's
/// whole log including the new event (each credential is built from the fold at its issue
/// time).
pub async fn plan(
    state: &AppState,
    course: &Course<'_>,
    scope: &LearnerScope,
    events: &[Event],
    due: &[&IssuanceRecord],
    now: i64,
) -> Result<Plan, StoreError> {
    let mut plan = Plan::default();
    if due.is_empty() {
        return Ok(plan);
    }
    let signer = match tenant_signer(state, scope, now).await {
        Ok(signer) => signer,
        Err(IssuerError::Store(err)) => return Err(err),
        Err(err) => {
            plan.failures
                .push(format!("cannot sign for this tenant: {err}"));
            return Ok(plan);
        }
    };
    let contact = Contact::of(state, scope).await?;
    let mut taken = Taken::default();
    for issuance in due {
        match signer.sign(state, &contact, course, scope, events, issuance, &mut taken) {
            Ok(credential) => plan.credentials.push(credential),
            Err(failure) => plan.failures.push(failure),
        }
    }
    Ok(plan)
}

/// What a tenant's credentials are signed with: the issuer, its opened current key and the
/// revocation and suspension lists taking entries. Cached per server for
/// [`super::engine::SIGNER_TTL`].
#[derive(Debug)]
pub struct TenantSigner {
    issuer: IssuerRow,
    profile: cairn::credential::IssuerProfile,
    key_id: String,
    key: cairn::credential::IssuerKey,
    list: StatusListRow,
    suspension_list: StatusListRow,
    platform: Option<String>,
}

/// The learner's side of a credential: their email and name from their latest launch.
struct Contact {
    email: Option<String>,
    name: Option<String>,
}

impl Contact {
    async fn of(state: &AppState, scope: &LearnerScope) -> Result<Contact, StoreError> {
        let claims = state
            .records
            .learner_claims(scope.registration_id, &scope.learner_sub)
            .await?
            .unwrap_or_default();
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        Ok(Contact {
            email: text("email"),
            name: text("name"),
        })
    }
}

/// A signer for `scope`'s tenant: this server's cached one, or one prepared now (one at a
/// time, so a burst of first issuances makes one issuer and one list).
async fn tenant_signer(
    state: &AppState,
    scope: &LearnerScope,
    now: i64,
) -> Result<Arc<TenantSigner>, IssuerError> {
    if let Some(signer) = state.engine.cached_signer(scope.registration_id) {
        return Ok(signer);
    }
    let _one = state.engine.preparing().await;
    if let Some(signer) = state.engine.cached_signer(scope.registration_id) {
        return Ok(signer);
    }
    let signer = Arc::new(TenantSigner::prepare(state, scope, now).await?);
    state
        .engine
        .cache_signer(scope.registration_id, Arc::clone(&signer));
    Ok(signer)
}

impl TenantSigner {
    async fn prepare(
        state: &AppState,
        scope: &LearnerScope,
        now: i64,
    ) -> Result<TenantSigner, IssuerError> {
        let kek = state.kek.as_deref().ok_or(IssuerError::NoKek)?;
        let issuer = issuer::ensure(state, scope.registration_id).await?;
        let profile = Profile::from_row(&issuer)?.to_core(&issuer);
        let (key_row, key) = issuer::signing_key(state.records.as_ref(), kek, &issuer).await?;
        let list = current_list(state, &issuer, StatusPurpose::Revocation, now).await?;
        let suspension_list = current_list(state, &issuer, StatusPurpose::Suspension, now).await?;
        let platform = state
            .store
            .registration_by_id(scope.registration_id)
            .await?
            .map(|r| r.fields.issuer);
        Ok(TenantSigner {
            profile,
            key_id: key_row.key_id,
            key,
            list,
            suspension_list,
            platform,
            issuer,
        })
    }

    /// One credential, or a sentence saying why it cannot be built.
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        state: &AppState,
        contact: &Contact,
        course: &Course<'_>,
        scope: &LearnerScope,
        events: &[Event],
        issuance: &IssuanceRecord,
        taken: &mut Taken,
    ) -> Result<NewCredential, String> {
        let what = || {
            format!(
                "credential {} version {} cycle {}",
                issuance.definition, issuance.version, issuance.cycle
            )
        };
        let mut definition = course
            .definitions()
            .iter()
            .find(|d| d.id == issuance.definition && d.version == issuance.version)
            .cloned()
            .ok_or_else(|| format!("{}: its definition version is not published", what()))?;
        // The server signs only as the tenant's issuer, whatever issuer the author typed.
        definition.issuer.id.clone_from(&self.issuer.issuer_id);
        let at_issue = course.fold(events, issuance.issued_at);
        let uuid =
            uuid_v4().map_err(|_| "the random number generator is unavailable".to_owned())?;
        let salt = salt().map_err(|_| "the random number generator is unavailable".to_owned())?;
        let recipient = match &contact.email {
            Some(email) => Recipient::HashedEmail {
                email: email.clone(),
                salt,
            },
            None => Recipient::HashedLtiUser {
                sub: scope.learner_sub.clone(),
                salt,
                platform: self.platform.clone(),
            },
        };
        let base_url = state.config.public_url.as_str();
        let mut input = BuildInput::from_record(
            &definition,
            issuance,
            &at_issue,
            &self.profile,
            recipient,
            uuid.clone(),
            base_url,
        )
        .map_err(|err| format!("{}: {} ({err})", what(), err.code()))?;
        input.related = course.definitions();
        input.recipient_name.clone_from(&contact.name);
        let unavailable = |_| "the random number generator is unavailable".to_owned();
        let index = draw_index(self.list.size, &mut taken.revocation).map_err(unavailable)?;
        let suspension_index =
            draw_index(self.suspension_list.size, &mut taken.suspension).map_err(unavailable)?;
        let list_url = crate::status_lists::list_url(state, &self.list.id);
        input.status = Some((list_url, usize::try_from(index).unwrap_or_default()));
        let suspension_url = crate::status_lists::list_url(state, &self.suspension_list.id);
        input.suspension = Some((
            suspension_url,
            usize::try_from(suspension_index).unwrap_or_default(),
        ));
        let signed = cairn::credential::issue(&input, &self.key)
            .map_err(|err| format!("{}: {} ({err})", what(), err.code()))?;
        Ok(NewCredential {
            id: uuid,
            definition_id: issuance.definition.to_string(),
            version: issuance.version.clone(),
            cycle: i64::from(issuance.cycle),
            issuer: self.issuer.id.clone(),
            key_id: self.key_id.clone(),
            issued_at: issuance.issued_at.unix_seconds(),
            valid_until: issuance.valid_until.map(|t| t.unix_seconds()),
            body: signed.credential,
            status_list_id: self.list.id.clone(),
            status_index: index,
            suspension: Some((self.suspension_list.id.clone(), suspension_index)),
        })
    }
}

/// The indexes one plan drew, per purpose (a plan never gives two credentials one entry).
#[derive(Debug, Default)]
struct Taken {
    revocation: BTreeSet<i64>,
    suspension: BTreeSet<i64>,
}

/// The issuer's list of `purpose` that takes new entries: the newest one under its fill
/// limit, or a new one.
async fn current_list(
    state: &AppState,
    issuer: &IssuerRow,
    purpose: StatusPurpose,
    now: i64,
) -> Result<StatusListRow, IssuerError> {
    let records = state.records.as_ref();
    let lists = records.status_lists(&issuer.id, purpose).await?;
    if let Some(newest) = lists.last() {
        let used = records.status_list_used(&newest.id).await?;
        if used * FILL_LIMIT_DENOMINATOR < newest.size * FILL_LIMIT_NUMERATOR {
            return Ok(newest.clone());
        }
    }
    let list = StatusListRow {
        id: issuer::random_id()?,
        issuer: issuer.id.clone(),
        purpose,
        size: MIN_STATUS_LIST_SIZE,
        credential: None,
        generated_at: None,
        created_at: now,
    };
    records.create_status_list(&list).await?;
    tracing::info!(
        issuer = %issuer.issuer_id,
        list = %list.id,
        purpose = purpose.as_str(),
        "status list created"
    );
    Ok(list)
}

/// A random index of a list of `size` entries, not in `taken` (this plan's own draws), drawn
/// by the status lists' uniform [`random_below`](crate::status_lists::random_below); a
/// collision with a stored entry is caught by the unique index at commit, and the write is
/// planned again.
fn draw_index(size: i64, taken: &mut BTreeSet<i64>) -> Result<i64, RandomUnavailable> {
    let size = u64::try_from(size.max(1)).unwrap_or(1);
    // Bounded: a plan holds a handful of credentials, the list at least 131,072 entries.
    for _ in 0..64 {
        let index = i64::try_from(crate::status_lists::random_below(size)?).unwrap_or_default();
        if taken.insert(index) {
            return Ok(index);
        }
    }
    Err(RandomUnavailable)
}

/// A random version 4 UUID, lowercase.
pub fn uuid_v4() -> Result<String, RandomUnavailable> {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| RandomUnavailable)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// A fresh identifier salt: 16 random bytes as 32 lowercase hex characters (badges.md §3).
fn salt() -> Result<String, RandomUnavailable> {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| RandomUnavailable)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}
