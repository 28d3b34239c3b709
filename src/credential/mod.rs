//! Open Badges 3.0 credentials (being written).
