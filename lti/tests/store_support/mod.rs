//! Helpers of the store story suite (`lti/tests/store.rs`): a fresh store per test on each
//! backend ([`backends`]) and the stories themselves ([`stories`]), written once against
//! `&dyn Store`.

pub mod advantage_stories;
pub mod backends;
pub mod stories;
