//! LTI role parsing and Cairn's product roles (`spec/lti.md` §5): context, institution and system
//! role URIs, sub-roles, short names, LIS v1 URNs and the TestUser flag, mapped to the set of
//! `instructor`, `learner` and `admin`. Unknown roles are kept raw and never an error.
//! Used for `lti:roles` and for NRPS `members[].roles`.

use std::collections::BTreeSet;

/// LIS v2 vocabulary prefix of role URIs.
const LIS: &str = "http://purl.imsglobal.org/vocab/lis/v2/";
/// The TestUser role (Canvas "Student View").
pub const ROLE_TEST_USER: &str = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser";

/// The context (membership) principal roles of LIS v2, also accepted as short names.
const CONTEXT_ROLES: [&str; 8] = [
    "Administrator",
    "ContentDeveloper",
    "Instructor",
    "Learner",
    "Mentor",
    "Manager",
    "Member",
    "Officer",
];

/// Where a role applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleScope {
    /// A course (membership) role.
    Context,
    /// An institution role: never grants course rights.
    Institution,
    /// A system role.
    System,
}

/// One understood role entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Role {
    /// Where it applies.
    pub scope: RoleScope,
    /// The principal role name (`Instructor` for `membership/Instructor#TeachingAssistant`).
    pub name: String,
    /// The sub-role, if any (`TeachingAssistant`).
    pub sub_role: Option<String>,
}

/// What one entry of a roles claim is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleEntry {
    /// A context, institution or system role.
    Role(Role),
    /// The TestUser flag.
    TestUser,
    /// Anything else, kept raw for audit.
    Unknown(String),
}

fn role(scope: RoleScope, name: &str, sub_role: Option<&str>) -> RoleEntry {
    if name.is_empty() || sub_role.is_some_and(str::is_empty) {
        return RoleEntry::Unknown(String::new());
    }
    RoleEntry::Role(Role {
        scope,
        name: name.to_owned(),
        sub_role: sub_role.map(str::to_owned),
    })
}

/// Parses one role string (`spec/lti.md` §5 "Role parsing").
pub fn parse_role(text: &str) -> RoleEntry {
    let parsed = parse_known(text);
    match parsed {
        RoleEntry::Unknown(_) => RoleEntry::Unknown(text.to_owned()),
        other => other,
    }
}

fn parse_known(text: &str) -> RoleEntry {
    if text == ROLE_TEST_USER {
        return RoleEntry::TestUser;
    }
    if let Some(rest) = text.strip_prefix(LIS) {
        if let Some(name) = rest.strip_prefix("membership#") {
            return role(RoleScope::Context, name, None);
        }
        if let Some(rest) = rest.strip_prefix("membership/") {
            // Sub-role `membership/<Principal>#<SubRole>` counts as its principal.
            if let Some((principal, sub)) = rest.split_once('#') {
                return role(RoleScope::Context, principal, Some(sub));
            }
        }
        if let Some(name) = rest.strip_prefix("institution/person#") {
            return role(RoleScope::Institution, name, None);
        }
        if let Some(name) = rest.strip_prefix("system/person#") {
            return role(RoleScope::System, name, None);
        }
        return RoleEntry::Unknown(String::new());
    }
    for (prefix, scope) in [
        ("urn:lti:role:ims/lis/", RoleScope::Context),
        ("urn:lti:instrole:ims/lis/", RoleScope::Institution),
        ("urn:lti:sysrole:ims/lis/", RoleScope::System),
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            // LIS v1 sub-roles are `Principal/SubRole`.
            return match rest.split_once('/') {
                Some((principal, sub)) => role(scope, principal, Some(sub)),
                None => role(scope, rest, None),
            };
        }
    }
    if CONTEXT_ROLES.contains(&text) {
        return role(RoleScope::Context, text, None);
    }
    RoleEntry::Unknown(String::new())
}

/// A Cairn product role (`spec/lti.md` §5 "Product roles").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProductRole {
    /// Policies, Deep Linking selection, grading, PLAR decisions, roster grid.
    Instructor,
    /// Attempts, own progress, own credentials.
    Learner,
    /// Registrations, issuer profile, badge definitions.
    Admin,
}

