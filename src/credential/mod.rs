//! Open Badges 3.0 credentials (being written).

/// Baking: embed a credential into PNG and SVG badge images and extract it again.
pub mod bake;
/// Revocation and suspension: W3C Bitstring Status Lists and their entries.
pub mod status;
