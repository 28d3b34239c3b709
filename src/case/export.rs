//! CASE 1.1 export (REQ-LMS-09): writes an imported [`Framework`] back as a `CFPackage`
//! that [`super::import`] reads into the same document, items (tree and order included) and
//! associations. Every member the import kept verbatim (`extra`) is written back as it was;
//! what the import normalised is written in its CASE 1.1 form (`educationLevel` as an
//! array, `sequenceNumber` as an integer), so a lenient package exports as a stricter one.

use serde_json::{Map, Value, json};

use super::{Association, Document, Framework, Item, NodeRef};

/// The `CFPackage` JSON of a framework: `CFDocument`, `CFItems` in the framework's tree
/// order and `CFAssociations` in their original order.
pub fn export(framework: &Framework) -> Value {
    json!({
        "CFDocument": document(&framework.document),
        "CFItems": framework.items.iter().map(item).collect::<Vec<_>>(),
        "CFAssociations": framework.associations.iter().map(association).collect::<Vec<_>>(),
    })
}

/// An object of the verbatim members, with the read ones laid over them.
fn object(extra: &std::collections::BTreeMap<String, Value>) -> Map<String, Value> {
    extra.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<&String>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), Value::from(v.clone()));
    }
}

fn document(d: &Document) -> Value {
    let mut m = object(&d.extra);
    m.insert("identifier".into(), json!(d.identifier));
    m.insert("uri".into(), json!(d.uri));
    m.insert("creator".into(), json!(d.creator));
    m.insert("title".into(), json!(d.title));
    m.insert("lastChangeDateTime".into(), json!(d.last_change_date_time));
    put(&mut m, "caseVersion", d.case_version.as_ref());
    put(&mut m, "version", d.version.as_ref());
    put(&mut m, "adoptionStatus", d.adoption_status.as_ref());
    if let Some(license) = &d.license_uri {
        m.insert("licenseURI".into(), license.clone());
    }
    put(&mut m, "language", d.language.as_ref());
    Value::Object(m)
}

fn item(i: &Item) -> Value {
    let mut m = object(&i.extra);
    m.insert("identifier".into(), json!(i.id.as_str()));
    m.insert("uri".into(), json!(i.uri));
    m.insert("fullStatement".into(), json!(i.full_statement));
    put(&mut m, "humanCodingScheme", i.human_coding_scheme.as_ref());
    put(
        &mut m,
        "abbreviatedStatement",
        i.abbreviated_statement.as_ref(),
    );
    put(&mut m, "CFItemType", i.item_type.as_ref());
    put(&mut m, "listEnumeration", i.list_enumeration.as_ref());
    if !i.education_level.is_empty() {
        m.insert("educationLevel".into(), json!(i.education_level));
    }
    put(&mut m, "notes", i.notes.as_ref());
    put(&mut m, "language", i.language.as_ref());
    m.insert("lastChangeDateTime".into(), json!(i.last_change_date_time));
    Value::Object(m)
}

fn link(n: &NodeRef) -> Value {
    let mut m = Map::new();
    put(&mut m, "title", n.title.as_ref());
    m.insert("identifier".into(), json!(n.identifier));
    put(&mut m, "uri", n.uri.as_ref());
    Value::Object(m)
}

fn association(a: &Association) -> Value {
    let mut m = object(&a.extra);
    m.insert("identifier".into(), json!(a.identifier));
    m.insert("uri".into(), json!(a.uri));
    m.insert("associationType".into(), json!(a.association_type));
    m.insert("originNodeURI".into(), link(&a.origin));
    m.insert("destinationNodeURI".into(), link(&a.destination));
    if let Some(n) = a.sequence_number {
        m.insert("sequenceNumber".into(), json!(n));
    }
    m.insert("lastChangeDateTime".into(), json!(a.last_change_date_time));
    Value::Object(m)
}
