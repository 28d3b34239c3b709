//! LTI Advantage services, Cairn as the client (`spec/lti.md` §8–9): the OAuth 2 service token
//! client ([`token`]) that every service call gets its bearer token from; Assignment and Grade
//! Services ([`ags`], its JSON in [`ags_types`]); the scores the outbox queues from the core's
//! record ([`scores`]) and the worker that sends them ([`outbox`]).

pub mod ags;
pub mod ags_types;
pub mod outbox;
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
