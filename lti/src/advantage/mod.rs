//! LTI Advantage services (`spec/lti.md` §7–10), Cairn beyond the launch: the OAuth 2 service
//! token client ([`token`]) that every service call gets its bearer token from; Assignment and
//! Grade Services ([`ags`], its JSON in [`ags_types`]); the scores the outbox queues from the
//! core's record ([`scores`]) and the worker that sends them ([`outbox`]); Deep Linking
//! ([`deep_linking`], [`picker`], [`placement`]); the NRPS roster ([`nrps`], [`roster`]); and
//! Dynamic Registration ([`registration`]). One job per file.

pub mod ags;
pub mod ags_types;
pub mod deep_linking;
pub mod endpoint_memo;
pub mod nrps;
pub mod outbox;
pub mod picker;
pub mod placement;
pub mod registration;
pub mod roster;
pub mod scores;
pub mod token;

pub use token::{
    AccessToken, AssertionSigner, StoreSigner, TokenClient, TokenEndpoint, TokenError,
};

use std::sync::Arc;

use crate::AppState;

/// Starts the score outbox worker on the current Tokio runtime (`serve` and the demo).
pub fn spawn_outbox_worker(
    state: &AppState,
    config: outbox::WorkerConfig,
) -> tokio::task::JoinHandle<()> {
    let worker = outbox::OutboxWorker::new(
        Arc::clone(&state.store),
        state.ags.clone(),
        Arc::clone(&state.clock),
        Arc::clone(&state.metrics),
        config,
    );
    tokio::spawn(worker.run(Arc::clone(&state.outbox_wake)))
}
