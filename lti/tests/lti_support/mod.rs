//! Shared test support for the LTI tests: fixture loading and the mutation engine of
//! `fixtures/lti/README.md` (in [`mutate`]). Include with `mod lti_support;`.

#![allow(dead_code, reason = "each test binary uses a different part")]

pub mod mutate;
