//! Deep Linking 2.0 response claims (`spec/lti.md` §7), pure: what the instructor may place
//! (each published credential's assessments and its progress page), the `ltiResourceLink`
//! content items for a selection, and the whole `LtiDeepLinkingResponse` payload. Signing and
//! the auto-submitting form are the route's (`routes/deep_linking.rs`); time, the nonce and the
//! placement ids come in as arguments.
//!
//! The request's settings travel in the launch session as a [`DeepLinkRequest`]; the rules of
//! §7 are applied here: only types in `accept_types`, one item unless `accept_multiple`,
//! `lineItem` unless `accept_lineitem` is `false` (absent means yes: Moodle 4.1 omits it),
//! `data` echoed unchanged when present and omitted when absent, camelCase field names.

use std::collections::BTreeMap;

use cairn::definition::{AssessmentKind, CredentialDefinition};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::launch::claims::DeepLinkingSettings;
use crate::launch::claims::{CLAIM_DEPLOYMENT_ID, CLAIM_MESSAGE_TYPE, CLAIM_VERSION};

/// `lti-dl:content_items`.
pub const CLAIM_CONTENT_ITEMS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";
/// `lti-dl:data`.
pub const CLAIM_DATA: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/data";
/// `lti-dl:msg`.
pub const CLAIM_MSG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/msg";
/// `lti-dl:errormsg`.
pub const CLAIM_ERRORMSG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg";
/// The content item type Cairn returns.
pub const RESOURCE_LINK_TYPE: &str = "ltiResourceLink";
/// `exp − iat` of the response.
pub const RESPONSE_LIFETIME_SECONDS: i64 = 600;

/// Custom parameter naming the placement (Cairn's row), echoed by the platform on every later
/// launch of the link.
pub const CUSTOM_PLACEMENT: &str = "cairn_placement";
/// Custom parameter naming the credential definition.
pub const CUSTOM_DEFINITION: &str = "cairn_definition";
/// Custom parameter naming the assessment (absent for a progress page).
pub const CUSTOM_ASSESSMENT: &str = "cairn_assessment";
/// Custom parameter naming the view: `assessment` or `progress`.
pub const CUSTOM_VIEW: &str = "cairn_view";

/// The Deep Linking request's settings and who answers to whom, as kept in the launch session
/// (JSON under `deep_linking`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeepLinkRequest {
    /// `deep_link_return_url`.
    pub return_url: String,
    /// `accept_types`.
    pub accept_types: Vec<String>,
    /// `accept_presentation_document_targets`.
    pub accept_presentation_document_targets: Vec<String>,
    /// `accept_multiple` (absent: `false`).
    pub accept_multiple: bool,
    /// `accept_lineitem` as sent (absent: a `lineItem` is sent).
    pub accept_lineitem: Option<bool>,
    /// `data`, echoed unchanged.
    pub data: Option<String>,
}

impl DeepLinkRequest {
    /// The request of a verified launch's settings claim (check 15c made the return URL and
    /// arrays present).
    pub fn from_settings(settings: &DeepLinkingSettings) -> DeepLinkRequest {
        DeepLinkRequest {
            return_url: settings.deep_link_return_url.clone().unwrap_or_default(),
            accept_types: settings.accept_types.clone().unwrap_or_default(),
            accept_presentation_document_targets: settings
                .accept_presentation_document_targets
                .clone()
                .unwrap_or_default(),
            accept_multiple: settings.accept_multiple.unwrap_or(false),
            accept_lineitem: settings.accept_lineitem,
            data: settings.data.clone(),
        }
    }

    /// Whether the platform takes `ltiResourceLink` items at all.
    pub fn accepts_resource_links(&self) -> bool {
        self.accept_types.iter().any(|t| t == RESOURCE_LINK_TYPE)
    }

    /// Whether items carry a `lineItem`.
    pub fn sends_line_items(&self) -> bool {
        self.accept_lineitem != Some(false)
    }
}

/// What a placed link opens.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum Choice {
    /// One assessment of a credential.
    Assessment {
        /// The credential definition's id.
        definition_id: String,
        /// The assessment's id.
        assessment_id: String,
    },
    /// A credential's progress page.
    Progress {
        /// The credential definition's id.
        definition_id: String,
    },
}

