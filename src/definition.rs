//! definition (being written).
