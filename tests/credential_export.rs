//! Exports: the OB 2.0 hosted Assertion, BadgeClass and Profile derived from the project's
//! signed OB 3.0 vector, and the CLR 2.0 bundle whose nested credentials stay exactly the
//! signed originals, with `isParentOf` associations for stacking.

use std::path::PathBuf;

mod credential_support;

use cairn::Timestamp;
use cairn::credential::export::{
    CLR_CONTEXTS, ClrInput, ExportError, OB2_CONTEXT, Ob2Hosting, Stacking, clr_credential,
    ob2_export, ob2_revoked_assertion,
};
use cairn::credential::{IssuerKey, VerifyOptions, sign, verify};
use serde_json::{Value, json};

fn vector(path: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/vectors")
        .join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).expect("vector is JSON")
}

fn mastery() -> Value {
    vector("project/ob3-mastery-https-issuer-signed.json")
}

fn hosting() -> Ob2Hosting {
    Ob2Hosting {
        assertion_url: "https://college.example/ob2/assertions/4f0d8c1e".into(),
        badge_class_url: "https://college.example/ob2/badges/medsafety".into(),
        issuer_url: "https://college.example/ob2/issuer".into(),
    }
}

#[test]
fn ob2_assertion_has_the_hosted_shape() {
    let credential = mastery();
    let export = ob2_export(&credential, &hosting()).expect("exports");
    let subject_id = &credential["credentialSubject"]["identifier"][0];
    assert_eq!(
        export.assertion,
        json!({
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Assertion",
            "id": "https://college.example/ob2/assertions/4f0d8c1e",
            "recipient": {
                "type": "email",
                "hashed": true,
                "salt": subject_id["salt"],
                "identity": subject_id["identityHash"],
            },
            "badge": "https://college.example/ob2/badges/medsafety",
            "verification": {"type": "hosted"},
            "issuedOn": credential["awardedDate"],
            "expires": credential["validUntil"],
            "evidence": [{
                "id": credential["evidence"][0]["id"],
                "name": credential["evidence"][0]["name"],
                "narrative": credential["evidence"][0]["narrative"],
                "genre": credential["evidence"][0]["genre"],
            }],
        })
    );
    // The recipient hash is the badges.md §3 check value: a@example.com salted with Kosher.
    assert_eq!(
        export.assertion["recipient"]["identity"],
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    );
    assert_eq!(export.assertion["recipient"]["salt"], "Kosher");
}

#[test]
fn ob2_badge_class_and_profile_carry_the_display_fields() {
    let credential = mastery();
    let achievement = &credential["credentialSubject"]["achievement"];
    let export = ob2_export(&credential, &hosting()).expect("exports");
    let badge = &export.badge_class;
    assert_eq!(badge["@context"], OB2_CONTEXT);
    assert_eq!(badge["type"], "BadgeClass");
    assert_eq!(badge["id"], "https://college.example/ob2/badges/medsafety");
    assert_eq!(badge["issuer"], "https://college.example/ob2/issuer");
    assert_eq!(badge["name"], achievement["name"]);
    assert_eq!(badge["description"], achievement["description"]);
    assert_eq!(badge["image"], achievement["image"]["id"]);
    assert_eq!(badge["criteria"]["id"], achievement["criteria"]["id"]);
    assert_eq!(
        badge["criteria"]["narrative"],
        achievement["criteria"]["narrative"]
    );
    assert_eq!(badge["tags"], achievement["tag"]);
    let alignment = badge["alignment"].as_array().expect("alignment");
    assert_eq!(
        alignment.len(),
        achievement["alignment"].as_array().expect("source").len()
    );
    assert_eq!(
        alignment[0]["targetName"],
        achievement["alignment"][0]["targetName"]
    );
    assert_eq!(
        alignment[0]["targetUrl"],
        achievement["alignment"][0]["targetUrl"]
    );
    assert!(alignment[0].get("targetType").is_none() && alignment[0].get("type").is_none());

    let issuer = &credential["issuer"];
    assert_eq!(
        export.profile,
        json!({
            "@context": OB2_CONTEXT,
            "type": "Issuer",
            "id": "https://college.example/ob2/issuer",
            "name": issuer["name"],
            "url": issuer["url"],
            "email": issuer["email"],
            "description": issuer["description"],
        })
    );
}

