//! Published and project vectors of `../shared/vectors`, reproduced byte for byte: pinned
//! context bytes, canonical N-Quads and hashes (W3C vc-di-eddsa, 1EdTech OB 3.0
//! implementation guide, project vectors), all checked against the independent `oxjsonld`
//! processor as well.

mod credential_support;

use cairn::Timestamp;
use cairn::credential::canon::{canonicalize_value, canonicalize_value_full_rdfc, hex, sha256};
use cairn::credential::contexts::PINNED;
use cairn::credential::keys::IssuerKey;
use cairn::credential::proof::{decode_proof_value, sign_with};
use cairn::credential::{Canonical, ContextSet};
use credential_support::{
    contexts_with_examples, reference_nquads, seed, vector_json, vector_path, vector_text,
};
use serde_json::Value;

/// Each embedded context file hashes to its line of `CONTEXTS.sha256`.
#[test]
fn embedded_contexts_match_pinned_hashes() {
    let sums = vector_text("contexts/CONTEXTS.sha256");
    let mut checked = 0;
    for c in PINNED {
        let line = sums
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(c.file))
            .unwrap_or_else(|| panic!("{} is not listed in CONTEXTS.sha256", c.file));
        let want = line.split_whitespace().next().expect("hash");
        assert_eq!(hex(&sha256(c.text.as_bytes())), want, "{} drifted", c.file);
        checked += 1;
    }
    assert_eq!(checked, 10);
    // The URL → file mapping agrees with the shared index.
    let index = vector_json("contexts/index.json");
    for c in PINNED {
        assert_eq!(index[c.url], Value::String(c.file.to_owned()), "{}", c.url);
    }
    // The CIS constant is the project's inline context, byte for byte.
    assert_eq!(
        cairn::credential::contexts::CIS_CONTEXT_JSON,
        vector_text("project/cis-context.json")
    );
}

fn strip_proof(mut doc: Value) -> Value {
    doc.as_object_mut().expect("object").remove("proof");
    doc
}

/// The proof configuration of a signed document: its (first) proof without `proofValue`,
/// with the document's `@context`.
fn proof_config(signed: &Value) -> Value {
    let proof = match &signed["proof"] {
        Value::Array(a) => a[0].clone(),
        other => other.clone(),
    };
    let mut cfg = proof.as_object().expect("proof object").clone();
    cfg.remove("proofValue");
    cfg.insert("@context".to_owned(), signed["@context"].clone());
    Value::Object(cfg)
}

fn canon(doc: &Value, set: &ContextSet) -> Canonical {
    canonicalize_value(doc, set).unwrap_or_else(|e| panic!("canonicalize: {e} ({})", e.code()))
}

fn check(doc: &Value, set: &ContextSet, want_nquads: &str, want_hash: &str, what: &str) {
    let got = canon(doc, set);
    assert_eq!(got.nquads, want_nquads, "{what}: canonical N-Quads differ");
    assert_eq!(got.hash_hex(), want_hash.trim(), "{what}: hash differs");
    assert!(!got.utf16_order_differs, "{what}");
}

#[test]
fn w3c_eddsa_rdfc_2022_canonical_forms() {
    let set = contexts_with_examples();
    let dir = "w3c-vc-di-eddsa/eddsa-rdfc-2022";
    let unsigned = vector_json("w3c-vc-di-eddsa/unsigned.json");
    check(
        &unsigned,
        &set,
        &vector_text(&format!("{dir}/canonDocDataInt.txt")),
        &vector_text(&format!("{dir}/docHashDataInt.txt")),
        "W3C document",
    );
    let cfg = vector_json(&format!("{dir}/proofConfigDataInt.json"));
    check(
        &cfg,
        &set,
        &vector_text(&format!("{dir}/proofCanonDataInt.txt")),
        &vector_text(&format!("{dir}/proofHashDataInt.txt")),
        "W3C proof configuration",
    );
    // The signed document without its proof canonicalizes like the unsigned one.
    let signed = vector_json(&format!("{dir}/signedDataInt.json"));
    assert_eq!(
        canon(&strip_proof(signed.clone()), &set),
        canon(&unsigned, &set)
    );
    assert_eq!(canon(&proof_config(&signed), &set), canon(&cfg, &set));
}