impl Choice {
    /// The picker's value for this choice: its JSON (`{"view":"assessment",…}`), which holds
    /// any id text unambiguously.
    pub fn value(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a picker value back; `None` when it is not one [`Choice::value`] writes.
    pub fn parse(value: &str) -> Option<Choice> {
        serde_json::from_str(value).ok()
    }

    /// The definition the choice belongs to.
    pub fn definition_id(&self) -> &str {
        match self {
            Choice::Assessment { definition_id, .. } | Choice::Progress { definition_id } => {
                definition_id
            }
        }
    }
}

/// The AGS line item a placed assessment asks the platform to create (camelCase on the wire).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    /// The assessment's maximum points.
    pub score_maximum: f64,
    /// The column's label.
    pub label: String,
    /// The assessment id (AGS finds the line item by it).
    pub resource_id: String,
    /// `summative` or `formative`.
    pub tag: String,
}

/// One thing the instructor can place: what the picker lists and an item is built from.
#[derive(Clone, Debug, PartialEq)]
pub struct Placeable {
    /// What the link opens.
    pub choice: Choice,
    /// The item's title.
    pub title: String,
    /// The item's text (one line).
    pub text: String,
    /// The credential's name, for grouping in the picker.
    pub credential: String,
    /// The line item (assessments only).
    pub line_item: Option<LineItem>,
}

/// Everything placeable in a course: per published definition (in the given order; of
/// several versions of one id, the last), its assessments then its progress page.
pub fn placeables(definitions: &[CredentialDefinition]) -> Vec<Placeable> {
    let mut out = Vec::new();
    for (at, definition) in definitions.iter().enumerate() {
        if definitions[at + 1..].iter().any(|d| d.id == definition.id) {
            continue;
        }
        let definition_id = definition.id.as_str().to_owned();
        for assessment in &definition.assessments {
            let tag = match assessment.kind {
                AssessmentKind::Summative => "summative",
                AssessmentKind::Formative => "formative",
            };
            let score_maximum = assessment.total_max().to_f64_for_display();
            out.push(Placeable {
                choice: Choice::Assessment {
                    definition_id: definition_id.clone(),
                    assessment_id: assessment.id.as_str().to_owned(),
                },
                title: assessment.title.clone(),
                text: format!("{} assessment for {}", capitalised(tag), definition.name),
                credential: definition.name.clone(),
                line_item: Some(LineItem {
                    score_maximum,
                    label: assessment.title.clone(),
                    resource_id: assessment.id.as_str().to_owned(),
                    tag: tag.to_owned(),
                }),
            });
        }
        out.push(Placeable {
            choice: Choice::Progress {
                definition_id: definition_id.clone(),
            },
            title: format!("{}: progress", definition.name),
            text: format!("Your progress toward {}", definition.name),
            credential: definition.name.clone(),
            line_item: None,
        });
    }
    out
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A selection the request does not allow.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeepLinkError {
    /// `accept_types` has no `ltiResourceLink`.
    #[error("the platform does not accept ltiResourceLink items (accept_types: {accepted:?})")]
    TypeNotAccepted {
        /// The request's `accept_types`.
        accepted: Vec<String>,
    },
    /// More than one item and `accept_multiple` is not true.
    #[error("the platform accepts one item here, and {chosen} were chosen")]
    TooMany {
        /// How many were chosen.
        chosen: usize,
    },
    /// A chosen value names nothing placeable in this course.
    #[error("{value:?} is not a published assessment or credential of this course")]
    UnknownChoice {
        /// The value as posted.
        value: String,
    },
}

impl DeepLinkError {
    /// The stable code the API and logs show.
    pub fn code(&self) -> &'static str {
        match self {
            DeepLinkError::TypeNotAccepted { .. } => "deep_linking_type_not_accepted",
            DeepLinkError::TooMany { .. } => "deep_linking_too_many_items",
            DeepLinkError::UnknownChoice { .. } => "deep_linking_unknown_choice",
        }
    }
}

/// The placeables of `values` (picker values), in the order chosen, checked against what is
/// placeable and against the request's `accept_types` and `accept_multiple`. An empty
/// selection is the cancel answer and always allowed.
pub fn select(
    request: &DeepLinkRequest,
    available: &[Placeable],
    values: &[String],
) -> Result<Vec<Placeable>, DeepLinkError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    if !request.accepts_resource_links() {
        return Err(DeepLinkError::TypeNotAccepted {
            accepted: request.accept_types.clone(),
        });
    }
    if values.len() > 1 && !request.accept_multiple {
        return Err(DeepLinkError::TooMany {
            chosen: values.len(),
        });
    }
    values
        .iter()
        .map(|value| {
            Choice::parse(value)
                .and_then(|choice| available.iter().find(|p| p.choice == choice))
                .cloned()
                .ok_or_else(|| DeepLinkError::UnknownChoice {
                    value: value.clone(),
                })
        })
        .collect()
}

