//! The proof stages: proof selection (V6), key resolution (V7), key authorization (V8)
//! and the signature (V9).

use serde_json::{Map, Value};

use super::report::{CheckId, Reporter};
use super::shape::nonempty_str;
use super::{VerifyMode, VerifyOptions};
use crate::credential::canon::{Canonical, canonicalize_value, hex};
use crate::credential::jsonld::ContextSet;
use crate::credential::keys::{self, KeyResolution, KeySource, ResolvedKey};
use crate::credential::proof::{
    CRYPTOSUITE, HashData, PROOF_PURPOSE, PROOF_TYPE, SORT_ORDER_DIVERGENCE, decode_proof_value,
    proof_config,
};
use crate::credential::vc::profile_id;
use crate::time::parse_datetime;

/// A `DataIntegrityProof` with `eddsa-rdfc-2022` for `assertionMethod`.
fn is_supported(proof: &Map<String, Value>) -> bool {
    proof.get("type").and_then(Value::as_str) == Some(PROOF_TYPE)
        && proof.get("cryptosuite").and_then(Value::as_str) == Some(CRYPTOSUITE)
        && proof.get("proofPurpose").and_then(Value::as_str) == Some(PROOF_PURPOSE)
}

/// The `verificationMethod` of the proof [`select_proof`] would choose.
pub(super) fn chosen_method(doc: &Value) -> Option<&str> {
    let proof = doc.get("proof")?;
    let proofs: Vec<&Value> = match proof {
        Value::Array(a) => a.iter().collect(),
        p => vec![p],
    };
    proofs
        .into_iter()
        .filter_map(Value::as_object)
        .find(|p| is_supported(p))?
        .get("verificationMethod")?
        .as_str()
}

pub(super) fn select_proof(
    r: &mut Reporter,
    doc: &Map<String, Value>,
) -> Option<Map<String, Value>> {
    let proofs: Vec<&Value> = match doc.get("proof") {
        None | Some(Value::Null) => {
            r.fail(CheckId::V6, "proof_missing", "the credential has no proof");
            return None;
        }
        Some(Value::Array(a)) => a.iter().collect(),
        Some(p) => vec![p],
    };
    let chosen = proofs
        .iter()
        .filter_map(|p| p.as_object())
        .find(|p| is_supported(p));
    match chosen {
        Some(p) => {
            let vm_ok = nonempty_str(p.get("verificationMethod"));
            let created_ok = p
                .get("created")
                .and_then(Value::as_str)
                .is_none_or(|c| parse_datetime(c).is_some());
            if !vm_ok {
                r.fail(
                    CheckId::V6,
                    "proof_unsupported",
                    "the proof has no verificationMethod",
                );
                None
            } else if !created_ok {
                r.fail(
                    CheckId::V6,
                    "proof_unsupported",
                    "the proof's created is not an xsd:dateTime",
                );
                None
            } else {
                r.pass(
                    CheckId::V6,
                    "a DataIntegrityProof with eddsa-rdfc-2022 for assertionMethod",
                );
                Some(p.clone())
            }
        }
        None => {
            let kinds: Vec<String> = proofs
                .iter()
                .map(|p| {
                    let t = p.get("type").and_then(Value::as_str).unwrap_or("?");
                    match p.get("cryptosuite").and_then(Value::as_str) {
                        Some(c) => format!("{t}/{c}"),
                        None => t.to_owned(),
                    }
                })
                .collect();
            r.fail(
                CheckId::V6,
                "proof_unsupported",
                format!(
                    "no DataIntegrityProof with eddsa-rdfc-2022 for assertionMethod (found {})",
                    kinds.join(", ")
                ),
            );
            None
        }
    }
}

