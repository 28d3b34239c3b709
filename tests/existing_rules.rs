//! Requirement tests for rules the core already had without a test of their own
//! (issue 11, item 11): the criteria `points` path (REQ-STACK-01), framework alignment
//! (REQ-COMP-03), time-shift invariance (REQ-COMP-08), retry after a pass (REQ-ATTEMPT-13),
//! descriptive hours (REQ-DEF-07, REQ-STACK-09), evidence only on opt-in (REQ-META-07),
//! credentials from the approved version (REQ-META-08) and the 15 Ontario Critical
//! Information Summary items (REQ-META-03).

mod credential_corpus;
mod credential_support;
mod scenario_support;

use std::path::Path;

use cairn::Timestamp;
use cairn::credential::build::{BuildInput, EvidenceItem, build, issue};
use cairn::credential::keys::IssuerKey;
use cairn::credential::{VerifyOptions, verify};
use cairn::definition::CredentialDefinition;
use cairn::record::Record;
use credential_corpus::{at, profile, simple_input, uuid};
use credential_support::oracle_verify;
use serde_json::{Value, json};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A scenario by file stem, from the shared fixtures or `tests/scenarios/`.
fn scenario(name: &str) -> Value {
    for dir in scenario_support::scenario_dirs(repo()) {
        let path = dir.join(format!("{name}.json"));
        if path.is_file() {
            return scenario_support::read(&path).unwrap();
        }
    }
    panic!("no scenario {name}");
}

fn every_scenario() -> Vec<Value> {
    scenario_support::scenario_files(repo())
        .unwrap()
        .iter()
        .map(|p| scenario_support::read(p).unwrap())
        .collect()
}

fn fold(scenario: &Value) -> Record {
    scenario_support::fold(scenario).unwrap()
}

fn fold_json(scenario: &Value) -> Value {
    serde_json::to_value(fold(scenario)).unwrap()
}

fn definitions(scenario: &Value) -> Vec<CredentialDefinition> {
    cairn::definition::parse_definitions(&scenario["definitions"].to_string()).unwrap()
}

// ---------------------------------------------------------------------------------------
// REQ-STACK-01: the `points` rule

/// A definition whose award is a `points` rule: a required reflection (4 points) and an exam
/// worth `exam_points`, against a minimum of 10.
fn points_scenario(exam_points: &str, events: Value) -> Value {
    json!({
        "format": "cairn-scenario/1", "id": "points", "title": "points rule",
        "definitions": [{
            "id": "pts", "version": "1", "name": "Points", "description": "d",
            "issuer": {"id": "https://example.edu/issuers/x", "name": "X"},
            "competencies": [{"id": "C1", "statement": "s", "threshold_percent": "60"}],
            "assessments": [
                {"id": "REFLECT", "title": "Reflection", "kind": "summative", "max_points": "10", "pass_percent": "50", "competencies": ["C1"]},
                {"id": "EXAM", "title": "Final exam", "kind": "summative", "max_points": "100", "pass_percent": "60", "competencies": ["C1"]}
            ],
            "criteria": {"points": "10", "of": [
                {"rule": {"submitted": "REFLECT"}, "points": "4", "required": true},
                {"rule": {"assessment": "EXAM"}, "points": exam_points}
            ]}
        }],
        "events": events
    })
}

#[test]
fn req_stack_01_a_points_rule_whose_sum_equals_the_minimum_issues() {
    let both = json!([
        {"at": "2026-01-10T10:00:00Z", "type": "attempt_submitted", "assessment": "REFLECT", "score": "2"},
        {"at": "2026-01-20T10:00:00Z", "type": "attempt_submitted", "assessment": "EXAM", "score": "75"}
    ]);
    // 4 + 6 = 10, exactly the minimum: issued at the exam.
    let record = fold_json(&points_scenario("6", both.clone()));
    let credential = &record["credentials"]["pts"];
    assert_eq!(credential["status"], "valid");
    assert_eq!(credential["issued_at"], "2026-01-20T10:00:00Z");
    assert_eq!(
        credential["progress"],
        json!({"satisfied": "10", "of": "10"})
    );
    // 4 + 5.99 falls short by 0.01: compared exactly, not issued.
    let record = fold_json(&points_scenario("5.99", both));
    assert_eq!(record["credentials"]["pts"]["status"], "not_issued");
    assert_eq!(
        record["credentials"]["pts"]["progress"],
        json!({"satisfied": "9.99", "of": "10"})
    );
    // The exam alone is worth 10, but the required reflection gates the rule.
    let exam_only = json!([
        {"at": "2026-01-20T10:00:00Z", "type": "attempt_submitted", "assessment": "EXAM", "score": "75"}
    ]);
    let record = fold_json(&points_scenario("10", exam_only));
    assert_eq!(record["credentials"]["pts"]["status"], "not_issued");
}

