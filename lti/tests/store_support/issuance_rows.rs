//! An issuer's rows for the record store tests: the issuer with a current key and a
//! revocation list, and a credential to issue on them (no real key: the store never opens it).

use cairn_lti::store::records::{
    IssuerKeyRow, IssuerKeyStatus, IssuerRow, MIN_STATUS_LIST_SIZE, NewCredential, RecordStore,
    StatusListRow, StatusPurpose,
};
use serde_json::json;

/// An issuer `id` with a current key and a revocation list, created in `records`.
pub async fn issuer(
    records: &dyn RecordStore,
    registration_id: i64,
    id: &str,
) -> (IssuerRow, IssuerKeyRow, StatusListRow) {
    let issuer = IssuerRow {
        id: id.into(),
        registration_id,
        issuer_id: format!("https://cairn.example/issuers/{id}"),
        profile: json!({ "name": "Example Polytechnic" }),
        created_at: 10,
        updated_at: 10,
    };
    let key = IssuerKeyRow {
        key_id: format!("{}#z6MkOne{id}", issuer.issuer_id),
        issuer: id.into(),
        public_key_multibase: format!("z6MkOne{id}"),
        sealed_secret: vec![1, 2, 3],
        status: IssuerKeyStatus::Current,
        created_at: 10,
        retired_at: None,
    };
    records
        .create_issuer(&issuer, &key)
        .await
        .expect("create the issuer");
    let list = StatusListRow {
        id: format!("list-{id}"),
        issuer: id.into(),
        purpose: StatusPurpose::Revocation,
        size: MIN_STATUS_LIST_SIZE,
        credential: None,
        generated_at: None,
        created_at: 10,
    };
    records
        .create_status_list(&list)
        .await
        .expect("create the list");
    (issuer, key, list)
}

/// Credential `id` of spt 1.0.0 in `cycle`, signed by `key`, at `index` of `list`.
pub fn new_credential(
    id: &str,
    cycle: i64,
    key: &IssuerKeyRow,
    list: &StatusListRow,
    index: i64,
) -> NewCredential {
    NewCredential {
        id: id.into(),
        definition_id: "spt".into(),
        version: "1.0.0".into(),
        cycle,
        issuer: key.issuer.clone(),
        key_id: key.key_id.clone(),
        issued_at: 100,
        valid_until: Some(1_000),
        body: json!({ "id": format!("urn:uuid:{id}"), "proof": { "type": "DataIntegrityProof" } }),
        status_list_id: list.id.clone(),
        status_index: index,
        suspension: None,
    }
}
