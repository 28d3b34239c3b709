//! The `cairn-lti` command line (clap derive; every flag also reads its `CAIRN_*` variable):
//! `serve`, `registration add|list|remove`, `deployment add|list|remove`. Turns flags into a
//! validated [`ServeConfig`], runs the admin subcommands through [`crate::admin`] (the same
//! functions as the admin API) and formats their tables. Opens no store and starts no server
//! itself: `main.rs` does.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::admin::{self, AdminError};
use crate::config::{AdminToken, ConfigError, LogFormat, PublicUrl, ServeConfig, ServerConfig};
use crate::keys::{self, KeyEncryptionKey, KeyError};
use crate::store::{Deployment, NewRegistration, PlatformFamily, Registration, Store};

/// Cairn's LTI 1.3 tool server.
#[derive(Debug, Parser)]
#[command(name = "cairn-lti", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the tool.
    Serve(ServeArgs),
    /// Platform registrations (issuer + client id).
    #[command(subcommand)]
    Registration(RegistrationCommand),
    /// Deployments of a registration.
    #[command(subcommand)]
    Deployment(DeploymentCommand),
    /// The tool's signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// A registration's issuing institution (profile and Ed25519 keys).
    #[command(subcommand)]
    Issuer(crate::issuer::cli::IssuerCommand),
    /// Serve the tool and the demo platform side by side (two sites) and print the demo course URL.
    Demo(DemoArgs),
}

/// `cairn-lti demo`: the tool on `http://localhost:<tool-port>`, the demo platform on
/// `http://127.0.0.1:<platform-port>` (free ports when these are taken).
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// The tool's port on 127.0.0.1 (served as http://localhost:<port>).
    #[arg(long, default_value_t = crate::demo::run::DEFAULT_TOOL_PORT)]
    pub tool_port: u16,
    /// The demo platform's port on 127.0.0.1.
    #[arg(long, default_value_t = crate::demo::run::DEFAULT_PLATFORM_PORT)]
    pub platform_port: u16,
    /// The tool page's folder, with the wasm core in <www>/pkg.
    #[arg(long, env = "CAIRN_WWW", default_value = "www")]
    pub www: PathBuf,
    /// The demo's own store, apart from `serve`'s.
    #[arg(long, default_value = "data/demo.sqlite3")]
    pub database_url: String,
    /// Put the sample credential (published, with its auto-scored exam) in the demo course of
    /// both flavours, unless it is there already (`cargo xtask demo` passes it).
    #[arg(long)]
    pub sample_course: bool,
}

/// `cairn-lti keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Rotate (spec/lti.md §6.2): a new next key, next → current, current → previous.
    Rotate {
        /// The database and the data folder (where the key-encryption key file lives).
        #[command(flatten)]
        store: StoreArgs,
        /// Rotate even when the next key was published less than an hour ago (a
        /// compromised key); platforms that cached the old JWKS fail until they refetch.
        #[arg(long)]
        force: bool,
    },
}

/// Where the data lives (every subcommand that opens the store).
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Database URL: sqlite://FILE or postgres://… [default: sqlite://<data-dir>/cairn.sqlite3]
    #[arg(long, env = "CAIRN_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Folder for the SQLite file and the generated key-encryption key.
    #[arg(long, env = "CAIRN_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

impl StoreArgs {
    /// The key-encryption key file under the data folder, used when
    /// `CAIRN_KEY_ENCRYPTION_KEY` is unset.
    pub fn kek_path(&self) -> PathBuf {
        self.data_dir.join(KEK_FILE_NAME)
    }

    /// The database URL given, or the SQLite file under the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => default_database_url(&self.data_dir),
        }
    }
}

/// The key-encryption key file's name under the data folder.
pub const KEK_FILE_NAME: &str = "key-encryption.key";

/// `sqlite://<data_dir>/cairn.sqlite3` (`sqlite://data/cairn.sqlite3` by default).
pub fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("cairn.sqlite3").display())
}

/// `cairn-lti serve` flags.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CAIRN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The tool's public base URL; every URL Cairn gives out derives from it. Required unless
    /// --addr is loopback (then http://localhost:<port>).
    #[arg(long, env = "CAIRN_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The tool page's folder, with the wasm core in <www>/pkg.
    #[arg(long, env = "CAIRN_WWW", default_value = "www")]
    pub www: PathBuf,
    /// Bearer token of the admin API (/api/admin); the API is off when unset.
    #[arg(long, env = "CAIRN_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Log lines as `text` or `json`.
    #[arg(long, env = "CAIRN_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
    /// The database and data folder.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Validate the configuration, print it (secrets redacted) and exit.
    #[arg(long)]
    pub check_config: bool,
}