// ---------------------------------------------------------------------------------------
// REQ-COMP-03: alignment

#[test]
fn req_comp_03_two_aligned_competencies_give_two_alignment_entries() {
    let mut def = definitions(&scenario("spt-01-first-attempt-pass")).remove(0);
    def.competencies.truncate(2);
    let frameworks = [
        (
            "https://case.example/uri/aaa-1",
            "HS.1",
            "Health Care Aide Competencies",
        ),
        (
            "https://case.example/uri/bbb-2",
            "HS.2",
            "Health Care Aide Competencies",
        ),
    ];
    for (c, (url, code, framework)) in def.competencies.iter_mut().zip(frameworks) {
        c.alignment = Some(
            serde_json::from_value(
                json!({"target_url": url, "target_code": code, "target_framework": framework}),
            )
            .unwrap(),
        );
    }
    let issuer = profile(&def);
    let signed = issue(
        &simple_input(&def, &issuer),
        &IssuerKey::from_seed(&[3u8; 32]),
    )
    .unwrap();
    let alignment = signed.credential["credentialSubject"]["achievement"]["alignment"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(alignment.len(), 2);
    for ((entry, c), (url, code, framework)) in
        alignment.iter().zip(&def.competencies).zip(frameworks)
    {
        assert_eq!(entry["targetName"], json!(c.statement));
        assert_eq!(entry["targetUrl"], json!(url));
        assert_eq!(entry["targetCode"], json!(code));
        assert_eq!(entry["targetFramework"], json!(framework));
        assert_eq!(entry["targetType"], json!("CFItem"));
    }
    let text = signed.credential.to_string();
    let report = verify(&text, &VerifyOptions::at(at("2026-06-01T00:00:00Z")));
    assert!(report.verified, "{:#?}", report.errors);
    assert!(oracle_verify(&text, &["--now", "2026-06-01T00:00:00Z"]).verified);
}

// ---------------------------------------------------------------------------------------
// REQ-COMP-08: mastery does not depend on elapsed time or on the route

/// Whether `s[i..]` starts with an RFC 3339 UTC instant as the core writes it
/// (`YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z`); returns its length.
fn instant_at(s: &[u8], i: usize) -> Option<usize> {
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if s.len() < i + shape.len() + 1 {
        return None;
    }
    for (k, want) in shape.iter().enumerate() {
        let c = s[i + k];
        let ok = if *want == b'd' {
            c.is_ascii_digit()
        } else {
            c == *want
        };
        if !ok {
            return None;
        }
    }
    let mut end = i + shape.len();
    if s[end] == b'.' {
        end += 1;
        while end < s.len() && s[end].is_ascii_digit() {
            end += 1;
        }
    }
    (end < s.len() && s[end] == b'Z').then_some(end + 1 - i)
}

/// Every instant written inside a string (alone or within a sentence), moved by `seconds`.
fn shift_text(text: &str, seconds: i64) -> String {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = instant_at(bytes, i)
            && let Ok(t) = Timestamp::parse(&text[i..i + len])
        {
            out.push_str(&t.plus_seconds(seconds).to_string());
            i += len;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn shift_json(value: &mut Value, seconds: i64) {
    match value {
        Value::String(s) => *s = shift_text(s, seconds),
        Value::Array(items) => items.iter_mut().for_each(|v| shift_json(v, seconds)),
        Value::Object(map) => map.values_mut().for_each(|v| shift_json(v, seconds)),
        _ => {}
    }
}

#[test]
fn req_comp_08_shifting_every_event_by_a_constant_gives_the_same_results() {
    const DAY: i64 = 86_400;
    // Seconds, hours, a week, and 400 years (a whole Gregorian cycle, which keeps month
    // lengths, so calendar-month validities shift exactly too), forward and back.
    let offsets = [
        1,
        -3_600,
        7 * DAY + 17,
        146_097 * DAY,
        -146_097 * DAY + 12_345,
    ];
    let mut checked = 0;
    for s in every_scenario() {
        let id = s["id"].as_str().unwrap().to_owned();
        let base = fold_json(&s);
        // Calendar months are not a constant number of seconds: only whole 400-year cycles
        // keep a month validity's end at the same distance from its start.
        let months = s["definitions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|d| d["validity"].get("months").is_some());
        for offset in offsets {
            if months && offset % (146_097 * DAY) != 0 {
                continue;
            }
            let mut shifted = s.clone();
            // Every instant moves: events, and dates inside definitions (a credit bank
            // entry's date, an offering's) that time rules compare events with.
            shift_json(&mut shifted["events"], offset);
            shift_json(&mut shifted["definitions"], offset);
            // The evaluation instant moves too (also when it is implicit).
            let at = scenario_support::evaluation_instant(&s).unwrap();
            shifted["expect"]["at"] = json!(at.plus_seconds(offset).to_string());
            let mut back = fold_json(&shifted);
            shift_json(&mut back, -offset);
            assert_eq!(back, base, "{id} shifted by {offset} s");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} shifted folds");
}

#[test]
fn req_comp_08_spt_06_equals_spt_01_in_outcome() {
    let course = fold_json(&scenario("spt-01-first-attempt-pass"));
    let challenge = fold_json(&scenario("spt-06-plar-challenge-pass"));
    for c in ["C1", "C2", "C3", "C4"] {
        assert_eq!(course["competencies"][c]["status"], "mastered");
        assert_eq!(challenge["competencies"][c]["status"], "mastered");
    }
    assert_eq!(course["credentials"]["spt"]["status"], "valid");
    assert_eq!(challenge["credentials"]["spt"]["status"], "valid");
    // The same rubric scores by the challenge route give the very same competencies: the
    // route changes the attempt count and `plar_methods_used`, never mastery.
    let mut same_scores = scenario("spt-01-first-attempt-pass");
    same_scores["events"][1]["route"] = json!("challenge_exam");
    let by_challenge = fold_json(&same_scores);
    assert_eq!(by_challenge["competencies"], course["competencies"]);
    assert_eq!(
        by_challenge["assessments"]["SPT-DEMO"]["kept_percent"],
        course["assessments"]["SPT-DEMO"]["kept_percent"]
    );
    assert_eq!(
        by_challenge["credentials"]["spt"]["plar_methods_used"],
        json!(["challenge_exam"])
    );
    assert_eq!(
        by_challenge["credentials"]["spt"]["issued_at"],
        course["credentials"]["spt"]["issued_at"]
    );
}

// ---------------------------------------------------------------------------------------
// REQ-ATTEMPT-13: only revocation ends an issued credential

#[test]
fn req_attempt_13_a_lower_later_score_never_withdraws_an_issued_credential() {
    let mut s = scenario("spt-01-first-attempt-pass");
    let policy = &mut s["definitions"][0]["attempt_policy"];
    policy["retry_after_pass"] = json!(true);
    policy["scoring"] = json!("latest");
    policy["feedback_required_before_retry"] = json!(false);
    let events = s["events"].as_array_mut().unwrap();
    events.push(
        json!({"at": "2025-03-01T10:00:00Z", "type": "attempt_submitted", "assessment": "SPT-DEMO",
        "part_scores": {"K1": "20", "K2": "20", "K3": "40", "K4": "0"}}),
    );
    let record = fold_json(&s);
    assert!(
        record["errors"].as_array().unwrap().is_empty(),
        "{}",
        record["errors"]
    );
    let exam = &record["assessments"]["SPT-DEMO"];
    assert_eq!(exam["attempts_counted"], 2);
    assert_eq!(
        exam["kept_percent"], "80/3",
        "the later, lower attempt is kept"
    );
    assert_eq!(exam["passed"], false);
    assert_eq!(record["competencies"]["C4"]["status"], "not_yet");
    let credential = &record["credentials"]["spt"];
    assert_eq!(credential["status"], "valid");
    assert_eq!(credential["issued_at"], "2025-02-14T15:30:00Z");
    assert_eq!(credential["issuances"].as_array().unwrap().len(), 1);
    // Revocation, and only it, ends the issuance.
    s["events"].as_array_mut().unwrap().push(
        json!({"at": "2025-03-02T10:00:00Z", "type": "credential_revoked", "credential": "spt", "reason": "issued in error"}),
    );
    assert_eq!(fold_json(&s)["credentials"]["spt"]["status"], "revoked");
}

// ---------------------------------------------------------------------------------------
// REQ-DEF-07, REQ-STACK-09: hours, credits and CEUs are descriptive

/// The record without the validator findings (rule V6 reads `hours`: a finding about the
/// definition, not a learner's result).
fn results_of(scenario: &Value) -> Value {
    let mut record = fold_json(scenario);
    record.as_object_mut().unwrap().remove("validation");
    record
}

#[test]
fn req_def_07_changing_hours_credits_or_ceu_changes_no_result() {
    let mut checked = 0;
    for s in every_scenario() {
        let id = s["id"].as_str().unwrap().to_owned();
        let base = results_of(&s);
        for (hours, credits, ceu) in [
            (Some("0.5"), Some("0"), None),
            (Some("1000"), Some("12.25"), Some("99")),
            (None, None, Some("0.1")),
        ] {
            let mut changed = s.clone();
            for def in changed["definitions"].as_array_mut().into_iter().flatten() {
                let obj = def.as_object_mut().unwrap();
                for (key, value) in [("hours", hours), ("credits", credits), ("ceu", ceu)] {
                    match value {
                        Some(v) => obj.insert(key.to_owned(), json!(v)),
                        None => obj.remove(key),
                    };
                }
            }
            assert_eq!(results_of(&changed), base, "{id}: hours {hours:?}");
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} variations");
}

#[test]
fn req_def_07_hours_are_exported_as_the_four_effort_parts() {
    let mut def = definitions(&scenario("spt-01-first-attempt-pass")).remove(0);
    def.metadata.cis = Some(
        serde_json::from_value(json!({"effort_hours": {"contact": "6", "peer": "2", "asynchronous": "5.5", "assessment": "1.5"}}))
            .unwrap(),
    );
    let total = def
        .metadata
        .cis
        .as_ref()
        .unwrap()
        .effort_hours
        .as_ref()
        .unwrap()
        .total();
    assert_eq!(
        Some(&total),
        def.hours.as_ref(),
        "the fixture declares 15 h"
    );
    let issuer = profile(&def);
    let built = build(&simple_input(&def, &issuer)).unwrap();
    let a = &built.credential["credentialSubject"]["achievement"];
    let exported: Vec<&str> = [
        "cisEffortHoursContact",
        "cisEffortHoursPeer",
        "cisEffortHoursAsync",
        "cisEffortHoursAssessment",
    ]
    .iter()
    .map(|t| a[t].as_str().unwrap())
    .collect();
    assert_eq!(exported, ["6", "2", "5.5", "1.5"]);
}

#[test]
fn req_stack_09_parent_hours_and_ceu_are_declared_never_recomputed() {
    let s = scenario("stack-002-ladder");
    let defs = definitions(&s);
    let by_id = |id: &str| defs.iter().find(|d| d.id.as_str() == id).unwrap().clone();
    let parent = by_id("tdl-b1");
    let courses = ["tdl-c1", "tdl-c2", "tdl-c3"].map(by_id);
    let sum = |f: fn(&CredentialDefinition) -> Option<cairn::number::Number>| {
        courses
            .iter()
            .fold(cairn::number::Number::zero(), |acc, c| {
                acc.add(&f(c).unwrap())
            })
    };
    // 3 × 7 h = 21 h and 3 × 0.7 CEU = 2.1, but the badge declares 20 h and 2.0 CEU.
    assert_eq!(sum(|d| d.hours.clone()).to_exact_string(), "21");
    assert_eq!(parent.hours.as_ref().unwrap().to_exact_string(), "20");
    // Folding the whole ladder leaves them as declared (the definitions are values the
    // fold reads; a round trip through JSON writes what was read).
    let record = fold(&s);
    assert_eq!(
        serde_json::to_value(record.credentials[&parent.id].status).unwrap(),
        "valid"
    );
    let back: CredentialDefinition =
        serde_json::from_value(serde_json::to_value(&parent).unwrap()).unwrap();
    assert_eq!(back.hours, parent.hours);
    // The badge's credential carries its own CEU, not the children's sum.
    assert_eq!(sum(|d| d.ceu.clone()).to_exact_string(), "2.1");
    let mut with_cis = parent.clone();
    with_cis.metadata.cis = Some(Default::default());
    let issuer = profile(&with_cis);
    let built = build(&simple_input(&with_cis, &issuer)).unwrap();
    assert_eq!(
        built.credential["credentialSubject"]["achievement"]["cisContinuingEducationUnits"],
        "2"
    );
}

// ---------------------------------------------------------------------------------------
// REQ-META-07, REQ-META-08: what an issued credential carries

/// The record of `s` folded at its first issuance of `def_id`, with that issuance.
fn record_at_issue(s: &Value, def_id: &str) -> (Record, cairn::record::IssuanceRecord) {
    let full = fold(s);
    let issuance = full
        .credentials
        .iter()
        .find(|(id, _)| id.as_str() == def_id)
        .and_then(|(_, c)| c.issuances.first().cloned())
        .expect("an issuance");
    let mut at_issue = s.clone();
    at_issue["expect"] = json!({"at": issuance.issued_at.to_string()});
    (fold(&at_issue), issuance)
}

#[test]
fn req_meta_07_a_default_credential_has_no_public_evidence_url() {
    let s = scenario("assess-08-video-evidence");
    let def_id = s["definitions"][0]["id"].as_str().unwrap().to_owned();
    let def = definitions(&s).remove(0);
    let (record, issuance) = record_at_issue(&s, &def_id);
    let refs: Vec<String> = s["events"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["evidence"].as_array().into_iter().flatten())
        .filter_map(|e| e["ref"].as_str().map(str::to_owned))
        .collect();
    assert!(!refs.is_empty(), "the scenario's attempts carry evidence");
    let issuer = profile(&def);
    let input = BuildInput::from_record(
        &def,
        &issuance,
        &record,
        &issuer,
        simple_input(&def, &issuer).recipient,
        uuid(7),
        "https://tool.example",
    )
    .unwrap();
    let credential = build(&input).unwrap().credential;
    assert!(credential.get("evidence").is_none());
    let text = credential.to_string();
    for r in &refs {
        assert!(!text.contains(r.as_str()), "{r} leaked into the credential");
    }
    // On the learner's opt-in, the host passes the item and it is written.
    let mut opted_in = input.clone();
    opted_in.evidence = vec![EvidenceItem {
        id: refs[0].clone(),
        name: "Demonstration video".into(),
        narrative: None,
        genre: Some("Video".into()),
    }];
    let credential = build(&opted_in).unwrap().credential;
    assert_eq!(credential["evidence"][0]["id"], json!(refs[0]));
}

#[test]
fn req_meta_08_editing_a_draft_never_changes_an_issued_credential() {
    let s = scenario("spt-01-first-attempt-pass");
    let approved = definitions(&s).remove(0);
    let (record, issuance) = record_at_issue(&s, "spt");
    let issuer = profile(&approved);
    let key = IssuerKey::from_seed(&[4u8; 32]);
    let input = |def| {
        BuildInput::from_record(
            def,
            &issuance,
            &record,
            &issuer,
            simple_input(&approved, &issuer).recipient,
            uuid(8),
            "https://tool.example",
        )
    };
    let issued = issue(&input(&approved).unwrap(), &key).unwrap().credential;
    // A draft of the next version: renamed, reworded, a competency threshold raised.
    let mut draft = approved.clone();
    draft.version = "1.1.0".into();
    draft.name = "Safe Patient Transfer (revised)".into();
    draft.competencies[0].statement = "Reworded".into();
    draft.competencies[0].threshold_percent = cairn::number::Number::from_integer(90);
    // The issuance names the approved version: building it from the draft is refused.
    let err = input(&draft).map(|_| ()).unwrap_err();
    assert!(err.to_string().contains("1.0.0"), "{err}");
    // Rebuilding from the approved version gives the same credential as issued.
    let again = issue(&input(&approved).unwrap(), &key).unwrap().credential;
    assert_eq!(again["credentialSubject"], issued["credentialSubject"]);
    assert_eq!(
        issued["credentialSubject"]["achievement"]["version"],
        "1.0.0"
    );
    assert_eq!(
        issued["credentialSubject"]["achievement"]["name"],
        json!(approved.name)
    );
    let report = verify(
        &issued.to_string(),
        &VerifyOptions::at(at("2025-06-01T00:00:00Z")),
    );
    assert!(report.verified, "{:#?}", report.errors);
}

// ---------------------------------------------------------------------------------------
// REQ-META-03: the Ontario Critical Information Summary

#[test]
fn req_meta_03_all_15_ontario_items_round_trip_through_a_credential() {
    let mut def = definitions(&scenario("spt-01-first-attempt-pass")).remove(0);
    let cis = json!({
        "delivery_mode": "hybrid-synchronous",
        "prerequisites": "Current first-aid certificate",
        "learning_resources": "Open textbook; transfer-belt kit",
        "assessment_type": "Video demonstration scored with a rubric",
        "supervision": "onsite_with_id",
        "quality_assurance": "Program advisory committee, reviewed every three years",
        "outcome": "Qualified to perform supervised patient transfers",
        "stackability": "stackable",
        "pathways": "Counts toward the Personal Support Worker certificate"
    });
    def.metadata.cis = Some(serde_json::from_value(cis.clone()).unwrap());
    def.metadata.department = Some(
        serde_json::from_value(
            json!({"id": "https://example.edu/departments/health", "name": "School of Health"}),
        )
        .unwrap(),
    );
    let issuer = profile(&def);
    let mut input = simple_input(&def, &issuer);
    input.issued_at = at("2025-02-14T15:30:00Z");
    input.activity = Some((at("2025-01-20T09:00:00Z"), at("2025-02-14T15:30:00Z")));
    let signed = issue(&input, &IssuerKey::from_seed(&[6u8; 32])).unwrap();
    let text = signed.credential.to_string();
    let report = verify(&text, &VerifyOptions::at(at("2025-06-01T00:00:00Z")));
    assert!(report.verified, "{:#?}", report.errors);
    assert!(oracle_verify(&text, &["--now", "2025-06-01T00:00:00Z"]).verified);

    // Read back from the verified text, item by item (badges.md §2.1).
    let c: Value = serde_json::from_str(&text).unwrap();
    let a = &c["credentialSubject"]["achievement"];
    let s = &c["credentialSubject"];
    // 1 Title, 2 Provider, 3 Date awarded, 4 Description.
    assert_eq!(a["name"], json!(def.name));
    assert_eq!(c["issuer"]["name"], json!(def.issuer.name));
    assert_eq!(a["creator"]["name"], "School of Health");
    assert_eq!(c["awardedDate"], "2025-02-14T15:30:00Z");
    assert_eq!(a["description"], json!(def.description));
    // 5 Learning outcomes: one alignment per competency, and the narrative.
    let outcomes: Vec<&Value> = a["alignment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| &x["targetName"])
        .collect();
    let statements: Vec<Value> = def
        .competencies
        .iter()
        .map(|x| json!(x.statement))
        .collect();
    assert_eq!(outcomes, statements.iter().collect::<Vec<_>>());
    assert!(
        a["criteria"]["narrative"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    // 7 Credits, 8 Time period.
    assert_eq!(a["creditsAvailable"], json!(1));
    assert_eq!(s["creditsEarned"], json!(1));
    assert_eq!(s["activityStartDate"], "2025-01-20T09:00:00Z");
    assert_eq!(s["activityEndDate"], "2025-02-14T15:30:00Z");
    // 6, 9–15: the CIS terms, each equal to the definition's value.
    for (field, term) in [
        ("delivery_mode", "cisDeliveryMode"),
        ("prerequisites", "cisPrerequisites"),
        ("learning_resources", "cisLearningResources"),
        ("assessment_type", "cisAssessmentType"),
        ("supervision", "cisSupervision"),
        ("quality_assurance", "cisQualityAssurance"),
        ("outcome", "cisOutcome"),
        ("stackability", "cisStackability"),
        ("pathways", "cisPathways"),
    ] {
        assert_eq!(a[term], cis[field], "{term}");
    }
    // 14 also names the kind of credential earned.
    assert_eq!(a["achievementType"], "MicroCredential");
}
