//! Requirement tests for definitions as institutions run them (issue 11, item 9): kinds
//! configured per institution (REQ-DEF-03), the credit flag (REQ-DEF-08), the general
//! publish check (REQ-DEF-02), the lifecycle and its approval chain (REQ-LIFE-01/09/10/11,
//! REQ-DEF-13). Hour bands (REQ-DEF-06) are unit tests of `src/definition/institution.rs`.

mod credential_corpus;
mod scenario_support;

use std::path::Path;

use cairn::Timestamp;
use cairn::definition::{
    Approval, CredentialDefinition, InstitutionConfig, Lifecycle, LifecycleAction, LifecycleState,
    Review, publish_findings, publish_findings_in, review_alerts, validate, validate_in,
};
use serde_json::{Value, json};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn shared_scenario(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../shared/fixtures/scenarios/{name}.json"));
    scenario_support::read(&path).unwrap()
}

fn definitions(scenario: &Value) -> Vec<CredentialDefinition> {
    cairn::definition::parse_definitions(&scenario["definitions"].to_string()).unwrap()
}

fn codes(findings: &[cairn::definition::Finding]) -> Vec<(&str, String)> {
    findings
        .iter()
        .map(|f| (f.code, f.reference.clone()))
        .collect()
}

/// UBCO's non-credit levels (ubco-ladder's notes): three letters, only proficiency is a
/// micro-credential.
fn ubco() -> InstitutionConfig {
    serde_json::from_value(json!({
        "kinds": [
            {"kind": "letter_of_attendance", "local_name": "Letter of Attendance", "credit_bearing": false,
             "rigour": "attendance", "micro_credential": false, "badge_template": "ubco-attendance"},
            {"kind": "letter_of_completion", "local_name": "Letter of Completion", "credit_bearing": false,
             "rigour": "completion", "micro_credential": false, "badge_template": "ubco-completion"},
            {"kind": "letter_of_proficiency", "local_name": "Letter of Proficiency", "credit_bearing": false,
             "rigour": "proficiency", "micro_credential": true, "badge_template": "ubco-proficiency",
             "hours": {"below": "150"}}
        ]
    }))
    .unwrap()
}

#[test]
fn req_def_03_ubco_ladder_counts_only_proficiency_as_a_micro_credential() {
    let s = shared_scenario("ubco-ladder");
    let mut defs = definitions(&s);
    let config = ubco();
    // The fixture as it is: valid under the README's defaults and under UBCO's kinds.
    assert!(validate(&defs).is_empty());
    assert!(validate_in(&defs, &config).is_empty());
    let micro: Vec<&str> = defs
        .iter()
        .filter(|d| config.counts_as_micro_credential(&d.kind))
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(micro, ["ubco-lop"]);
    // Participation-only criteria on every letter: V9 fires for the proficiency letter at
    // UBCO only, never for attendance or completion, and never under the defaults (none of
    // the three is the README's `micro_credential`).
    let participation: cairn::criteria::Rule =
        serde_json::from_value(json!({"submitted": "ATT"})).unwrap();
    for d in &mut defs {
        d.criteria = participation.clone();
    }
    assert_eq!(
        codes(&validate_in(&defs, &config)),
        [("participation_only_micro_credential", "ubco-lop".to_owned())]
    );
    assert!(validate(&defs).is_empty());
    // The publish minimum of a micro-credential (its competencies) follows the same flag.
    let mut lop = defs[0].clone();
    lop.competencies.clear();
    assert!(publish_findings(&lop).is_empty());
    assert_eq!(publish_findings_in(&lop, &config).len(), 1);
    // The level picks the visual.
    assert_eq!(
        config.badge_template("letter_of_proficiency"),
        Some("ubco-proficiency")
    );
    assert_eq!(config.badge_template("micro_credential"), None);
}

