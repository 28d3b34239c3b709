//! LTI Advantage services (`spec/lti.md` §7–10): what Cairn sends to and reads from the
//! platform beyond the launch. One job per file.

pub mod deep_linking;
pub mod nrps;
pub mod picker;
pub mod placement;
pub mod registration;
pub mod roster;
