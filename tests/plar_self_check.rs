//! Requirement tests for the pre-assessment self-check of REQ-PLAR-12: it recommends the
//! course or the direct route, within the institution's toggle, and is never a fold input.

mod scenario_support;

use std::path::Path;

use cairn::definition::{
    CredentialDefinition, InstitutionConfig, RecommendedRoute, SelfCheckAnswer, self_check,
};
use cairn::event::parse_events;
use cairn::ids::CompetencyId;
use cairn::record::fold;

/// `fs`: competencies F1 and F2, a direct-assessment instrument (tests/scenarios).
fn direct() -> CredentialDefinition {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios/plar-03-direct-assessment-instrument.json");
    let s = scenario_support::read(&path).unwrap();
    cairn::definition::parse_definitions(&s["definitions"].to_string())
        .unwrap()
        .remove(0)
}

/// `n` answers, alternating F1 and F2, F1 rated `f1` and F2 rated `f2`.
fn answers(n: usize, f1: u8, f2: u8) -> Vec<SelfCheckAnswer> {
    (0..n)
        .map(|i| SelfCheckAnswer {
            competency: CompetencyId::new(if i % 2 == 0 { "F1" } else { "F2" }),
            rating: if i % 2 == 0 { f1 } else { f2 },
        })
        .collect()
}

#[test]
fn req_plar_12_the_self_check_recommends_the_direct_route_only_when_ready_and_allowed() {
    let def = direct();
    let allowed = InstitutionConfig::default();
    let ready = self_check(&def, &allowed, &answers(20, 4, 3)).unwrap();
    assert_eq!(ready.route, RecommendedRoute::DirectAssessment);
    assert!(ready.not_ready.is_empty());
    // One competency's mean below 3 (2 of 4): the course, naming it.
    let weak = self_check(&def, &allowed, &answers(20, 4, 2)).unwrap();
    assert_eq!(weak.route, RecommendedRoute::Course);
    assert_eq!(weak.not_ready, [CompetencyId::new("F2")]);
    assert!(weak.reason.contains("F2"), "{}", weak.reason);
    // The institution turned assessment-only routes off: always the course.
    let off = InstitutionConfig {
        assessment_only_routes: false,
        ..InstitutionConfig::default()
    };
    assert_eq!(
        self_check(&def, &off, &answers(20, 4, 4)).unwrap().route,
        RecommendedRoute::Course
    );
    // 15 to 30 questions.
    for (n, ok) in [(14, false), (15, true), (30, true), (31, false)] {
        let result = self_check(&def, &allowed, &answers(n, 4, 4));
        assert_eq!(result.is_ok(), ok, "{n} questions");
        if let Err(e) = result {
            assert_eq!(e.code(), "self_check_length");
        }
    }
    let mut unknown = answers(15, 4, 4);
    unknown[3].competency = CompetencyId::new("Z9");
    assert_eq!(
        self_check(&def, &allowed, &unknown).unwrap_err().code(),
        "unknown_reference"
    );
    let mut too_high = answers(15, 4, 4);
    too_high[0].rating = 5;
    assert_eq!(
        self_check(&def, &allowed, &too_high).unwrap_err().code(),
        "invalid_value"
    );
}

#[test]
fn req_plar_12_self_check_results_are_not_fold_inputs() {
    let def = direct();
    // No event type carries a self-check: a log holding one does not parse.
    let err = parse_events(
        r#"[{"at":"2026-01-01T00:00:00Z","type":"plar_self_check","credential":"fs","answers":[]}]"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("plar_self_check"), "{err}");
    // Nor does an enrolment carrying one.
    assert!(
        parse_events(
            r#"[{"at":"2026-01-01T00:00:00Z","type":"enrolled","credential":"fs","self_check":{"route":"direct_assessment"}}]"#
        )
        .is_err()
    );
    // A learner who rated themselves ready on everything has nothing mastered.
    let advice = self_check(&def, &InstitutionConfig::default(), &answers(30, 4, 4)).unwrap();
    assert_eq!(advice.route, RecommendedRoute::DirectAssessment);
    let log =
        parse_events(r#"[{"at":"2026-01-01T00:00:00Z","type":"enrolled","credential":"fs"}]"#)
            .unwrap();
    let record = fold(
        std::slice::from_ref(&def),
        &log,
        cairn::Timestamp::parse("2026-01-02T00:00:00Z").unwrap(),
    )
    .unwrap();
    for c in record.competencies.values() {
        assert_eq!(serde_json::to_value(c.status).unwrap(), "not_started");
    }
}