#[test]
fn req_def_08_a_non_credit_definition_with_one_credit_fails_validation() {
    let mut def = definitions(&shared_scenario("spt-01-first-attempt-pass")).remove(0);
    assert_eq!(
        def.credits.as_ref().map(|c| c.to_exact_string()),
        Some("1".into())
    );
    assert!(validate(std::slice::from_ref(&def)).is_empty());
    def.credit_bearing = Some(false);
    let found = validate(std::slice::from_ref(&def));
    assert_eq!(codes(&found), [("credits_not_allowed", "spt".to_owned())]);
    assert_eq!(found[0].severity, cairn::definition::Severity::Error);
    // The same from the kind's flag, and credits of 0 are allowed.
    def.credit_bearing = None;
    let config: InstitutionConfig = serde_json::from_value(json!({"kinds": [
        {"kind": "micro_credential", "local_name": "Micro-credential", "credit_bearing": false, "rigour": "proficiency", "micro_credential": true}
    ]}))
    .unwrap();
    assert_eq!(validate_in(std::slice::from_ref(&def), &config).len(), 1);
    def.credits = Some(cairn::number::Number::zero());
    assert!(validate_in(std::slice::from_ref(&def), &config).is_empty());
}

/// An institution asking for every item of REQ-DEF-02, with a completion window required.
fn full_check() -> InstitutionConfig {
    serde_json::from_value(json!({
        "full_publish_check": true,
        "kinds": [{"kind": "micro_credential", "local_name": "Micro-credential", "credit_bearing": true,
                   "rigour": "proficiency", "micro_credential": true, "completion_window_required": true}]
    }))
    .unwrap()
}

fn complete_definition() -> Value {
    let mut def = shared_scenario("spt-01-first-attempt-pass")["definitions"][0].clone();
    def["completion_window_days"] = json!(90);
    def["metadata"] = json!({"cis": {
        "delivery_mode": "hybrid-synchronous",
        "effort_hours": {"contact": "6", "peer": "2", "asynchronous": "5", "assessment": "2"},
        "prerequisites": "None",
        "assessment_method": "competency",
        "quality_assurance": "Advisory committee, every three years",
        "pathways": "Counts toward the PSW certificate"
    }});
    def
}

/// A field removal: what is removed, how, and the name the finding must give.
type Removal = (&'static str, fn(&mut Value), &'static str);

#[test]
fn req_def_02_removing_each_field_in_turn_names_it() {
    let config = full_check();
    let parse = |v: &Value| -> CredentialDefinition { serde_json::from_value(v.clone()).unwrap() };
    let complete = complete_definition();
    assert_eq!(publish_findings_in(&parse(&complete), &config), []);
    let cases: [Removal; 11] = [
        ("name", |d| d["name"] = json!(" "), "name (Title)"),
        (
            "description",
            |d| d["description"] = json!(""),
            "description",
        ),
        ("issuer", |d| d["issuer"]["name"] = json!(""), "issuer.name"),
        (
            "competencies",
            |d| {
                d["competencies"] = json!([]);
            },
            "competencies",
        ),
        (
            "assessment method",
            |d| {
                d["metadata"]["cis"]
                    .as_object_mut()
                    .unwrap()
                    .remove("assessment_method");
            },
            "assessment_method",
        ),
        (
            "effort",
            |d| {
                d["metadata"]["cis"]
                    .as_object_mut()
                    .unwrap()
                    .remove("effort_hours");
            },
            "effort_hours",
        ),
        (
            "credits",
            |d| {
                d.as_object_mut().unwrap().remove("credits");
            },
            "credits",
        ),
        (
            "delivery",
            |d| {
                d["metadata"]["cis"]
                    .as_object_mut()
                    .unwrap()
                    .remove("delivery_mode");
            },
            "delivery_mode",
        ),
        (
            "prerequisites",
            |d| {
                d["metadata"]["cis"]
                    .as_object_mut()
                    .unwrap()
                    .remove("prerequisites");
            },
            "prerequisites",
        ),
        (
            "quality",
            |d| {
                d["metadata"]["cis"]
                    .as_object_mut()
                    .unwrap()
                    .remove("quality_assurance");
            },
            "quality_assurance",
        ),
        (
            "window",
            |d| {
                d.as_object_mut().unwrap().remove("completion_window_days");
            },
            "completion_window_days",
        ),
    ];
    for (what, remove, named) in cases {
        let mut def = complete.clone();
        remove(&mut def);
        let found = publish_findings_in(&parse(&def), &config);
        assert_eq!(found.len(), 1, "{what}: {found:#?}");
        assert!(
            found[0].message.contains(named),
            "{what}: {}",
            found[0].message
        );
        assert_eq!(found[0].code, "publish_field_missing");
    }
    // Pathways or stackability: either one is enough.
    let mut def = complete.clone();
    def["metadata"]["cis"]
        .as_object_mut()
        .unwrap()
        .remove("pathways");
    assert_eq!(publish_findings_in(&parse(&def), &config).len(), 1);
    def["metadata"]["cis"]["stackability"] = json!("stackable");
    assert!(publish_findings_in(&parse(&def), &config).is_empty());
    // Total hours = the sum of the four counts (6 + 2 + 5 + 2 = 15, the fixture's hours).
    let mut def = complete.clone();
    def["hours"] = json!("16");
    let found = publish_findings_in(&parse(&def), &config);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("(15, not 16)"),
        "{}",
        found[0].message
    );
    // The credit flag itself, when neither the definition nor its kind gives it.
    let mut no_flag = config.clone();
    no_flag.kinds.clear();
    let found = publish_findings_in(&parse(&complete), &no_flag);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("credit_bearing"),
        "{}",
        found[0].message
    );
    // Without the institution's options, none of this is asked (the README's behaviour).
    let mut bare = complete.clone();
    bare.as_object_mut().unwrap().remove("metadata");
    assert!(publish_findings(&parse(&bare)).is_empty());
}

