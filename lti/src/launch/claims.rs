//! Every claim URI Cairn reads, and the typed claims of a verified launch (`spec/lti.md` §5).
//! Only [`super::verify_token`] builds [`LaunchClaims`], after the signature verified; optional
//! claims of the wrong type read as absent, and all other claims are ignored.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::roles::Roles;

/// `lti:` claim prefix.
pub const LTI_CLAIM: &str = "https://purl.imsglobal.org/spec/lti/claim/";
/// `lti:message_type`.
pub const CLAIM_MESSAGE_TYPE: &str = "https://purl.imsglobal.org/spec/lti/claim/message_type";
/// `lti:version`.
pub const CLAIM_VERSION: &str = "https://purl.imsglobal.org/spec/lti/claim/version";
/// `lti:deployment_id`.
pub const CLAIM_DEPLOYMENT_ID: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
/// `lti:target_link_uri`.
pub const CLAIM_TARGET_LINK_URI: &str = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
/// `lti:resource_link`.
pub const CLAIM_RESOURCE_LINK: &str = "https://purl.imsglobal.org/spec/lti/claim/resource_link";
/// `lti:context`.
pub const CLAIM_CONTEXT: &str = "https://purl.imsglobal.org/spec/lti/claim/context";
/// `lti:roles`.
pub const CLAIM_ROLES: &str = "https://purl.imsglobal.org/spec/lti/claim/roles";
/// `lti:custom`.
pub const CLAIM_CUSTOM: &str = "https://purl.imsglobal.org/spec/lti/claim/custom";
/// `lti:launch_presentation`.
pub const CLAIM_LAUNCH_PRESENTATION: &str =
    "https://purl.imsglobal.org/spec/lti/claim/launch_presentation";
/// `lti:tool_platform`.
pub const CLAIM_TOOL_PLATFORM: &str = "https://purl.imsglobal.org/spec/lti/claim/tool_platform";
/// `lti:lis`.
pub const CLAIM_LIS: &str = "https://purl.imsglobal.org/spec/lti/claim/lis";
/// AGS endpoint claim.
pub const CLAIM_AGS_ENDPOINT: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
/// NRPS claim.
pub const CLAIM_NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
/// Deep Linking settings claim.
pub const CLAIM_DEEP_LINKING_SETTINGS: &str =
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";

/// The launch message types accepted at `/lti/launch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageType {
    /// `LtiResourceLinkRequest`.
    LtiResourceLinkRequest,
    /// `LtiDeepLinkingRequest`.
    LtiDeepLinkingRequest,
}

impl MessageType {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::LtiResourceLinkRequest => "LtiResourceLinkRequest",
            MessageType::LtiDeepLinkingRequest => "LtiDeepLinkingRequest",
        }
    }

    /// Reads the spec spelling; other message types are `None`.
    pub fn parse(text: &str) -> Option<MessageType> {
        match text {
            "LtiResourceLinkRequest" => Some(MessageType::LtiResourceLinkRequest),
            "LtiDeepLinkingRequest" => Some(MessageType::LtiDeepLinkingRequest),
            _ => None,
        }
    }
}

/// `lti:resource_link`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceLink {
    /// The placement id (check 15 requires it non-empty on resource link launches).
    pub id: Option<String>,
    /// Its title.
    pub title: Option<String>,
}

/// `lti:context`: the course.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The context id.
    pub id: String,
    /// Its short label.
    pub label: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Its types (URIs on Canvas, short names on Moodle).
    pub r#type: Vec<String>,
}

/// `lti:launch_presentation`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaunchPresentation {
    /// `iframe`, `window`, …
    pub document_target: Option<String>,
    /// Where the platform wants the user sent back.
    pub return_url: Option<String>,
    /// The UI locale.
    pub locale: Option<String>,
}

/// The AGS endpoint claim: granted scopes come from here, never assumed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgsEndpoint {
    /// The granted scopes.
    pub scope: Vec<String>,
    /// The line item container URL.
    pub lineitems: Option<String>,
    /// The launch's own line item URL.
    pub lineitem: Option<String>,
}

/// The NRPS claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamesRoleService {
    /// The membership URL.
    pub context_memberships_url: String,
    /// The service versions offered.
    pub service_versions: Vec<String>,
}

