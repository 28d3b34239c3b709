//! What the credential page shows, read from the signed credential and nothing else: the
//! achievement, the recipient exactly as the credential names them (a hashed identifier stays
//! hidden), the issuer, the dates, and the credential's standing at `now` (from the stored
//! status columns and `validUntil`). Pure: JSON and instants in, plain values out.

use cairn::Timestamp;
use serde_json::Value;

/// The recipient as the credential shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecipientView {
    /// A plain (unhashed) identifier the learner chose to show, e.g. their name.
    Plain {
        /// The `identityType` (`name`, …).
        identity_type: String,
        /// The value.
        value: String,
    },
    /// A hashed identifier: only its kind can be shown.
    Hashed {
        /// The `identityType` (`emailAddress`, `ltiUserId`, …).
        identity_type: String,
    },
    /// A subject `id` (a DID the learner bound).
    Id(String),
}

/// The facts of the page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialView {
    /// The achievement name.
    pub name: String,
    /// The achievement description.
    pub description: Option<String>,
    /// `humanCode`.
    pub code: Option<String>,
    /// `achievementType`.
    pub achievement_type: Option<String>,
    /// The criteria narrative (Markdown source, shown as text).
    pub criteria: Option<String>,
    /// The aligned competencies (`alignment[].targetName`).
    pub skills: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Who received it.
    pub recipients: Vec<RecipientView>,
    /// The issuer's name.
    pub issuer_name: String,
    /// The issuer's id.
    pub issuer_id: String,
    /// The issuer's web site.
    pub issuer_url: Option<String>,
    /// The department (`achievement.creator.name`).
    pub department: Option<String>,
    /// `awardedDate` (else `validFrom`).
    pub awarded: Option<String>,
    /// `validFrom`.
    pub valid_from: Option<String>,
    /// `validUntil`.
    pub valid_until: Option<String>,
    /// `creditsEarned`, as written.
    pub credits: Option<String>,
}

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn array(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(one) => vec![one],
    }
}

fn recipients(subject: &Value) -> Vec<RecipientView> {
    let mut out = Vec::new();
    if let Some(id) = text(subject.get("id")) {
        out.push(RecipientView::Id(id));
    }
    for identifier in array(subject.get("identifier")) {
        let identity_type =
            text(identifier.get("identityType")).unwrap_or_else(|| "identifier".to_owned());
        // Only an explicit `hashed: false` shows the value (badges.md §3).
        let plain = identifier.get("hashed").and_then(Value::as_bool) == Some(false);
        match text(identifier.get("identityHash")) {
            Some(value) if plain => out.push(RecipientView::Plain {
                identity_type,
                value,
            }),
            _ => out.push(RecipientView::Hashed { identity_type }),
        }
    }
    out
}

impl CredentialView {
    /// The facts of an OB 3.0 credential; absent fields stay empty.
    pub fn of(credential: &Value) -> CredentialView {
        let subject = array(credential.get("credentialSubject"))
            .into_iter()
            .next()
            .cloned()
            .unwrap_or(Value::Null);
        let achievement = subject.get("achievement").cloned().unwrap_or(Value::Null);
        let issuer = credential.get("issuer").cloned().unwrap_or(Value::Null);
        let issuer_id = match &issuer {
            Value::String(id) => id.clone(),
            other => text(other.get("id")).unwrap_or_default(),
        };
        let credits = subject.get("creditsEarned").and_then(|v| match v {
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        CredentialView {
            name: text(achievement.get("name"))
                .or_else(|| text(credential.get("name")))
                .unwrap_or_else(|| "Credential".to_owned()),
            description: text(achievement.get("description"))
                .or_else(|| text(credential.get("description"))),
            code: text(achievement.get("humanCode")),
            achievement_type: text(achievement.get("achievementType")),
            criteria: achievement
                .get("criteria")
                .and_then(|c| text(c.get("narrative"))),
            skills: array(achievement.get("alignment"))
                .into_iter()
                .filter_map(|a| text(a.get("targetName")))
                .collect(),
            tags: array(achievement.get("tag"))
                .into_iter()
                .filter_map(|t| text(Some(t)))
                .collect(),
            recipients: recipients(&subject),
            issuer_name: text(issuer.get("name")).unwrap_or_else(|| issuer_id.clone()),
            issuer_url: text(issuer.get("url")),
            issuer_id,
            department: achievement.get("creator").and_then(|c| text(c.get("name"))),
            awarded: text(credential.get("awardedDate"))
                .or_else(|| text(credential.get("validFrom"))),
            valid_from: text(credential.get("validFrom")),
            valid_until: text(credential.get("validUntil")),
            credits,
        }
    }
}

/// Where a credential stands at `now`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Valid.
    Valid,
    /// Before its `validFrom`.
    NotYetValid,
    /// Past its `validUntil` (strictly after it, badges.md §1.1).
    Expired {
        /// `validUntil`.
        at: Timestamp,
    },
    /// Revoked by the issuer.
    Revoked {
        /// When.
        at: Timestamp,
        /// Why, as recorded.
        reason: Option<String>,
    },
    /// Suspended by the issuer (may be lifted).
    Suspended {
        /// When.
        at: Timestamp,
        /// Why, as recorded.
        reason: Option<String>,
    },
}

impl Standing {
    /// The stable word for JSON and CSS: `valid`, `not_yet_valid`, `expired`, `revoked`,
    /// `suspended`.
    pub fn code(&self) -> &'static str {
        match self {
            Standing::Valid => "valid",
            Standing::NotYetValid => "not_yet_valid",
            Standing::Expired { .. } => "expired",
            Standing::Revoked { .. } => "revoked",
            Standing::Suspended { .. } => "suspended",
        }
    }
}

