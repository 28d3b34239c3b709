//! The public routes and credential status changes (issue 10, items 5–6) through HTTP, on
//! SQLite and on PostgreSQL (`cargo xtask postgres -- cargo test -p cairn-lti --test
//! public_routes`): the credential page (content, escaping, CSP, ETag/304), content
//! negotiation, baked images, the issuer document, status lists, OB 2.0, the CLR export,
//! revocation and suspension (the list's bit and the page flip in the same request), and
//! 404s that tell nothing about other tenants.

#[path = "store_support/backends.rs"]
mod backends;
mod public_support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cairn::Timestamp;
use cairn::credential::bake;
use cairn::credential::status::StatusList;
use cairn::credential::{VerifyOptions, verify};
use cairn_lti::public::html::PAGE_CSP;
use cairn_lti::store::Store;
use public_support::{
    ANA_EMAIL, COURSE, HOSTILE_NAME, NOW, World, bytes_of, header_of, json_of, text_of,
};
use serde_json::{Value, json};

/// Runs each story on SQLite and PostgreSQL.
macro_rules! stories {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    let db = super::backends::SqliteDb::new(stringify!($story)).await;
                    super::$story(Arc::clone(&db.store)).await;
                    db.finish().await;
                }
            )*
            use std::sync::Arc;
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    let Some(db) = super::backends::PostgresDb::new(stringify!($story)).await
                    else { return };
                    super::$story(Arc::clone(&db.store)).await;
                    db.finish().await;
                }
            )*
            use std::sync::Arc;
        }
    };
}

stories!(
    the_page_shows_the_credential_as_text_under_a_strict_policy,
    json_is_the_stored_credential_byte_for_byte,
    baked_images_extract_to_the_same_credential,
    revocation_flips_the_list_and_the_page_at_once,
    concurrent_revocations_all_reach_the_list,
    suspension_is_shown_and_lifted,
    status_changes_need_the_right_role_and_tenant,
    unknown_ids_are_404_with_nothing_in_them,
    the_issuer_document_lists_every_key,
    ob2_assertion_is_hosted_and_gone_when_revoked,
    clr_bundles_the_learners_credentials,
    the_issuance_log_is_paged_and_scoped,
);

fn at(unix: i64) -> Timestamp {
    Timestamp::from_unix_seconds(unix)
}

fn credential_path(row: &cairn_lti::store::records::CredentialRow) -> String {
    format!("/credentials/{}", row.id)
}

fn list_path(row: &cairn_lti::store::records::CredentialRow) -> String {
    format!("/status/{}", row.status_list_id)
}

async fn status_list_text(world: &World, path: &str) -> String {
    let response = world.get(path, "application/vc+ld+json").await;
    let (status, text) = text_of(response).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    text
}

fn bit(list_credential: &str, index: i64) -> bool {
    let value: Value = serde_json::from_str(list_credential).expect("list JSON");
    let encoded = value["credentialSubject"]["encodedList"]
        .as_str()
        .expect("encodedList");
    StatusList::decode(encoded)
        .expect("decode")
        .get(usize::try_from(index).expect("index"))
        .expect("bit")
}