#[test]
fn ob2_export_drops_what_ob2_cannot_carry() {
    // The CIS vector: a did:key issuer, CIS terms, results, credits, status, schema.
    let export = ob2_export(&vector("project/ob3-cis-signed.json"), &hosting()).expect("exports");
    let text = serde_json::to_string(&export.assertion).expect("json")
        + &serde_json::to_string(&export.badge_class).expect("json")
        + &serde_json::to_string(&export.profile).expect("json");
    for dropped in [
        "proof",
        "credentialStatus",
        "credentialSchema",
        "resultDescription",
        "creditsAvailable",
        "activityStartDate",
        "awardedDate",
        "\"cis",
        "did:key",
    ] {
        assert!(
            !text.contains(dropped),
            "{dropped} should not be in the OB 2.0 export"
        );
    }
}

#[test]
fn ob2_export_refuses_what_it_cannot_map() {
    // Hosted objects on another origin.
    let mut elsewhere = hosting();
    elsewhere.badge_class_url = "https://cdn.example/badges/medsafety".into();
    let err = ob2_export(&mastery(), &elsewhere).expect_err("refused");
    assert!(matches!(err, ExportError::OriginMismatch { .. }), "{err:?}");
    assert_eq!(err.code(), "export_origin_mismatch");

    let mut plain_http = hosting();
    plain_http.issuer_url = "http://college.example/ob2/issuer".into();
    let err = ob2_export(&mastery(), &plain_http).expect_err("refused");
    assert_eq!(err.code(), "export_url_invalid");

    // A learner known only by a DID has no OB 2.0 email recipient.
    let mut did_only = mastery();
    did_only["credentialSubject"]
        .as_object_mut()
        .map(|s| s.insert("identifier".into(), json!([])));
    did_only["credentialSubject"]["id"] = json!("did:key:z6MkLearner");
    let err = ob2_export(&did_only, &hosting()).expect_err("refused");
    assert_eq!(err, ExportError::RecipientUnsupported);
    assert_eq!(err.code(), "export_recipient_unsupported");

    // OB 2.0 requires an issuer email and a badge image.
    let mut no_email = mastery();
    no_email["issuer"]
        .as_object_mut()
        .map(|i| i.remove("email"));
    let err = ob2_export(&no_email, &hosting()).expect_err("refused");
    assert!(
        matches!(
            err,
            ExportError::FieldMissing {
                field: "issuer.email",
                ..
            }
        ),
        "{err:?}"
    );
    let mut no_image = mastery();
    no_image["credentialSubject"]["achievement"]
        .as_object_mut()
        .map(|a| a.remove("image"));
    no_image.as_object_mut().map(|c| c.remove("image"));
    let err = ob2_export(&no_image, &hosting()).expect_err("refused");
    assert_eq!(err.code(), "export_field_missing");
}

#[test]
fn ob2_plain_email_recipient_is_carried_unhashed() {
    let mut credential = mastery();
    credential["credentialSubject"]["identifier"] = json!([{
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": false,
        "identityHash": "a@example.com",
    }]);
    let export = ob2_export(&credential, &hosting()).expect("exports");
    assert_eq!(
        export.assertion["recipient"],
        json!({"type": "email", "hashed": false, "identity": "a@example.com"})
    );
}

#[test]
fn ob2_revoked_assertion_says_revoked() {
    let revoked = ob2_revoked_assertion("https://college.example/ob2/assertions/1", Some("error"));
    assert_eq!(revoked["revoked"], true);
    assert_eq!(revoked["revocationReason"], "error");
    assert_eq!(revoked["id"], "https://college.example/ob2/assertions/1");
    assert!(
        ob2_revoked_assertion("https://x.example/a", None)
            .get("revocationReason")
            .is_none()
    );
}

/// Four signed credentials of one learner (the project vectors' hashed email); two share
/// an achievement.
fn bundle() -> Vec<Value> {
    let keys = vector("project/keys.json");
    let key = IssuerKey::from_seed(&credential_support::seed(
        keys["seedHex"].as_str().expect("seed"),
    ));
    let created = Timestamp::parse("2026-03-02T15:04:05Z").expect("time");
    let variant = |n: u8, slug: &str| {
        let mut unsigned = vector("project/ob3-mastery-unsigned.json");
        unsigned["id"] = json!(format!("urn:uuid:6c1f4b0e-1d1a-4c8e-9f00-00000000000{n}"));
        unsigned["credentialSubject"]["achievement"]["id"] =
            json!(format!("https://college.example/lti/achievements/{slug}"));
        sign(&unsigned, &key, &key.public().did_key_method(), created)
            .expect("signs")
            .credential
    };
    vec![
        vector("project/ob3-mastery-signed.json"),
        variant(1, "dosage"),
        variant(2, "pharmacology"),
        vector("project/ob3-mastery-https-issuer-signed.json"),
    ]
}

