//! Each tenant's issuing institution (issue 10, `spec/badges.md` D3): its profile (name, url,
//! email, image, description) at the https id `<public url>/issuers/<random id>`, created from
//! the registration on first use ([`ensure`]), and its Ed25519 keys ([`signing_key`],
//! [`rotate_key`]), sealed at rest with the key-encryption key exactly like the tool's keys
//! (AES-256-GCM, the key id as associated data). Old keys stay, so credentials they signed
//! keep verifying. Secrets never leave this module: callers get a `cairn` [`IssuerKey`] to
//! sign with on the server, and public rows.

pub mod cli;
pub mod routes;

use cairn::credential::build::{IssuerProfile, key_id};
use cairn::credential::keys::IssuerKey;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::keys::{KeyEncryptionKey, KeyError};
use crate::store::records::{IssuerKeyRow, IssuerKeyStatus, IssuerRow, RecordStore};
use crate::store::{RegistrationId, Store, StoreError};

/// What went wrong with an issuer or its keys. Never carries key material.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sealing or opening a key failed (wrong KEK, damaged row).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The server was started without a key-encryption key, so it cannot sign.
    #[error(
        "no key-encryption key is configured, so no issuer key can be created or opened; set \
         CAIRN_KEY_ENCRYPTION_KEY or let `cairn-lti serve` create its key file"
    )]
    NoKek,
    /// The registration does not exist.
    #[error("registration {0} not found")]
    NoRegistration(RegistrationId),
    /// The issuer has no current key (a damaged database).
    #[error("issuer {0} has no current signing key; run `cairn-lti issuer rotate-key`")]
    NoCurrentKey(String),
    /// The CSPRNG failed.
    #[error("the system's random number generator is unavailable")]
    Random,
    /// A profile field is not acceptable.
    #[error("issuer profile: {0}")]
    Profile(String),
}

/// The editable profile of an issuer (stored as the `profile` JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The institution's name.
    pub name: String,
    /// Its public web site (required to issue: badges.md §1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A contact address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Its logo (https URL or `data:` URI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// One line about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Profile {
    /// Reads a stored profile.
    pub fn from_row(row: &IssuerRow) -> Result<Profile, IssuerError> {
        serde_json::from_value(row.profile.clone()).map_err(|err| {
            IssuerError::Store(StoreError::Corrupt(format!(
                "profile of issuer {}: {err}",
                row.id
            )))
        })
    }

    /// The core's issuer profile for signing under `row.issuer_id`.
    pub fn to_core(&self, row: &IssuerRow) -> IssuerProfile {
        IssuerProfile {
            id: row.issuer_id.clone(),
            name: self.name.clone(),
            url: self.url.clone(),
            email: self.email.clone(),
            description: self.description.clone(),
            image: self.image.clone(),
        }
    }

    /// Checks the fields a person typed: the same rules the core applies when it builds the
    /// credential's `issuer` object.
    pub fn check(&self, issuer_id: &str) -> Result<(), IssuerError> {
        if self.name.trim().is_empty() {
            return Err(IssuerError::Profile("the name must not be empty".into()));
        }
        if self.url.is_some() {
            let core = IssuerProfile {
                id: issuer_id.to_owned(),
                name: self.name.clone(),
                url: self.url.clone(),
                email: self.email.clone(),
                description: self.description.clone(),
                image: self.image.clone(),
            };
            core.to_json(&self.name)
                .map_err(|err| IssuerError::Profile(err.to_string()))?;
        }
        Ok(())
    }
}

/// The issuer of `registration_id`, created with a first key when it has none: id
/// `<public url>/issuers/<random>`, name and url from the registration's platform (edit them
/// with `cairn-lti issuer set`). Two servers creating it at once end with one.
pub async fn ensure(
    state: &AppState,
    registration_id: RegistrationId,
) -> Result<IssuerRow, IssuerError> {
    let kek = state.kek.as_deref().ok_or(IssuerError::NoKek)?;
    ensure_with(
        state.store.as_ref(),
        state.records.as_ref(),
        kek,
        state.config.public_url.as_str(),
        registration_id,
        state.now(),
    )
    .await
}

/// [`ensure`] without an [`AppState`] (the CLI).
pub async fn ensure_with(
    store: &dyn Store,
    records: &dyn RecordStore,
    kek: &KeyEncryptionKey,
    public_url: &str,
    registration_id: RegistrationId,
    now: i64,
) -> Result<IssuerRow, IssuerError> {
    if let Some(found) = records.issuer_for_registration(registration_id).await? {
        return Ok(found);
    }
    let registration = store
        .registration_by_id(registration_id)
        .await?
        .ok_or(IssuerError::NoRegistration(registration_id))?;
    let id = random_id()?;
    let issuer_id = format!("{}/issuers/{id}", public_url.trim_end_matches('/'));
    let platform = &registration.fields.issuer;
    let name = url::Url::parse(platform)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| platform.clone());
    let profile = Profile {
        name,
        url: Some(platform.clone()),
        ..Profile::default()
    };
    let row = IssuerRow {
        id,
        registration_id,
        profile: serde_json::to_value(&profile)
            .map_err(|err| IssuerError::Profile(err.to_string()))?,
        issuer_id,
        created_at: now,
        updated_at: now,
    };
    let key = new_key(kek, &row, now)?;
    match records.create_issuer(&row, &key).await {
        Ok(()) => {
            tracing::info!(issuer = %row.issuer_id, key_id = %key.key_id, registration_id, "issuer created");
            Ok(row)
        }
        // Another request or server created it first: use theirs.
        Err(StoreError::AlreadyExists(_)) => records
            .issuer_for_registration(registration_id)
            .await?
            .ok_or(IssuerError::NoRegistration(registration_id)),
        Err(err) => Err(err.into()),
    }
}