impl ProductRole {
    /// The stored and API spelling (`instructor`, `learner`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProductRole::Instructor => "instructor",
            ProductRole::Learner => "learner",
            ProductRole::Admin => "admin",
        }
    }
}

/// A parsed roles claim: the product roles it grants, the TestUser flag and what was read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roles {
    /// The product roles granted (empty: the read-only landing page, not a 403).
    pub product: BTreeSet<ProductRole>,
    /// Whether the user is a platform test user (scores never posted, credentials marked test).
    pub test_user: bool,
    /// The understood roles, in claim order.
    pub parsed: Vec<Role>,
    /// Entries that were not understood, kept raw for audit.
    pub unknown: Vec<String>,
}

impl Roles {
    /// Parses each role string and maps them to product roles.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Roles {
        let mut roles = Roles::default();
        for text in entries {
            match parse_role(text) {
                RoleEntry::Role(role) => {
                    if let Some(product) = product_role(&role) {
                        roles.product.insert(product);
                    }
                    roles.parsed.push(role);
                }
                RoleEntry::TestUser => roles.test_user = true,
                RoleEntry::Unknown(raw) => roles.unknown.push(raw),
            }
        }
        roles
    }

    /// Whether `role` is granted.
    pub fn has(&self, role: ProductRole) -> bool {
        self.product.contains(&role)
    }

    /// The product roles as strings, sorted (what a session stores).
    pub fn product_names(&self) -> Vec<String> {
        self.product.iter().map(|r| r.as_str().to_owned()).collect()
    }
}