fn achievement_id(credential: &Value) -> String {
    credential["credentialSubject"]["achievement"]["id"]
        .as_str()
        .expect("id")
        .to_string()
}

fn clr_issuer() -> Value {
    json!({"id": "https://college.example/lti/issuer", "type": ["Profile"], "name": "Example College"})
}

#[test]
fn clr_bundles_the_originals_with_stacking_associations() {
    let credentials = bundle();
    let parent = achievement_id(&credentials[0]);
    let children = [
        achievement_id(&credentials[1]),
        achievement_id(&credentials[2]),
    ];
    let stacking: Vec<Stacking> = children
        .iter()
        .map(|child| Stacking {
            parent: parent.clone(),
            child: child.clone(),
        })
        .collect();
    let learner = json!({"identifier": credentials[0]["credentialSubject"]["identifier"]});
    let issuer = clr_issuer();
    let clr = clr_credential(&ClrInput {
        id: "urn:uuid:7d0c5b1e-2f3a-4b6c-9d8e-1a2b3c4d5e6f",
        name: "Comprehensive Learner Record",
        issuer: &issuer,
        valid_from: Timestamp::parse("2026-06-01T12:00:00Z").expect("time"),
        learner: &learner,
        credentials: &credentials,
        stacking: &stacking,
    })
    .expect("bundles");

    assert_eq!(clr["@context"], json!(CLR_CONTEXTS));
    assert_eq!(
        clr["@context"][1],
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
    );
    assert_eq!(
        clr["type"],
        json!(["VerifiableCredential", "ClrCredential"])
    );
    assert_eq!(clr["id"], "urn:uuid:7d0c5b1e-2f3a-4b6c-9d8e-1a2b3c4d5e6f");
    assert_eq!(clr["issuer"], issuer);
    assert_eq!(clr["validFrom"], "2026-06-01T12:00:00Z");
    assert!(clr.get("proof").is_none(), "unsigned");
    let subject = &clr["credentialSubject"];
    assert_eq!(subject["type"], json!(["ClrSubject"]));
    assert_eq!(subject["identifier"], learner["identifier"]);

    // The nested credentials are the signed originals, unchanged and in order.
    assert_eq!(
        subject["verifiableCredential"],
        Value::Array(credentials.clone())
    );
    for (nested, original) in subject["verifiableCredential"]
        .as_array()
        .expect("array")
        .iter()
        .zip(&credentials)
    {
        assert_eq!(nested, original);
        assert_eq!(nested["proof"], original["proof"]);
    }

    // One achievement per id, in first-seen order.
    let achievements = subject["achievement"].as_array().expect("achievements");
    let ids: Vec<String> = achievements
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(
        ids,
        vec![parent.clone(), children[0].clone(), children[1].clone()]
    );
    assert_eq!(
        achievements[1],
        credentials[1]["credentialSubject"]["achievement"]
    );

    assert_eq!(
        subject["association"],
        json!([
            {"type": "Association", "associationType": "isParentOf", "sourceId": parent, "targetId": children[0]},
            {"type": "Association", "associationType": "isParentOf", "sourceId": parent, "targetId": children[1]},
        ])
    );
}

/// A CLR of `credentials` for `learner`, issued by [`clr_issuer`].
fn clr(
    credentials: &[Value],
    stacking: &[Stacking],
    learner: &Value,
) -> Result<Value, ExportError> {
    clr_credential(&ClrInput {
        id: "urn:uuid:1",
        name: "CLR",
        issuer: &clr_issuer(),
        valid_from: Timestamp::parse("2026-06-01T12:00:00Z").expect("time"),
        learner,
        credentials,
        stacking,
    })
}

