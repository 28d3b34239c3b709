//! The id_token payload the demo platform signs for one launch, modelled on the recorded
//! claim sets in `fixtures/lti/claims/` (`canvas-teacher`/`canvas-student`,
//! `moodle41-teacher`/`moodle41-student`) but built here, so the demo runs from a clone
//! without `../shared`. Service URLs point at the demo platform itself. Pure: `now` and the
//! nonce come in as arguments.

use serde_json::{Map, Value, json};

use super::people::{COURSE_TITLE, CourseRole, Flavour, Person};

/// The LTI claim prefix.
const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";
/// `lis:` role vocabulary.
const LIS: &str = "http://purl.imsglobal.org/vocab/lis/v2/";

/// What one launch needs besides the person: where the platform and the tool are, and the
/// login's nonce.
#[derive(Clone, Copy, Debug)]
pub struct LaunchFacts<'a> {
    /// Which LMS.
    pub flavour: Flavour,
    /// Who launches.
    pub person: &'a Person,
    /// The `nonce` of the tool's auth request, echoed.
    pub nonce: &'a str,
    /// The moment of issue (Unix seconds): `iat`.
    pub now: i64,
    /// The demo platform's base URL, no trailing slash (`http://127.0.0.1:8081`).
    pub platform_url: &'a str,
    /// The tool's launch URL (`…/lti/launch`), the resource link's target.
    pub target_link_uri: &'a str,
}

/// The payload of the id_token for `facts`: `exp = iat + 3600` on Canvas, `+ 60` on Moodle.
pub fn id_token_claims(facts: &LaunchFacts<'_>) -> Value {
    match facts.flavour {
        Flavour::Canvas => canvas_claims(facts),
        Flavour::Moodle => moodle_claims(facts),
    }
}

fn lti(name: &str) -> String {
    format!("{LTI}{name}")
}

fn canvas_roles(role: CourseRole) -> Value {
    // Canvas adds the account (institution) role and system User beside the course role.
    match role {
        CourseRole::Instructor => json!([
            format!("{LIS}institution/person#Instructor"),
            format!("{LIS}membership#Instructor"),
            format!("{LIS}system/person#User"),
        ]),
        CourseRole::Learner => json!([
            format!("{LIS}institution/person#Student"),
            format!("{LIS}membership#Learner"),
            format!("{LIS}system/person#User"),
        ]),
        // An account admin not enrolled in the course: no membership role
        // (`fixtures/lti/claims/canvas-admin.json`).
        CourseRole::Admin => json!([
            format!("{LIS}institution/person#Administrator"),
            format!("{LIS}system/person#SysAdmin"),
            format!("{LIS}system/person#User"),
        ]),
    }
}

fn moodle_roles(role: CourseRole) -> Value {
    match role {
        CourseRole::Instructor => json!([format!("{LIS}membership#Instructor")]),
        CourseRole::Learner => json!([format!("{LIS}membership#Learner")]),
        // A site admin: Moodle adds the course's Instructor role and both Administrator roles,
        // never Learner (`fixtures/lti/claims/moodle311-instructor.json`).
        CourseRole::Admin => json!([
            format!("{LIS}institution/person#Administrator"),
            format!("{LIS}membership#Instructor"),
            format!("{LIS}system/person#Administrator"),
        ]),
    }
}

fn ags_scopes() -> Value {
    json!([
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    ])
}

