//! Cairn's pure core: attempts, second attempts and PLAR, competency mastery, award
//! criteria and stacking, and Open Badges 3.0 credentials.
//!
//! # Purity contract
//!
//! This crate does **no I/O, reads no clock, draws no randomness and knows nothing of
//! WebAssembly or async**. Time (`now`, `at`), keys and data are arguments; the same
//! inputs give the same bytes, natively on the server (the authority) and compiled to
//! wasm in the tool page. Clippy enforces it: `clippy.toml` lists the clock, environment,
//! filesystem and network calls, and `HashMap`/`HashSet` (unstable iteration order), and
//! this file turns those lints on for the core alone.
//!
//! # Map
//!
//! | module | owns |
//! |---|---|
//! | [`number`] | exact decimal arithmetic and the one rounding rule |
//! | [`time`] | instants, days and calendar months |
//! | [`ids`] | typed identifiers |
//! | [`definition`] | versioned credential definitions and their validation |
//! | [`event`] | the append-only event log's events |
//! | [`policy`] | attempt and PLAR checks: which attempts count and when the next opens |
//! | [`mastery`] | the calculation methods of `spec/mastery.md`, parent roll-up, mastery status |
//! | [`criteria`] | award rules (all, any, at least k, points): one evaluator for answers and explanations |
//! | [`record`] | the fold: `record = fold(definitions, events, at)`; course, learner, kept results, competencies, output |
//! | [`case`] | CASE 1.1 competency framework import |
//! | [`credential`] | Open Badges 3.0: build, sign, verify, bake, status |
//! | [`error`] | the umbrella error with stable codes |
#![warn(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the core is pure: no clock, environment, filesystem, network or unstable iteration order"
)]

pub mod case;
pub mod credential;
pub mod criteria;
pub mod definition;
pub mod error;
pub mod event;
pub mod ids;
pub mod mastery;
pub mod number;
pub mod policy;
pub mod record;
pub mod time;

pub use number::Number;
pub use time::Timestamp;
