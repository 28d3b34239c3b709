//! Requirement tests for versions (REQ-LIFE-02): what an edit of a definition changes, the
//! new version under review a material edit of a published one makes, the credit route's
//! approval, and learners in progress staying on the version their enrolment pinned. The
//! two `life-02-*` scenarios of `tests/scenarios/` are also replayed against their `expect`
//! by `tests/scenarios.rs` (natively) and `js/tests/scenarios.test.mjs` (wasm).

mod scenario_support;

use std::path::Path;

use cairn::Timestamp;
use cairn::definition::{
    Approval, ChangedPart, CredentialDefinition, InstitutionConfig, Lifecycle, LifecycleAction,
    LifecycleState, changes, check_versions,
};
use cairn::event::parse_events;
use cairn::number::Number;
use cairn::record::{chosen_versions, fold};
use serde_json::{Value, json};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn scenario(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/scenarios/{name}.json"));
    scenario_support::read(&path).unwrap()
}

/// The two versions of `fa`: v1.0.0, and v2.0.0 that adds competency FA3 and its practical.
fn versions() -> (CredentialDefinition, CredentialDefinition) {
    let s = scenario("life-02-enrolled-learner-stays-on-v1");
    let mut defs = cairn::definition::parse_definitions(&s["definitions"].to_string()).unwrap();
    let v2 = defs.pop().unwrap();
    (defs.pop().unwrap(), v2)
}

fn approve(body: &str) -> LifecycleAction {
    LifecycleAction::Approve {
        approval: Approval {
            body: body.into(),
            person: "A. Chair".into(),
            at: at("2026-01-05T00:00:00Z"),
        },
    }
}

fn published(def: &CredentialDefinition, config: &InstitutionConfig) -> Lifecycle {
    let mut l = Lifecycle::default();
    for body in config.approval_chain.clone() {
        l = l.apply(&approve(&body), def, config).unwrap();
    }
    if config.approval_chain.is_empty() {
        l = l.apply(&approve("committee"), def, config).unwrap();
    }
    l.apply(
        &LifecycleAction::Publish {
            at: at("2026-01-06T00:00:00Z"),
            next_review: at("2029-01-06T00:00:00Z"),
            content_expires: None,
        },
        def,
        config,
    )
    .unwrap()
}

#[test]
fn req_life_02_add_a_competency_to_v1_makes_v2_and_an_enrolled_learner_is_assessed_on_v1() {
    let (v1, v2) = versions();
    // The change is material and named part by part.
    let diff = changes(&v1, &v2);
    assert!(diff.is_material());
    assert!(!diff.needs_credit_route_approval());
    assert_eq!(
        diff.parts(),
        [ChangedPart::Competencies, ChangedPart::Assessments]
    );
    let details: Vec<&str> = diff.changes.iter().map(|c| c.detail.as_str()).collect();
    assert_eq!(
        details,
        ["competency \"FA3\" added", "assessment \"FA-P3\" added"]
    );
    // Editing the published v1 makes a new version under review, not an edit in place.
    let config = InstitutionConfig {
        approval_chain: vec!["department".into(), "senate".into()],
        ..InstitutionConfig::default()
    };
    let live = published(&v1, &config);
    let revision = live.revise(&v1, &v2).unwrap();
    assert!(!revision.in_place);
    assert_eq!(revision.lifecycle.state, LifecycleState::Draft);
    assert!(revision.lifecycle.approvals.is_empty());
    assert_eq!(
        revision.lifecycle.approvals_due(&config),
        ["department", "senate"]
    );
    assert_eq!(live.state, LifecycleState::Published, "v1 stays published");

    // Both versions are given to the fold; the enrolled learner is assessed on v1.
    let both = vec![v1.clone(), v2.clone()];
    let events = parse_events(
        &json!([
            {"at": "2026-02-02T09:00:00Z", "type": "enrolled", "credential": "fa", "version": "1.0.0"},
            {"at": "2026-02-10T10:00:00Z", "type": "attempt_submitted", "assessment": "FA-P1", "score": "82"},
            {"at": "2026-02-17T10:00:00Z", "type": "attempt_submitted", "assessment": "FA-P2", "score": "75"}
        ])
        .to_string(),
    )
    .unwrap();
    let now = at("2026-03-01T00:00:00Z");
    assert_eq!(chosen_versions(&both, &events, now).unwrap(), [0]);
    let record = fold(&both, &events, now).unwrap();
    assert!(record.errors.is_empty(), "{:?}", record.errors);
    let fa = &record.credentials[&v1.id];
    assert_eq!(fa.issuances.len(), 1);
    assert_eq!(fa.issuances[0].version, "1.0.0");
    assert!(
        !record.competencies.keys().any(|c| c.as_str() == "FA3"),
        "v2's competency is not in a v1 learner's record"
    );
    // The same log without the pin is folded on v2: FA3 is still due, nothing is issued.
    let unpinned = parse_events(
        &json!([
            {"at": "2026-02-02T09:00:00Z", "type": "enrolled", "credential": "fa"},
            {"at": "2026-02-10T10:00:00Z", "type": "attempt_submitted", "assessment": "FA-P1", "score": "82"},
            {"at": "2026-02-17T10:00:00Z", "type": "attempt_submitted", "assessment": "FA-P2", "score": "75"}
        ])
        .to_string(),
    )
    .unwrap();
    assert_eq!(chosen_versions(&both, &unpinned, now).unwrap(), [1]);
    let record = fold(&both, &unpinned, now).unwrap();
    assert!(record.credentials[&v1.id].issuances.is_empty());
    let fa3 = &record.competencies[&cairn::ids::CompetencyId::new("FA3")];
    assert_eq!(serde_json::to_value(fa3.status).unwrap(), "not_started");
}