/// The issuer's current key, opened for signing, with its row.
pub async fn signing_key(
    records: &dyn RecordStore,
    kek: &KeyEncryptionKey,
    issuer: &IssuerRow,
) -> Result<(IssuerKeyRow, IssuerKey), IssuerError> {
    let keys = records.issuer_keys(&issuer.id).await?;
    let current = keys
        .into_iter()
        .find(|k| k.status == IssuerKeyStatus::Current)
        .ok_or_else(|| IssuerError::NoCurrentKey(issuer.issuer_id.clone()))?;
    let opened = kek.open(&current.key_id, &current.sealed_secret)?;
    let seed: [u8; 32] = opened
        .pkcs8()
        .try_into()
        .map_err(|_| KeyError::SealedFormat {
            kid: current.key_id.clone(),
        })?;
    let key = IssuerKey::from_seed(&seed);
    if key.public().to_multibase() != current.public_key_multibase {
        return Err(KeyError::Corrupt {
            kid: current.key_id.clone(),
            reason: "the sealed secret does not match the stored public key".into(),
        }
        .into());
    }
    Ok((current, key))
}

/// Rotates an issuer's key: a new current key; the old one stays as previous (published,
/// so the credentials it signed keep verifying). Returns the new key id.
pub async fn rotate_key(
    records: &dyn RecordStore,
    kek: &KeyEncryptionKey,
    issuer: &IssuerRow,
    now: i64,
) -> Result<String, IssuerError> {
    let key = new_key(kek, issuer, now)?;
    records.rotate_issuer_key(&issuer.id, &key, now).await?;
    tracing::info!(issuer = %issuer.issuer_id, key_id = %key.key_id, "issuer key rotated");
    Ok(key.key_id)
}

/// [`rotate_key`] for a registration's issuer from a running server: this server signs with
/// the new key from the next issuance on (others within
/// [`SIGNER_TTL`](crate::records::engine::SIGNER_TTL)).
pub async fn rotate(
    state: &AppState,
    registration_id: RegistrationId,
) -> Result<String, IssuerError> {
    let kek = state.kek.as_deref().ok_or(IssuerError::NoKek)?;
    let issuer = ensure(state, registration_id).await?;
    let key_id = rotate_key(state.records.as_ref(), kek, &issuer, state.now()).await?;
    state.engine.forget_signer(registration_id);
    Ok(key_id)
}

/// Replaces an issuer's profile after checking it.
pub async fn set_profile(
    records: &dyn RecordStore,
    issuer: &IssuerRow,
    profile: &Profile,
    now: i64,
) -> Result<IssuerRow, IssuerError> {
    profile.check(&issuer.issuer_id)?;
    let value =
        serde_json::to_value(profile).map_err(|err| IssuerError::Profile(err.to_string()))?;
    Ok(records
        .update_issuer_profile(&issuer.id, &value, now)
        .await?)
}

/// The issuer as the CLI and the admin API show it: the row and its keys' public halves
/// (never a sealed secret).
pub async fn public_view(
    records: &dyn RecordStore,
    issuer: &IssuerRow,
) -> Result<serde_json::Value, IssuerError> {
    let keys: Vec<_> = records
        .issuer_keys(&issuer.id)
        .await?
        .into_iter()
        .map(|k| {
            serde_json::json!({
                "key_id": k.key_id,
                "public_key_multibase": k.public_key_multibase,
                "status": k.status,
                "created_at": k.created_at,
                "retired_at": k.retired_at,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "id": issuer.id,
        "issuer_id": issuer.issuer_id,
        "registration_id": issuer.registration_id,
        "profile": issuer.profile,
        "keys": keys,
        "updated_at": issuer.updated_at,
    }))
}

/// A fresh key for `issuer`, sealed under its key id.
fn new_key(
    kek: &KeyEncryptionKey,
    issuer: &IssuerRow,
    now: i64,
) -> Result<IssuerKeyRow, IssuerError> {
    let mut seed = [0u8; 32];
    aws_lc_rs::rand::fill(&mut seed).map_err(|_| IssuerError::Random)?;
    let key = IssuerKey::from_seed(&seed);
    let key_id = key_id(&issuer.issuer_id, &key);
    let sealed = kek.seal(&key_id, &seed);
    seed.fill(0);
    Ok(IssuerKeyRow {
        public_key_multibase: key.public().to_multibase(),
        sealed_secret: sealed?,
        key_id,
        issuer: issuer.id.clone(),
        status: IssuerKeyStatus::Current,
        created_at: now,
        retired_at: None,
    })
}

/// A random id for URLs: 128 bits, base64url.
pub(crate) fn random_id() -> Result<String, IssuerError> {
    use base64::Engine as _;
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| IssuerError::Random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}
