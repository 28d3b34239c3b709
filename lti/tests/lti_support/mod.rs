//! Shared test support for the LTI tests: fixture loading and the mutation engine of
//! `fixtures/lti/README.md` (in [`mutate`]), the tool, platform and browser of the HTTP-level
//! tests (in [`tool`]), and the README's replay procedure through the whole app (in [`replay`]
//! and [`replay_login`]). Include with `mod lti_support;`.

#![allow(dead_code, reason = "each test binary uses a different part")]

pub mod mutate;
pub mod replay;
pub mod replay_login;
pub mod tool;