async fn the_page_shows_the_credential_as_text_under_a_strict_policy(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let response = world.get(&credential_path(&row), browser).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    let csp = header_of(&response, header::CONTENT_SECURITY_POLICY);
    assert_eq!(csp, PAGE_CSP);
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(header_of(&response, header::VARY), "Accept");
    let cache = header_of(&response, header::CACHE_CONTROL);
    assert!(cache.contains("max-age=60"), "{cache}");
    let etag = header_of(&response, header::ETAG);
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let (_, html) = text_of(response).await;

    // What was earned, as text: the hostile name is escaped everywhere.
    assert!(!html.contains("<script>alert"), "the name stays text");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Hazards &amp; &quot;Risks&quot;"));
    assert!(html.contains("Identify and report common workplace hazards."));
    assert!(
        html.contains("Identify hazards &lt;and&gt; name controls"),
        "the competency"
    );
    assert!(
        html.contains("College of https://canvas.a.example"),
        "the issuer"
    );
    assert!(html.contains("data-standing=\"valid\">Valid<"));
    assert!(html.contains("2026-01-01"), "the award date");
    // By whom, as the credential shows it: a hashed email, never the address or its hash.
    assert!(!html.contains(ANA_EMAIL));
    assert!(!html.contains("sha256$"));
    assert!(html.contains("an email address (kept private"));
    // The verifier module, downloads and LinkedIn.
    assert_eq!(html.matches("<script").count(), 1, "only the module file");
    assert!(html.contains("<script type=\"module\" src=\"/credential.mjs\"></script>"));
    assert!(html.contains("id=\"verify\""));
    for link in [".png", ".svg", ".json"] {
        assert!(
            html.contains(&format!("href=\"/credentials/{}{link}\"", row.id)),
            "{link}"
        );
    }
    assert!(
        html.contains(
            "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&amp;name="
        )
    );

    // The same page again with its ETag: 304, no body.
    let again = world
        .send(
            Request::get(credential_path(&row))
                .header(header::ACCEPT, browser)
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&again, header::ETAG), etag);
    assert!(bytes_of(again).await.is_empty());
}

async fn json_is_the_stored_credential_byte_for_byte(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    let stored = world
        .state
        .records
        .credential(&row.id)
        .await
        .expect("read")
        .expect("stored");
    let expected = stored.body.to_string();
    for media in [
        "application/json",
        "application/vc+ld+json",
        "application/ld+json",
        "text/html;q=0.5, application/ld+json",
    ] {
        let response = world.get(&credential_path(&row), media).await;
        assert_eq!(response.status(), StatusCode::OK, "{media}");
        let content_type = header_of(&response, header::CONTENT_TYPE);
        assert!(content_type.contains("json"), "{media}: {content_type}");
        assert_eq!(header_of(&response, header::VARY), "Accept");
        assert!(header_of(&response, header::CONTENT_SECURITY_POLICY).contains("sandbox"));
        let (_, text) = text_of(response).await;
        assert_eq!(text, expected, "{media}");
    }
    let (status, text) = text_of(
        world
            .get(&format!("{}.json", credential_path(&row)), "*/*")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text, expected);

    // The served credential verifies, against the served status list.
    let list = status_list_text(&world, &list_path(&row)).await;
    let report = verify(
        &text,
        &VerifyOptions {
            status_list: Some(&list),
            ..VerifyOptions::at(at(NOW + 60))
        },
    );
    assert!(report.verified, "{:?}", report.errors);
    assert!(
        report.warnings.iter().all(|w| w.code != "status_unchecked"),
        "{:?}",
        report.warnings
    );
}

async fn baked_images_extract_to_the_same_credential(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    let expected = row.body.to_string();
    for (suffix, media) in [("png", "image/png"), ("svg", "image/svg+xml")] {
        let response = world
            .get(&format!("{}.{suffix}", credential_path(&row)), "*/*")
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{suffix}");
        assert_eq!(header_of(&response, header::CONTENT_TYPE), media);
        assert!(header_of(&response, header::CACHE_CONTROL).contains("immutable"));
        assert!(header_of(&response, header::CONTENT_SECURITY_POLICY).contains("sandbox"));
        let image = bytes_of(response).await;
        let extracted = bake::extract(&image).expect("extract");
        assert_eq!(extracted.text, expected, "{suffix}");
        let report =
            cairn::credential::verify::verify_image(&image, &VerifyOptions::at(at(NOW + 60)));
        assert!(report.verified, "{suffix}: {:?}", report.errors);
    }
}

async fn revoke(world: &World, token: &str, id: &str, reason: &str) -> (StatusCode, Value) {
    json_of(
        world
            .post(
                &format!("/api/credentials/{id}/revoke"),
                token,
                json!({"reason": reason}),
            )
            .await,
    )
    .await
}

