//! Status lists on the server (`spec/badges.md` §7): drawing a credential's index at random
//! among the free ones of a list (herd privacy), and [`regenerate`], which re-signs a list's
//! `BitstringStatusListCredential` from the credentials' status columns after every
//! revocation or suspension and stores it for `/status/{id}`. The bits and the signature are
//! the core's (`cairn::credential::status`); this file only gathers the rows.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use cairn::Timestamp;
use cairn::credential::status::{self, StatusList};
use serde_json::Value;

use crate::AppState;
use crate::random::RandomUnavailable;
use crate::store::StoreError;
use crate::store::records::{
    CredentialRow, IssuerRow, MIN_STATUS_LIST_SIZE, StatusListRow, StatusPurpose,
};

/// Regenerations of one list in one call: a concurrent status change seen after storing
/// makes the list be signed again (the last writer always leaves the list current).
const REGENERATE_ROUNDS: usize = 4;

/// Random draws tried before a list is searched in order (only a nearly full list gets there).
const RANDOM_TRIES: usize = 64;

/// A uniform random number below `bound` (> 0), from the system CSPRNG.
pub fn random_below(bound: u64) -> Result<u64, RandomUnavailable> {
    // Rejection sampling: no modulo bias.
    let zone = u64::MAX - (u64::MAX % bound);
    for _ in 0..1024 {
        let mut bytes = [0u8; 8];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| RandomUnavailable)?;
        let value = u64::from_le_bytes(bytes);
        if value < zone {
            return Ok(value % bound);
        }
    }
    Err(RandomUnavailable)
}

/// An index of a list of `size` entries that `taken` does not hold, drawn at random among the
/// free ones (`badges.md` §7: herd privacy); `None` when the list is full. `draw(n)` gives a
/// uniform number below `n` ([`random_below`] on the server, a seeded sequence in tests).
pub fn pick_free<D>(
    size: u64,
    taken: &HashSet<u64>,
    mut draw: D,
) -> Result<Option<u64>, RandomUnavailable>
where
    D: FnMut(u64) -> Result<u64, RandomUnavailable>,
{
    if size == 0 || taken.len() as u64 >= size {
        return Ok(None);
    }
    for _ in 0..RANDOM_TRIES {
        let index = draw(size)?;
        if !taken.contains(&index) {
            return Ok(Some(index));
        }
    }
    // Nearly full: the k-th free index for a random k is still uniform among the free ones.
    let free = size - taken.len() as u64;
    let k = draw(free)?;
    Ok((0..size).filter(|i| !taken.contains(i)).nth(k as usize))
}

