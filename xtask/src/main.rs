//! Cairn's dev tasks (being written).
fn main() {}