async fn revocation_flips_the_list_and_the_page_at_once(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    let other = world.issue(&world.a, "ben").await;
    let before = status_list_text(&world, &list_path(&row)).await;
    assert!(!bit(&before, row.status_index));
    let page = world.get(&credential_path(&row), "text/html").await;
    let etag_before = header_of(&page, header::ETAG);

    world.clock.advance(3600);
    let teacher = world
        .token(&world.a, COURSE, "teacher", &["instructor"])
        .await;
    let (status, body) = revoke(&world, &teacher, &row.id, "Issued <in error>").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "revoked");
    assert_eq!(body["revoked_reason"], "Issued <in error>");
    assert_eq!(body["revoked_by"], "teacher");
    // The learner's record says so too: the core's event, with who and why.
    let seq = body["event_seq"].as_i64().expect("the record's event");
    let scope = row.scope.clone();
    let (log, _) = world.state.records.learner_log(&scope).await.expect("log");
    let event = log.iter().find(|e| e.seq == seq).expect("stored event");
    assert_eq!(event.author.sub, "teacher");
    assert_eq!(event.meta["credential_id"], row.id.as_str());
    let event_json = serde_json::to_value(&event.event).expect("event json");
    assert_eq!(event_json["type"], "credential_revoked");
    assert_eq!(event_json["reason"], "Issued <in error>");
    let held = world
        .state
        .records
        .learner_credentials(&scope)
        .await
        .expect("credentials");
    assert_eq!(held.len(), 1, "the record's revocation issues nothing new");

    // The list: the bit is set, nobody else's; it is signed and verifies.
    let after = status_list_text(&world, &list_path(&row)).await;
    assert!(bit(&after, row.status_index));
    assert!(!bit(&after, other.status_index));
    let list_report = verify(&after, &VerifyOptions::at(at(NOW + 3600)));
    assert!(list_report.verified, "{:?}", list_report.errors);
    // The credential now fails verification as revoked; the other one still verifies.
    let report = verify(
        &row.body.to_string(),
        &VerifyOptions {
            status_list: Some(&after),
            ..VerifyOptions::at(at(NOW + 3600))
        },
    );
    assert!(!report.verified);
    assert!(
        report.errors.iter().any(|e| e.code == "revoked"),
        "{:?}",
        report.errors
    );
    let report = verify(
        &other.body.to_string(),
        &VerifyOptions {
            status_list: Some(&after),
            ..VerifyOptions::at(at(NOW + 3600))
        },
    );
    assert!(report.verified, "{:?}", report.errors);

    // The page says so, with the reason escaped, and its ETag changed.
    let page = world.get(&credential_path(&row), "text/html").await;
    assert_ne!(header_of(&page, header::ETAG), etag_before);
    let (_, html) = text_of(page).await;
    assert!(
        html.contains("data-standing=\"revoked\">Revoked<"),
        "{html}"
    );
    assert!(html.contains("Reason: Issued &lt;in error&gt;"));
    // The stored credential itself never changed.
    let (_, json) = text_of(world.get(&credential_path(&row), "application/json").await).await;
    assert_eq!(json, row.body.to_string());

    // A second revocation is refused and changes nothing.
    let (status, body) = revoke(&world, &teacher, &row.id, "again").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_revoked"))
    );
}

