//! Cairn's LTI 1.3 tool server (being written).