#[test]
fn clr_refuses_bad_bundles() {
    let credentials = bundle();
    let learner = json!({"identifier": credentials[0]["credentialSubject"]["identifier"]});
    assert!(clr(&credentials, &[], &learner).is_ok());

    // One learner per CLR: a bundle naming someone else is refused.
    let err = clr(&credentials, &[], &json!({"id": "did:key:z6MkLearner"})).expect_err("other");
    assert_eq!(err, ExportError::LearnerMismatch { index: 1 });
    assert_eq!(err.code(), "export_learner_mismatch");
    let mut mixed = credentials.clone();
    mixed.push(vector("1edtech-ob3/validator-fixtures/simple.json"));
    let err = clr(&mixed, &[], &learner).expect_err("a stranger's badge");
    assert_eq!(err, ExportError::LearnerMismatch { index: 5 });

    let err = clr(&[], &[], &learner).expect_err("empty");
    assert_eq!(err, ExportError::EmptyBundle);
    assert_eq!(err.code(), "export_bundle_empty");

    let unknown = [Stacking {
        parent: achievement_id(&credentials[0]),
        child: "https://elsewhere.example/achievements/x".into(),
    }];
    let err = clr(&credentials, &unknown, &learner).expect_err("unknown");
    assert!(
        matches!(err, ExportError::UnknownAchievement { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "export_achievement_unknown");

    let own = achievement_id(&credentials[1]);
    let looped = [Stacking {
        parent: own.clone(),
        child: own,
    }];
    let err = clr(&credentials, &looped, &learner).expect_err("self");
    assert_eq!(err.code(), "export_association_invalid");

    let not_a_badge = [json!({"type": ["VerifiableCredential"]})];
    let err = clr(&not_a_badge, &[], &learner).expect_err("no achievement");
    assert!(
        matches!(
            err,
            ExportError::FieldMissing {
                field: "credentialSubject.achievement.id",
                ..
            }
        ),
        "{err:?}"
    );

    let err = clr(&credentials, &[], &json!({"name": "someone"})).expect_err("no learner id");
    assert_eq!(err.code(), "export_field_missing");
}

#[test]
fn signed_clr_verifies_here_and_in_the_oracle_with_nested_proofs_intact() {
    let keys = vector("project/keys.json");
    let seed_hex = keys["seedHex"].as_str().expect("seed");
    let key = IssuerKey::from_seed(&credential_support::seed(seed_hex));
    let issuer_id = keys["httpsIssuerId"].as_str().expect("issuer id");
    let credentials = bundle();
    let stacking = [Stacking {
        parent: achievement_id(&credentials[0]),
        child: achievement_id(&credentials[1]),
    }];
    let issuer = json!({"id": issuer_id, "type": ["Profile"], "name": "Example College"});
    let learner = json!({"identifier": credentials[0]["credentialSubject"]["identifier"]});
    let unsigned = clr_credential(&ClrInput {
        id: "urn:uuid:7d0c5b1e-2f3a-4b6c-9d8e-1a2b3c4d5e6f",
        name: "Comprehensive Learner Record",
        issuer: &issuer,
        valid_from: Timestamp::parse("2026-06-01T12:00:00Z").expect("time"),
        learner: &learner,
        credentials: &credentials,
        stacking: &stacking,
    })
    .expect("bundles");
    let created = Timestamp::parse("2026-06-01T12:00:00Z").expect("time");
    let signed = sign(
        &unsigned,
        &key,
        &key.public().https_method(issuer_id),
        created,
    )
    .expect("the CLR signs: every term is defined in the pinned contexts");
    let signed = signed.credential;
    assert_eq!(
        signed["credentialSubject"]["verifiableCredential"],
        Value::Array(credentials.clone()),
        "the outer proof leaves the nested credentials untouched"
    );

    let text = serde_json::to_string(&signed).expect("json");
    let now = Timestamp::parse("2026-07-01T00:00:00Z").expect("time");
    let report = verify(&text, &VerifyOptions::at(now));
    assert!(report.verified, "{:?}", report.errors);
    let oracle = credential_support::oracle_verify(&text, &["--now", "2026-07-01T00:00:00Z"]);
    assert!(oracle.verified, "{}", oracle.raw);

    // Changing a nested credential breaks the outer proof in both stacks.
    let mut tampered = signed.clone();
    tampered["credentialSubject"]["verifiableCredential"][1]["name"] = json!("Forged Badge");
    let tampered = serde_json::to_string(&tampered).expect("json");
    let report = verify(&tampered, &VerifyOptions::at(now));
    assert!(!report.verified);
    assert!(
        report.error_codes().contains(&"signature_invalid"),
        "{:?}",
        report.errors
    );
    let oracle = credential_support::oracle_verify(&tampered, &["--now", "2026-07-01T00:00:00Z"]);
    assert!(!oracle.verified, "{}", oracle.raw);
}