#[test]
fn w3c_vector_needs_the_examples_context() {
    // Cairn does not pin the W3C examples context: with the pinned set only, it is refused.
    let unsigned = vector_json("w3c-vc-di-eddsa/unsigned.json");
    let err = canonicalize_value(&unsigned, ContextSet::pinned()).expect_err("unknown context");
    assert_eq!(err.code(), "context_unknown");
    assert!(err.to_string().contains("examples/v2"), "{err}");
}

#[test]
fn onedtech_impl_guide_canonical_forms() {
    let set = ContextSet::pinned();
    let hashes = vector_json("1edtech-ob3/impl-guide/hashes.json");
    let unsigned = vector_json("1edtech-ob3/impl-guide/unsigned.json");
    check(
        &unsigned,
        set,
        &vector_text("1edtech-ob3/impl-guide/document-canon.txt"),
        hashes["docHash"].as_str().expect("docHash"),
        "1EdTech document",
    );
    let mut cfg = vector_json("1edtech-ob3/impl-guide/proof-options.json");
    cfg["@context"] = unsigned["@context"].clone();
    check(
        &cfg,
        set,
        &vector_text("1edtech-ob3/impl-guide/proof-canon.txt"),
        hashes["proofHash"].as_str().expect("proofHash"),
        "1EdTech proof configuration",
    );
    let signed = vector_json("1edtech-ob3/impl-guide/signed.json");
    assert_eq!(
        canon(&strip_proof(signed.clone()), set),
        canon(&unsigned, set)
    );
    assert_eq!(canon(&proof_config(&signed), set), canon(&cfg, set));
}

const PROJECT: &[&str] = &["ob3-mastery", "ob3-mastery-https-issuer", "ob3-cis"];

#[test]
fn project_vectors_canonical_forms() {
    let set = ContextSet::pinned();
    for name in PROJECT {
        let hashes = vector_json(&format!("project/{name}-hashes.json"));
        let signed = vector_json(&format!("project/{name}-signed.json"));
        let unsigned = vector_json(&format!("project/{name}-unsigned.json"));
        check(
            &unsigned,
            set,
            &vector_text(&format!("project/{name}-canonical-document.nq")),
            hashes["docHash"].as_str().expect("docHash"),
            name,
        );
        assert_eq!(
            canon(&strip_proof(signed.clone()), set),
            canon(&unsigned, set),
            "{name}"
        );
        check(
            &proof_config(&signed),
            set,
            &vector_text(&format!("project/{name}-canonical-proof.nq")),
            hashes["proofHash"].as_str().expect("proofHash"),
            name,
        );
        let data = format!(
            "{}{}",
            hashes["proofHash"].as_str().expect("proofHash"),
            hashes["docHash"].as_str().expect("docHash")
        );
        assert_eq!(
            hashes["hashData"].as_str(),
            Some(data.as_str()),
            "{name}: hashData = proof ‖ doc"
        );
    }
}

/// P3: the validator's drifted copy of context-3.0.3 (with `jti`, `endorsementJwt`) gives
/// the same canonical form for the project vectors, since they use neither term.
#[test]
fn drifted_ob_context_gives_same_hashes_for_project_vectors() {
    let drift = vector_text("contexts/drift/ob-v3p0-context-3.0.3.validator-copy.json");
    let alias = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3-validator-copy.json";
    let set = ContextSet::with_extra([(alias, drift.as_str())]).expect("drift context");
    for name in PROJECT {
        let mut doc = vector_json(&format!("project/{name}-unsigned.json"));
        let pinned = canon(&doc, ContextSet::pinned());
        doc["@context"][1] = Value::String(alias.to_owned());
        assert_eq!(canon(&doc, &set), pinned, "{name}");
    }
    // And the drifted copy really differs from the pinned bytes.
    assert_ne!(drift, vector_text("contexts/ob-v3p0-context-3.0.3.json"));
}

