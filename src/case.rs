//! case (being written).
