//! Unit tests of the Deep Linking claim builders, against `spec/lti.md` §7's example and the
//! recorded requests (`claims/ri-deep-linking.json`, `claims/moodle41-deep-linking.json`).

use super::*;

const SCENARIO: &str =
    include_str!("../../../../shared/fixtures/scenarios/spt-01-first-attempt-pass.json");
const RI: &str = include_str!("../../../../shared/fixtures/lti/claims/ri-deep-linking.json");
const MOODLE: &str =
    include_str!("../../../../shared/fixtures/lti/claims/moodle41-deep-linking.json");

fn definitions() -> Vec<CredentialDefinition> {
    let scenario: Value = serde_json::from_str(SCENARIO).unwrap();
    cairn::definition::parse_definitions(&scenario["definitions"].to_string()).unwrap()
}

/// The request of a recorded claim set's settings claim, read the way the launch reads it.
fn recorded_request(text: &str) -> DeepLinkRequest {
    let payload: Value = serde_json::from_str(text).unwrap();
    let settings = &payload["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"];
    DeepLinkRequest::from_settings(&DeepLinkingSettings {
        deep_link_return_url: settings["deep_link_return_url"].as_str().map(str::to_owned),
        accept_types: serde_json::from_value(settings["accept_types"].clone()).ok(),
        accept_presentation_document_targets: serde_json::from_value(
            settings["accept_presentation_document_targets"].clone(),
        )
        .ok(),
        accept_media_types: None,
        accept_multiple: settings["accept_multiple"].as_bool(),
        accept_lineitem: settings["accept_lineitem"].as_bool(),
        auto_create: None,
        title: None,
        text: None,
        data: settings["data"].as_str().map(str::to_owned),
    })
}

const PARTIES: Parties<'static> = Parties {
    client_id: "cairn-client",
    platform_issuer: "https://lms.example",
    deployment_id: "dep-1",
};

fn assessment(id: &str) -> String {
    Choice::Assessment {
        definition_id: "spt".into(),
        assessment_id: id.into(),
    }
    .value()
}

#[test]
fn every_published_assessment_and_each_progress_page_is_placeable() {
    let definitions = definitions();
    let all = placeables(&definitions);
    let expected = definitions[0].assessments.len() + 1;
    assert_eq!(all.len(), expected);
    let demo = all
        .iter()
        .find(|p| p.choice.value() == assessment("SPT-DEMO"))
        .unwrap();
    let line_item = demo.line_item.as_ref().unwrap();
    assert_eq!(line_item.score_maximum, 300.0);
    assert_eq!(line_item.resource_id, "SPT-DEMO");
    assert_eq!(line_item.tag, "summative");
    let quiz = all
        .iter()
        .find(|p| p.title.starts_with("Practice quiz"))
        .unwrap();
    assert_eq!(quiz.line_item.as_ref().unwrap().tag, "formative");
    let progress = all.last().unwrap();
    assert!(matches!(progress.choice, Choice::Progress { .. }));
    assert!(progress.line_item.is_none());
}

#[test]
fn a_choice_survives_its_picker_value_whatever_its_ids_hold() {
    let tricky = Choice::Assessment {
        definition_id: "a:b\"<c>".into(),
        assessment_id: ":x:".into(),
    };
    assert_eq!(Choice::parse(&tricky.value()), Some(tricky));
    assert_eq!(Choice::parse("assessment:spt:SPT-DEMO"), None);
}

#[test]
fn a_content_item_has_the_camel_case_names_of_the_spec_example() {
    let request = recorded_request(MOODLE);
    let all = placeables(&definitions());
    let chosen = select(&request, &all, &[assessment("SPT-DEMO")]).unwrap();
    let item = content_item(&request, &chosen[0], "pl-1", "https://tool.test/lti/launch");
    assert_eq!(item["type"], "ltiResourceLink");
    assert_eq!(item["url"], "https://tool.test/lti/launch");
    let line_item = item["lineItem"].as_object().unwrap();
    let mut names: Vec<&str> = line_item.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["label", "resourceId", "scoreMaximum", "tag"]);
    assert_eq!(item["lineItem"]["scoreMaximum"], 300.0);
    assert!(item.get("line_item").is_none());
    // custom is an object of strings naming the placement and what it opens.
    let custom = item["custom"].as_object().unwrap();
    assert!(custom.values().all(Value::is_string));
    assert_eq!(custom[CUSTOM_PLACEMENT], "pl-1");
    assert_eq!(custom[CUSTOM_DEFINITION], "spt");
    assert_eq!(custom[CUSTOM_ASSESSMENT], "SPT-DEMO");
    assert_eq!(custom[CUSTOM_VIEW], "assessment");
}

