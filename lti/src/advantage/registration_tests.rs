//! Unit tests of Dynamic Registration's pure parts against the recorded Moodle 4.1 exchange
//! (`registration/moodle41-dynamic-registration.json`) and Cairn's Canvas developer key.

use super::*;

const MOODLE: &str =
    include_str!("../../../../shared/fixtures/lti/registration/moodle41-dynamic-registration.json");
const CANVAS_KEY: &str =
    include_str!("../../../../shared/fixtures/lti/registration/canvas-developer-key.json");

fn fixture() -> Value {
    serde_json::from_str(MOODLE).unwrap()
}

fn tool() -> PublicUrl {
    PublicUrl::parse("https://tool.test").unwrap()
}

#[test]
fn the_moodle_configuration_is_read_with_object_messages() {
    let doc = fixture();
    let body = doc["openid_configuration"]["response"]["body"].to_string();
    let config = parse_configuration(body.as_bytes(), false).unwrap();
    assert_eq!(config.issuer, "https://moodle41.test");
    assert_eq!(
        config.token_endpoint,
        "https://moodle41.test/mod/lti/token.php"
    );
    assert_eq!(
        config.registration_endpoint,
        doc["registration_request"]["url"]
    );
    assert_eq!(config.family(), PlatformFamily::Moodle);
    assert_eq!(config.messages_supported.len(), 2);
    assert_eq!(config.messages_supported[1].r#type, "LtiDeepLinkingRequest");
    assert_eq!(config.messages_supported[1].placements, ["ContentArea"]);
    assert!(!host_differs(
        doc["initiation"]["query"]["openid_configuration"]
            .as_str()
            .unwrap(),
        &config.issuer
    ));
    assert!(host_differs(
        "https://sso.canvaslms.com/api/lti/security/openid-configuration",
        "https://canvas.instructure.com"
    ));
}

#[test]
fn string_messages_and_refusals_are_handled() {
    let doc = fixture();
    let mut body = doc["openid_configuration"]["response"]["body"].clone();
    body[PLATFORM_CONFIGURATION]["messages_supported"] =
        json!(["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]);
    let config = parse_configuration(body.to_string().as_bytes(), false).unwrap();
    assert_eq!(
        config.messages_supported[0].r#type,
        "LtiResourceLinkRequest"
    );
    assert!(config.messages_supported[0].placements.is_empty());

    let mut http = body.clone();
    http["token_endpoint"] = json!("http://moodle41.test/mod/lti/token.php");
    let refused = parse_configuration(http.to_string().as_bytes(), false).unwrap_err();
    assert_eq!(refused.code(), "registration_not_https");
    assert!(parse_configuration(http.to_string().as_bytes(), true).is_ok());

    let mut no_jwt = body.clone();
    no_jwt["token_endpoint_auth_methods_supported"] = json!(["client_secret_basic"]);
    assert!(matches!(
        parse_configuration(no_jwt.to_string().as_bytes(), false),
        Err(RegistrationError::Unsupported { .. })
    ));
    let mut no_rs256 = body.clone();
    no_rs256["id_token_signing_alg_values_supported"] = json!(["HS256"]);
    assert!(parse_configuration(no_rs256.to_string().as_bytes(), false).is_err());
    let mut no_issuer = body;
    no_issuer.as_object_mut().unwrap().remove("issuer");
    assert_eq!(
        parse_configuration(no_issuer.to_string().as_bytes(), false).unwrap_err(),
        RegistrationError::Missing {
            what: "openid configuration",
            member: "issuer"
        }
    );
    assert_eq!(
        parse_configuration(b"[1]", false).unwrap_err().code(),
        "registration_malformed"
    );
}

#[test]
fn the_request_has_every_field_moodle_requires_and_the_recorded_shape() {
    let doc = fixture();
    let recorded = &doc["registration_request"]["body"];
    let request = registration_request(&tool());
    // Every recorded member is sent, with the recorded value, except the scopes (Cairn's
    // full set, the developer key's) and the messages (which add placements).
    for (name, value) in recorded.as_object().unwrap() {
        match name.as_str() {
            "scope" | TOOL_CONFIGURATION => {}
            "logo_uri" => assert!(
                request[name]
                    .as_str()
                    .unwrap()
                    .starts_with("https://tool.test/")
            ),
            _ => assert_eq!(&request[name], value, "{name}"),
        }
    }
    let config = &request[TOOL_CONFIGURATION];
    for (name, value) in recorded[TOOL_CONFIGURATION].as_object().unwrap() {
        if name != "messages" {
            assert_eq!(&config[name], value, "{name}");
        }
    }
    let types: Vec<&str> = config["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]);
    assert_eq!(request["response_types"], json!(["id_token"]));
    assert_eq!(request["token_endpoint_auth_method"], "private_key_jwt");
}

#[test]
fn registration_and_developer_key_advertise_the_same_scopes_and_placements() {
    let request = registration_request(&tool());
    let key: Value = serde_json::from_str(CANVAS_KEY).unwrap();
    let mut key_scopes: Vec<&str> = key["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let mut registered: Vec<&str> = request["scope"].as_str().unwrap().split(' ').collect();
    key_scopes.sort_unstable();
    registered.sort_unstable();
    assert_eq!(registered, key_scopes);
    let mut key_placements: Vec<(String, String)> = key["extensions"][0]["settings"]["placements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["placement"].as_str().unwrap().to_owned(),
                p["message_type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut registered_placements: Vec<(String, String)> = request[TOOL_CONFIGURATION]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            let message = m["type"].as_str().unwrap().to_owned();
            m["placements"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |p| (p.as_str().unwrap().to_owned(), message.clone()))
        })
        .collect();
    key_placements.sort();
    registered_placements.sort();
    assert_eq!(registered_placements, key_placements);
}

#[test]
fn the_answer_gives_the_client_and_moodles_deployment() {
    let doc = fixture();
    let body = doc["registration_response"]["body"].to_string();
    let registered = parse_registered(body.as_bytes()).unwrap();
    assert_eq!(
        registered.client_id,
        doc["registration_token_claims"]["sub"]
    );
    assert_eq!(registered.deployment_id.as_deref(), Some("1"));
    let config_body = doc["openid_configuration"]["response"]["body"].to_string();
    let config = parse_configuration(config_body.as_bytes(), false).unwrap();
    let row = new_registration(&config, &registered, false);
    assert_eq!(row.issuer, "https://moodle41.test");
    assert_eq!(row.client_id, "kX3pQ8rT2mN7vB1");
    assert_eq!(row.auth_endpoint, "https://moodle41.test/mod/lti/auth.php");
    assert_eq!(row.jwks_url, "https://moodle41.test/mod/lti/certs.php");
    assert!(
        !row.auto_register_deployments,
        "Moodle returned its deployment"
    );
    // Canvas returns none: deployments come from launches.
    let canvas = parse_registered(br#"{"client_id":"10000000000001"}"#).unwrap();
    assert!(new_registration(&config, &canvas, false).auto_register_deployments);
    assert_eq!(
        parse_registered(b"{}").unwrap_err().code(),
        "registration_missing_member"
    );
}