/// The Deep Linking settings claim, as sent (check 15c validates it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeepLinkingSettings {
    /// Where the response goes (absolute URL).
    pub deep_link_return_url: Option<String>,
    /// Accepted content item types.
    pub accept_types: Option<Vec<String>>,
    /// Accepted presentation targets.
    pub accept_presentation_document_targets: Option<Vec<String>>,
    /// Accepted media types.
    pub accept_media_types: Option<String>,
    /// Whether several items may be returned.
    pub accept_multiple: Option<bool>,
    /// Whether a `lineItem` may be sent (absent: yes, as Moodle 4.1 needs).
    pub accept_lineitem: Option<bool>,
    /// Whether the platform creates items without confirmation.
    pub auto_create: Option<bool>,
    /// Default title.
    pub title: Option<String>,
    /// Default text.
    pub text: Option<String>,
    /// Opaque data to echo unchanged (omitted from the response when absent).
    pub data: Option<String>,
}

/// The claims of a verified launch that Cairn reads. Built only after the signature check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchClaims {
    /// `iss`.
    pub iss: String,
    /// `aud`, as a list.
    pub aud: Vec<String>,
    /// `azp`.
    pub azp: Option<String>,
    /// `sub`: the user is `(registration, sub)`.
    pub sub: String,
    /// `nonce`.
    pub nonce: String,
    /// `iat`.
    pub iat: i64,
    /// `exp`.
    pub exp: i64,
    /// `lti:message_type`.
    pub message_type: MessageType,
    /// `lti:deployment_id` (check 14 requires it).
    pub deployment_id: Option<String>,
    /// `lti:target_link_uri` (check 15b requires it).
    pub target_link_uri: Option<String>,
    /// `lti:resource_link`.
    pub resource_link: Option<ResourceLink>,
    /// `lti:context`; `None` for a context-free launch.
    pub context: Option<Context>,
    /// `lti:roles`, parsed.
    pub roles: Roles,
    /// `lti:custom`, string values only.
    pub custom: BTreeMap<String, String>,
    /// `name`.
    pub name: Option<String>,
    /// `given_name`.
    pub given_name: Option<String>,
    /// `family_name`.
    pub family_name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `picture`.
    pub picture: Option<String>,
    /// `lti:launch_presentation`.
    pub launch_presentation: Option<LaunchPresentation>,
    /// `lti:tool_platform.product_family_code` (`canvas`, `moodle`, …).
    pub product_family_code: Option<String>,
    /// AGS endpoint.
    pub ags: Option<AgsEndpoint>,
    /// NRPS service.
    pub nrps: Option<NamesRoleService>,
    /// Deep Linking settings.
    pub deep_linking_settings: Option<DeepLinkingSettings>,
    /// `lti:lis.person_sourcedid`; unsubstituted `$…` values read as absent.
    pub lis_person_sourcedid: Option<String>,
}

