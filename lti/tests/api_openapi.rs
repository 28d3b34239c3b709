//! The OpenAPI document at `/api/openapi.json` and the routes agree: every documented path and
//! method reaches a handler (it answers the API's JSON refusal for a missing token, not the
//! page's fallback), and every `/api` route the router source declares is documented.

mod api_support;

use api_support::{Api, Backend};
use axum::http::{Method, StatusCode};
use serde_json::Value;

/// Each documented operation as (method, path with `{param}`s).
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                out.push((method.to_owned(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_documented_operation_reaches_a_handler() {
    let Some(api) = Api::new(Backend::Sqlite, "openapi_ops").await else {
        return;
    };
    let (status, doc) = api.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.")
    );
    let ops = operations(&doc);
    assert!(ops.len() > 40, "only {} operations", ops.len());
    for (method, path) in &ops {
        if path == "/api/openapi.json" {
            continue;
        }
        let concrete = path.replace('{', "x").replace('}', "");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let (status, body) = api.call(method.clone(), &concrete, None, None).await;
        // The admin API wants its token; the rest a session's: either way the handler's own
        // JSON refusal, never the static page's 404/405.
        assert!(
            status == StatusCode::UNAUTHORIZED
                || (path.starts_with("/api/admin") && status == StatusCode::NOT_FOUND),
            "{method} {path}: {status} {body}"
        );
        assert!(body["code"].is_string(), "{method} {path}: {body}");
    }
    api.finish().await;
}

#[test]
fn every_api_route_in_the_router_source_is_documented() {
    let doc = cairn_lti::routes::openapi_document();
    let ops = operations(doc);
    let paths: Vec<&str> = ops.iter().map(|(_, p)| p.as_str()).collect();
    // Every `/api` path written as a literal in the routers and handler attributes.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut literals = Vec::new();
    for file in ["routes/mod.rs", "public/mod.rs"] {
        let text = std::fs::read_to_string(format!("{root}/{file}")).expect("source");
        for (i, _) in text.match_indices(".route(\"") {
            let rest = &text[i + 8..];
            let end = rest.find('"').expect("closing quote");
            literals.push(rest[..end].to_owned());
        }
        for (i, _) in text.match_indices(".nest(\"/api/admin\"") {
            let _ = i;
            for sub in ["/registrations", "/deployments"] {
                literals.push(format!("/api/admin{sub}"));
            }
        }
    }
    let api_literals: Vec<&String> = literals.iter().filter(|p| p.starts_with("/api")).collect();
    for path in &api_literals {
        assert!(
            paths.contains(&path.as_str()),
            "{path} is routed but not documented"
        );
    }
    // The admin router's own paths (nested, relative) are documented with the prefix.
    assert!(paths.contains(&"/api/admin/registrations"));
    assert!(paths.contains(&"/api/admin/deployments"));
    // Everything the API's route list registers is documented by construction; check the
    // list is the document's: each documented non-admin path is in `api::router()`.
    let routed = cairn_lti::routes::api_routes().into_openapi();
    let routed = serde_json::to_value(&routed).expect("json");
    let elsewhere = ["/api/admin"];
    for (method, path) in &ops {
        if elsewhere.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        assert!(
            routed["paths"][path][method].is_object(),
            "{method} {path} is documented but not routed"
        );
    }
}

/// Every `$ref` in the document names a schema the document defines.
#[test]
fn every_schema_reference_resolves() {
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("$ref", Value::String(r)) => out.push(r),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = cairn_lti::routes::openapi_document();
    let mut found = Vec::new();
    refs(doc, &mut found);
    assert!(found.len() > 20, "{} references", found.len());
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} is not defined"
        );
    }
}
