//! Rebuilds `cairn-lti` when a migration file changes: `sqlx::migrate!` embeds the files of
//! `migrations/` at compile time, and cargo does not watch that folder on its own.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