/// Cairn's strict expander and `oxjsonld` (independent) agree on every JSON-LD document of
/// the vectors folder that Cairn accepts.
#[test]
fn strict_expander_agrees_with_oxjsonld_on_all_vectors() {
    let set = contexts_with_examples();
    let mut compared = 0;
    for dir in [
        "w3c-vc-di-eddsa",
        "w3c-vc-di-eddsa/eddsa-rdfc-2022",
        "1edtech-ob3/impl-guide",
        "1edtech-ob3/validator-fixtures",
        "project",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(vector_path(dir))
            .expect("vector dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).expect("read");
            let Ok(doc) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if doc.get("@context").is_none() {
                continue;
            }
            let name = path.display().to_string();
            let docs = if doc.get("proof").is_some() {
                vec![strip_proof(doc.clone()), proof_config(&doc)]
            } else {
                vec![doc]
            };
            for d in docs {
                let ours = canon(&d, &set);
                assert_eq!(ours.nquads, reference_nquads(&d), "{name}");
                compared += 1;
            }
        }
    }
    assert!(compared >= 25, "compared only {compared} documents");
}

fn first_proof(signed: &Value) -> &Value {
    match &signed["proof"] {
        Value::Array(a) => &a[0],
        other => other,
    }
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("timestamp")
}

/// Re-signing the W3C unsigned document with its key, key id and `created` reproduces the
/// published signature and `proofValue`.
#[test]
fn resign_w3c_vector() {
    let set = contexts_with_examples();
    let dir = "w3c-vc-di-eddsa/eddsa-rdfc-2022";
    let keys = vector_json("w3c-vc-di-eddsa/keyPair.json");
    let key = IssuerKey::from_secret_multibase(keys["privateKeyMultibase"].as_str().expect("sk"))
        .expect("secret multikey");
    assert_eq!(
        Some(key.public().to_multibase().as_str()),
        keys["publicKeyMultibase"].as_str()
    );
    let cfg = vector_json(&format!("{dir}/proofConfigDataInt.json"));
    let unsigned = vector_json("w3c-vc-di-eddsa/unsigned.json");
    let signed = sign_with(
        &unsigned,
        &key,
        cfg["verificationMethod"].as_str().expect("vm"),
        ts(cfg["created"].as_str().expect("created")),
        &set,
    )
    .expect("sign");
    assert_eq!(
        signed.proof_value,
        vector_text(&format!("{dir}/sigBTC58DataInt.txt")).trim()
    );
    let sig = decode_proof_value(&signed.proof_value).expect("64 bytes");
    assert_eq!(
        hex(&sig),
        vector_text(&format!("{dir}/sigHexDataInt.txt")).trim()
    );
    // Same proof as the published signed document, as a one-element array (D7).
    let published = vector_json(&format!("{dir}/signedDataInt.json"));
    assert_eq!(&signed.credential["proof"][0], first_proof(&published));
    assert!(signed.credential["proof"].is_array());
    assert!(signed.warnings.is_empty());
}

#[test]
fn resign_onedtech_impl_guide_vector() {
    let keys = vector_json("1edtech-ob3/impl-guide/keyPair.json");
    let key = IssuerKey::from_seed(&seed(keys["seedHex"].as_str().expect("seed")));
    assert_eq!(
        Some(key.public().to_multibase().as_str()),
        keys["publicKeyMultibase"].as_str()
    );
    let options = vector_json("1edtech-ob3/impl-guide/proof-options.json");
    let unsigned = vector_json("1edtech-ob3/impl-guide/unsigned.json");
    let signed = sign_with(
        &unsigned,
        &key,
        options["verificationMethod"].as_str().expect("vm"),
        ts(options["created"].as_str().expect("created")),
        ContextSet::pinned(),
    )
    .expect("sign");
    let hashes = vector_json("1edtech-ob3/impl-guide/hashes.json");
    assert_eq!(
        Some(signed.proof_value.as_str()),
        hashes["proofValue"].as_str()
    );
    let sig = decode_proof_value(&signed.proof_value).expect("64 bytes");
    assert_eq!(Some(hex(&sig).as_str()), hashes["signatureHex"].as_str());
    let published = vector_json("1edtech-ob3/impl-guide/signed.json");
    assert_eq!(&signed.credential["proof"][0], first_proof(&published));
}

