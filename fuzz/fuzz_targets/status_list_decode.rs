//! Fuzz target: status lists. First byte 0: the rest is a GZIP stream, wrapped as an
//! `encodedList`; `{`: a status list credential, checked against entries at a few indexes;
//! otherwise the bytes are an `encodedList` text. A decoded list must respect the size
//! limits and survive an encode/decode round trip. Any panic is a crash.
#![no_main]

use cairn::credential::status::{
    MAX_LIST_BYTES, MIN_LIST_BITS, StatusList, StatusPurpose, check_credential, check_entry,
    entry_list_url, status_entry,
};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn decode(encoded: &str) {
    if let Ok(list) = StatusList::decode(encoded) {
        assert!(list.entries() >= MIN_LIST_BITS && list.entries() <= MAX_LIST_BYTES * 8);
        let again = StatusList::decode(&list.encode()).expect("an encoded list decodes");
        assert_eq!(again, list);
    }
}

fuzz_target!(|data: &[u8]| {
    match data.first() {
        Some(0) => decode(&format!("u{}", base64url(&data[1..]))),
        Some(b'{') => {
            let Ok(list) = serde_json::from_slice::<Value>(data) else {
                return;
            };
            let url = list
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("https://x.example/l");
            for index in [0, 23, MIN_LIST_BITS - 1, usize::MAX] {
                for purpose in [StatusPurpose::Revocation, StatusPurpose::Suspension] {
                    let entry = status_entry(url, index, purpose);
                    assert_eq!(entry_list_url(&entry), Some(url));
                    if let Ok(check) = check_entry(&entry, &list) {
                        assert_eq!(check.index, index);
                        let id = list.get("id").and_then(Value::as_str);
                        assert_eq!(check.list_id_matches, id == Some(url));
                    }
                    let credential =
                        json!({"issuer": list.get("issuer"), "credentialStatus": entry});
                    let _ = check_credential(&credential, &list);
                }
            }
        }
        _ => {
            if let Ok(text) = std::str::from_utf8(data) {
                decode(text);
            }
        }
    }
});
