//! Imports every CASE package of `../shared/fixtures/case/` and checks it against that
//! folder's `expected.json`; then mutated and hostile packages, each refused with its code.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cairn::case::{
    CaseError, Conformance, Framework, ImportOptions, Limits, NodeKind, changes, import,
    import_with,
};
use serde_json::{Value, json};

fn case_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/case")
}

fn read(name: &str) -> String {
    let path = case_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every package file of the fixture folder with its expected facts.
fn packages() -> Vec<(String, String, Value)> {
    let expected: BTreeMap<String, Value> =
        serde_json::from_str(&read("expected.json")).expect("expected.json parses");
    let mut files: Vec<String> = std::fs::read_dir(case_dir())
        .expect("fixture folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && n != "expected.json")
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        expected.len(),
        "every package has expected facts and vice versa"
    );
    files
        .into_iter()
        .map(|f| {
            let want = expected
                .get(&f)
                .unwrap_or_else(|| panic!("{f} missing from expected.json"));
            (f.clone(), read(&f), want.clone())
        })
        .collect()
}

fn code_of(f: &Framework, id: &str) -> String {
    let item = f.item(id).unwrap_or_else(|| panic!("no item {id}"));
    item.human_coding_scheme
        .clone()
        .unwrap_or_else(|| item.id.to_string())
}

fn codes(f: &Framework, parent: Option<&str>) -> Vec<String> {
    f.children_of(parent)
        .iter()
        .map(|i| code_of(f, i.id.as_str()))
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

#[test]
fn every_fixture_package_matches_expected() {
    for (name, text, want) in packages() {
        let f = import_with(
            &text,
            &ImportOptions {
                conformance: Conformance::Lenient,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            Some(f.items.len() as u64),
            want["items"].as_u64(),
            "{name}: items"
        );

        let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
        for a in &f.associations {
            *by_type.entry(a.association_type.clone()).or_default() += 1;
        }
        let want_types: BTreeMap<String, u64> =
            serde_json::from_value(want["associations"].clone()).unwrap();
        assert_eq!(by_type, want_types, "{name}: associations by type");

        assert_eq!(
            Some(f.external_links.len() as u64),
            want["external_targets"].as_u64(),
            "{name}: external targets"
        );
        for &i in &f.external_links {
            assert_eq!(
                f.associations[i].destination.kind,
                NodeKind::External,
                "{name}"
            );
        }

        assert_eq!(
            codes(&f, None),
            strings(&want["top_level_in_order"]),
            "{name}: top level"
        );
        assert_eq!(
            Some(f.max_depth() as u64),
            want["max_depth"].as_u64(),
            "{name}: depth"
        );

        let want_children = want["children_in_order"].as_object().expect("object");
        let mut parents: Vec<String> = f
            .items
            .iter()
            .filter(|i| !f.children_of(Some(i.id.as_str())).is_empty())
            .map(|i| code_of(&f, i.id.as_str()))
            .collect();
        parents.sort();
        let mut want_parents: Vec<String> = want_children.keys().cloned().collect();
        want_parents.sort();
        assert_eq!(parents, want_parents, "{name}: which items have children");
        for (parent_code, kids) in want_children {
            let parent = f
                .items
                .iter()
                .find(|i| i.human_coding_scheme.as_deref() == Some(parent_code.as_str()))
                .unwrap_or_else(|| panic!("{name}: no item {parent_code}"));
            assert_eq!(
                codes(&f, Some(parent.id.as_str())),
                strings(kids),
                "{name}: children of {parent_code}"
            );
        }

        assert_eq!(
            f.strict_v1p1_errors,
            strings(&want["strict_v1p1_errors"]),
            "{name}"
        );
        assert_eq!(
            f.strict_v1p1_errors.is_empty(),
            want["strict_v1p1_valid"].as_bool().unwrap(),
            "{name}: strict validity"
        );
        assert_eq!(
            f.warnings.is_empty(),
            f.strict_v1p1_errors.is_empty(),
            "{name}: warnings"
        );
    }
}

#[test]
fn tree_comes_only_from_is_child_of() {
    for (name, text, _) in packages() {
        let f = import(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for item in &f.items {
            let parent = item
                .parent
                .as_ref()
                .map_or(f.document.identifier.as_str(), |p| p.as_str());
            let placed_by = f.associations.iter().find(|a| {
                a.origin.identifier == item.id.as_str() && a.destination.identifier == parent
            });
            let placed_by =
                placed_by.unwrap_or_else(|| panic!("{name}: no association places {}", item.id));
            assert_eq!(
                placed_by.association_type, "isChildOf",
                "{name}: {}",
                item.id
            );
            let expected_depth = match &item.parent {
                None => 1,
                Some(p) => f.item(p.as_str()).unwrap().depth + 1,
            };
            assert_eq!(item.depth, expected_depth);
        }
        // Tree order: every parent comes before its children.
        for (pos, item) in f.items.iter().enumerate() {
            if let Some(p) = &item.parent {
                let ppos = f.items.iter().position(|i| i.id == *p).unwrap();
                assert!(ppos < pos, "{name}: {} listed before its parent", item.id);
            }
        }
    }
}

#[test]
fn strict_mode_accepts_only_the_v1p1_package() {
    let strict = ImportOptions {
        conformance: Conformance::Strict,
        ..Default::default()
    };
    for (name, text, want) in packages() {
        let result = import_with(&text, &strict);
        if want["strict_v1p1_valid"].as_bool().unwrap() {
            assert!(result.is_ok(), "{name}: {result:?}");
        } else {
            match result {
                Err(CaseError::NotStrictV1p1 { reasons }) => {
                    assert_eq!(reasons, strings(&want["strict_v1p1_errors"]), "{name}")
                }
                other => panic!("{name}: expected not_strict_v1p1, got {other:?}"),
            }
        }
    }
}

#[test]
fn auto_mode_imports_every_fixture_and_reimport_is_a_no_op() {
    for (name, text, _) in packages() {
        let first = import(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = import(&text).unwrap();
        assert_eq!(first, again, "{name}: import is deterministic");
        assert!(changes(&first, &again).is_empty(), "{name}");
        let serialized = serde_json::to_string(&first).unwrap();
        assert_eq!(serialized, serde_json::to_string(&again).unwrap());
    }
}

#[test]
fn req_lms_09_every_fixture_exports_as_a_package_that_imports_to_the_same_framework() {
    for (name, text, _) in packages() {
        let first = import(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let exported = cairn::case::export(&first);
        let again = import(&exported.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again.document, first.document, "{name}");
        assert_eq!(again.items, first.items, "{name}");
        assert_eq!(again.associations, first.associations, "{name}");
        assert_eq!(again.external_links, first.external_links, "{name}");
        assert!(changes(&first, &again).is_empty(), "{name}");
        // A second round is byte-identical: the export is a fixed point.
        assert_eq!(cairn::case::export(&again), exported, "{name}");
    }
}

#[test]
fn statements_and_unread_members_are_kept_verbatim() {
    let f = import(&read("opensalt-act-holistic-math.json")).unwrap();
    let gm = f
        .items
        .iter()
        .find(|i| i.human_coding_scheme.as_deref() == Some("H.A.MATH.GM"))
        .unwrap();
    assert!(
        gm.full_statement.contains("two?- and"),
        "the stray ? is kept"
    );
    assert!(gm.extra.contains_key("CFDocumentURI"));
    assert!(f.document.extra.contains_key("CFPackageURI"));
    assert_eq!(
        gm.id.as_str(),
        "3d8cdec5-83d6-49b4-9300-91a824c59758",
        "identifier is the competency id"
    );
}

#[test]
fn reimport_with_an_edited_statement_is_a_change() {
    let text = read("cairn-minimal-v1p1.json");
    let old = import(&text).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let target = doc["CFItems"][0]["identifier"].as_str().unwrap().to_owned();
    doc["CFItems"][0]["fullStatement"] = json!("A reworded statement.");
    let new = import(&doc.to_string()).unwrap();
    let diff = changes(&old, &new);
    assert_eq!(
        diff.changed.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        [target.as_str()]
    );
    assert!(diff.added.is_empty() && diff.removed.is_empty());
}

// ---- mutations of a real package ----

fn minimal() -> Value {
    serde_json::from_str(&read("cairn-minimal-v1p1.json")).unwrap()
}

fn code(doc: &Value) -> &'static str {
    match import(&doc.to_string()) {
        Ok(_) => "ok",
        Err(e) => {
            assert!(!e.to_string().is_empty());
            e.code()
        }
    }
}

fn child_of_association(doc: &Value, origin_code: &str) -> usize {
    let id = doc["CFItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["humanCodingScheme"] == origin_code)
        .unwrap()["identifier"]
        .clone();
    doc["CFAssociations"]
        .as_array()
        .unwrap()
        .iter()
        .position(|a| a["associationType"] == "isChildOf" && a["originNodeURI"]["identifier"] == id)
        .unwrap()
}

#[test]
fn missing_required_fields_are_refused() {
    for (path, field) in [
        ("CFDocument", "title"),
        ("CFDocument", "identifier"),
        ("CFItems/0", "fullStatement"),
        ("CFItems/3", "identifier"),
        ("CFAssociations/2", "lastChangeDateTime"),
        ("CFAssociations/1", "originNodeURI"),
    ] {
        let mut doc = minimal();
        doc.pointer_mut(&format!("/{path}"))
            .and_then(Value::as_object_mut)
            .unwrap()
            .remove(field);
        assert_eq!(code(&doc), "missing_field", "{path}.{field}");
    }
    let mut doc = minimal();
    doc.as_object_mut().unwrap().remove("CFDocument");
    assert_eq!(code(&doc), "missing_field");
    let mut doc = minimal();
    doc["CFItems"][0]["fullStatement"] = json!(42);
    assert_eq!(code(&doc), "invalid_field");
}

#[test]
fn broken_identifier_in_a_v1p1_package_is_refused_but_lenient_mode_warns() {
    // Rename one item everywhere it appears (item and associations).
    let doc = minimal();
    let old_id = doc["CFItems"][2]["identifier"].as_str().unwrap().to_owned();
    let text = doc
        .to_string()
        .replace(&old_id, "d0000000-0000-0000-0000-000000000000");
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(code(&doc), "invalid_identifier");
    let lenient = ImportOptions {
        conformance: Conformance::Lenient,
        ..Default::default()
    };
    let f = import_with(&doc.to_string(), &lenient).unwrap();
    assert!(f.warnings.iter().any(|w| w.code == "not_strict_v1p1"));
    assert!(!f.strict_v1p1_errors.is_empty());
    // Without caseVersion (an older package) the same identifier imports with a warning.
    doc["CFDocument"]
        .as_object_mut()
        .unwrap()
        .remove("caseVersion");
    assert_eq!(code(&doc), "ok");
}

#[test]
fn is_child_of_cycles_are_refused() {
    // K1.1 is a child of K1; make K1 a child of K1.1.
    let mut doc = minimal();
    let k1 = child_of_association(&doc, "SPT.K1");
    let k11 = doc["CFItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["humanCodingScheme"] == "SPT.K1.1")
        .unwrap()
        .clone();
    doc["CFAssociations"][k1]["destinationNodeURI"]["identifier"] = k11["identifier"].clone();
    match import(&doc.to_string()) {
        Err(CaseError::ChildOfCycle { items }) => {
            assert!(items.contains(&"SPT.K1".to_owned()) && items.contains(&"SPT.K1.1".to_owned()))
        }
        other => panic!("expected a cycle, got {other:?}"),
    }
    // A self-loop is a cycle too.
    let mut doc = minimal();
    let a = child_of_association(&doc, "SPT.K2");
    let origin = doc["CFAssociations"][a]["originNodeURI"]["identifier"].clone();
    doc["CFAssociations"][a]["destinationNodeURI"]["identifier"] = origin;
    assert_eq!(code(&doc), "child_of_cycle");
}

#[test]
fn an_association_from_a_missing_origin_is_refused() {
    let mut doc = minimal();
    doc["CFAssociations"][0]["originNodeURI"]["identifier"] =
        json!("0b8e6f3a-6a3e-4c1d-8f7e-5a2b9c0d1eff");
    assert_eq!(code(&doc), "missing_origin");
}

#[test]
fn duplicate_identifiers_are_refused() {
    let mut doc = minimal();
    doc["CFItems"][1]["identifier"] = doc["CFItems"][0]["identifier"].clone();
    assert_eq!(code(&doc), "duplicate_identifier");
    let mut doc = minimal();
    doc["CFAssociations"][1]["identifier"] = doc["CFDocument"]["identifier"].clone();
    assert_eq!(code(&doc), "duplicate_identifier");
}

// ---- hostile packages ----

fn uuid(n: usize) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", n / 1_000_000, n)
}

/// A 1.1 package whose items form one chain `depth` deep.
fn chain(depth: usize) -> String {
    let doc_id = uuid(0);
    let item = |i: usize| {
        json!({"identifier": uuid(i), "uri": format!("https://x.example/{i}"),
               "fullStatement": format!("statement {i}"), "humanCodingScheme": format!("C{i}"),
               "lastChangeDateTime": "2025-01-06T14:00:00+00:00"})
    };
    let assoc = |i: usize| {
        let parent = if i == 1 { doc_id.clone() } else { uuid(i - 1) };
        json!({"identifier": uuid(10_000_000 + i), "uri": format!("https://x.example/a{i}"),
               "associationType": "isChildOf", "lastChangeDateTime": "2025-01-06T14:00:00+00:00",
               "originNodeURI": {"title": "o", "identifier": uuid(i), "uri": "https://x.example/o"},
               "destinationNodeURI": {"title": "d", "identifier": parent, "uri": "https://x.example/d"}})
    };
    json!({
        "CFDocument": {"identifier": doc_id, "uri": "https://x.example/doc", "creator": "c",
                        "title": "t", "lastChangeDateTime": "2025-01-06T14:00:00+00:00",
                        "caseVersion": "1.1"},
        "CFItems": (1..=depth).map(item).collect::<Vec<_>>(),
        "CFAssociations": (1..=depth).map(assoc).collect::<Vec<_>>(),
    })
    .to_string()
}

#[test]
fn limits_are_enforced_with_typed_errors() {
    let text = chain(40);
    let with = |limits: Limits| {
        import_with(
            &text,
            &ImportOptions {
                limits,
                ..Default::default()
            },
        )
    };
    let base = Limits::default();
    assert_eq!(
        with(Limits {
            max_bytes: 1000,
            ..base
        })
        .unwrap_err()
        .code(),
        "too_large"
    );
    assert_eq!(
        with(Limits {
            max_items: 39,
            ..base
        })
        .unwrap_err()
        .code(),
        "too_many_items"
    );
    assert_eq!(
        with(Limits {
            max_associations: 10,
            ..base
        })
        .unwrap_err()
        .code(),
        "too_many_associations"
    );
    assert_eq!(
        with(Limits {
            max_depth: 39,
            ..base
        })
        .unwrap_err()
        .code(),
        "too_deep"
    );
    let f = with(Limits {
        max_depth: 40,
        ..base
    })
    .unwrap();
    assert_eq!(f.max_depth(), 40);
}

#[test]
fn a_very_deep_chain_neither_overflows_the_stack_nor_passes_the_default_limit() {
    let text = chain(20_000);
    assert_eq!(import(&text).unwrap_err().code(), "too_deep");
    let deep = ImportOptions {
        limits: Limits {
            max_depth: usize::MAX,
            ..Limits::default()
        },
        ..Default::default()
    };
    assert_eq!(import_with(&text, &deep).unwrap().max_depth(), 20_000);
}

#[test]
fn malformed_json_shapes_are_refused() {
    assert_eq!(import("").unwrap_err().code(), "invalid_json");
    assert_eq!(
        import(&"[".repeat(100_000)).unwrap_err().code(),
        "invalid_json"
    );
    assert_eq!(import("[]").unwrap_err().code(), "invalid_field");
    assert_eq!(
        import(r#"{"CFDocument": 3}"#).unwrap_err().code(),
        "invalid_field"
    );
    let mut doc = minimal();
    doc["CFItems"] = json!({"not": "an array"});
    assert_eq!(code(&doc), "invalid_field");
    let mut doc = minimal();
    doc["CFItems"][0] = json!("an item");
    assert_eq!(code(&doc), "invalid_field");
    let mut doc = minimal();
    doc["CFAssociations"][0]["originNodeURI"] = json!("https://x.example/just-a-uri");
    assert_eq!(code(&doc), "invalid_field");
}

#[test]
fn orphans_and_external_parents_are_listed_at_top_level_with_warnings() {
    let mut doc = minimal();
    let a = child_of_association(&doc, "SPT.K3.2");
    doc["CFAssociations"].as_array_mut().unwrap().remove(a);
    let f = import(&doc.to_string()).unwrap();
    let orphan = f
        .items
        .iter()
        .find(|i| i.human_coding_scheme.as_deref() == Some("SPT.K3.2"))
        .unwrap();
    assert_eq!((orphan.parent.clone(), orphan.depth), (None, 1));
    assert!(f.warnings.iter().any(|w| w.code == "orphan_item"));
    assert_eq!(f.items.last().unwrap().id, orphan.id, "orphans come last");
}