/// The project vectors were signed by the oracle (`sign.mjs`): Cairn's signature of the
/// same unsigned document is the same credential, field for field.
#[test]
fn resign_project_vectors() {
    let keys = vector_json("project/keys.json");
    let key = IssuerKey::from_seed(&seed(keys["seedHex"].as_str().expect("seed")));
    assert_eq!(
        Some(key.public().to_multibase().as_str()),
        keys["publicKeyMultibase"].as_str()
    );
    assert_eq!(
        Some(key.public().did_key_method().as_str()),
        keys["didKeyVerificationMethod"].as_str()
    );
    let issuer = keys["httpsIssuerId"].as_str().expect("issuer");
    assert_eq!(
        Some(key.public().https_method(issuer).as_str()),
        keys["httpsVerificationMethod"].as_str()
    );
    for name in PROJECT {
        let published = vector_json(&format!("project/{name}-signed.json"));
        let proof = first_proof(&published);
        let unsigned = vector_json(&format!("project/{name}-unsigned.json"));
        let signed = sign_with(
            &unsigned,
            &key,
            proof["verificationMethod"].as_str().expect("vm"),
            ts(proof["created"].as_str().expect("created")),
            ContextSet::pinned(),
        )
        .expect("sign");
        assert_eq!(
            Some(signed.proof_value.as_str()),
            proof["proofValue"].as_str(),
            "{name}"
        );
        assert_eq!(
            signed.credential, published,
            "{name}: the whole signed credential"
        );
    }
}

/// The first-degree shortcut of Cairn's RDFC-1.0 gives the same result as `oxrdf`'s complete
/// algorithm, on every vector and on documents whose blank nodes need the N-degree hash
/// (identical alignment objects, identical identifiers), which take the complete path.
#[test]
fn rdfc_shortcut_agrees_with_complete_rdfc() {
    let set = contexts_with_examples();
    let mut docs: Vec<Value> = Vec::new();
    for name in PROJECT {
        let signed = vector_json(&format!("project/{name}-signed.json"));
        docs.push(proof_config(&signed));
        docs.push(strip_proof(signed));
    }
    docs.push(vector_json("w3c-vc-di-eddsa/unsigned.json"));
    docs.push(vector_json("1edtech-ob3/impl-guide/unsigned.json"));
    let mut twins = vector_json("project/ob3-cis-unsigned.json");
    let alignment = twins["credentialSubject"]["achievement"]["alignment"][0].clone();
    twins["credentialSubject"]["achievement"]["alignment"] =
        Value::Array(vec![alignment.clone(), alignment]);
    let identifier = twins["credentialSubject"]["identifier"][0].clone();
    let mut other = identifier.clone();
    other["salt"] = Value::from("other");
    twins["credentialSubject"]["identifier"] = Value::Array(vec![identifier, other]);
    twins["evidence"] = serde_json::json!([{"type": ["Evidence"], "name": "same"}, {"type": ["Evidence"], "name": "same"}]);
    docs.push(twins);
    let mut escapes = vector_json("project/ob3-mastery-unsigned.json");
    escapes["description"] = Value::from("tab\tnl\nbell\u{7}del\u{7f}quote\"back\\slash é 🎓");
    escapes["credentialSubject"]["creditsEarned"] = Value::from(0.25);
    docs.push(escapes.clone());
    for (i, d) in docs.iter().enumerate() {
        let fast = canon(d, &set);
        let full = canonicalize_value_full_rdfc(d, &set).expect("full rdfc");
        assert_eq!(fast, full, "document {i}");
        assert_eq!(
            fast.nquads,
            reference_nquads(d),
            "document {i} against oxjsonld"
        );
    }
    // The one documented difference from oxjsonld: a double such as 8.2 is written as
    // jsonld.js writes it (toExponential(15): 8.199999999999999E0), which is what other
    // verifiers hash (checked against the oracle in credential_oracle.rs), while oxjsonld
    // writes the shortest decimal (8.2E0).
    escapes["credentialSubject"]["creditsEarned"] = Value::from(8.2);
    let ours = canon(&escapes, &set).nquads;
    let theirs = reference_nquads(&escapes);
    assert!(ours.contains("\"8.199999999999999E0\"^^"), "{ours}");
    assert_eq!(ours.replace("8.199999999999999E0", "8.2E0"), theirs);
}
