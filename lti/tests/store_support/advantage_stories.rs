//! Store stories of the LTI Advantage rows (migration 0007): Deep Linking placements and NRPS
//! rosters, run on both backends by `lti/tests/store.rs` like the other stories.

use cairn_lti::store::advantage_rows::{PlacementRow, RosterMember};
use cairn_lti::store::{NewRegistration, PlatformFamily, Store};

async fn registration(store: &dyn Store, client_id: &str) -> i64 {
    store
        .add_registration(
            &NewRegistration {
                issuer: "https://lms.example".into(),
                client_id: client_id.into(),
                auth_endpoint: "https://lms.example/auth".into(),
                token_endpoint: "https://lms.example/token".into(),
                jwks_url: "https://lms.example/jwks".into(),
                client_assertion_audience: None,
                platform_family: PlatformFamily::Moodle,
                auto_register_deployments: false,
                allow_http: false,
            },
            1,
        )
        .await
        .expect("add registration")
        .id
}

fn placement(id: &str, registration_id: i64, assessment: Option<&str>) -> PlacementRow {
    PlacementRow {
        id: id.into(),
        registration_id,
        deployment_id: "1".into(),
        context_id: "course-1".into(),
        definition_id: "spt".into(),
        assessment_id: assessment.map(str::to_owned),
        title: format!("title of {id}"),
        created_by: "teacher".into(),
        created_at: 10,
        resource_link_id: None,
    }
}

fn member(sub: &str, status: &str) -> RosterMember {
    RosterMember {
        user_sub: sub.into(),
        name: Some(format!("Name {sub}")),
        given_name: None,
        family_name: None,
        email: None,
        roles: vec!["learner".into()],
        status: status.into(),
        first_seen_at: 0,
        last_seen_at: 0,
        left_at: None,
    }
}

/// Placements are scoped by registration and context, bound to their first resource link
/// only; a roster replacement marks the unlisted member left and keeps them.
pub async fn placements_and_rosters_round_trip(store: &dyn Store) {
    let a = registration(store, "client-a").await;
    let b = registration(store, "client-b").await;
    let rows = store.advantage();
    rows.insert_placements(&[
        placement("p1", a, Some("SPT-DEMO")),
        placement("p2", a, None),
    ])
    .await
    .expect("insert");
    assert!(
        rows.insert_placements(&[placement("p3", a, None), placement("p1", a, None)])
            .await
            .is_err(),
        "a duplicate id fails the whole response"
    );
    assert_eq!(rows.placements(a, "course-1").await.unwrap().len(), 2);
    assert_eq!(
        rows.placement(b, "course-1", "p1").await.unwrap(),
        None,
        "tenant"
    );
    assert_eq!(
        rows.placement(a, "course-2", "p1").await.unwrap(),
        None,
        "context"
    );
    let found = rows.placement(a, "course-1", "p1").await.unwrap().unwrap();
    assert_eq!(found, placement("p1", a, Some("SPT-DEMO")));
    assert!(rows.bind_placement(a, "p1", "link-1").await.unwrap());
    assert!(
        !rows.bind_placement(a, "p1", "link-2").await.unwrap(),
        "first launch wins"
    );
    assert!(
        !rows.bind_placement(b, "p2", "link-3").await.unwrap(),
        "tenant"
    );
    let bound = rows
        .placement_for_link(a, "course-1", "link-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bound.id, "p1");
    assert_eq!(bound.resource_link_id.as_deref(), Some("link-1"));
    assert_eq!(
        rows.placement_for_link(b, "course-1", "link-1")
            .await
            .unwrap(),
        None
    );

    let url = "https://lms.example/memberships";
    let change = rows
        .replace_roster(
            a,
            "course-1",
            url,
            &[member("s1", "Active"), member("s2", "Inactive")],
            100,
        )
        .await
        .unwrap();
    assert_eq!((change.listed, change.left), (2, 0));
    let change = rows
        .replace_roster(a, "course-1", url, &[member("s1", "Active")], 200)
        .await
        .unwrap();
    assert_eq!((change.listed, change.left), (1, 1));
    let (fetch, members) = rows.roster(a, "course-1").await.unwrap();
    let fetch = fetch.unwrap();
    assert_eq!(
        (
            fetch.fetched_at,
            fetch.members,
            fetch.memberships_url.as_str()
        ),
        (200, 1, url)
    );
    assert_eq!(members.len(), 2, "the leaver is kept");
    assert_eq!(members[0].first_seen_at, 100);
    assert_eq!(members[0].last_seen_at, 200);
    assert!(members[0].is_current());
    assert_eq!(members[1].left_at, Some(200));
    assert_eq!(members[1].roles, ["learner"]);
    // Listed again: back, not left.
    rows.replace_roster(
        a,
        "course-1",
        url,
        &[member("s1", "Active"), member("s2", "Active")],
        300,
    )
    .await
    .unwrap();
    let (_, members) = rows.roster(a, "course-1").await.unwrap();
    assert!(members.iter().all(|m| m.left_at.is_none()));
    let (none, empty) = rows.roster(b, "course-1").await.unwrap();
    assert!(none.is_none() && empty.is_empty(), "tenant");
}