/// The `custom` object of a placed link: all strings.
pub fn custom_parameters(placement_id: &str, choice: &Choice) -> BTreeMap<String, String> {
    let mut custom = BTreeMap::new();
    custom.insert(CUSTOM_PLACEMENT.to_owned(), placement_id.to_owned());
    custom.insert(
        CUSTOM_DEFINITION.to_owned(),
        choice.definition_id().to_owned(),
    );
    match choice {
        Choice::Assessment { assessment_id, .. } => {
            custom.insert(CUSTOM_ASSESSMENT.to_owned(), assessment_id.clone());
            custom.insert(CUSTOM_VIEW.to_owned(), "assessment".to_owned());
        }
        Choice::Progress { .. } => {
            custom.insert(CUSTOM_VIEW.to_owned(), "progress".to_owned());
        }
    }
    custom
}

/// One `ltiResourceLink` content item for `placeable`, placed as `placement_id`, launching
/// `launch_url`.
pub fn content_item(
    request: &DeepLinkRequest,
    placeable: &Placeable,
    placement_id: &str,
    launch_url: &str,
) -> Value {
    let mut item = Map::new();
    item.insert("type".into(), json!(RESOURCE_LINK_TYPE));
    item.insert("title".into(), json!(placeable.title));
    item.insert("text".into(), json!(placeable.text));
    item.insert("url".into(), json!(launch_url));
    item.insert(
        "custom".into(),
        json!(custom_parameters(placement_id, &placeable.choice)),
    );
    if let Some(line_item) = placeable
        .line_item
        .as_ref()
        .filter(|_| request.sends_line_items())
    {
        item.insert("lineItem".into(), json!(line_item));
    }
    let targets = &request.accept_presentation_document_targets;
    if targets.iter().any(|t| t == "iframe") {
        item.insert("iframe".into(), json!({"width": 800, "height": 600}));
    } else if targets.iter().any(|t| t == "window") {
        item.insert("window".into(), json!({"targetName": "_blank"}));
    }
    Value::Object(item)
}

/// Who signs the response and for whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parties<'a> {
    /// The registration's `client_id` (the response's `iss`).
    pub client_id: &'a str,
    /// The platform's issuer (the response's `aud`).
    pub platform_issuer: &'a str,
    /// The launch's deployment id.
    pub deployment_id: &'a str,
}

/// The `LtiDeepLinkingResponse` payload: `items` (already built content items; empty =
/// cancel), `iat` = now, `exp` = now + [`RESPONSE_LIFETIME_SECONDS`], a fresh `nonce`, `data`
/// echoed when the request had it, and a `msg` naming what was added.
pub fn response_claims(
    request: &DeepLinkRequest,
    parties: &Parties<'_>,
    items: Vec<Value>,
    now: i64,
    nonce: &str,
) -> Value {
    let msg = match items.len() {
        0 => "Nothing was added".to_owned(),
        1 => format!(
            "Added {}",
            items[0]["title"].as_str().unwrap_or("one Cairn item")
        ),
        n => format!("Added {n} Cairn items"),
    };
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(parties.client_id));
    claims.insert("aud".into(), json!(parties.platform_issuer));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + RESPONSE_LIFETIME_SECONDS));
    claims.insert("nonce".into(), json!(nonce));
    claims.insert(CLAIM_DEPLOYMENT_ID.into(), json!(parties.deployment_id));
    claims.insert(CLAIM_MESSAGE_TYPE.into(), json!("LtiDeepLinkingResponse"));
    claims.insert(CLAIM_VERSION.into(), json!("1.3.0"));
    claims.insert(CLAIM_CONTENT_ITEMS.into(), Value::Array(items));
    if let Some(data) = &request.data {
        claims.insert(CLAIM_DATA.into(), json!(data));
    }
    claims.insert(CLAIM_MSG.into(), json!(msg));
    Value::Object(claims)
}

/// An error answer (`errormsg`, no items) for a selection the request refused.
pub fn error_claims(
    request: &DeepLinkRequest,
    parties: &Parties<'_>,
    error: &DeepLinkError,
    now: i64,
    nonce: &str,
) -> Value {
    let mut claims = response_claims(request, parties, Vec::new(), now, nonce);
    if let Some(map) = claims.as_object_mut() {
        map.remove(CLAIM_MSG);
        map.insert(CLAIM_ERRORMSG.into(), json!(error.to_string()));
    }
    claims
}

#[cfg(test)]
#[path = "deep_linking_tests.rs"]
mod tests;
