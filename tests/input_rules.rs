//! The input rules of `fixtures/scenarios/README.md` §11, each through the core's public
//! readers and the fold: unknown event members, instants within years 0001–9999, validity
//! that cannot fit the calendar, assessment weights above 0. (The decimal length rule is
//! `number`'s; the evaluation instant is checked in `tests/scenarios.rs`.)

use cairn::Timestamp;
use cairn::definition::parse_definitions;
use cairn::event::parse_events;
use cairn::record::fold;
use serde_json::{Value, json};

fn definition(extra: Value) -> Value {
    let mut def = json!({
        "id": "d", "version": "1", "name": "Safety", "description": "Site safety",
        "issuer": {"id": "https://example.edu/issuers/1", "name": "Example College"},
        "competencies": [{"id": "C1", "statement": "Works safely", "threshold_percent": "50"}],
        "assessments": [{"id": "A1", "title": "Exam", "kind": "summative", "max_points": "10",
                         "pass_percent": "50", "competencies": ["C1"]}],
        "criteria": {"all_competencies": true}
    });
    if let (Some(d), Some(e)) = (def.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    def
}

#[test]
fn an_event_with_an_unknown_member_is_refused_invalid_event() {
    let err = parse_events(
        r#"[{"at": "2025-01-01T00:00:00Z", "type": "attempt_submitted", "assessment": "A1", "score": "9", "scroe": "9"}]"#,
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_event");
    assert!(err.to_string().contains("scroe"), "{err}");
}

#[test]
fn instants_are_read_within_years_0001_to_9999() {
    assert!(Timestamp::parse("0000-06-01T00:00:00Z").is_err());
    assert!(Timestamp::parse("0001-01-01T00:00:00Z").is_ok());
    assert!(Timestamp::parse("9999-12-31T23:59:59Z").is_ok());
    let err =
        parse_events(r#"[{"at": "0000-06-01T00:00:00Z", "type": "enrolled", "credential": "d"}]"#)
            .unwrap_err();
    assert!(err.to_string().contains("0000-06-01"), "{err}");
}

#[test]
fn a_validity_past_the_calendar_is_a_finding_and_the_fold_stays_in_range() {
    for validity in [json!({"days": u32::MAX}), json!({"months": u32::MAX})] {
        let defs = json!([definition(json!({"validity": validity}))]).to_string();
        let defs = parse_definitions(&defs).unwrap();
        let events = parse_events(
            r#"[{"at": "2026-02-01T09:00:00Z", "type": "attempt_submitted", "assessment": "A1", "score": "9"}]"#,
        )
        .unwrap();
        let record = fold(
            &defs,
            &events,
            Timestamp::parse("2026-03-01T00:00:00Z").unwrap(),
        )
        .unwrap();
        let value = serde_json::to_value(&record).unwrap();
        let credential = &value["credentials"]["d"];
        assert_eq!(
            credential["issued_at"], "2026-02-01T09:00:00Z",
            "{validity}"
        );
        // Before: the year 11761247.
        assert_eq!(
            credential["valid_until"], "9999-12-31T23:59:59Z",
            "{validity}"
        );
        let finding = record
            .validation
            .iter()
            .find(|f| f.code == "validity_out_of_range")
            .unwrap_or_else(|| panic!("{validity}: no finding in {:?}", record.validation));
        assert_eq!(finding.reference, "d");
        assert!(
            finding.message.contains("9999-12-31"),
            "{}",
            finding.message
        );
    }
    let fits = json!([definition(json!({"validity": {"months": 24}}))]).to_string();
    let record = fold(&parse_definitions(&fits).unwrap(), &[], Timestamp::MIN).unwrap();
    assert!(
        record
            .validation
            .iter()
            .all(|f| f.code != "validity_out_of_range")
    );
}

#[test]
fn assessment_weights_must_be_above_zero() {
    let with_weight = |weight: &str| {
        let mut def = definition(json!({}));
        def["assessments"][0]["weight"] = json!(weight);
        parse_definitions(&json!([def]).to_string())
    };
    assert!(with_weight("0.5").is_ok());
    let err = with_weight("0").unwrap_err();
    assert_eq!(err.code(), "invalid_value");
    assert!(err.to_string().contains("assessments[A1].weight"), "{err}");
    assert!(err.to_string().contains("greater than 0"), "{err}");
    assert!(with_weight("0.000").is_err());
    assert!(with_weight("-1").is_err());
}