fn chain(n: usize) -> InstitutionConfig {
    InstitutionConfig {
        approval_chain: (1..=n).map(|i| format!("body-{i}")).collect(),
        ..InstitutionConfig::default()
    }
}

fn approve(body: &str, when: &str) -> LifecycleAction {
    LifecycleAction::Approve {
        approval: Approval {
            body: body.into(),
            person: "A. Chair".into(),
            at: at(when),
        },
    }
}

fn spt() -> CredentialDefinition {
    definitions(&shared_scenario("spt-01-first-attempt-pass")).remove(0)
}

#[test]
fn req_def_13_a_five_step_chain_needs_five_approvals_before_approved() {
    let config = chain(5);
    let def = spt();
    let mut life = Lifecycle::default();
    for i in 1..=5 {
        assert_eq!(life.state, LifecycleState::Draft, "before approval {i}");
        // Out of order: the next body must approve.
        if i < 5 {
            let err = life
                .apply(
                    &approve(&format!("body-{}", i + 1), "2026-01-01T00:00:00Z"),
                    &def,
                    &config,
                )
                .unwrap_err();
            assert_eq!(err.code(), "approval_out_of_order");
        }
        life = life
            .apply(
                &approve(&format!("body-{i}"), "2026-01-01T00:00:00Z"),
                &def,
                &config,
            )
            .unwrap();
    }
    assert_eq!(life.state, LifecycleState::Approved);
    assert_eq!(life.approvals.len(), 5);
    assert_eq!(life.approvals[2].body, "body-3");
    assert_eq!(life.approvals[2].person, "A. Chair");
}

fn published(def: &CredentialDefinition, config: &InstitutionConfig) -> Lifecycle {
    Lifecycle::default()
        .apply(&approve("body-1", "2026-01-01T00:00:00Z"), def, config)
        .unwrap()
        .apply(
            &LifecycleAction::Publish {
                at: at("2026-01-10T00:00:00Z"),
                next_review: at("2029-01-10T00:00:00Z"),
                content_expires: Some(at("2030-01-01T00:00:00Z")),
            },
            def,
            config,
        )
        .unwrap()
}

