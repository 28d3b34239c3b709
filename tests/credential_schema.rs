//! Every credential, issuer profile and CLR the tests build validates against 1EdTech's
//! OB 3.0 JSON Schemas (`../shared/vectors/1edtech-ob3/schema/`, Draft 2019-09, format
//! checks on, read at test time; the schemas' `$ref`s are local and nothing is fetched):
//! the whole scenario corpus (each issuance and a variant of every definition), the
//! profile of each, and CLRs bundling one learner's credentials. Negative controls show
//! the validator rejects what the schema forbids.

mod credential_corpus;
mod credential_support;

use cairn::credential::build::{BuildInput, Recipient, issue};
use cairn::credential::export::{CLR_SCHEMA_URL, ClrInput, Stacking, clr_credential};
use cairn::credential::keys::IssuerKey;
use cairn::credential::{VerifyOptions, sign, verify};
use cairn::event::parse_events;
use cairn::record::fold;
use credential_corpus::{at, corpus, profile, scenarios, uuid};
use credential_support::{shared, vector_json};
use serde_json::{Value, json};

fn validator(file: &str) -> jsonschema::Validator {
    let schema = vector_json(&format!("1edtech-ob3/schema/{file}"));
    assert_eq!(
        schema["$schema"],
        json!("https://json-schema.org/draft/2019-09/schema#"),
        "{file} is a Draft 2019-09 schema"
    );
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft201909)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{file} does not compile offline: {e}"))
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_scenario_credential_and_profile_validates() {
    let credential_schema = validator("achievementcredential.json");
    let profile_schema = validator("profile.json");
    let corpus = corpus(&shared());
    assert!(corpus.len() >= 100, "only {} credentials", corpus.len());
    let mut failures = Vec::new();
    for built in &corpus {
        let c = &built.credential;
        for e in errors(&credential_schema, c) {
            failures.push(format!("{}: credential: {e}", built.name));
        }
        for e in errors(&profile_schema, &c["issuer"]) {
            failures.push(format!("{}: issuer profile: {e}", built.name));
        }
        // What issue 8 requires of every one of them.
        let image = c["credentialSubject"]["achievement"]["image"]["id"]
            .as_str()
            .unwrap_or_default();
        assert!(!image.is_empty(), "{}: no image", built.name);
        assert!(
            c["issuer"]["url"].is_string(),
            "{}: issuer without url",
            built.name
        );
        let id = c["id"].as_str().unwrap_or_default();
        assert!(
            id.starts_with("https://") && id.contains("/credentials/"),
            "{}: id {id}",
            built.name
        );
    }
    println!("validated {} credentials and profiles", corpus.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_schema_check_rejects_what_the_schema_forbids() {
    let schema = validator("achievementcredential.json");
    let good = vector_json("project/ob3-mastery-signed.json");
    assert!(errors(&schema, &good).is_empty());
    let mut proof_object = good.clone();
    proof_object["proof"] = good["proof"][0].clone();
    let mut numeric_value = good.clone();
    numeric_value["credentialSubject"]["result"][0]["value"] = json!(86);
    let mut bad_identity = good.clone();
    bad_identity["credentialSubject"]["identifier"][0]["identityType"] = json!("nickname");
    let mut bad_kind = good.clone();
    bad_kind["credentialSubject"]["achievement"]["achievementType"] = json!("Letter");
    for (what, doc) in [
        ("proof as an object (P5)", proof_object),
        ("numeric result value (P9)", numeric_value),
        ("unknown identityType", bad_identity),
        ("unknown achievementType", bad_kind),
    ] {
        assert!(
            !errors(&schema, &doc).is_empty(),
            "{what} passed the schema"
        );
    }
    let profile = validator("profile.json");
    assert!(!errors(&profile, &json!({"id": "https://x.example/i"})).is_empty());
}

/// One learner's credentials of the three-level ladder, bundled into a signed CLR with
/// its stacking: the CLR names the CLR 2.0 schema, its issuer profile and every nested
/// credential validate, and it verifies.
#[test]
fn a_clr_of_one_learner_validates() {
    let credential_schema = validator("achievementcredential.json");
    let profile_schema = validator("profile.json");
    let sc = scenarios(&shared())
        .into_iter()
        .find(|s| s.name == "stack-002-ladder")
        .expect("stack-002-ladder");
    let events = parse_events(&sc.events).expect("events");
    let record = fold(&sc.definitions, &events, at("2031-01-01T00:00:00Z")).expect("fold");
    let key = IssuerKey::from_seed(&[9u8; 32]);
    let recipient = Recipient::HashedEmail {
        email: "learner@example.edu".into(),
        salt: credential_corpus::SALT.into(),
    };
    let mut credentials = Vec::new();
    let mut achievement_of = std::collections::BTreeMap::new();
    for (n, def) in sc.definitions.iter().enumerate() {
        let Some(issuance) = record
            .credentials
            .get(&def.id)
            .and_then(|c| c.issuances.first())
        else {
            continue;
        };
        let then = fold(&sc.definitions, &events, issuance.issued_at).expect("fold");
        let issuer = profile(def);
        let mut input = BuildInput::from_record(
            def,
            issuance,
            &then,
            &issuer,
            recipient.clone(),
            uuid(500 + n),
            "https://tool.example",
        )
        .expect("input");
        input.related = &sc.definitions;
        let signed = issue(&input, &key).expect("issue").credential;
        achievement_of.insert(
            def.id.to_string(),
            signed["credentialSubject"]["achievement"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        credentials.push(signed);
    }
    assert!(
        credentials.len() >= 3,
        "the ladder issues several credentials"
    );
    let mut stacking = Vec::new();
    for def in &sc.definitions {
        def.criteria.visit_leaves(&mut |leaf| {
            if let cairn::criteria::Leaf::Credential(child) = leaf
                && let (Some(p), Some(c)) = (
                    achievement_of.get(def.id.as_str()),
                    achievement_of.get(child.as_str()),
                )
            {
                stacking.push(Stacking {
                    parent: p.clone(),
                    child: c.clone(),
                });
            }
        });
    }
    let issuer_def = &sc.definitions[0];
    let clr_issuer = profile(issuer_def).to_json("").expect("profile");
    let learner = json!({"identifier": credentials[0]["credentialSubject"]["identifier"]});
    let unsigned = clr_credential(&ClrInput {
        id: "urn:uuid:0b8a7e6c-2c7d-4f5e-9a1b-3c4d5e6f7a8b",
        name: "Comprehensive Learner Record",
        issuer: &clr_issuer,
        valid_from: at("2031-01-01T00:00:00Z"),
        learner: &learner,
        credentials: &credentials,
        stacking: &stacking,
    })
    .expect("clr");
    assert_eq!(
        unsigned["credentialSchema"],
        json!([{"id": CLR_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}])
    );
    let vm = key.public().https_method(&issuer_def.issuer.id);
    let signed = sign(&unsigned, &key, &vm, at("2031-01-01T00:00:00Z"))
        .expect("sign")
        .credential;
    assert!(errors(&profile_schema, &signed["issuer"]).is_empty());
    for (i, nested) in signed["credentialSubject"]["verifiableCredential"]
        .as_array()
        .expect("nested")
        .iter()
        .enumerate()
    {
        let e = errors(&credential_schema, nested);
        assert!(e.is_empty(), "nested credential {i}: {e:#?}");
    }
    let report = verify(
        &signed.to_string(),
        &VerifyOptions::at(at("2031-01-02T00:00:00Z")),
    );
    assert!(report.verified, "{:#?}", report.errors);
}