fn canvas_claims(facts: &LaunchFacts<'_>) -> Value {
    let flavour = Flavour::Canvas;
    let person = facts.person;
    let base = format!("{}/canvas", facts.platform_url);
    let course = format!("{base}/api/lti/courses/1");
    let mut claims = Map::new();
    let mut put = |name: String, value: Value| {
        claims.insert(name, value);
    };
    // Key order follows the recorded Canvas token.
    put(lti("message_type"), json!("LtiResourceLinkRequest"));
    put(lti("version"), json!("1.3.0"));
    put(
        lti("resource_link"),
        json!({
            "id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
            "description": "<p>Show what you can do on competency C3.</p>",
            "title": "C3 summative assessment",
        }),
    );
    put(
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint".to_owned(),
        json!({
            "lineitem": format!("{course}/line_items/1"),
            "scope": ags_scopes(),
            "lineitems": format!("{course}/line_items"),
        }),
    );
    put("aud".to_owned(), json!(flavour.client_id()));
    put("azp".to_owned(), json!(flavour.client_id()));
    put(lti("deployment_id"), json!(flavour.deployment_id()));
    put(
        "exp".to_owned(),
        json!(facts.now + flavour.token_lifetime()),
    );
    put("iat".to_owned(), json!(facts.now));
    put("iss".to_owned(), json!(flavour.issuer()));
    put("nonce".to_owned(), json!(facts.nonce));
    put("sub".to_owned(), json!(person.sub(flavour)));
    put(lti("target_link_uri"), json!(facts.target_link_uri));
    put(
        "email".to_owned(),
        json!(format!("{}@canvas.cairn-demo.invalid", person.username)),
    );
    put("name".to_owned(), json!(person.name));
    put("given_name".to_owned(), json!(person.given_name));
    put("family_name".to_owned(), json!(person.family_name));
    put(
        lti("lis"),
        // Canvas sends unsubstituted variables as they are.
        json!({
            "person_sourcedid": "$Person.sourcedId",
            "course_offering_sourcedid": "$CourseSection.sourcedId",
        }),
    );
    put(
        lti("context"),
        json!({
            "id": Flavour::Canvas.context_id(),
            "label": "DEMO",
            "title": COURSE_TITLE,
            "type": [format!("{LIS}course#CourseOffering")],
        }),
    );
    put(
        lti("tool_platform"),
        json!({
            "guid": "cairnDemoCanvasGuid0000000000000000000000:canvas-lms",
            "name": "Cairn demo (Canvas flavour)",
            "version": "cloud",
            "product_family_code": "canvas",
        }),
    );
    put(
        lti("launch_presentation"),
        json!({
            "document_target": "iframe",
            "return_url": format!("{}/?flavour=canvas", facts.platform_url),
            "locale": facts.person.locale(facts.flavour),
        }),
    );
    put(
        "locale".to_owned(),
        json!(facts.person.locale(facts.flavour)),
    );
    put(lti("roles"), canvas_roles(person.role));
    put(
        lti("custom"),
        json!({
            "canvas_course_id": "1",
            "canvas_user_login_id": person.username,
        }),
    );
    put(
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice".to_owned(),
        json!({
            "context_memberships_url": format!("{course}/names_and_roles"),
            "service_versions": ["2.0"],
        }),
    );
    // Claims Cairn must ignore, as a real Canvas sends them.
    put(
        lti("lti11_legacy_user_id"),
        json!(&person.canvas_login_hint[..32]),
    );
    put(
        "https://www.instructure.com/placement".to_owned(),
        Value::Null,
    );
    Value::Object(claims)
}