/// The product role one understood role grants, if any.
fn product_role(role: &Role) -> Option<ProductRole> {
    match (role.scope, role.name.as_str()) {
        (RoleScope::Context, "Instructor" | "Administrator" | "ContentDeveloper") => {
            Some(ProductRole::Instructor)
        }
        (RoleScope::Context, "Learner") => Some(ProductRole::Learner),
        (RoleScope::System, "Administrator" | "SysAdmin") => Some(ProductRole::Admin),
        (RoleScope::Institution, "Administrator") => Some(ProductRole::Admin),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(entries: &[&str]) -> Vec<&'static str> {
        Roles::parse(entries.iter().copied())
            .product
            .iter()
            .map(|r| r.as_str())
            .collect()
    }

    fn ctx(name: &str, sub: Option<&str>) -> RoleEntry {
        RoleEntry::Role(Role {
            scope: RoleScope::Context,
            name: name.into(),
            sub_role: sub.map(Into::into),
        })
    }

    #[test]
    fn every_form_of_the_parsing_table_parses() {
        let lis = "http://purl.imsglobal.org/vocab/lis/v2/";
        assert_eq!(
            parse_role(&format!("{lis}membership#Instructor")),
            ctx("Instructor", None)
        );
        assert_eq!(
            parse_role(&format!("{lis}membership/Instructor#TeachingAssistant")),
            ctx("Instructor", Some("TeachingAssistant"))
        );
        assert_eq!(
            parse_role(&format!("{lis}institution/person#Student")),
            RoleEntry::Role(Role {
                scope: RoleScope::Institution,
                name: "Student".into(),
                sub_role: None
            })
        );
        assert_eq!(
            parse_role(&format!("{lis}system/person#SysAdmin")),
            RoleEntry::Role(Role {
                scope: RoleScope::System,
                name: "SysAdmin".into(),
                sub_role: None
            })
        );
        for short in [
            "Instructor",
            "Learner",
            "Administrator",
            "ContentDeveloper",
            "Mentor",
        ] {
            assert_eq!(parse_role(short), ctx(short, None));
        }
        assert_eq!(
            parse_role("urn:lti:role:ims/lis/Learner"),
            ctx("Learner", None)
        );
        assert_eq!(
            parse_role("urn:lti:role:ims/lis/Instructor/TeachingAssistant"),
            ctx("Instructor", Some("TeachingAssistant"))
        );
        assert!(matches!(
            parse_role("urn:lti:instrole:ims/lis/Administrator"),
            RoleEntry::Role(Role {
                scope: RoleScope::Institution,
                ..
            })
        ));
        assert!(matches!(
            parse_role("urn:lti:sysrole:ims/lis/Administrator"),
            RoleEntry::Role(Role {
                scope: RoleScope::System,
                ..
            })
        ));
        assert_eq!(parse_role(ROLE_TEST_USER), RoleEntry::TestUser);
        for odd in [
            "http://example.org/roles#Wizard",
            "",
            "learner",
            "http://purl.imsglobal.org/vocab/lis/v2/membership#",
            "http://purl.imsglobal.org/vocab/lis/v2/person#Thing",
        ] {
            assert_eq!(
                parse_role(odd),
                RoleEntry::Unknown(odd.to_owned()),
                "{odd:?}"
            );
        }
    }

    #[test]
    fn product_roles_follow_the_grant_table() {
        let lis = "http://purl.imsglobal.org/vocab/lis/v2/";
        let m = |n: &str| format!("{lis}membership#{n}");
        assert_eq!(product(&[&m("Instructor")]), ["instructor"]);
        assert_eq!(
            product(&[&format!("{lis}membership/Instructor#TeachingAssistant")]),
            ["instructor"]
        );
        assert_eq!(product(&[&m("Administrator")]), ["instructor"]);
        assert_eq!(product(&[&m("ContentDeveloper")]), ["instructor"]);
        assert_eq!(product(&[&m("Learner")]), ["learner"]);
        assert_eq!(
            product(&[&format!("{lis}system/person#Administrator")]),
            ["admin"]
        );
        assert_eq!(
            product(&[&format!("{lis}system/person#SysAdmin")]),
            ["admin"]
        );
        assert_eq!(
            product(&[&format!("{lis}institution/person#Administrator")]),
            ["admin"]
        );
        // (none): empty, only system User, only institution roles, Mentor, unknown.
        assert!(product(&[]).is_empty());
        assert!(product(&[&format!("{lis}system/person#User")]).is_empty());
        assert!(product(&[&format!("{lis}institution/person#Instructor")]).is_empty());
        assert!(product(&[&format!("{lis}institution/person#Student")]).is_empty());
        assert!(product(&[&m("Mentor")]).is_empty());
        assert!(product(&["http://example.org/roles#Wizard"]).is_empty());
    }

    #[test]
    fn canvas_and_moodle_users_map_as_the_user_table_says() {
        let lis = "http://purl.imsglobal.org/vocab/lis/v2/";
        let i = |n: &str| format!("{lis}institution/person#{n}");
        let s = |n: &str| format!("{lis}system/person#{n}");
        let m = |n: &str| format!("{lis}membership#{n}");
        // Canvas teacher, student, admin.
        assert_eq!(
            product(&[&i("Instructor"), &m("Instructor"), &s("User")]),
            ["instructor"]
        );
        assert_eq!(
            product(&[&i("Student"), &m("Learner"), &s("User")]),
            ["learner"]
        );
        assert_eq!(
            product(&[&i("Administrator"), &s("SysAdmin"), &s("User")]),
            ["admin"]
        );
        // Canvas student view.
        let view = Roles::parse([m("Learner").as_str(), ROLE_TEST_USER]);
        assert_eq!(view.product_names(), ["learner"]);
        assert!(view.test_user);
        // Moodle 4.1 teacher, student, admin.
        assert_eq!(product(&[&m("Instructor")]), ["instructor"]);
        assert_eq!(product(&[&m("Learner")]), ["learner"]);
        assert_eq!(
            product(&[&i("Administrator"), &m("Instructor"), &s("Administrator")]),
            ["instructor", "admin"]
        );
        let plain = Roles::parse([m("Learner").as_str()]);
        assert!(!plain.test_user);
    }

    #[test]
    fn unknown_roles_are_kept_raw() {
        let roles = Roles::parse(["http://example.org/roles#Wizard", "Instructor"]);
        assert_eq!(roles.unknown, ["http://example.org/roles#Wizard"]);
        assert!(roles.has(ProductRole::Instructor));
        assert_eq!(roles.parsed.len(), 1);
    }
}