#[test]
fn req_life_02_the_offering_pins_its_version_and_a_pin_after_at_does_not_count() {
    let (v1, v2) = versions();
    let both = vec![v1, v2];
    let offering =
        json!({"id": "2026-winter", "definition": "fa", "version": "1.0.0", "mode": "self_paced"});
    let events = parse_events(
        &json!([{"at": "2026-02-02T09:00:00Z", "type": "enrolled", "credential": "fa", "offering": offering}])
            .to_string(),
    )
    .unwrap();
    assert_eq!(
        chosen_versions(&both, &events, at("2026-02-03T00:00:00Z")).unwrap(),
        [0]
    );
    // Before the enrolment the learner has no pin: the latest.
    assert_eq!(
        chosen_versions(&both, &events, at("2026-02-01T00:00:00Z")).unwrap(),
        [1]
    );
}

#[test]
fn req_life_02_a_published_version_is_never_edited_in_place() {
    let (v1, v2) = versions();
    let config = InstitutionConfig::default();
    let live = published(&v1, &config);
    // Same version string: refused.
    let mut same = v2.clone();
    same.version = v1.version.clone();
    assert_eq!(
        live.revise(&v1, &same).unwrap_err().code(),
        "version_unchanged"
    );
    // Another definition: refused.
    let mut other = v2.clone();
    other.id = cairn::ids::DefinitionId::new("other");
    assert_eq!(
        live.revise(&v1, &other).unwrap_err().code(),
        "not_a_revision"
    );
    // Wording only: not material, a new version that keeps the approvals and may be
    // published without a new review.
    let mut reworded = v1.clone();
    reworded.version = "1.0.1".into();
    reworded.description = "Workplace first aid, reworded.".into();
    let revision = live.revise(&v1, &reworded).unwrap();
    assert!(!revision.changes.is_material());
    assert!(!revision.in_place);
    assert_eq!(revision.lifecycle.state, LifecycleState::Approved);
    assert_eq!(revision.lifecycle.approvals, live.approvals);
    // A draft is edited in place; an approved one goes back to draft on a material change.
    let draft = Lifecycle::default();
    assert!(draft.revise(&v1, &v2).unwrap().in_place);
    let approved = draft.apply(&approve("committee"), &v1, &config).unwrap();
    let back = approved.revise(&v1, &v2).unwrap();
    assert!(back.in_place);
    assert_eq!(back.lifecycle.state, LifecycleState::Draft);
    assert!(back.lifecycle.approvals.is_empty());
}