#[test]
fn moodle_omits_accept_lineitem_and_still_gets_a_line_item() {
    let request = recorded_request(MOODLE);
    assert_eq!(request.accept_lineitem, None);
    assert!(request.sends_line_items());
    let refused = DeepLinkRequest {
        accept_lineitem: Some(false),
        ..request
    };
    let all = placeables(&definitions());
    let item = content_item(&refused, &all[1], "pl", "https://tool.test/lti/launch");
    assert!(item.get("lineItem").is_none());
}

#[test]
fn the_response_echoes_data_when_present_and_omits_it_when_absent() {
    let ri = recorded_request(RI);
    let claims = response_claims(&ri, &PARTIES, Vec::new(), 1_000, "n-1");
    assert_eq!(
        claims[CLAIM_DATA],
        "Some random opaque data that MUST be sent back"
    );
    let moodle = recorded_request(MOODLE);
    assert_eq!(moodle.data, None);
    let claims = response_claims(&moodle, &PARTIES, Vec::new(), 1_000, "n-1");
    assert!(claims.get(CLAIM_DATA).is_none());
}

#[test]
fn the_response_claims_follow_the_spec_example() {
    let request = recorded_request(RI);
    let all = placeables(&definitions());
    let chosen = select(&request, &all, &[assessment("SPT-DEMO")]).unwrap();
    let item = content_item(&request, &chosen[0], "pl-9", "https://tool.test/lti/launch");
    let claims = response_claims(&request, &PARTIES, vec![item], 1_763_828_600, "n-2");
    assert_eq!(claims["iss"], "cairn-client");
    assert_eq!(claims["aud"], "https://lms.example");
    assert_eq!(claims["iat"], 1_763_828_600);
    assert_eq!(claims["exp"], 1_763_828_600 + 600);
    assert_eq!(claims["nonce"], "n-2");
    assert_eq!(claims[CLAIM_MESSAGE_TYPE], "LtiDeepLinkingResponse");
    assert_eq!(claims[CLAIM_VERSION], "1.3.0");
    assert_eq!(claims[CLAIM_DEPLOYMENT_ID], "dep-1");
    assert_eq!(claims[CLAIM_CONTENT_ITEMS].as_array().unwrap().len(), 1);
    assert!(
        claims[CLAIM_MSG]
            .as_str()
            .unwrap()
            .starts_with("Added Bed-to-chair")
    );
    // The RI accepts iframe targets.
    assert_eq!(claims[CLAIM_CONTENT_ITEMS][0]["iframe"]["width"], 800);
}

#[test]
fn selections_honour_accept_types_and_accept_multiple() {
    let all = placeables(&definitions());
    let two = [assessment("SPT-DEMO"), assessment("F-QUIZ")];
    // The RI accepts multiple: both, in the order chosen.
    let ri = recorded_request(RI);
    let chosen = select(&ri, &all, &two).unwrap();
    assert_eq!(
        chosen[0].line_item.as_ref().unwrap().resource_id,
        "SPT-DEMO"
    );
    assert_eq!(chosen[1].line_item.as_ref().unwrap().resource_id, "F-QUIZ");
    // One only without accept_multiple.
    let single = DeepLinkRequest {
        accept_multiple: false,
        ..ri.clone()
    };
    assert_eq!(
        select(&single, &all, &two),
        Err(DeepLinkError::TooMany { chosen: 2 })
    );
    // No ltiResourceLink in accept_types: refused, but cancelling is still allowed.
    let links_only = DeepLinkRequest {
        accept_types: vec!["link".into(), "file".into()],
        ..ri.clone()
    };
    assert!(matches!(
        select(&links_only, &all, &two[..1]),
        Err(DeepLinkError::TypeNotAccepted { .. })
    ));
    assert_eq!(select(&links_only, &all, &[]), Ok(Vec::new()));
    // A value naming nothing in the course.
    let unknown = Choice::Progress {
        definition_id: "other".into(),
    }
    .value();
    assert_eq!(
        select(&ri, &all, std::slice::from_ref(&unknown))
            .unwrap_err()
            .code(),
        "deep_linking_unknown_choice"
    );
}

#[test]
fn an_error_answer_carries_errormsg_and_no_items() {
    let request = recorded_request(RI);
    let error = DeepLinkError::TooMany { chosen: 3 };
    let claims = error_claims(&request, &PARTIES, &error, 5, "n");
    assert_eq!(claims[CLAIM_CONTENT_ITEMS], json!([]));
    assert!(claims[CLAIM_ERRORMSG].as_str().unwrap().contains('3'));
    assert!(claims.get(CLAIM_MSG).is_none());
}
