//! Fuzz target: every JSON request body of the API → `cairn_lti::api::error::parse_body`
//! (the status change's body of `POST /api/credentials/{id}/revoke|suspend|reissue` included).
//! The first byte picks the body type (modulo their number), the rest is the body. A body
//! that reads must serialize and read back to an equal value; one that does not must be a
//! 400 `invalid_body`. Any panic is a crash.
#![no_main]

use cairn::definition::CredentialDefinition;
use cairn_lti::api::bodies::*;
use cairn_lti::api::error::parse_body;
use cairn_lti::api::presented::PresentBody;
use cairn_lti::api::scoring::ItemSet;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn check<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(bytes: &[u8]) {
    match parse_body::<T>(bytes) {
        Ok(body) => {
            let text = serde_json::to_vec(&body).expect("a read body serializes");
            let again: T = parse_body(&text).expect("a serialized body reads back");
            assert_eq!(again, body);
        }
        Err(err) => {
            assert_eq!(err.status.as_u16(), 400);
            assert_eq!(err.code, "invalid_body");
        }
    }
}

/// For a body type the API reads but never writes back (a status change's reason).
fn parse_only<T: DeserializeOwned>(bytes: &[u8]) {
    if let Err(err) = parse_body::<T>(bytes) {
        assert_eq!(err.code, "invalid_body");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    match selector % 21 {
        0 => check::<EnrolBody>(body),
        1 => check::<ResultBody>(body),
        2 => check::<GradingBody>(body),
        3 => check::<FeedbackBody>(body),
        4 => check::<OverrideBody>(body),
        5 => check::<PlarDecisionBody>(body),
        6 => check::<PlarRequestBody>(body),
        7 => check::<SubmissionBody>(body),
        8 => check::<AnswersBody>(body),
        9 => check::<ApplicationBody>(body),
        10 => check::<PresentedBody>(body),
        11 => check::<EquivalencyBody>(body),
        12 => check::<ExpiryBody>(body),
        13 => parse_only::<cairn_lti::public::manage::StatusChangeBody>(body),
        14 => check::<ImportBody>(body),
        15 => check::<ItemSet>(body),
        16 => check::<CredentialDefinition>(body),
        17 => check::<EvidenceRef>(body),
        18 => check::<PresentBody>(body),
        19 => check::<WithdrawalBody>(body),
        _ => check::<AssessorType>(body),
    }
});