fn moodle_claims(facts: &LaunchFacts<'_>) -> Value {
    let flavour = Flavour::Moodle;
    let person = facts.person;
    let site = format!("{}/moodle", facts.platform_url);
    let services = format!("{site}/mod/lti/services.php");
    let memberships = format!("{services}/CourseSection/2/bindings/1/memberships");
    let user_id = person.moodle_user_id;
    let mut claims = Map::new();
    let mut put = |name: String, value: Value| {
        claims.insert(name, value);
    };
    // Key order follows mod/lti/locallib.php (lti_build_request_lti13, lti_sign_jwt).
    put("nonce".to_owned(), json!(facts.nonce));
    put("iat".to_owned(), json!(facts.now));
    put(
        "exp".to_owned(),
        json!(facts.now + flavour.token_lifetime()),
    );
    put("iss".to_owned(), json!(flavour.issuer()));
    put("aud".to_owned(), json!(flavour.client_id()));
    put(lti("deployment_id"), json!(flavour.deployment_id()));
    put(lti("target_link_uri"), json!(facts.target_link_uri));
    put("sub".to_owned(), json!(user_id));
    put(
        lti("lis"),
        json!({"person_sourcedid": "", "course_section_sourcedid": ""}),
    );
    put(lti("roles"), moodle_roles(person.role));
    put(
        lti("context"),
        json!({
            "id": Flavour::Moodle.context_id(),
            "label": "DEMO101",
            "title": COURSE_TITLE,
            "type": ["CourseSection"],
        }),
    );
    put(
        lti("resource_link"),
        json!({"title": "C3 summative assessment", "description": "", "id": "1"}),
    );
    let sourcedid = json!({
        "data": {"instanceid": "1", "userid": user_id, "typeid": "1", "launchid": 1},
        "hash": "cairn-demo-unsigned",
    });
    put(
        "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome".to_owned(),
        json!({
            "lis_result_sourcedid": sourcedid.to_string(),
            "lis_outcome_service_url": format!("{site}/mod/lti/service.php"),
        }),
    );
    put("given_name".to_owned(), json!(person.given_name));
    put("family_name".to_owned(), json!(person.family_name));
    put("name".to_owned(), json!(person.name));
    put(
        lti("ext"),
        json!({"user_username": person.username, "lms": "moodle-2"}),
    );
    put(
        "email".to_owned(),
        json!(format!("{}@moodle.cairn-demo.invalid", person.username)),
    );
    put(
        lti("launch_presentation"),
        json!({
            "locale": facts.person.locale(facts.flavour),
            "document_target": "iframe",
            "return_url": format!("{}/?flavour=moodle", facts.platform_url),
        }),
    );
    put(
        lti("tool_platform"),
        json!({
            "product_family_code": "moodle",
            "version": "2022112810",
            "guid": "moodle.cairn-demo.invalid",
            "name": "Cairn demo (Moodle flavour)",
            "description": "Cairn demo (Moodle flavour)",
        }),
    );
    put(lti("version"), json!("1.3.0"));
    put(lti("message_type"), json!("LtiResourceLinkRequest"));
    put(
        lti("custom"),
        json!({"username": person.username, "context_memberships_url": memberships}),
    );
    put(
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint".to_owned(),
        json!({
            "scope": ags_scopes(),
            "lineitems": format!("{services}/2/lineitems?type_id=1"),
            "lineitem": format!("{services}/2/lineitems/1/lineitem?type_id=1"),
        }),
    );
    put(
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice".to_owned(),
        json!({"context_memberships_url": memberships, "service_versions": ["1.0", "2.0"]}),
    );
    Value::Object(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::people::PEOPLE;

    fn facts(flavour: Flavour, person: &Person) -> LaunchFacts<'_> {
        LaunchFacts {
            flavour,
            person,
            nonce: "n-123",
            now: 1_800_000_000,
            platform_url: "http://127.0.0.1:9",
            target_link_uri: "http://localhost:8/lti/launch",
        }
    }

    #[test]
    fn lifetimes_follow_the_platform() {
        let canvas = id_token_claims(&facts(Flavour::Canvas, &PEOPLE[0]));
        let moodle = id_token_claims(&facts(Flavour::Moodle, &PEOPLE[0]));
        assert_eq!(canvas["exp"].as_i64(), Some(1_800_003_600));
        assert_eq!(moodle["exp"].as_i64(), Some(1_800_000_060));
        assert_eq!(canvas["azp"], json!("10000000000001"));
        assert!(moodle.get("azp").is_none(), "Moodle sends no azp");
    }

    #[test]
    fn the_lms_admin_is_an_admin_in_both_flavours() {
        use crate::launch::roles::{ProductRole, Roles};
        let admin = PEOPLE
            .iter()
            .find(|p| p.role == CourseRole::Admin)
            .expect("the demo has an LMS admin");
        let product = |flavour| {
            let claims = id_token_claims(&facts(flavour, admin));
            let roles: Vec<&str> = claims[lti("roles")]
                .as_array()
                .expect("roles")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            Roles::parse(roles)
        };
        let canvas = product(Flavour::Canvas);
        assert!(canvas.has(ProductRole::Admin));
        assert!(
            !canvas.has(ProductRole::Instructor),
            "not enrolled in Canvas"
        );
        let moodle = product(Flavour::Moodle);
        assert!(moodle.has(ProductRole::Admin));
        // English on Canvas, French on Moodle: the demo shows both admin views.
        let presentation = |flavour| {
            id_token_claims(&facts(flavour, admin))[lti("launch_presentation")]["locale"].clone()
        };
        assert_eq!(presentation(Flavour::Canvas), json!("en"));
        assert_eq!(presentation(Flavour::Moodle), json!("fr-CA"));
        assert!(
            moodle.has(ProductRole::Instructor),
            "Moodle adds Instructor"
        );
        assert!(!moodle.has(ProductRole::Learner));
    }

    #[test]
    fn roles_are_the_recorded_shapes() {
        let teacher = id_token_claims(&facts(Flavour::Canvas, &PEOPLE[0]));
        let roles = &teacher[lti("roles")];
        assert_eq!(roles.as_array().map(Vec::len), Some(3));
        assert_eq!(roles[1], json!(format!("{LIS}membership#Instructor")));
        let student = id_token_claims(&facts(Flavour::Moodle, &PEOPLE[2]));
        assert_eq!(
            student[lti("roles")],
            json!([format!("{LIS}membership#Learner")])
        );
        assert_eq!(student["sub"], json!("4"));
        assert_eq!(student[lti("context")]["type"], json!(["CourseSection"]));
    }

    #[test]
    fn service_urls_point_at_the_platform() {
        for flavour in [Flavour::Canvas, Flavour::Moodle] {
            let claims = id_token_claims(&facts(flavour, &PEOPLE[1]));
            let ags = &claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"];
            for member in ["lineitem", "lineitems"] {
                let url = ags[member].as_str().unwrap_or_default();
                assert!(url.starts_with("http://127.0.0.1:9/"), "{flavour:?} {url}");
            }
        }
    }
}