/// Why a status list could not be regenerated or allocated.
#[derive(Debug, thiserror::Error)]
pub enum StatusListError {
    /// No list has this id.
    #[error("status list {0} does not exist")]
    UnknownList(String),
    /// The storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The issuer's signing key could not be used.
    #[error("the issuer's signing key is unusable: {0}")]
    Key(String),
    /// The core refused to build or sign the list.
    #[error("the status list could not be built: {0}")]
    Build(String),
    /// The CSPRNG failed.
    #[error(transparent)]
    Random(#[from] RandomUnavailable),
}

/// The URL of a list: `<public url>/status/<id>`, as the engine writes it into each
/// credential's `credentialStatus` at issuance.
pub fn list_url(state: &AppState, list_id: &str) -> String {
    state.config.public_url.join(&format!("/status/{list_id}"))
}

/// The core's purpose of a stored list.
pub fn core_purpose(purpose: StatusPurpose) -> status::StatusPurpose {
    match purpose {
        StatusPurpose::Revocation => status::StatusPurpose::Revocation,
        StatusPurpose::Suspension => status::StatusPurpose::Suspension,
    }
}

/// The indexes of `list_id` whose bit is set: revoked credentials on a revocation list,
/// credentials suspended now on a suspension list.
pub fn set_bits(list_id: &str, purpose: StatusPurpose, rows: &[CredentialRow]) -> BTreeSet<i64> {
    rows.iter()
        .filter_map(|row| match purpose {
            StatusPurpose::Revocation => (row.status_list_id == list_id
                && row.revoked_at.is_some())
            .then_some(row.status_index),
            StatusPurpose::Suspension => (row.suspension_list_id.as_deref() == Some(list_id)
                && row.suspended_at.is_some())
            .then_some(row.suspension_index)
            .flatten(),
        })
        .collect()
}

/// The issuer's current signing key: its key id (`<issuer id>#z6Mk…`) and the opened key
/// (the engine's [`crate::issuer::signing_key`] with the state's key-encryption key).
pub async fn signing_key(
    state: &AppState,
    issuer: &IssuerRow,
) -> Result<(String, cairn::credential::IssuerKey), StatusListError> {
    let kek = state
        .kek
        .as_deref()
        .ok_or_else(|| StatusListError::Key("no key-encryption key is configured".to_owned()))?;
    let (row, key) = crate::issuer::signing_key(state.records.as_ref(), kek, issuer)
        .await
        .map_err(|e| StatusListError::Key(e.to_string()))?;
    Ok((row.key_id, key))
}

/// The signed list credential of `list` with `bits` set, at `now`.
fn sign_list(
    state: &AppState,
    list: &StatusListRow,
    issuer: &IssuerRow,
    key: &cairn::credential::IssuerKey,
    bits: &BTreeSet<i64>,
    now: i64,
) -> Result<Value, StatusListError> {
    let size = usize::try_from(list.size).map_err(|e| StatusListError::Build(e.to_string()))?;
    let mut bitstring = StatusList::new(size).map_err(|e| StatusListError::Build(e.to_string()))?;
    for index in bits {
        let index = usize::try_from(*index).map_err(|e| StatusListError::Build(e.to_string()))?;
        bitstring
            .set(index, true)
            .map_err(|e| StatusListError::Build(e.to_string()))?;
    }
    status::signed_status_list_credential(
        &list_url(state, &list.id),
        &issuer.issuer_id,
        core_purpose(list.purpose),
        &bitstring,
        key,
        Timestamp::from_unix_seconds(now),
    )
    .map_err(|e| StatusListError::Build(e.to_string()))
}

/// One lock per list in this process: two re-signings of a list here never interleave (across
/// servers, [`regenerate`]'s look-again after storing keeps the stored list current).
fn list_lock(list_id: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let locks = LOCKS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut locks = locks
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Arc::clone(locks.entry(list_id.to_owned()).or_default())
}

/// Signs the list's `BitstringStatusListCredential` afresh from the credentials' status
/// columns, with the issuer's current key, and stores it (served at `/status/{id}`). Called
/// after every revocation or suspension, and on the first read of a list never generated.
/// Returns the stored credential.
pub async fn regenerate(
    state: &AppState,
    list_id: &str,
    now: i64,
) -> Result<Value, StatusListError> {
    let lock = list_lock(list_id);
    let _serial = lock.lock().await;
    let records = &state.records;
    let list = records
        .status_list(list_id)
        .await?
        .ok_or_else(|| StatusListError::UnknownList(list_id.to_owned()))?;
    let issuer = records.issuer(&list.issuer).await?.ok_or_else(|| {
        StatusListError::Store(StoreError::Corrupt(format!(
            "status list {list_id} names issuer {} that does not exist",
            list.issuer
        )))
    })?;
    let (_, key) = signing_key(state, &issuer).await?;
    let mut bits = set_bits(
        list_id,
        list.purpose,
        &records.status_list_credentials(list_id).await?,
    );
    let mut signed = Value::Null;
    for _ in 0..REGENERATE_ROUNDS {
        signed = sign_list(state, &list, &issuer, &key, &bits, now)?;
        records
            .store_status_list_credential(list_id, &signed, now)
            .await?;
        // A change committed while this one signed may have been overwritten: look again.
        let after = set_bits(
            list_id,
            list.purpose,
            &records.status_list_credentials(list_id).await?,
        );
        if after == bits {
            break;
        }
        bits = after;
    }
    Ok(signed)
}

/// A suspension list entry for a credential of `issuer` signed before credentials carried
/// one (new credentials get theirs at issuance, `records::issuance`): a list of the issuer's
/// with room (a new one when all are full), and an index drawn at random among its free ones.
/// Such an entry is on the server only: a verifier of the old credential never reads it.
pub async fn allocate_suspension(
    state: &AppState,
    issuer: &str,
    now: i64,
) -> Result<(String, i64), StatusListError> {
    let records = &state.records;
    let mut lists = records
        .status_lists(issuer, StatusPurpose::Suspension)
        .await?;
    let mut chosen = None;
    for list in &lists {
        if records.status_list_used(&list.id).await? < list.size {
            chosen = Some(list.clone());
            break;
        }
    }
    let list = match chosen {
        Some(list) => list,
        None => {
            let list = StatusListRow {
                id: crate::random::token()?,
                issuer: issuer.to_owned(),
                purpose: StatusPurpose::Suspension,
                size: MIN_STATUS_LIST_SIZE,
                credential: None,
                generated_at: None,
                created_at: now,
            };
            records.create_status_list(&list).await?;
            lists.push(list.clone());
            list
        }
    };
    let taken: HashSet<u64> = records
        .status_list_credentials(&list.id)
        .await?
        .iter()
        .filter(|row| row.suspension_list_id.as_deref() == Some(list.id.as_str()))
        .filter_map(|row| row.suspension_index)
        .filter_map(|i| u64::try_from(i).ok())
        .collect();
    let size = u64::try_from(list.size).unwrap_or(0);
    let index = pick_free(size, &taken, random_below)?
        .ok_or_else(|| StatusListError::Build(format!("status list {} is full", list.id)))?;
    Ok((list.id, i64::try_from(index).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_below_the_bound() {
        for bound in [1, 2, 7, 131_072] {
            for _ in 0..50 {
                assert!(random_below(bound).expect("random") < bound);
            }
        }
    }

    #[test]
    fn picks_only_free_indexes_and_reports_a_full_list() {
        let taken: HashSet<u64> = [0, 1, 2].into_iter().collect();
        // A draw that always lands on a taken index forces the ordered search.
        let picked = pick_free(4, &taken, |n| Ok(if n == 4 { 1 } else { 0 })).expect("draw");
        assert_eq!(picked, Some(3));
        let full: HashSet<u64> = (0..4).collect();
        assert_eq!(pick_free(4, &full, random_below).expect("draw"), None);
        let empty = HashSet::new();
        let many: HashSet<u64> = (0..200)
            .map(|_| {
                pick_free(131_072, &empty, random_below)
                    .expect("draw")
                    .expect("free")
            })
            .collect();
        assert!(many.len() > 150, "indexes are spread: {}", many.len());
    }
}