/// The stored status columns that matter for [`standing`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusColumns {
    /// `revoked_at`, `revoked_reason`.
    pub revoked: Option<(i64, Option<String>)>,
    /// `suspended_at`, `suspended_reason`.
    pub suspended: Option<(i64, Option<String>)>,
}

/// The standing of `credential` at `now`: revoked, then suspended, then the dates.
pub fn standing(credential: &Value, status: &StatusColumns, now: Timestamp) -> Standing {
    if let Some((at, reason)) = &status.revoked {
        return Standing::Revoked {
            at: Timestamp::from_unix_seconds(*at),
            reason: reason.clone(),
        };
    }
    if let Some((at, reason)) = &status.suspended {
        return Standing::Suspended {
            at: Timestamp::from_unix_seconds(*at),
            reason: reason.clone(),
        };
    }
    let date = |key: &str| {
        credential
            .get(key)
            .and_then(Value::as_str)
            .and_then(|t| Timestamp::parse(t).ok())
    };
    if let Some(until) = date("validUntil")
        && now > until
    {
        return Standing::Expired { at: until };
    }
    if let Some(from) = date("validFrom")
        && now < from
    {
        return Standing::NotYetValid;
    }
    Standing::Valid
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "issuer": {"id": "https://tool.test/issuers/i1", "type": ["Profile"], "name": "College", "url": "https://college.example"},
            "validFrom": "2026-03-02T15:04:05Z",
            "validUntil": "2027-03-02T15:04:05Z",
            "awardedDate": "2026-03-01T00:00:00Z",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [
                    {"type": "IdentityObject", "identityType": "emailAddress", "hashed": true, "salt": "ab", "identityHash": "sha256$00"},
                    {"type": "IdentityObject", "identityType": "name", "hashed": false, "identityHash": "Ada Lovelace"}
                ],
                "achievement": {"name": "Safe lifting", "description": "Lifts safely.", "humanCode": "SL-1",
                    "criteria": {"narrative": "Pass both."},
                    "alignment": [{"targetName": "Posture"}, {"targetName": "Load"}],
                    "tag": ["safety"]},
                "creditsEarned": 0.5
            }
        })
    }

    #[test]
    fn reads_the_shown_facts_and_hides_hashed_identifiers() {
        let view = CredentialView::of(&sample());
        assert_eq!(view.name, "Safe lifting");
        assert_eq!(view.code.as_deref(), Some("SL-1"));
        assert_eq!(view.skills, ["Posture", "Load"]);
        assert_eq!(view.issuer_name, "College");
        assert_eq!(view.awarded.as_deref(), Some("2026-03-01T00:00:00Z"));
        assert_eq!(view.credits.as_deref(), Some("0.5"));
        assert_eq!(
            view.recipients,
            [
                RecipientView::Hashed {
                    identity_type: "emailAddress".into()
                },
                RecipientView::Plain {
                    identity_type: "name".into(),
                    value: "Ada Lovelace".into()
                }
            ]
        );
        let shown = format!("{view:?}");
        assert!(!shown.contains("sha256$00"), "{shown}");
    }

    #[test]
    fn standing_orders_revoked_suspended_then_dates() {
        let c = sample();
        let at = |t: &str| Timestamp::parse(t).expect("time");
        let none = StatusColumns::default();
        assert_eq!(
            standing(&c, &none, at("2026-06-01T00:00:00Z")),
            Standing::Valid
        );
        assert_eq!(
            standing(&c, &none, at("2027-03-02T15:04:05Z")),
            Standing::Valid
        );
        assert_eq!(
            standing(&c, &none, at("2027-03-02T15:04:06Z")).code(),
            "expired"
        );
        assert_eq!(
            standing(&c, &none, at("2026-03-02T15:04:04Z")),
            Standing::NotYetValid
        );
        let both = StatusColumns {
            revoked: Some((10, Some("fraud".into()))),
            suspended: Some((5, None)),
        };
        assert_eq!(
            standing(&c, &both, at("2026-06-01T00:00:00Z")),
            Standing::Revoked {
                at: Timestamp::from_unix_seconds(10),
                reason: Some("fraud".into())
            }
        );
        let suspended = StatusColumns {
            revoked: None,
            suspended: Some((5, None)),
        };
        assert_eq!(
            standing(&c, &suspended, at("2030-01-01T00:00:00Z")).code(),
            "suspended"
        );
    }
}
