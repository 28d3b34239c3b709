//! Definition metadata the domain rules never read: badge metadata, the Critical
//! Information Summary with its learner effort, the curriculum map, and the vocabularies
//! that CIS values are checked against ([`super::check`]).

use serde::Serialize;

use crate::ids::CompetencyId;
use crate::number::Number;

/// A curriculum map: the level each component reaches per competency (README §10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurriculumMap {
    /// Component (course) names, in program order.
    pub components: Vec<String>,
    /// Levels from lowest to highest.
    pub levels: Vec<String>,
    /// The level every competency must reach.
    pub target: String,
    /// Per competency, a level or `null` per component.
    pub rows: super::SortedMap<CompetencyId, Vec<Option<String>>>,
}

crate::read_object!(CurriculumMap {
    components,
    levels,
    target,
    rows
});

/// Badge metadata that the domain rules never read (requirements.md META).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Metadata {
    /// OB `achievementType`, e.g. `MicroCredential`, `Badge`, `Certificate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement_type: Option<String>,
    /// The criteria narrative (Markdown) shown on the public criteria page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criteria_narrative: Option<String>,
    /// The badge image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// Tags (OB `achievement.tag`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// A short code, e.g. a course code (OB `humanCode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human_code: Option<String>,
    /// Language of the text (BCP 47, OB `inLanguage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The department that offers it (OB `achievement.creator`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<Department>,
    /// The Ontario and B.C. Critical Information Summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cis: Option<CriticalInformationSummary>,
    /// Privacy: whether issued credentials may carry the learner's display name in clear
    /// (`identityType: "name"`, badges.md §3). Off by default.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub show_recipient_name: bool,
    /// Issuer option: whether a credential earned through PLAR says so (REQ-PLAR-05).
    /// Off by default: a PLAR-earned credential then reads exactly as a course-earned one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub show_plar_route: bool,
}

crate::read_object!(Metadata {
    achievement_type = default(), criteria_narrative = default(), image = default(),
    tags = default(), human_code = default(), language = default(), department = default(),
    cis = default(), show_recipient_name = default(), show_plar_route = default(),
});

impl Metadata {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Metadata::default()
    }
}

/// An image: an https URL or a `data:` URI, with a caption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Image {
    /// The image's URL or data URI.
    pub id: String,
    /// Alternative text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

crate::read_object!(Image { id, caption = default() });

/// The department offering a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    /// The department's IRI.
    pub id: String,
    /// Its name.
    pub name: String,
}

crate::read_object!(Department { id, name });

/// The Critical Information Summary: Ontario's 15 items and B.C.'s 11 core and 5 optional
/// fields (`spec/badges.md` §2). Items with a native Open Badges field (title, provider,
/// dates, description, outcomes, credits) come from the definition itself.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CriticalInformationSummary {
    /// `onsite` | `online` | `hybrid`, optionally suffixed `-synchronous` | `-asynchronous`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<String>,
    /// The four parts of learner effort, in hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effort_hours: Option<EffortHours>,
    /// Prerequisites.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prerequisites: Option<String>,
    /// Learning resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learning_resources: Option<String>,
    /// Type of assessment (Ontario item 11).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment_type: Option<String>,
    /// `competency` | `proficiency` (B.C. Assessment Method).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment_method: Option<String>,
    /// `unsupervised_no_id` | `supervised_no_id` | `supervised_online` | `onsite_with_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervision: Option<String>,
    /// Quality assurance body and review cycle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality_assurance: Option<String>,
    /// Outcome for a successful learner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// `standalone` | `integrated` | `stackable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stackability: Option<String>,
    /// Learner pathways (stacking and laddering).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pathways: Option<String>,
    /// Credit or other recognition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_recognition: Option<String>,
    /// `year1` … `year4` | `graduate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Instructor qualifications.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructor_qualifications: Option<String>,
    /// Further information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub further_information: Option<String>,
}

crate::read_object!(CriticalInformationSummary {
    delivery_mode = default(), effort_hours = default(), prerequisites = default(),
    learning_resources = default(), assessment_type = default(), assessment_method = default(),
    supervision = default(), quality_assurance = default(), outcome = default(),
    stackability = default(), pathways = default(), credit_recognition = default(),
    level = default(), instructor_qualifications = default(), further_information = default(),
});

/// Learner effort in hours, four parts (B.C.): the total is the notional hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffortHours {
    /// Face-to-face or synchronous contact.
    pub contact: Number,
    /// Peer learning.
    pub peer: Number,
    /// Asynchronous self-study.
    pub asynchronous: Number,
    /// Assessment.
    pub assessment: Number,
}

crate::read_object!(EffortHours {
    contact,
    peer,
    asynchronous,
    assessment
});

impl EffortHours {
    /// The sum of the four parts.
    pub fn total(&self) -> Number {
        self.contact
            .add(&self.peer)
            .add(&self.asynchronous)
            .add(&self.assessment)
    }
}

pub(super) const DELIVERY_MODES: [&str; 3] = ["onsite", "online", "hybrid"];
pub(super) const SUPERVISION: [&str; 4] = [
    "unsupervised_no_id",
    "supervised_no_id",
    "supervised_online",
    "onsite_with_id",
];
pub(super) const STACKABILITY: [&str; 3] = ["standalone", "integrated", "stackable"];
pub(super) const ASSESSMENT_METHODS: [&str; 2] = ["competency", "proficiency"];
pub(super) const LEVELS: [&str; 5] = ["year1", "year2", "year3", "year4", "graduate"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effort_hours_total_is_the_sum_of_the_four_parts() {
        let hours: EffortHours = serde_json::from_value(serde_json::json!({"contact": "12.5", "peer": "2", "asynchronous": "20", "assessment": "5.5"})).unwrap();
        assert_eq!(hours.total(), Number::from_integer(40));
    }
}
