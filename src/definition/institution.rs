//! How one institution runs its definitions (REQ-DEF-03, REQ-DEF-06, REQ-DEF-13;
//! `docs/format.md` §3.8): its credential kinds (local name, credit flag, hour band, rigour,
//! whether the kind counts as a micro-credential, badge template, whether a completion
//! window is required), its approval chain and whether publishing asks for the whole
//! Critical Information Summary. [`InstitutionConfig::default`] is the behaviour of the
//! scenario README: only the kind `micro_credential` is a micro-credential, nothing else is
//! configured. Also here: the hour-band validator ([`band_findings`]).

use serde::Serialize;

use super::validate::{Finding, Severity};
use crate::number::Number;

/// One institution's configuration of definitions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstitutionConfig {
    /// The institution's credential kinds, each named by the `kind` value definitions use.
    pub kinds: Vec<KindConfig>,
    /// The bodies that approve a definition, in order (e.g. department, faculty council,
    /// senate, REQ-DEF-13). Empty: one approval by anyone.
    pub approval_chain: Vec<String>,
    /// Whether publishing asks for every item of REQ-DEF-02 (the general publish check),
    /// not only the B.C. summary of a `bc_micro_credential`.
    pub full_publish_check: bool,
    /// The body that approves a change of credit status after the chain (REQ-LIFE-02);
    /// `None`: `credit_route` ([`InstitutionConfig::credit_route_body`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_route_approver: Option<String>,
    /// Whether assessment-only (direct assessment) PLAR routes are allowed (REQ-PLAR-12);
    /// when off, publishing a definition that offers one is blocked
    /// ([`super::plar_route_findings`]). Default: allowed.
    pub assessment_only_routes: bool,
}

crate::read_object!(InstitutionConfig {
    kinds = default(), approval_chain = default(), full_publish_check = default(),
    credit_route_approver = default(), assessment_only_routes = allowed(),
});

fn allowed() -> bool {
    true
}

impl Default for InstitutionConfig {
    /// The README's behaviour: nothing configured, assessment-only routes allowed.
    fn default() -> Self {
        InstitutionConfig {
            kinds: Vec::new(),
            approval_chain: Vec::new(),
            full_publish_check: false,
            credit_route_approver: None,
            assessment_only_routes: true,
        }
    }
}

impl InstitutionConfig {
    /// The body whose approval a change of credit status needs (REQ-LIFE-02).
    pub fn credit_route_body(&self) -> &str {
        self.credit_route_approver
            .as_deref()
            .unwrap_or("credit_route")
    }
}

/// How rigorously a kind is assessed (REQ-DEF-03).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rigour {
    /// Presence is recorded.
    Attendance,
    /// Work is submitted.
    Completion,
    /// Competencies are assessed.
    Proficiency,
    /// A program of assessed parts.
    Certificate,
}

crate::unit_names::unit_names!(Rigour { Attendance => "attendance", Completion => "completion", Proficiency => "proficiency", Certificate => "certificate" });

/// One credential kind of an institution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindConfig {
    /// The `kind` value of the definitions of this kind.
    pub kind: String,
    /// What the institution calls it ("Letter of Proficiency").
    pub local_name: String,
    /// Whether definitions of this kind carry credits (REQ-DEF-08).
    pub credit_bearing: bool,
    /// The notional hours a definition of this kind has (REQ-DEF-06).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<HourBand>,
    /// How it is assessed.
    pub rigour: Rigour,
    /// Whether it counts as a micro-credential (rule V9, the publish check).
    pub micro_credential: bool,
    /// The badge visual its credentials use (a template name the host resolves).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge_template: Option<String>,
    /// Whether publishing needs a `completion_window_days` (REQ-DEF-02).
    pub completion_window_required: bool,
}

crate::read_object!(KindConfig {
    kind, local_name, credit_bearing, hours = default(), rigour, micro_credential,
    badge_template = default(), completion_window_required = default(),
});

/// An hour band: each bound optional, inclusive (`at_least`, `at_most`) or exclusive
/// (`above`, `below`). At most one lower and one upper bound. Without a lower bound the
/// band starts at 0 h (included); without an upper bound it has no end.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct HourBand {
    /// Hours ≥ this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_least: Option<Number>,
    /// Hours > this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above: Option<Number>,
    /// Hours ≤ this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_most: Option<Number>,
    /// Hours < this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below: Option<Number>,
}

crate::read_object!(HourBand {
    at_least = default(), above = default(), at_most = default(), below = default(),
});

