//! event (being written).