pub(super) fn resolve_key(
    r: &mut Reporter,
    doc: &Map<String, Value>,
    proof: &Map<String, Value>,
    options: &VerifyOptions<'_>,
    mode: VerifyMode,
) -> Option<ResolvedKey> {
    let vm = proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let resolved = match keys::resolve(vm, &options.controllers, !options.no_fragment_key) {
        Ok(k) => k,
        Err(KeyResolution::Unresolvable(why)) => {
            r.fail(CheckId::V7, "key_unresolvable", why);
            r.skip(CheckId::V8, "no key");
            return None;
        }
        Err(KeyResolution::NotAuthorized(why)) => {
            r.pass(
                CheckId::V7,
                format!("{vm} resolved through a controller document"),
            );
            r.fail(CheckId::V8, "key_not_authorized", why);
            return None;
        }
    };
    let how = match resolved.source {
        KeySource::DidKey => "derived from the did:key",
        KeySource::BareDidKey => "derived from a bare did:key (no #fragment)",
        KeySource::Fragment => "taken from the key id's #fragment",
        KeySource::ControllerDocument => "found in the supplied controller document",
    };
    if resolved.source == KeySource::BareDidKey {
        r.warn(CheckId::V7, "bare_did_key", format!("the verification method {vm} has no #fragment; Digital Bazaar verifiers cannot resolve it (badges.md P6)"));
    } else {
        r.pass(
            CheckId::V7,
            format!("key {} {how}", resolved.key.to_multibase()),
        );
    }
    if mode == VerifyMode::OpenBadge {
        match doc.get("issuer").and_then(profile_id) {
            Some(issuer) if issuer == resolved.controller => {
                r.pass(
                    CheckId::V8,
                    format!("the key's controller is the issuer {issuer} and may assert"),
                );
            }
            Some(issuer) => {
                r.fail(
                    CheckId::V8,
                    "controller_mismatch",
                    format!(
                        "the key belongs to {}, not to the issuer {issuer}",
                        resolved.controller
                    ),
                );
            }
            None => r.fail(
                CheckId::V8,
                "controller_mismatch",
                "the credential has no issuer id to compare with the key's controller",
            ),
        }
    } else {
        r.pass(CheckId::V8, format!("the key may assert for its controller {} (proof-only mode: the issuer is not compared)", resolved.controller));
    }
    Some(resolved)
}

pub(super) fn check_signature(
    r: &mut Reporter,
    doc: &Map<String, Value>,
    proof: &Map<String, Value>,
    key: &ResolvedKey,
    document: &Canonical,
    contexts: &ContextSet,
) {
    let Some(context) = doc.get("@context") else {
        r.skip(CheckId::V9, "no @context");
        return;
    };
    let cfg = proof_config(proof, context);
    let proof_canon = match canonicalize_value(&cfg, contexts) {
        Ok(c) => c,
        Err(e) => {
            r.fail(
                CheckId::V9,
                e.code(),
                format!("the proof options cannot be canonicalized: {e}"),
            );
            return;
        }
    };
    let data = HashData {
        proof: proof_canon,
        document: document.clone(),
    };
    let Some(sig) = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .and_then(decode_proof_value)
    else {
        r.fail(
            CheckId::V9,
            "signature_invalid",
            "proofValue is not z + base58btc of a 64-byte signature",
        );
        return;
    };
    if data.proof.utf16_order_differs || data.document.utf16_order_differs {
        r.note(SORT_ORDER_DIVERGENCE, "this credential's canonical N-Quads sort differently by UTF-16 code unit (rdf-canonize 5) than by code point (RDFC-1.0); JavaScript and Rust stacks disagree on its hash (badges.md P14)");
    }
    if key.key.verify_strict(&data.bytes(), &sig) {
        r.pass(
            CheckId::V9,
            format!(
                "Ed25519 signature valid over proof hash {} and document hash {}",
                short(&data.proof.hash),
                short(&data.document.hash)
            ),
        );
    } else {
        r.fail(CheckId::V9, "signature_invalid", "the signature does not match: the credential was changed after signing, or signed with another key");
    }
}

fn short(hash: &[u8; 32]) -> String {
    let h = hex(hash);
    format!("{}…{}", &h[..8], &h[56..])
}
