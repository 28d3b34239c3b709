//! A credential with both status entries (`BitstringStatusListEntry` for `revocation` and
//! for `suspension`, each with its own list and index): one entry stays a bare object as
//! before, two become an array; a suspension list with the credential's bit set makes it
//! fail (`suspended`) in Cairn's verifier and in the oracle (`../shared/oracle`), and a list
//! with the bit cleared again (an unsuspension) lets it verify.

mod credential_corpus;
mod credential_support;

use cairn::credential::VerifyOptions;
use cairn::credential::build::{BuildInput, build, issue};
use cairn::credential::status::{StatusList, StatusPurpose, signed_status_list_credential};
use cairn::credential::verify;
use cairn::definition::CredentialDefinition;
use credential_corpus::{at, profile};
use credential_support::{oracle_verify_with_status_list, project_key, shared};
use serde_json::json;

const REVOCATION: &str = "https://tool.example/status/r1";
const SUSPENSION: &str = "https://tool.example/status/s1";

fn definition() -> CredentialDefinition {
    credential_corpus::scenarios(&shared())
        .into_iter()
        .find(|s| s.name == "spt-02-second-attempt-boundary")
        .expect("spt-02")
        .definitions
        .remove(0)
}

#[test]
fn one_entry_stays_an_object_and_two_become_an_array() {
    let def = definition();
    let issuer = profile(&def);
    let only_revocation = BuildInput {
        status: Some((REVOCATION.into(), 42)),
        ..credential_corpus::simple_input(&def, &issuer)
    };
    let built = build(&only_revocation).expect("builds");
    assert_eq!(
        built.credential["credentialStatus"]["statusPurpose"],
        json!("revocation")
    );
    let both = BuildInput {
        suspension: Some((SUSPENSION.into(), 7)),
        ..only_revocation
    };
    let built = build(&both).expect("builds");
    assert_eq!(
        built.credential["credentialStatus"],
        json!([
            {"id": format!("{REVOCATION}#42"), "type": "BitstringStatusListEntry",
             "statusPurpose": "revocation", "statusListIndex": "42",
             "statusListCredential": REVOCATION},
            {"id": format!("{SUSPENSION}#7"), "type": "BitstringStatusListEntry",
             "statusPurpose": "suspension", "statusListIndex": "7",
             "statusListCredential": SUSPENSION},
        ])
    );
    let bad = BuildInput {
        suspension: Some(("http://tool.example/status/s1".into(), 7)),
        ..credential_corpus::simple_input(&def, &issuer)
    };
    let err = build(&bad).expect_err("not https");
    assert!(err.to_string().contains("suspension status list"), "{err}");
}

#[test]
fn a_suspended_credential_fails_here_and_in_the_oracle_until_unsuspended() {
    let def = definition();
    let issuer = profile(&def);
    let key = project_key();
    let (revocation_index, suspension_index) = (4_242, 99_001);
    let input = BuildInput {
        status: Some((REVOCATION.into(), revocation_index)),
        suspension: Some((SUSPENSION.into(), suspension_index)),
        ..credential_corpus::simple_input(&def, &issuer)
    };
    let credential = issue(&input, &key).expect("signs").credential.to_string();
    let now = at("2026-04-01T00:00:00Z");
    let list = |suspended: bool| {
        let mut bits = StatusList::new(131_072).expect("list");
        bits.set(suspension_index, suspended).expect("in range");
        signed_status_list_credential(
            SUSPENSION,
            &issuer.id,
            StatusPurpose::Suspension,
            &bits,
            &key,
            now,
        )
        .expect("signs the list")
        .to_string()
    };
    for (suspended, list) in [(true, list(true)), (false, list(false))] {
        let report = verify(
            &credential,
            &VerifyOptions {
                status_list: Some(&list),
                ..VerifyOptions::at(now)
            },
        );
        let oracle =
            oracle_verify_with_status_list(&credential, &list, &["--now", "2026-04-01T00:00:00Z"]);
        if suspended {
            assert!(
                report.error_codes().contains(&"suspended"),
                "{:#?}",
                report.errors
            );
            assert!(
                !oracle.verified,
                "the oracle accepts a suspended credential"
            );
            assert!(
                oracle.raw.to_string().contains("suspension"),
                "{}",
                oracle.raw
            );
        } else {
            assert!(report.verified, "{:#?}", report.errors);
            assert!(oracle.verified, "{}", oracle.raw);
        }
    }
}
