//! The JSON API for the page, under `/api/…` (being built: errors, the item-set scorer and
//! the gradebook parser first).

pub mod error;
pub mod gradebook;
pub mod scoring;

pub use error::ApiError;
