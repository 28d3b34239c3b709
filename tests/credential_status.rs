//! Bitstring Status Lists: the 1EdTech fixture list (bit 23 set) and its revoked
//! credential, lists Cairn encodes read back by Node's zlib (an independent GZIP), the
//! entry and list credential shapes of `spec/badges.md` §7, and every refusal.

use std::path::PathBuf;
use std::process::Command;

mod credential_support;

use cairn::Timestamp;
use cairn::credential::status::{
    MAX_ENCODED_LIST_CHARS, MAX_LIST_BYTES, MIN_LIST_BITS, StatusError, StatusList, StatusPurpose,
    check_credential, check_entry, encode_list, entry_list_url, signed_status_list_credential,
    status_entry, status_list_credential,
};
use cairn::credential::{IssuerKey, VerifyOptions, sign, verify};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/vectors/1edtech-ob3/validator-fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// GZIP (RFC 1952) of `bytes`, built here so tests can make lists Cairn would not write.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(bytes, 6));
    out.extend_from_slice(&crc32fast::hash(bytes).to_le_bytes());
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

const LIST_URL: &str = "https://cairn.example/status/1";
const ISSUER: &str = "https://cairn.example/issuers/college";

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("timestamp")
}

/// A credential of `ISSUER` carrying `entry`.
fn credential_with(entry: Value) -> Value {
    json!({"issuer": {"id": ISSUER, "type": ["Profile"]}, "credentialStatus": entry})
}

#[test]
fn fixture_list_has_exactly_bit_23_set() {
    let list = fixture("bitstring-testlist.json");
    let encoded = list["credentialSubject"]["encodedList"]
        .as_str()
        .expect("encodedList");
    let decoded = StatusList::decode(encoded).expect("decodes");
    assert_eq!(decoded.entries(), MIN_LIST_BITS);
    assert!(decoded.get(23).expect("in range"));
    // Bit 23 is byte 2 under mask 0x80 >> 7; every other byte is zero.
    let bytes = decoded.as_bytes();
    assert_eq!(bytes[2], 0x01);
    assert_eq!(bytes.iter().map(|b| b.count_ones()).sum::<u32>(), 1);
    assert!(!decoded.get(22).expect("in range") && !decoded.get(24).expect("in range"));
}

#[test]
fn fixture_credential_is_revoked_by_the_fixture_list() {
    let credential = fixture("bitstring-credential-status-revoked.json");
    let list = fixture("bitstring-testlist.json");
    let checks = check_credential(&credential, &list).expect("checks");
    assert_eq!(checks.len(), 1);
    let check = checks[0];
    assert_eq!(check.index, 23, "statusListIndex given as a JSON number");
    assert_eq!(check.purpose, StatusPurpose::Revocation);
    assert!(check.is_set);
    assert_eq!(check.code(), Some("revoked"));
    // The fixture list's id is not the URL the entry names: read, but flagged.
    assert!(!check.list_id_matches);
    assert_eq!(
        entry_list_url(&credential["credentialStatus"]),
        Some(
            "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist"
        )
    );
}

#[test]
fn encoded_list_round_trips_and_is_deterministic() {
    let set = [0, 7, 8, 23, 12_345, MIN_LIST_BITS - 1];
    let encoded = encode_list(MIN_LIST_BITS, &set).expect("encodes");
    assert!(encoded.starts_with('u'));
    assert!(!encoded.contains('='), "no padding");
    assert_eq!(encode_list(MIN_LIST_BITS, &set).expect("encodes"), encoded);
    let decoded = StatusList::decode(&encoded).expect("decodes");
    for index in 0..MIN_LIST_BITS {
        assert_eq!(
            decoded.get(index).expect("in range"),
            set.contains(&index),
            "bit {index}"
        );
    }
    // A bigger list, cleared again.
    let mut list = StatusList::new(MIN_LIST_BITS * 2).expect("new");
    list.set(200_000, true).expect("set");
    list.set(200_000, false).expect("clear");
    let again = StatusList::decode(&list.encode()).expect("decodes");
    assert_eq!(again, StatusList::new(MIN_LIST_BITS * 2).expect("new"));
}