#[test]
fn req_life_01_illegal_transitions_are_refused() {
    let config = chain(1);
    let def = spt();
    let draft = Lifecycle::default();
    let publish = LifecycleAction::Publish {
        at: at("2026-01-10T00:00:00Z"),
        next_review: at("2029-01-10T00:00:00Z"),
        content_expires: None,
    };
    let retire = LifecycleAction::Retire {
        at: at("2027-01-01T00:00:00Z"),
        teach_out_until: at("2027-06-01T00:00:00Z"),
    };
    let code = |l: &Lifecycle, a: &LifecycleAction| l.apply(a, &def, &config).unwrap_err().code();
    assert_eq!(code(&draft, &publish), "illegal_transition");
    assert_eq!(code(&draft, &retire), "illegal_transition");
    assert_eq!(code(&draft, &LifecycleAction::Reopen), "illegal_transition");
    let approved = draft
        .apply(&approve("body-1", "2026-01-01T00:00:00Z"), &def, &config)
        .unwrap();
    assert_eq!(code(&approved, &retire), "illegal_transition");
    let reopened = approved
        .apply(&LifecycleAction::Reopen, &def, &config)
        .unwrap();
    assert_eq!(
        (reopened.state, reopened.approvals.len()),
        (LifecycleState::Draft, 0)
    );
    let live = published(&def, &config);
    assert_eq!(live.state, LifecycleState::Published);
    assert_eq!(code(&live, &publish), "illegal_transition");
    assert_eq!(
        code(&live, &approve("body-1", "2026-02-01T00:00:00Z")),
        "illegal_transition"
    );
    assert_eq!(code(&live, &LifecycleAction::Reopen), "illegal_transition");
    let retired = live.apply(&retire, &def, &config).unwrap();
    assert_eq!(code(&retired, &publish), "illegal_transition");
    assert_eq!(code(&retired, &retire), "illegal_transition");
    // Publishing is blocked by the publish check, each finding named.
    let mut bad = def.clone();
    bad.credit_bearing = Some(false);
    let err = approved.apply(&publish, &bad, &config).unwrap_err();
    assert_eq!(err.code(), "publish_blocked");
    assert!(err.to_string().contains("not credit-bearing"), "{err}");
}

#[test]
fn req_life_09_enrolment_after_retirement_is_refused_and_teach_out_lets_learners_finish() {
    let config = chain(1);
    let def = spt();
    let live = published(&def, &config);
    assert!(live.check_enrolment(at("2026-05-01T00:00:00Z")).is_ok());
    let retired = live
        .apply(
            &LifecycleAction::Retire {
                at: at("2027-01-01T00:00:00Z"),
                teach_out_until: at("2027-06-30T00:00:00Z"),
            },
            &def,
            &config,
        )
        .unwrap();
    assert_eq!(
        retired
            .check_enrolment(at("2027-01-02T00:00:00Z"))
            .unwrap_err()
            .code(),
        "not_open"
    );
    assert!(retired.may_complete(at("2027-06-30T00:00:00Z")));
    assert!(!retired.may_complete(at("2027-06-30T00:00:01Z")));
}

#[test]
fn req_life_10_an_overdue_review_alerts_and_reviews_are_kept() {
    let config = chain(1);
    let def = spt();
    let live = published(&def, &config);
    let due = at("2029-01-10T00:00:00Z");
    assert!(
        review_alerts([("spt", &live)], due).is_empty(),
        "due, not yet overdue"
    );
    assert_eq!(
        review_alerts([("spt", &live)], at("2029-01-10T00:00:01Z")),
        [("spt", due)]
    );
    let reviewed = live
        .apply(
            &LifecycleAction::Reviewed {
                review: Review {
                    by: "Program advisory committee".into(),
                    at: at("2029-02-01T00:00:00Z"),
                    outcome: "Renewed unchanged".into(),
                },
                next_review: at("2032-02-01T00:00:00Z"),
            },
            &def,
            &config,
        )
        .unwrap();
    assert_eq!(reviewed.reviews.len(), 1);
    assert!(review_alerts([("spt", &reviewed)], at("2029-02-02T00:00:00Z")).is_empty());
}

#[test]
fn req_life_11_content_expiry_blocks_new_offerings_but_not_verification() {
    use cairn::credential::build::issue;
    use cairn::credential::keys::IssuerKey;
    use cairn::credential::{VerifyOptions, verify};
    let config = chain(1);
    let def = spt();
    let live = published(&def, &config);
    assert!(live.check_new_offering(at("2029-12-31T00:00:00Z")).is_ok());
    let err = live
        .check_new_offering(at("2030-01-02T00:00:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), "content_expired");
    // A credential issued before the content expired still verifies after it.
    let issuer = credential_corpus::profile(&def);
    let mut input = credential_corpus::simple_input(&def, &issuer);
    input.issued_at = at("2029-06-01T00:00:00Z");
    let signed = issue(&input, &IssuerKey::from_seed(&[9u8; 32])).unwrap();
    let report = verify(
        &signed.credential.to_string(),
        &VerifyOptions::at(at("2030-06-01T00:00:00Z")),
    );
    assert!(report.verified, "{:#?}", report.errors);
}