/// A bound of a band: the value and whether it is included.
#[derive(Debug, Clone, PartialEq)]
struct Bound {
    value: Number,
    included: bool,
}

impl HourBand {
    /// The lower bound (0 h included when none is given).
    fn low(&self) -> Bound {
        match (&self.at_least, &self.above) {
            (Some(v), _) => Bound {
                value: v.clone(),
                included: true,
            },
            (None, Some(v)) => Bound {
                value: v.clone(),
                included: false,
            },
            (None, None) => Bound {
                value: Number::zero(),
                included: true,
            },
        }
    }

    /// The upper bound, `None` for an open-ended band.
    fn high(&self) -> Option<Bound> {
        match (&self.at_most, &self.below) {
            (Some(v), _) => Some(Bound {
                value: v.clone(),
                included: true,
            }),
            (None, Some(v)) => Some(Bound {
                value: v.clone(),
                included: false,
            }),
            (None, None) => None,
        }
    }

    /// Whether `hours` falls in the band.
    pub fn contains(&self, hours: &Number) -> bool {
        let low = self.low();
        let above_low = *hours > low.value || (low.included && *hours == low.value);
        let below_high = self
            .high()
            .is_none_or(|h| *hours < h.value || (h.included && *hours == h.value));
        above_low && below_high
    }

    /// The band in words: `at least 51 h and at most 150 h`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (word, v) in [
            ("at least", &self.at_least),
            ("above", &self.above),
            ("at most", &self.at_most),
            ("below", &self.below),
        ] {
            if let Some(v) = v {
                parts.push(format!("{word} {v} h"));
            }
        }
        if parts.is_empty() {
            "any number of hours".to_owned()
        } else {
            parts.join(" and ")
        }
    }
}

impl InstitutionConfig {
    /// The configuration of `kind`, if the institution has one.
    pub fn kind(&self, kind: &str) -> Option<&KindConfig> {
        self.kinds.iter().find(|k| k.kind == kind)
    }

    /// Whether definitions of `kind` are micro-credentials: the kind's flag, else (a kind
    /// the institution does not configure) whether it is the README's `micro_credential`.
    pub fn counts_as_micro_credential(&self, kind: &str) -> bool {
        self.kind(kind)
            .map_or(kind == "micro_credential", |k| k.micro_credential)
    }

    /// The badge template of `kind`, if configured (REQ-DEF-03: the level picks the visual).
    pub fn badge_template(&self, kind: &str) -> Option<&str> {
        self.kind(kind).and_then(|k| k.badge_template.as_deref())
    }

    /// The kinds whose hour band contains `hours` (none: the hours fall in a gap).
    pub fn kinds_for_hours(&self, hours: &Number) -> Vec<&KindConfig> {
        self.kinds
            .iter()
            .filter(|k| k.hours.as_ref().is_some_and(|b| b.contains(hours)))
            .collect()
    }
}