#[test]
fn node_zlib_reads_the_lists_cairn_writes() {
    let set = [3, 23, 4_096, 99_999, MIN_LIST_BITS - 1];
    let encoded = encode_list(MIN_LIST_BITS, &set).expect("encodes");
    let script = "const z=require('zlib');const s=process.argv[1];\
        const b=z.gunzipSync(Buffer.from(s.slice(1),'base64url'));const out=[];\
        for(let i=0;i<b.length*8;i++){if(b[i>>3]&(0x80>>(i%8)))out.push(i)}\
        console.log(JSON.stringify({len:b.length*8,set:out}))";
    let output = Command::new("node")
        .args(["-e", script, &encoded])
        .output()
        .expect("node runs (toolchain.md: Node 20)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_slice(&output.stdout).expect("node prints JSON");
    assert_eq!(seen, json!({"len": MIN_LIST_BITS, "set": set}));
}

#[test]
fn entry_and_list_credential_have_the_spec_shape() {
    let entry = status_entry(LIST_URL, 4_711, StatusPurpose::Revocation);
    assert_eq!(
        entry,
        json!({
            "id": "https://cairn.example/status/1#4711",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "4711",
            "statusListCredential": LIST_URL,
        })
    );

    let mut list = StatusList::new(MIN_LIST_BITS).expect("new");
    list.set(4_711, true).expect("set");
    let credential = status_list_credential(
        LIST_URL,
        ISSUER,
        at("2026-03-02T15:04:05Z"),
        StatusPurpose::Revocation,
        &list,
    );
    assert_eq!(
        credential["@context"],
        json!(["https://www.w3.org/ns/credentials/v2"])
    );
    assert_eq!(credential["id"], LIST_URL);
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "BitstringStatusListCredential"])
    );
    assert_eq!(credential["issuer"], ISSUER);
    assert_eq!(credential["validFrom"], "2026-03-02T15:04:05Z");
    let subject = &credential["credentialSubject"];
    assert_eq!(subject["id"], "https://cairn.example/status/1#list");
    assert_eq!(subject["type"], "BitstringStatusList");
    assert_eq!(subject["statusPurpose"], "revocation");
    let decoded = StatusList::decode(subject["encodedList"].as_str().expect("text"));
    assert_eq!(decoded.expect("decodes"), list);
    assert!(credential.get("proof").is_none(), "unsigned");

    let revoked = check_credential(&credential_with(entry), &credential).expect("checks");
    assert_eq!(revoked.len(), 1);
    assert!(revoked[0].is_set && revoked[0].list_id_matches);
    let fine = status_entry(LIST_URL, 4_712, StatusPurpose::Revocation);
    let checks = check_credential(&credential_with(json!([fine])), &credential).expect("checks");
    assert!(!checks[0].is_set);
    assert_eq!(checks[0].code(), None);
}

#[test]
fn suspension_lists_report_suspended() {
    let list = StatusList::new(MIN_LIST_BITS);
    let mut list = list.expect("new");
    list.set(9, true).expect("set");
    let url = "https://cairn.example/status/s";
    let credential = status_list_credential(
        url,
        ISSUER,
        at("2026-01-01T00:00:00Z"),
        StatusPurpose::Suspension,
        &list,
    );
    let check = check_entry(
        &status_entry(url, 9, StatusPurpose::Suspension),
        &credential,
    );
    assert_eq!(check.expect("checks").code(), Some("suspended"));
}

#[test]
fn only_the_entry_naming_the_list_is_checked() {
    let mut list = StatusList::new(MIN_LIST_BITS).expect("new");
    list.set(5, true).expect("set");
    let list_credential = status_list_credential(
        LIST_URL,
        ISSUER,
        at("2026-01-01T00:00:00Z"),
        StatusPurpose::Revocation,
        &list,
    );
    let other = status_entry(
        "https://cairn.example/status/2",
        5,
        StatusPurpose::Revocation,
    );
    let ours = status_entry(LIST_URL, 6, StatusPurpose::Revocation);
    let checks = check_credential(&credential_with(json!([other, ours])), &list_credential);
    let checks = checks.expect("checks");
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].index, 6);
    assert!(!checks[0].is_set);
}

#[test]
fn malformed_encoded_lists_are_refused() {
    let valid_bits = vec![0u8; MIN_LIST_BITS / 8];
    let cases: Vec<(String, &str)> = vec![
        (base64url(&gzip(&valid_bits)), "no multibase prefix"),
        ("u!!!not base64".to_string(), "not base64url"),
        (
            format!("u{}", base64url(b"plain bytes, not gzip at all")),
            "not gzip",
        ),
        (
            {
                let mut data = gzip(&valid_bits);
                let n = data.len();
                data[n - 8] ^= 0xff; // CRC-32
                format!("u{}", base64url(&data))
            },
            "crc",
        ),
        (
            {
                let mut data = gzip(&valid_bits);
                let n = data.len();
                data[n - 4] ^= 0x01; // ISIZE
                format!("u{}", base64url(&data))
            },
            "length",
        ),
        (
            {
                let data = gzip(&valid_bits);
                format!("u{}", base64url(&data[..data.len() / 2]))
            },
            "truncated",
        ),
    ];
    for (encoded, what) in cases {
        let err = StatusList::decode(&encoded).expect_err(what);
        assert!(
            matches!(err, StatusError::ListMalformed { .. }),
            "{what}: {err:?}"
        );
        assert_eq!(err.code(), "status_list_malformed");
    }
}

