//! The OB 3.0 `achievementType` of a credential, from the definition's `kind`
//! (`fixtures/scenarios/README.md` §3) in one table, [`ACHIEVEMENT_TYPES`]. Values are
//! those of the OB 3.0 `AchievementType` vocabulary (the `achievementType` enum of
//! `1edtech-ob3/schema/achievementcredential.json`).
//!
//! | `kind` | `achievementType` | why |
//! |---|---|---|
//! | `micro_credential` | `MicroCredential` | same concept |
//! | `course` | `Course` | "represents a single course" |
//! | `certificate` | `Certificate` | "designates requisite knowledge and skills of an occupation, profession, or academic program" |
//! | `badge` | `Badge` | same concept |
//! | `letter_of_attendance` | `CertificateOfCompletion` | "acknowledges completion of an assignment, training or other activity" (with or without the skills acquired): attending the training is the activity; OB 3.0 has no attendance type |
//! | `letter_of_completion` | `CertificateOfCompletion` | the same definition, here with the tasks submitted |
//! | `letter_of_proficiency` | `Competency` | attests assessed, demonstrated "knowledge, skill, or ability", which is OB 3.0's `Competency` |
//! | anything else | `Achievement` | OB 3.0's generic value |
//!
//! A definition's `metadata.achievement_type`, when set, wins over the table.

use crate::definition::CredentialDefinition;

/// `(kind, achievementType)`, one row per kind the scenario README lists.
pub const ACHIEVEMENT_TYPES: [(&str, &str); 7] = [
    ("micro_credential", "MicroCredential"),
    ("course", "Course"),
    ("certificate", "Certificate"),
    ("badge", "Badge"),
    ("letter_of_attendance", "CertificateOfCompletion"),
    ("letter_of_completion", "CertificateOfCompletion"),
    ("letter_of_proficiency", "Competency"),
];

/// The generic value, for kinds the table does not list.
pub const GENERIC_ACHIEVEMENT_TYPE: &str = "Achievement";

/// The `achievementType` for a `kind` (the table above).
pub fn achievement_type_of_kind(kind: &str) -> &'static str {
    ACHIEVEMENT_TYPES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(GENERIC_ACHIEVEMENT_TYPE, |(_, t)| t)
}

/// The definition's `achievementType`: `metadata.achievement_type` if set, else by `kind`.
pub fn achievement_type(def: &CredentialDefinition) -> String {
    match def.metadata.achievement_type.as_deref() {
        Some(t) if !t.trim().is_empty() => t.to_owned(),
        _ => achievement_type_of_kind(&def.kind).to_owned(),
    }
}
