//! The `cairn-lti` command: parses the command line ([`cairn_lti::cli`]), opens the store and
//! either serves [`cairn_lti::app`] until Ctrl-C or runs one admin subcommand. Everything it
//! decides is in the library; this file only wires I/O and turns errors into exit codes.
//! `cairn-lti demo` serves the tool and the demo platform side by side ([`cairn_lti::demo`]).

use std::process::ExitCode;

use anyhow::{Context, Result};
use cairn_lti::cli::{Cli, Command, DemoArgs, KeysCommand, rotate_keys};
use cairn_lti::clock::{Clock, SystemClock};
use cairn_lti::config::{PublicUrl, ServeConfig, ServerConfig, redact_database_url};
use cairn_lti::keys::{KEK_ENV, KeyEncryptionKey};
use cairn_lti::{AppState, app, logging};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cairn-lti: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    if let Command::Serve(args) = cli.command {
        let check_only = args.check_config;
        let kek = std::env::var(KEK_ENV).ok();
        let config = args.into_config(kek)?;
        if check_only {
            println!("{config:#?}");
            return Ok(());
        }
        return runtime.block_on(serve(config));
    }
    if let Command::Demo(args) = cli.command {
        return runtime.block_on(demo(args));
    }
    let Some(store_args) = cli.command.store_args() else {
        return Ok(());
    };
    let database_url = store_args.database_url();
    let kek_path = store_args.kek_path();
    runtime.block_on(async {
        let store = cairn_lti::store::open(&database_url)
            .await
            .with_context(|| format!("cannot open {}", redact_database_url(&database_url)))?;
        let mut stdout = std::io::stdout();
        if let Command::Keys(KeysCommand::Rotate { force, .. }) = &cli.command {
            let env = std::env::var(KEK_ENV).ok();
            let kek = KeyEncryptionKey::from_env_or_file(env.as_deref(), &kek_path)?;
            let now = SystemClock.now();
            return Ok(rotate_keys(store.as_ref(), &kek, *force, now, &mut stdout).await?);
        }
        if let Command::Issuer(command) = &cli.command {
            let env = std::env::var(KEK_ENV).ok();
            let kek = KeyEncryptionKey::from_env_or_file(env.as_deref(), &kek_path)?;
            let now = SystemClock.now();
            return Ok(cairn_lti::issuer::cli::run(
                command,
                store.as_ref(),
                &kek,
                now,
                &mut stdout,
            )
            .await?);
        }
        cairn_lti::cli::run_admin(&cli.command, store.as_ref(), SystemClock.now(), &mut stdout)
            .await?;
        Ok(())
    })
}

async fn serve(config: ServeConfig) -> Result<()> {
    logging::init(config.log_format);
    let www = &config.server.www_dir;
    if !www.join("index.html").is_file() {
        anyhow::bail!(
            "{} has no index.html: pass the tool page's folder with --www",
            www.display()
        );
    }
    if !www.join("pkg").is_dir() {
        tracing::warn!(www = %www.display(), "no pkg/ (the wasm core): run `cargo xtask wasm`");
    }
    let store = cairn_lti::store::open(&config.database_url)
        .await
        .with_context(|| format!("cannot open {}", redact_database_url(&config.database_url)))?;
    // The tool's keys: generated and sealed on first start (spec/lti.md §6.2).
    let kek = cairn_lti::keys::KeyEncryptionKey::from_env_or_file(
        config.key_encryption_key.as_deref(),
        &config.data_dir.join(cairn_lti::cli::KEK_FILE_NAME),
    )
    .context("cannot load the key-encryption key")?;
    let now = cairn_lti::clock::Clock::now(&cairn_lti::clock::SystemClock);
    let keys = cairn_lti::keys::ensure(store.as_ref(), &kek, now)
        .await
        .context("cannot prepare the tool's signing keys")?;
    tracing::info!(?keys, "tool keys ready");
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    let local = listener.local_addr()?;
    tracing::info!(
        addr = %local,
        public_url = %config.server.public_url,
        database = store.backend(),
        admin_api = config.server.admin_token.is_some(),
        "cairn-lti serving"
    );
    println!(
        "cairn-lti: listening on http://{local}/ (public URL {})",
        config.server.public_url
    );
    let state = AppState::new(config.server, store).with_kek(std::sync::Arc::new(kek));
    tokio::spawn(purge_expired_rows(state.clone()));
    // Issuance that time alone makes due (renewal windows, deadlines, retried failures).
    tokio::spawn(cairn_lti::records::sweep::run(state.clone()));
    // Scores to the platforms' gradebooks (AGS), from the outbox.
    cairn_lti::advantage::spawn_outbox_worker(&state, Default::default());
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            // If the signal cannot be installed, run until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await
        .context("the server stopped with an error")
}

/// The tool and the demo platform in one process; prints the one URL to open.
async fn demo(args: DemoArgs) -> Result<()> {
    // Logs on stderr: stdout carries only the one URL to open.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let store = cairn_lti::store::open(&args.database_url)
        .await
        .with_context(|| format!("cannot open {}", redact_database_url(&args.database_url)))?;
    let options = cairn_lti::demo::run::DemoOptions {
        tool_port: args.tool_port,
        platform_port: args.platform_port,
        sample_course: args.sample_course,
    };
    // The tool's keys sign the AGS client assertions the demo gradebook verifies; the demo's
    // key-encryption key lives beside the demo's data, apart from `serve`'s.
    let kek = cairn_lti::keys::KeyEncryptionKey::from_env_or_file(
        None,
        &std::path::Path::new("data").join(format!("demo-{}", cairn_lti::cli::KEK_FILE_NAME)),
    )
    .context("cannot load the demo's key-encryption key")?;
    let now = cairn_lti::clock::Clock::now(&cairn_lti::clock::SystemClock);
    cairn_lti::keys::ensure(store.as_ref(), &kek, now)
        .await
        .context("cannot prepare the tool's signing keys")?;
    let kek = std::sync::Arc::new(kek);
    let www_dir = args.www;
    let tool_store = store.clone();
    cairn_lti::demo::run::run(
        options,
        Some(store),
        move |tool_url, admin_token| {
            let public_url = PublicUrl::parse(tool_url).map_err(|err| err.to_string())?;
            let config = ServerConfig {
                public_url,
                www_dir,
                admin_token: Some(admin_token),
            };
            let state = AppState::new(config, tool_store).with_kek(kek);
            cairn_lti::advantage::spawn_outbox_worker(&state, Default::default());
            Ok(app(state))
        },
        |course_url, admin_token| {
            println!();
            println!("Demo course: {course_url}   (Ctrl-C to stop)");
            println!("Admin token: {admin_token}   (this run's, for Cairn's admin view)");
            println!();
        },
        async {
            // If the signal cannot be installed, run until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        },
    )
    .await
    .context("the demo stopped with an error")
}

/// Every ten minutes, deletes expired login states, nonces past their keep time and ended
/// sessions (the store's `purge_expired`), so those tables stay small. A failure is logged and
/// retried at the next tick; nothing depends on the purge for correctness.
async fn purge_expired_rows(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        match state.store.purge_expired(state.now()).await {
            Ok(0) => {}
            Ok(rows) => tracing::info!(rows, "purged expired login states, nonces and sessions"),
            Err(error) => tracing::warn!(%error, "could not purge expired rows"),
        }
    }
}