async fn concurrent_revocations_all_reach_the_list(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let mut rows = Vec::new();
    for sub in ["l1", "l2", "l3", "l4", "l5", "l6"] {
        rows.push(world.issue(&world.a, sub).await);
    }
    let teacher = world
        .token(&world.a, COURSE, "teacher", &["instructor"])
        .await;
    let mut tasks = Vec::new();
    for row in &rows {
        let request = Request::post(format!("/api/credentials/{}/revoke", row.id))
            .header(header::AUTHORIZATION, format!("Bearer {teacher}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"reason\": \"batch\"}"))
            .expect("request");
        let app = cairn_lti::app(world.state.clone());
        tasks.push(tokio::spawn(async move {
            tower::ServiceExt::oneshot(app, request)
                .await
                .expect("infallible")
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }
    // Whatever order the re-signings committed in, the stored list has every bit.
    let list = status_list_text(&world, &list_path(&rows[0])).await;
    for row in &rows {
        assert_eq!(row.status_list_id, rows[0].status_list_id);
        assert!(bit(&list, row.status_index), "{}", row.id);
    }
}

async fn suspension_is_shown_and_lifted(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    let teacher = world
        .token(&world.a, COURSE, "teacher", &["instructor"])
        .await;
    let path = format!("/api/credentials/{}/suspend", row.id);
    let (status, body) = json_of(
        world
            .post(&path, &teacher, json!({"reason": "under review"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "suspended");
    let stored = world
        .state
        .records
        .credential(&row.id)
        .await
        .expect("read")
        .expect("row");
    let list_id = stored
        .suspension_list_id
        .clone()
        .expect("a suspension entry");
    let index = stored.suspension_index.expect("index");
    let list = status_list_text(&world, &format!("/status/{list_id}")).await;
    assert!(bit(&list, index));
    let list_value: Value = serde_json::from_str(&list).expect("json");
    assert_eq!(
        list_value["credentialSubject"]["statusPurpose"],
        "suspension"
    );
    assert!(verify(&list, &VerifyOptions::at(at(NOW + 10))).verified);
    let (_, html) = text_of(world.get(&credential_path(&row), "text/html").await).await;
    assert!(html.contains("data-standing=\"suspended\">Suspended<"));
    assert!(html.contains("Reason: under review"));
    let (status, body) = json_of(
        world
            .post(&path, &teacher, json!({"reason": "twice"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_suspended"))
    );

    let lift = format!("/api/credentials/{}/unsuspend", row.id);
    let (status, body) = json_of(world.post(&lift, &teacher, json!({})).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "valid");
    let list = status_list_text(&world, &format!("/status/{list_id}")).await;
    assert!(!bit(&list, index));
    let (_, html) = text_of(world.get(&credential_path(&row), "text/html").await).await;
    assert!(html.contains("data-standing=\"valid\">Valid<"));
    // Suspending again reuses the credential's entry.
    let (status, _) = json_of(
        world
            .post(&path, &teacher, json!({"reason": "again"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let again = world
        .state
        .records
        .credential(&row.id)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(
        (again.suspension_list_id, again.suspension_index),
        (Some(list_id), Some(index))
    );
}

async fn status_changes_need_the_right_role_and_tenant(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    let cases = [
        // A learner of the same course: forbidden.
        (
            world.token(&world.a, COURSE, "ana", &["learner"]).await,
            StatusCode::FORBIDDEN,
        ),
        // An instructor of another course of the same tenant: not found.
        (
            world
                .token(&world.a, "course-2", "teacher", &["instructor"])
                .await,
            StatusCode::NOT_FOUND,
        ),
        // An instructor and an admin of the other tenant: not found.
        (
            world
                .token(&world.b, COURSE, "teacher", &["instructor"])
                .await,
            StatusCode::NOT_FOUND,
        ),
        (
            world.token(&world.b, COURSE, "root", &["admin"]).await,
            StatusCode::NOT_FOUND,
        ),
    ];
    for (token, expected) in &cases {
        for action in ["revoke", "suspend", "unsuspend"] {
            let response = world
                .post(
                    &format!("/api/credentials/{}/{action}", row.id),
                    token,
                    json!({"reason": "x"}),
                )
                .await;
            let (status, body) = json_of(response).await;
            assert_eq!(status, *expected, "{action}: {body}");
            let text = body.to_string();
            assert!(
                !text.contains("\"ana\"") && !text.contains("haz"),
                "no data: {text}"
            );
            assert_eq!(
                body.as_object().map(|o| o.len()),
                Some(3),
                "only code, message, details"
            );
        }
    }
    // Without a token: 401; without a reason: 400 and nothing changes.
    let response = world
        .send(
            Request::post(format!("/api/credentials/{}/revoke", row.id))
                .body(Body::from("{\"reason\": \"x\"}"))
                .expect("request"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let admin = world.token(&world.a, "course-9", "root", &["admin"]).await;
    let (status, body) = revoke(&world, &admin, &row.id, "   ").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
    let unchanged = world
        .state
        .records
        .credential(&row.id)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(unchanged.revoked_at, None);
    // An admin of the tenant may, from any course.
    let (status, body) = revoke(&world, &admin, &row.id, "fraud").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn unknown_ids_are_404_with_nothing_in_them(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    let unknown = "0b6f8a4e-3c1d-4f2a-9b7e-5d4c3b2a1f00";
    for path in [
        format!("/credentials/{unknown}"),
        format!("/credentials/{unknown}.png"),
        format!("/credentials/{unknown}.svg"),
        format!("/credentials/{unknown}.json"),
        "/credentials/not-a-uuid".to_owned(),
        format!("/credentials/{}", row.id.to_uppercase()),
        "/issuers/nobody".to_owned(),
        "/issuers/nobody/did.json".to_owned(),
        "/status/nothing".to_owned(),
        format!("/ob2/assertions/{unknown}"),
        format!("/ob2/assertions/{unknown}/badge"),
        "/ob2/issuers/nobody".to_owned(),
    ] {
        for accept in ["text/html", "application/json"] {
            let response = world.get(&path, accept).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(
                header_of(&response, header::CACHE_CONTROL),
                "no-store",
                "{path}"
            );
            let (_, text) = text_of(response).await;
            let secrets = [
                row.id.as_str(),
                world.a.issuer.issuer_id.as_str(),
                world.b.issuer.issuer_id.as_str(),
                "ana",
                "haz",
            ];
            for secret in secrets {
                assert!(!text.contains(secret), "{path} leaks {secret}: {text}");
            }
        }
    }
    // Another tenant's instructor reads no issuance log of tenant A.
    let other = world
        .token(&world.b, COURSE, "teacher", &["instructor"])
        .await;
    let (status, body) = json_of(world.get_as("/api/credentials", &other).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"], json!([]));
    // Nor a CLR of tenant A's learner.
    let (status, body) = json_of(world.get_as("/api/learners/ana/clr", &other).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

async fn the_issuer_document_lists_every_key(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    let kek = world.state.kek.clone().expect("kek");
    let old_key = row.key_id.clone();
    cairn_lti::issuer::rotate_key(
        world.state.records.as_ref(),
        &kek,
        &world.a.issuer,
        NOW + 10,
    )
    .await
    .expect("rotate");
    // The engine keeps a tenant's signer a few seconds; a rotation here forgets it.
    world.state.engine.forget_signer(world.a.registration_id);
    world.clock.advance(20);
    let fresh = world.issue(&world.a, "ben").await;
    assert_ne!(fresh.key_id, old_key);

    let path = format!("/issuers/{}", world.a.issuer.id);
    let (status, doc) = json_of(world.get(&path, "application/ld+json").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["id"], world.a.issuer.issuer_id);
    assert_eq!(doc["name"], "College of https://canvas.a.example");
    let methods: Vec<&str> = doc["verificationMethod"]
        .as_array()
        .expect("methods")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(
        methods.contains(&old_key.as_str()) && methods.contains(&fresh.key_id.as_str()),
        "{methods:?}"
    );
    assert_eq!(doc["assertionMethod"].as_array().map(Vec::len), Some(2));
    assert!(!doc.to_string().contains("sealed"));
    // Both credentials verify with this document as the only way to their keys.
    for credential in [&row, &fresh] {
        let report = verify(
            &credential.body.to_string(),
            &VerifyOptions {
                controllers: vec![doc.clone()],
                no_fragment_key: true,
                ..VerifyOptions::at(at(NOW + 60))
            },
        );
        assert!(report.verified, "{:?}", report.errors);
    }
    // Browsers get the profile page; did.json is the did:web document.
    let (status, html) = text_of(world.get(&path, "text/html").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("College of https://canvas.a.example"));
    let (status, did) = json_of(world.get(&format!("{path}/did.json"), "*/*").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        did["id"],
        format!("did:web:tool.test:issuers:{}", world.a.issuer.id)
    );
    assert_eq!(did["alsoKnownAs"][0], world.a.issuer.issuer_id);
    assert_eq!(did["verificationMethod"].as_array().map(Vec::len), Some(2));
}

async fn ob2_assertion_is_hosted_and_gone_when_revoked(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    let path = format!("/ob2/assertions/{}", row.id);
    let (status, assertion) = json_of(world.get(&path, "application/json").await).await;
    assert_eq!(status, StatusCode::OK, "{assertion}");
    assert_eq!(assertion["type"], "Assertion");
    assert_eq!(assertion["id"], format!("https://tool.test{path}"));
    assert_eq!(assertion["verification"]["type"], "hosted");
    assert_eq!(assertion["recipient"]["hashed"], true);
    let badge_url = assertion["badge"].as_str().expect("badge").to_owned();
    let badge_path = badge_url
        .strip_prefix("https://tool.test")
        .expect("same origin");
    let (status, badge) = json_of(world.get(badge_path, "application/json").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(badge["type"], "BadgeClass");
    assert_eq!(badge["name"], HOSTILE_NAME);
    let issuer_path = badge["issuer"]
        .as_str()
        .and_then(|u| u.strip_prefix("https://tool.test"))
        .expect("issuer on this origin")
        .to_owned();
    let (status, profile) = json_of(world.get(&issuer_path, "application/json").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (profile["type"].as_str(), profile["email"].as_str()),
        (Some("Issuer"), Some("badges@college.example"))
    );
    // The page links it.
    let (_, html) = text_of(world.get(&credential_path(&row), "text/html").await).await;
    assert!(html.contains(&format!("href=\"{path}\"")));

    let teacher = world
        .token(&world.a, COURSE, "teacher", &["instructor"])
        .await;
    let (status, _) = revoke(&world, &teacher, &row.id, "withdrawn").await;
    assert_eq!(status, StatusCode::OK);
    let (status, gone) = json_of(world.get(&path, "application/json").await).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(
        (gone["revoked"].as_bool(), gone["revocationReason"].as_str()),
        (Some(true), Some("withdrawn"))
    );
}

async fn clr_bundles_the_learners_credentials(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let row = world.issue(&world.a, "ana").await;
    world.issue(&world.a, "ben").await;
    let ana = world.token(&world.a, COURSE, "ana", &["learner"]).await;
    let response = world.get_as("/api/learners/ana/clr", &ana).await;
    assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-store");
    let (status, clr) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{clr}");
    assert_eq!(
        clr["type"],
        json!(["VerifiableCredential", "ClrCredential"])
    );
    let nested = clr["credentialSubject"]["verifiableCredential"]
        .as_array()
        .expect("nested");
    assert_eq!(nested, &vec![row.body.clone()], "only ana's, verbatim");
    let report = verify(&clr.to_string(), &VerifyOptions::at(at(NOW + 60)));
    assert!(report.verified, "{:?}", report.errors);

    // Another learner may not export ana's; her instructor may.
    let ben = world.token(&world.a, COURSE, "ben", &["learner"]).await;
    let (status, _) = json_of(world.get_as("/api/learners/ana/clr", &ben).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let teacher = world
        .token(&world.a, COURSE, "teacher", &["instructor"])
        .await;
    let (status, _) = json_of(world.get_as("/api/learners/ana/clr", &teacher).await).await;
    assert_eq!(status, StatusCode::OK);
    // A revoked credential leaves the bundle; with none left, 404.
    let (status, _) = revoke(&world, &teacher, &row.id, "x").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = json_of(world.get_as("/api/learners/ana/clr", &ana).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_issuance_log_is_paged_and_scoped(store: Arc<dyn Store>) {
    let world = World::new(store).await;
    let mut ids = Vec::new();
    for sub in ["ana", "ben", "cem"] {
        ids.push(world.issue(&world.a, sub).await.id);
    }
    world.issue(&world.b, "dan").await;
    ids.sort();
    let teacher = world
        .token(&world.a, COURSE, "teacher", &["instructor"])
        .await;
    let (status, first) = json_of(world.get_as("/api/credentials?limit=2", &teacher).await).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let items = first["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], ids[0]);
    assert_eq!(items[0]["status"], "valid");
    assert!(
        items[0].get("body").is_none(),
        "no credential bodies in the log"
    );
    let next = first["next"].as_str().expect("next page");
    let (_, second) = json_of(
        world
            .get_as(&format!("/api/credentials?limit=2&after={next}"), &teacher)
            .await,
    )
    .await;
    let rest: Vec<&str> = second["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(rest, [ids[2].as_str()]);
    assert!(second["next"].is_null());
    let learner = world.token(&world.a, COURSE, "ana", &["learner"]).await;
    let (status, _) = json_of(world.get_as("/api/credentials", &learner).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = json_of(world.get_as("/api/credentials?limit=0", &teacher).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_limit"))
    );
}