#[test]
fn req_life_02_thresholds_outcomes_and_credit_status_are_material() {
    let (v1, _) = versions();
    let mut stricter = v1.clone();
    stricter.competencies[0].threshold_percent = Number::parse_exact("80").unwrap();
    assert_eq!(changes(&v1, &stricter).parts(), [ChangedPart::Thresholds]);
    let mut pass = v1.clone();
    pass.assessments[1].pass_percent = Some(Number::parse_exact("60").unwrap());
    assert_eq!(changes(&v1, &pass).parts(), [ChangedPart::Thresholds]);
    let mut outcomes = v1.clone();
    outcomes.mode = cairn::definition::Mode::OutcomeBased;
    assert_eq!(changes(&v1, &outcomes).parts(), [ChangedPart::Outcomes]);
    let mut removed = v1.clone();
    removed.competencies.pop();
    removed.assessments.pop();
    removed.criteria = cairn::criteria::Rule::from_json(&json!({"competency": "FA1"})).unwrap();
    assert_eq!(
        changes(&v1, &removed).parts(),
        [
            ChangedPart::Competencies,
            ChangedPart::Assessments,
            ChangedPart::Criteria
        ]
    );
    // Hours are descriptive: not material.
    let mut hours = v1.clone();
    hours.hours = Some(Number::parse_exact("12").unwrap());
    assert!(!changes(&v1, &hours).is_material());
}

#[test]
fn req_life_02_a_credit_status_change_needs_the_credit_route_approval() {
    let (v1, _) = versions();
    let config = InstitutionConfig {
        approval_chain: vec!["department".into()],
        ..InstitutionConfig::default()
    };
    let live = published(&v1, &config);
    let mut credit = v1.clone();
    credit.version = "1.1.0".into();
    credit.credit_bearing = Some(true);
    credit.credits = Some(Number::parse_exact("1.5").unwrap());
    let revision = live.revise(&v1, &credit).unwrap();
    assert_eq!(revision.changes.parts(), [ChangedPart::CreditStatus]);
    assert!(revision.changes.needs_credit_route_approval());
    let l = revision.lifecycle;
    assert!(l.credit_route_approval);
    assert_eq!(l.approvals_due(&config), ["department", "credit_route"]);
    let l = l.apply(&approve("department"), &credit, &config).unwrap();
    assert_eq!(
        l.state,
        LifecycleState::Draft,
        "the credit route has not approved"
    );
    assert_eq!(
        l.apply(&approve("senate"), &credit, &config)
            .unwrap_err()
            .code(),
        "approval_out_of_order"
    );
    let l = l.apply(&approve("credit_route"), &credit, &config).unwrap();
    assert_eq!(l.state, LifecycleState::Approved);
    // The institution may name its credit route's body.
    let named = InstitutionConfig {
        credit_route_approver: Some("credit transfer committee".into()),
        ..config
    };
    assert_eq!(
        live.revise(&v1, &credit)
            .unwrap()
            .lifecycle
            .approvals_due(&named),
        ["department", "credit transfer committee"]
    );
}

#[test]
fn req_life_02_one_version_given_twice_is_refused() {
    let (v1, v2) = versions();
    assert!(check_versions(&[v1.clone(), v2.clone()]).is_ok());
    let err = check_versions(&[v1.clone(), v2, v1.clone()]).unwrap_err();
    assert_eq!(err.code(), "duplicate_id");
    assert!(err.to_string().contains("fa 1.0.0"), "{err}");
    assert_eq!(
        fold(&[v1.clone(), v1], &[], at("2026-01-01T00:00:00Z"))
            .unwrap_err()
            .code(),
        "duplicate_id"
    );
}

#[test]
fn req_life_02_a_v1_learner_is_laid_out_in_the_v2_roster_columns() {
    let (v1, v2) = versions();
    let old = cairn::record::Course::new(vec![v1]).unwrap();
    let new = cairn::record::Course::new(vec![v2]).unwrap();
    let events = parse_events(
        &json!([
            {"at": "2026-02-02T09:00:00Z", "type": "enrolled", "credential": "fa", "version": "1.0.0"},
            {"at": "2026-02-10T10:00:00Z", "type": "attempt_submitted", "assessment": "FA-P1", "score": "82"},
            {"at": "2026-02-17T10:00:00Z", "type": "attempt_submitted", "assessment": "FA-P2", "score": "75"}
        ])
        .to_string(),
    )
    .unwrap();
    let summary = old.summarize(&events, at("2026-03-01T00:00:00Z"));
    let laid = cairn::record::summary_onto(&summary, &old, &new);
    let statuses: Vec<Value> = laid
        .competencies
        .iter()
        .map(|c| serde_json::to_value(c.status).unwrap())
        .collect();
    assert_eq!(
        statuses,
        [json!("mastered"), json!("mastered"), json!("not_started")]
    );
    assert_eq!(laid.assessments.len(), 3);
    assert_eq!(laid.assessments[0].attempts_counted, 1);
    assert_eq!(laid.assessments[2].attempts_counted, 0);
    assert_eq!(
        serde_json::to_value(laid.credentials[0].status).unwrap(),
        "valid"
    );
}