#[test]
fn short_lists_are_refused() {
    let encoded = format!("u{}", base64url(&gzip(&[0u8; 100])));
    let err = StatusList::decode(&encoded).expect_err("too short");
    assert_eq!(
        err,
        StatusError::ListTooShort {
            bits: 800,
            min: MIN_LIST_BITS
        }
    );
    assert_eq!(err.code(), "status_list_too_short");
}

#[test]
fn oversized_lists_are_refused() {
    // A decompression bomb: a few kilobytes that inflate past the cap.
    let bomb = format!("u{}", base64url(&gzip(&vec![0u8; MAX_LIST_BYTES + 1])));
    assert!(bomb.len() < 16 * 1024, "the bomb is small: {}", bomb.len());
    let err = StatusList::decode(&bomb).expect_err("too large");
    assert_eq!(
        err,
        StatusError::ListTooLarge {
            limit: MAX_LIST_BYTES
        }
    );
    assert_eq!(err.code(), "status_list_too_large");

    let long = format!("u{}", "A".repeat(MAX_ENCODED_LIST_CHARS));
    let err = StatusList::decode(&long).expect_err("too long");
    assert_eq!(
        err,
        StatusError::ListTooLarge {
            limit: MAX_ENCODED_LIST_CHARS
        }
    );
}

#[test]
fn invalid_list_sizes_are_refused() {
    for bits in [
        0,
        8,
        MIN_LIST_BITS - 8,
        MIN_LIST_BITS + 1,
        MAX_LIST_BYTES * 8 + 8,
    ] {
        let err = StatusList::new(bits).expect_err("invalid size");
        assert_eq!(err.code(), "status_list_size_invalid", "{bits}");
    }
    let mut list = StatusList::new(MIN_LIST_BITS).expect("new");
    let err = list.set(MIN_LIST_BITS, true).expect_err("out of range");
    assert_eq!(
        err,
        StatusError::IndexOutOfRange {
            index: MIN_LIST_BITS,
            len: MIN_LIST_BITS
        }
    );
    assert_eq!(
        encode_list(MIN_LIST_BITS, &[MIN_LIST_BITS]).map(|_| ()),
        Err(err)
    );
}

fn revocation_list() -> Value {
    let list = StatusList::new(MIN_LIST_BITS).expect("new");
    status_list_credential(
        LIST_URL,
        ISSUER,
        at("2026-01-01T00:00:00Z"),
        StatusPurpose::Revocation,
        &list,
    )
}

#[test]
fn bad_indexes_are_refused() {
    let list = revocation_list();
    for index in [
        json!("-1"),
        json!("1.5"),
        json!("abc"),
        json!(""),
        json!(1.5),
        json!(-3),
        json!(true),
    ] {
        let mut entry = status_entry(LIST_URL, 0, StatusPurpose::Revocation);
        entry["statusListIndex"] = index.clone();
        let err = check_entry(&entry, &list).expect_err("refused");
        assert!(
            matches!(err, StatusError::IndexInvalid { .. }),
            "{index}: {err:?}"
        );
        assert_eq!(err.code(), "status_index_invalid");
    }
    let entry = status_entry(LIST_URL, MIN_LIST_BITS, StatusPurpose::Revocation);
    let err = check_entry(&entry, &list).expect_err("refused");
    assert_eq!(err.code(), "status_index_out_of_range");
}