/// A string member, or `None` for absent or another type.
pub(crate) fn string(map: &Map<String, Value>, name: &str) -> Option<String> {
    map.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn strings(value: Option<&Value>) -> Option<Vec<String>> {
    let items = value?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

fn object<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Map<String, Value>> {
    map.get(name).and_then(Value::as_object)
}

/// `aud` as a list: a string, or the string entries of an array.
pub(crate) fn audiences(map: &Map<String, Value>) -> Vec<String> {
    match map.get("aud") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The parts checks 8–13 already read and proved present.
pub(crate) struct Required {
    pub(crate) sub: String,
    pub(crate) nonce: String,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
    pub(crate) message_type: MessageType,
    pub(crate) roles: Roles,
}

impl LaunchClaims {
    /// Reads the optional claims of a verified payload around the checked required ones.
    pub(crate) fn read(payload: &Map<String, Value>, required: Required) -> LaunchClaims {
        let resource_link = object(payload, CLAIM_RESOURCE_LINK).map(|link| ResourceLink {
            id: string(link, "id"),
            title: string(link, "title"),
        });
        let context = object(payload, CLAIM_CONTEXT).and_then(|context| {
            Some(Context {
                id: string(context, "id")?,
                label: string(context, "label"),
                title: string(context, "title"),
                r#type: strings(context.get("type")).unwrap_or_default(),
            })
        });
        let custom = object(payload, CLAIM_CUSTOM)
            .map(|custom| {
                custom
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let launch_presentation =
            object(payload, CLAIM_LAUNCH_PRESENTATION).map(|p| LaunchPresentation {
                document_target: string(p, "document_target"),
                return_url: string(p, "return_url"),
                locale: string(p, "locale"),
            });
        let product_family_code =
            object(payload, CLAIM_TOOL_PLATFORM).and_then(|p| string(p, "product_family_code"));
        let ags = object(payload, CLAIM_AGS_ENDPOINT).map(|ags| AgsEndpoint {
            scope: strings(ags.get("scope")).unwrap_or_default(),
            lineitems: string(ags, "lineitems"),
            lineitem: string(ags, "lineitem"),
        });
        let nrps = object(payload, CLAIM_NRPS).and_then(|nrps| {
            Some(NamesRoleService {
                context_memberships_url: string(nrps, "context_memberships_url")?,
                service_versions: strings(nrps.get("service_versions")).unwrap_or_default(),
            })
        });
        let deep_linking_settings =
            object(payload, CLAIM_DEEP_LINKING_SETTINGS).map(|dl| DeepLinkingSettings {
                deep_link_return_url: string(dl, "deep_link_return_url"),
                accept_types: strings(dl.get("accept_types")),
                accept_presentation_document_targets: strings(
                    dl.get("accept_presentation_document_targets"),
                ),
                accept_media_types: string(dl, "accept_media_types"),
                accept_multiple: dl.get("accept_multiple").and_then(Value::as_bool),
                accept_lineitem: dl.get("accept_lineitem").and_then(Value::as_bool),
                auto_create: dl.get("auto_create").and_then(Value::as_bool),
                title: string(dl, "title"),
                text: string(dl, "text"),
                data: string(dl, "data"),
            });
        // Canvas sends "$Person.sourcedId" when the variable has no value.
        let lis_person_sourcedid = object(payload, CLAIM_LIS)
            .and_then(|lis| string(lis, "person_sourcedid"))
            .filter(|id| !id.is_empty() && !id.starts_with('$'));
        LaunchClaims {
            iss: string(payload, "iss").unwrap_or_default(),
            aud: audiences(payload),
            azp: string(payload, "azp"),
            sub: required.sub,
            nonce: required.nonce,
            iat: required.iat,
            exp: required.exp,
            message_type: required.message_type,
            deployment_id: string(payload, CLAIM_DEPLOYMENT_ID),
            target_link_uri: string(payload, CLAIM_TARGET_LINK_URI),
            resource_link,
            context,
            roles: required.roles,
            custom,
            name: string(payload, "name"),
            given_name: string(payload, "given_name"),
            family_name: string(payload, "family_name"),
            email: string(payload, "email"),
            picture: string(payload, "picture"),
            launch_presentation,
            product_family_code,
            ags,
            nrps,
            deep_linking_settings,
            lis_person_sourcedid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn required() -> Required {
        Required {
            sub: "u".into(),
            nonce: "n".into(),
            iat: 1,
            exp: 2,
            message_type: MessageType::LtiResourceLinkRequest,
            roles: Roles::default(),
        }
    }

    #[test]
    fn canvas_student_claims_read_as_typed_values() {
        let text = include_str!("../../../../shared/fixtures/lti/claims/canvas-student.json");
        let payload: Value = serde_json::from_str(text).unwrap();
        let claims = LaunchClaims::read(payload.as_object().unwrap(), required());
        assert_eq!(claims.product_family_code.as_deref(), Some("canvas"));
        assert!(claims.context.is_some());
        assert!(claims.ags.as_ref().is_some_and(|a| !a.scope.is_empty()));
        assert!(claims.nrps.is_some());
        assert!(
            claims
                .resource_link
                .as_ref()
                .and_then(|r| r.id.as_ref())
                .is_some()
        );
        assert_eq!(claims.aud, ["10000000000002"]);
    }

    #[test]
    fn optional_claims_of_the_wrong_type_read_as_absent() {
        let payload = json!({
            "iss": "https://lms.test", "aud": ["a", 7, "b"], "name": 5,
            CLAIM_CUSTOM: {"assessment_id": "a-1", "n": 3, "o": {"x": 1}},
            CLAIM_CONTEXT: {"label": "no id"},
            CLAIM_LIS: {"person_sourcedid": "$Person.sourcedId"},
            CLAIM_NRPS: {"service_versions": ["2.0"]},
            CLAIM_DEEP_LINKING_SETTINGS: {"deep_link_return_url": "https://lms.test/r", "accept_types": "link", "data": "d"},
        });
        let claims = LaunchClaims::read(payload.as_object().unwrap(), required());
        assert_eq!(claims.aud, ["a", "b"]);
        assert_eq!(claims.name, None);
        assert_eq!(claims.custom.len(), 1);
        assert_eq!(claims.custom["assessment_id"], "a-1");
        assert_eq!(claims.context, None);
        assert_eq!(claims.lis_person_sourcedid, None);
        assert_eq!(claims.nrps, None);
        let dl = claims.deep_linking_settings.unwrap();
        assert_eq!(dl.accept_types, None);
        assert_eq!(dl.data.as_deref(), Some("d"));
        let real = json!({CLAIM_LIS: {"person_sourcedid": "sis-42"}});
        let claims = LaunchClaims::read(real.as_object().unwrap(), required());
        assert_eq!(claims.lis_person_sourcedid.as_deref(), Some("sis-42"));
    }
}
