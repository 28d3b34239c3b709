//! `cairn-lti issuer show|set|rotate-key`: a registration's issuing institution from the
//! command line, through the same functions the server uses ([`super::ensure_with`],
//! [`super::set_profile`], [`super::rotate_key`]). Prints public data only (profile, key ids,
//! public keys), never a secret.

use std::io::Write;

use clap::{Args, Subcommand};

use super::{IssuerError, Profile};
use crate::cli::RegistrationKeyArgs;
use crate::keys::KeyEncryptionKey;
use crate::store::Store;

/// `cairn-lti issuer …`.
#[derive(Debug, Subcommand)]
pub enum IssuerCommand {
    /// Print a registration's issuer profile and keys (JSON).
    Show {
        /// The registration.
        #[command(flatten)]
        registration: RegistrationKeyArgs,
    },
    /// Create the issuer if needed and set its profile fields (others are kept).
    Set(IssuerSetArgs),
    /// Give the issuer a new signing key; the old one stays published.
    RotateKey {
        /// The registration.
        #[command(flatten)]
        registration: RegistrationKeyArgs,
        /// The tool's public base URL (names a new issuer: `<url>/issuers/<id>`).
        #[arg(long, env = "CAIRN_PUBLIC_URL")]
        public_url: String,
    },
}

/// `cairn-lti issuer set` flags.
#[derive(Debug, Args)]
pub struct IssuerSetArgs {
    /// The registration.
    #[command(flatten)]
    pub registration: RegistrationKeyArgs,
    /// The tool's public base URL (names a new issuer: `<url>/issuers/<id>`).
    #[arg(long, env = "CAIRN_PUBLIC_URL")]
    pub public_url: String,
    /// The institution's name.
    #[arg(long)]
    pub name: Option<String>,
    /// Its public web site.
    #[arg(long)]
    pub url: Option<String>,
    /// A contact address.
    #[arg(long)]
    pub email: Option<String>,
    /// Its logo (https URL or data: URI).
    #[arg(long)]
    pub image: Option<String>,
    /// One line about it.
    #[arg(long)]
    pub description: Option<String>,
}

impl IssuerCommand {
    /// The registration the command names.
    pub fn registration(&self) -> &RegistrationKeyArgs {
        match self {
            IssuerCommand::Show { registration }
            | IssuerCommand::RotateKey { registration, .. } => registration,
            IssuerCommand::Set(args) => &args.registration,
        }
    }
}

/// Runs an issuer subcommand; `kek` opens and seals the keys.
pub async fn run(
    command: &IssuerCommand,
    store: &dyn Store,
    kek: &KeyEncryptionKey,
    now: i64,
    out: &mut dyn Write,
) -> Result<(), IssuerError> {
    let key = command.registration();
    let registration = store
        .registration(&key.issuer, &key.client_id)
        .await?
        .ok_or_else(|| {
            IssuerError::Store(crate::store::StoreError::NotFound(format!(
                "registration (issuer {:?}, client_id {:?})",
                key.issuer, key.client_id
            )))
        })?;
    let records = store.records();
    let issuer = match command {
        IssuerCommand::Show { .. } => match records.issuer_for_registration(registration.id).await?
        {
            Some(issuer) => issuer,
            None => {
                drop(writeln!(
                    out,
                    "registration {} has no issuer yet: the first credential creates it, or run \
                     `cairn-lti issuer set`",
                    registration.id
                ));
                return Ok(());
            }
        },
        IssuerCommand::Set(args) => {
            let issuer = super::ensure_with(
                store,
                records.as_ref(),
                kek,
                &args.public_url,
                registration.id,
                now,
            )
            .await?;
            let mut profile = Profile::from_row(&issuer)?;
            let keep = |new: &Option<String>, old: Option<String>| new.clone().or(old);
            profile.name = args.name.clone().unwrap_or(profile.name);
            profile.url = keep(&args.url, profile.url);
            profile.email = keep(&args.email, profile.email);
            profile.image = keep(&args.image, profile.image);
            profile.description = keep(&args.description, profile.description);
            super::set_profile(records.as_ref(), &issuer, &profile, now).await?
        }
        IssuerCommand::RotateKey { public_url, .. } => {
            let issuer = super::ensure_with(
                store,
                records.as_ref(),
                kek,
                public_url,
                registration.id,
                now,
            )
            .await?;
            let key_id = super::rotate_key(records.as_ref(), kek, &issuer, now).await?;
            drop(writeln!(
                out,
                "rotated: issuer {} now signs with {key_id}",
                issuer.issuer_id
            ));
            return Ok(());
        }
    };
    let shown = super::public_view(records.as_ref(), &issuer).await?;
    drop(writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&shown).unwrap_or_default()
    ));
    Ok(())
}