#[test]
fn purposes_must_be_supported_and_agree() {
    let list = revocation_list();
    let mut entry = status_entry(LIST_URL, 1, StatusPurpose::Revocation);
    entry["statusPurpose"] = json!("refresh");
    let err = check_entry(&entry, &list).expect_err("refused");
    assert_eq!(
        err,
        StatusError::PurposeUnsupported {
            purpose: "refresh".into()
        }
    );
    assert_eq!(err.code(), "status_purpose_unsupported");

    let entry = status_entry(LIST_URL, 1, StatusPurpose::Suspension);
    let err = check_entry(&entry, &list).expect_err("refused");
    assert!(
        matches!(err, StatusError::PurposeMismatch { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "status_purpose_mismatch");
}

#[test]
fn list_from_another_issuer_is_refused() {
    let list = revocation_list();
    let mut credential = credential_with(status_entry(LIST_URL, 1, StatusPurpose::Revocation));
    credential["issuer"] = json!("https://elsewhere.example/issuer");
    let err = check_credential(&credential, &list).expect_err("refused");
    assert!(matches!(err, StatusError::IssuerMismatch { .. }), "{err:?}");
    assert_eq!(err.code(), "status_issuer_mismatch");
}

#[test]
fn credential_without_a_fitting_entry_is_refused() {
    let list = revocation_list();
    let err = check_credential(&json!({"issuer": ISSUER}), &list).expect_err("refused");
    assert_eq!(err.code(), "status_entry_missing");
    let suspension_only = credential_with(status_entry(
        "https://cairn.example/status/9",
        1,
        StatusPurpose::Suspension,
    ));
    let err = check_credential(&suspension_only, &list).expect_err("refused");
    assert_eq!(err.code(), "status_entry_missing");
}

#[test]
fn malformed_entries_and_lists_are_refused() {
    let list = revocation_list();
    let mut wrong_type = status_entry(LIST_URL, 1, StatusPurpose::Revocation);
    wrong_type["type"] = json!("StatusList2021Entry");
    let mut wide = status_entry(LIST_URL, 1, StatusPurpose::Revocation);
    wide["statusSize"] = json!(2);
    let entry = status_entry(LIST_URL, 1, StatusPurpose::Revocation);
    let mut not_a_list = list.clone();
    not_a_list["credentialSubject"]["type"] = json!("SomethingElse");
    let mut no_encoded = list.clone();
    no_encoded["credentialSubject"]
        .as_object_mut()
        .map(|s| s.remove("encodedList"));
    for (entry, list) in [
        (&wrong_type, &list),
        (&wide, &list),
        (&entry, &not_a_list),
        (&entry, &no_encoded),
    ] {
        let err = check_entry(entry, list).expect_err("refused");
        assert_eq!(err.code(), "status_malformed", "{err}");
    }
}

#[test]
fn signed_lists_verify_here_and_in_the_oracle_and_revoke() {
    let keys = serde_json::from_str::<Value>(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/project/keys.json"),
        )
        .expect("keys.json"),
    )
    .expect("JSON");
    let key = IssuerKey::from_seed(&credential_support::seed(
        keys["seedHex"].as_str().expect("seed"),
    ));
    let issuer = keys["httpsIssuerId"].as_str().expect("issuer");
    let now = at("2026-04-01T00:00:00Z");
    let mut list = StatusList::new(MIN_LIST_BITS).expect("new");
    list.set(4_242, true).expect("set");
    let url = "https://college.example/lti/status/1";

    for issuer_id in [issuer, keys["didKey"].as_str().expect("did")] {
        let signed = signed_status_list_credential(
            url,
            issuer_id,
            StatusPurpose::Revocation,
            &list,
            &key,
            now,
        )
        .expect("signs");
        let proof = &signed["proof"][0];
        let method = if issuer_id.starts_with("did:key:") {
            keys["didKeyVerificationMethod"].as_str()
        } else {
            keys["httpsVerificationMethod"].as_str()
        };
        assert_eq!(proof["verificationMethod"].as_str(), method);
        assert_eq!(proof["created"], "2026-04-01T00:00:00Z");
        assert_eq!(signed["validFrom"], "2026-04-01T00:00:00Z");
        let text = signed.to_string();
        let report = verify(&text, &VerifyOptions::at(now));
        assert!(report.verified, "{issuer_id}: {:?}", report.errors);
        let oracle = credential_support::oracle_verify(&text, &["--now", "2026-04-01T00:00:00Z"]);
        assert!(oracle.verified, "{issuer_id}: {}", oracle.raw);
    }

    // A credential of the same issuer, entry at the set bit, is revoked by that list.
    let list_text =
        signed_status_list_credential(url, issuer, StatusPurpose::Revocation, &list, &key, now)
            .expect("signs")
            .to_string();
    let mut unsigned =
        credential_support::vector_json("project/ob3-mastery-https-issuer-unsigned.json");
    unsigned["credentialStatus"] = status_entry(url, 4_242, StatusPurpose::Revocation);
    let credential = sign(
        &unsigned,
        &key,
        keys["httpsVerificationMethod"].as_str().expect("vm"),
        now,
    )
    .expect("signs")
    .credential
    .to_string();
    let options = VerifyOptions {
        status_list: Some(&list_text),
        ..VerifyOptions::at(now)
    };
    let report = verify(&credential, &options);
    assert!(
        report.error_codes().contains(&"revoked"),
        "{:?}",
        report.errors
    );
}