/// The hour-band validator (REQ-DEF-06): bands with a contradictory or empty range, and,
/// between the configured bands sorted by their lower bound, every range of hours no band
/// covers (`hour_band_gap`, from 0 h on) and every range two bands both cover
/// (`hour_band_overlap`). Errors: a definition's hours must name one kind.
pub fn band_findings(config: &InstitutionConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let finding = |code, reference: &str, message: String| Finding {
        code,
        severity: Severity::Error,
        reference: reference.to_owned(),
        message,
    };
    let mut bands: Vec<(&str, &HourBand)> = Vec::new();
    for k in &config.kinds {
        let Some(band) = &k.hours else { continue };
        let empty = band.high().is_some_and(|h| {
            let low = band.low();
            h.value < low.value || (h.value == low.value && !(h.included && low.included))
        });
        if (band.at_least.is_some() && band.above.is_some())
            || (band.at_most.is_some() && band.below.is_some())
            || empty
        {
            out.push(finding(
                "hour_band_invalid",
                &k.kind,
                format!(
                    "the hour band of \"{}\" ({}) has two bounds on one side or contains no hours",
                    k.kind,
                    band.describe()
                ),
            ));
            continue;
        }
        bands.push((&k.kind, band));
    }
    bands.sort_by(|a, b| {
        let (la, lb) = (a.1.low(), b.1.low());
        la.value.cmp(&lb.value).then(lb.included.cmp(&la.included))
    });
    // `covered`: how far the bands so far reach (None = to infinity), and by which kind.
    let mut covered: Option<(Option<Bound>, &str)> = None;
    let start = Bound {
        value: Number::zero(),
        included: false,
    };
    for (kind, band) in bands {
        let low = band.low();
        let (reach, by) = match &covered {
            Some((reach, by)) => (reach.clone(), Some(*by)),
            None => (Some(start.clone()), None),
        };
        match reach {
            None => out.push(finding(
                "hour_band_overlap",
                kind,
                format!(
                    "the hour bands of \"{}\" and \"{kind}\" overlap from {} h",
                    by.unwrap_or_default(),
                    low.value
                ),
            )),
            Some(r) => {
                let gap = r.value < low.value || (!r.included && !low.included);
                let overlap = r.value > low.value || (r.included && low.included);
                if gap {
                    let range = if r.value == low.value {
                        format!("exactly {} h", r.value)
                    } else {
                        let from = if r.included { "above" } else { "from" };
                        let to = if low.included { "below" } else { "up to" };
                        format!("{from} {} h {to} {} h", r.value, low.value)
                    };
                    out.push(finding(
                        "hour_band_gap",
                        kind,
                        format!(
                            "no kind covers {range} (before the band of \"{kind}\", {})",
                            band.describe()
                        ),
                    ));
                } else if overlap && by.is_some() {
                    out.push(finding(
                        "hour_band_overlap",
                        kind,
                        format!(
                            "the hour bands of \"{}\" and \"{kind}\" ({}) both contain {} h",
                            by.unwrap_or_default(),
                            band.describe(),
                            low.value
                        ),
                    ));
                }
            }
        }
        let high = band.high();
        let further = match (&covered, &high) {
            (None, _) => true,
            (Some((None, _)), _) => false,
            (Some(_), None) => true,
            (Some((Some(r), _)), Some(h)) => {
                h.value > r.value || (h.value == r.value && h.included && !r.included)
            }
        };
        if further {
            covered = Some((high, kind));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(bands: serde_json::Value) -> InstitutionConfig {
        let kinds: Vec<serde_json::Value> = bands
            .as_object()
            .unwrap()
            .iter()
            .map(|(kind, band)| {
                serde_json::json!({"kind": kind, "local_name": kind, "credit_bearing": false,
                    "rigour": "proficiency", "micro_credential": true, "hours": band})
            })
            .collect();
        serde_json::from_value(serde_json::json!({ "kinds": kinds })).unwrap()
    }

    fn codes(findings: &[Finding]) -> Vec<(&str, &str)> {
        findings
            .iter()
            .map(|f| (f.code, f.reference.as_str()))
            .collect()
    }

    #[test]
    fn req_def_06_the_toolkit_example_bands_leave_two_gaps() {
        // <50, 51-150, 151-288 (004 L1617-1618).
        let c = config(serde_json::json!({
            "short": {"below": "50"},
            "medium": {"at_least": "51", "at_most": "150"},
            "long": {"at_least": "151", "at_most": "288"}
        }));
        let found = band_findings(&c);
        assert_eq!(
            codes(&found),
            [("hour_band_gap", "medium"), ("hour_band_gap", "long")]
        );
        assert!(
            found[0].message.contains("from 50 h below 51 h"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.contains("above 150 h below 151 h"),
            "{}",
            found[1].message
        );
        for hours in ["50", "50.5", "150.5"] {
            let h = Number::parse_decimal(hours).unwrap();
            assert!(c.kinds_for_hours(&h).is_empty(), "{hours}");
        }
        assert_eq!(
            c.kinds_for_hours(&Number::from_integer(51))[0].kind,
            "medium"
        );
    }

    #[test]
    fn req_def_06_ubco_bands_leave_150_hours_uncovered() {
        let c = config(serde_json::json!({
            "letter": {"below": "150"},
            "certificate": {"above": "150"}
        }));
        let found = band_findings(&c);
        assert_eq!(codes(&found), [("hour_band_gap", "certificate")]);
        assert!(c.kinds_for_hours(&Number::from_integer(150)).is_empty());
        assert_eq!(
            c.kinds_for_hours(&Number::from_integer(149))[0].kind,
            "letter"
        );
    }

    #[test]
    fn req_def_06_overlaps_and_empty_bands_are_reported() {
        let c = config(serde_json::json!({
            "a": {"at_most": "100"},
            "b": {"at_least": "100"},
            "c": {"at_least": "20", "below": "20"}
        }));
        assert_eq!(
            codes(&band_findings(&c)),
            [("hour_band_invalid", "c"), ("hour_band_overlap", "b")]
        );
        let contiguous = config(serde_json::json!({
            "a": {"below": "100"},
            "b": {"at_least": "100"}
        }));
        assert!(band_findings(&contiguous).is_empty());
    }
}
