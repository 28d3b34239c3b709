//! mastery (being written).
