//! criteria (being written).