impl ServeArgs {
    /// The validated configuration. `key_encryption_key` is `CAIRN_KEY_ENCRYPTION_KEY`, read
    /// by the caller from the environment only (a secret never belongs on a command line).
    pub fn into_config(
        self,
        key_encryption_key: Option<String>,
    ) -> Result<ServeConfig, ConfigError> {
        let public_url = match &self.public_url {
            Some(url) => PublicUrl::parse(url)?,
            None => PublicUrl::default_for(self.addr)?,
        };
        let admin_token = self
            .admin_token
            .as_deref()
            .map(AdminToken::new)
            .transpose()?;
        Ok(ServeConfig {
            addr: self.addr,
            database_url: self.store.database_url(),
            data_dir: self.store.data_dir,
            log_format: self.log_format,
            key_encryption_key,
            server: ServerConfig {
                public_url,
                www_dir: self.www,
                admin_token,
            },
        })
    }
}

/// `--family`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FamilyArg {
    /// Instructure Canvas.
    Canvas,
    /// Moodle.
    Moodle,
    /// Any other LTI 1.3 platform.
    Other,
}

impl From<FamilyArg> for PlatformFamily {
    fn from(family: FamilyArg) -> PlatformFamily {
        match family {
            FamilyArg::Canvas => PlatformFamily::Canvas,
            FamilyArg::Moodle => PlatformFamily::Moodle,
            FamilyArg::Other => PlatformFamily::Other,
        }
    }
}

/// `cairn-lti registration …`.
#[derive(Debug, Subcommand)]
pub enum RegistrationCommand {
    /// Register a platform (values from its LTI tool configuration).
    Add(RegistrationAddArgs),
    /// List registrations.
    List {
        /// The database.
        #[command(flatten)]
        store: StoreArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a registration and everything scoped to it.
    Remove {
        /// The database.
        #[command(flatten)]
        store: StoreArgs,
        /// The platform's issuer (`iss`).
        #[arg(long)]
        issuer: String,
        /// The client id.
        #[arg(long)]
        client_id: String,
    },
}

/// `cairn-lti registration add` flags.
#[derive(Debug, Args)]
pub struct RegistrationAddArgs {
    /// The database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The platform's issuer (`iss`), exactly as its tokens carry it.
    #[arg(long)]
    pub issuer: String,
    /// The client id the platform gave Cairn.
    #[arg(long)]
    pub client_id: String,
    /// The platform's OIDC authentication request URL.
    #[arg(long)]
    pub auth_endpoint: String,
    /// The platform's OAuth 2 access token URL.
    #[arg(long)]
    pub token_endpoint: String,
    /// The platform's public keyset (JWKS) URL.
    #[arg(long)]
    pub jwks_url: String,
    /// The client assertion's `aud`, when it is not the token URL.
    #[arg(long)]
    pub audience: Option<String>,
    /// Which LMS this is.
    #[arg(long, value_enum, default_value = "other")]
    pub family: FamilyArg,
    /// Create a deployment on its first launch instead of refusing it.
    #[arg(long)]
    pub auto_register_deployments: bool,
    /// Accept http:// URLs (tests and demos only).
    #[arg(long)]
    pub allow_http: bool,
}

impl RegistrationAddArgs {
    /// The registration the flags describe.
    pub fn registration(&self) -> NewRegistration {
        NewRegistration {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            auth_endpoint: self.auth_endpoint.clone(),
            token_endpoint: self.token_endpoint.clone(),
            jwks_url: self.jwks_url.clone(),
            client_assertion_audience: self.audience.clone(),
            platform_family: self.family.into(),
            auto_register_deployments: self.auto_register_deployments,
            allow_http: self.allow_http,
        }
    }
}

/// `cairn-lti deployment …`.
#[derive(Debug, Subcommand)]
pub enum DeploymentCommand {
    /// Add a deployment id to a registration.
    Add(DeploymentArgs),
    /// List a registration's deployments.
    List {
        /// The registration.
        #[command(flatten)]
        registration: RegistrationKeyArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a deployment.
    Remove(DeploymentArgs),
}

/// A registration named by its key, plus the database.
#[derive(Debug, Args)]
pub struct RegistrationKeyArgs {
    /// The database.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The platform's issuer (`iss`).
    #[arg(long)]
    pub issuer: String,
    /// The client id.
    #[arg(long)]
    pub client_id: String,
}

/// One deployment of a registration.
#[derive(Debug, Args)]
pub struct DeploymentArgs {
    /// The registration.
    #[command(flatten)]
    pub registration: RegistrationKeyArgs,
    /// The platform's `deployment_id`.
    #[arg(long)]
    pub deployment_id: String,
}

impl Command {
    /// The database of an admin subcommand; `None` for `serve` (its config carries it).
    pub fn store_args(&self) -> Option<&StoreArgs> {
        match self {
            Command::Serve(_) | Command::Demo(_) => None,
            Command::Registration(RegistrationCommand::Add(args)) => Some(&args.store),
            Command::Registration(
                RegistrationCommand::List { store, .. } | RegistrationCommand::Remove { store, .. },
            ) => Some(store),
            Command::Deployment(DeploymentCommand::Add(args) | DeploymentCommand::Remove(args)) => {
                Some(&args.registration.store)
            }
            Command::Deployment(DeploymentCommand::List { registration, .. }) => {
                Some(&registration.store)
            }
            Command::Keys(KeysCommand::Rotate { store, .. }) => Some(store),
            Command::Issuer(command) => Some(&command.registration().store),
        }
    }
}

/// Runs `keys rotate` on `store`: the one-hour wait for the next key applies unless `force`.
/// Writes the new current kid to `out`.
pub async fn rotate_keys(
    store: &dyn Store,
    kek: &KeyEncryptionKey,
    force: bool,
    now: i64,
    out: &mut dyn Write,
) -> Result<(), KeyError> {
    let current = if force {
        keys::rotate_unchecked(store, kek, now).await?
    } else {
        keys::rotate(store, kek, now).await?
    };
    // A closed stdout is not worth failing a finished rotation for.
    drop(writeln!(
        out,
        "rotated: the current signing key is now {current}"
    ));
    Ok(())
}

/// Runs an admin subcommand on `store`, writing its answer to `out`. `serve` and `keys` do
/// nothing here (see [`rotate_keys`]).
pub async fn run_admin(
    command: &Command,
    store: &dyn Store,
    now: i64,
    out: &mut dyn Write,
) -> Result<(), AdminError> {
    let written = match command {
        Command::Serve(_) | Command::Keys(_) | Command::Demo(_) | Command::Issuer(_) => Ok(()),
        Command::Registration(RegistrationCommand::Add(args)) => {
            let added = admin::add_registration(store, args.registration(), now).await?;
            writeln!(
                out,
                "added registration {} (issuer {}, client id {})",
                added.id, added.fields.issuer, added.fields.client_id
            )
        }
        Command::Registration(RegistrationCommand::List { json, .. }) => {
            let registrations = admin::registrations(store).await?;
            if *json {
                writeln!(out, "{}", to_json(&registrations))
            } else {
                out.write_all(registration_table(&registrations).as_bytes())
            }
        }
        Command::Registration(RegistrationCommand::Remove {
            issuer, client_id, ..
        }) => {
            admin::remove_registration(store, issuer, client_id).await?;
            writeln!(
                out,
                "removed registration (issuer {issuer}, client id {client_id})"
            )
        }
        Command::Deployment(DeploymentCommand::Add(args)) => {
            let key = &args.registration;
            let added =
                admin::add_deployment(store, &key.issuer, &key.client_id, &args.deployment_id, now)
                    .await?;
            writeln!(
                out,
                "deployment {} of issuer {}, client id {} (origin {})",
                added.deployment_id,
                key.issuer,
                key.client_id,
                added.origin.as_str()
            )
        }
        Command::Deployment(DeploymentCommand::List { registration, json }) => {
            let deployments =
                admin::deployments(store, &registration.issuer, &registration.client_id).await?;
            if *json {
                writeln!(out, "{}", to_json(&deployments))
            } else {
                out.write_all(deployment_table(&deployments).as_bytes())
            }
        }
        Command::Deployment(DeploymentCommand::Remove(args)) => {
            let key = &args.registration;
            admin::remove_deployment(store, &key.issuer, &key.client_id, &args.deployment_id)
                .await?;
            writeln!(out, "removed deployment {}", args.deployment_id)
        }
    };
    // A closed stdout (`| head`) is not the admin's mistake; nothing to report.
    drop(written);
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}"))
}

/// Registrations as an aligned text table (one header line, one line each).
pub fn registration_table(registrations: &[Registration]) -> String {
    let rows: Vec<Vec<String>> = registrations
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.fields.issuer.clone(),
                r.fields.client_id.clone(),
                r.fields.platform_family.as_str().to_owned(),
                yes_no(r.fields.auto_register_deployments),
                yes_no(r.fields.allow_http),
                r.fields.jwks_url.clone(),
            ]
        })
        .collect();
    table(
        &[
            "id",
            "issuer",
            "client_id",
            "family",
            "auto_deploy",
            "http",
            "jwks_url",
        ],
        &rows,
    )
}

/// Deployments as an aligned text table.
pub fn deployment_table(deployments: &[Deployment]) -> String {
    let rows: Vec<Vec<String>> = deployments
        .iter()
        .map(|d| {
            vec![
                d.deployment_id.clone(),
                d.origin.as_str().to_owned(),
                d.created_at.to_string(),
            ]
        })
        .collect();
    table(&["deployment_id", "origin", "created_at"], &rows)
}

fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&mut header.iter().copied());
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}
