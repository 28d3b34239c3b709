//! The demo course and its people: one instructor, three learners and an LMS admin, each with
//! the ids a Canvas and a Moodle would give them, and the two platform flavours with their
//! fixed registration values. Plain data only: no I/O, no clock.

use crate::store::PlatformFamily;

/// Which LMS the demo platform imitates for a launch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flavour {
    /// Instructure Canvas: HS256 JWT message hint, platform storage, `exp = iat + 3600`.
    Canvas,
    /// Moodle 4.1: JSON message hint, no platform storage, `exp = iat + 60`.
    Moodle,
}

/// Both flavours, in the order the course page shows them.
pub const FLAVOURS: [Flavour; 2] = [Flavour::Canvas, Flavour::Moodle];

impl Flavour {
    /// The spelling in URLs and the page (`canvas`, `moodle`).
    pub fn as_str(self) -> &'static str {
        match self {
            Flavour::Canvas => "canvas",
            Flavour::Moodle => "moodle",
        }
    }

    /// Reads the URL spelling.
    pub fn parse(text: &str) -> Option<Flavour> {
        match text {
            "canvas" => Some(Flavour::Canvas),
            "moodle" => Some(Flavour::Moodle),
            _ => None,
        }
    }

    /// The name a person reads (`Canvas`, `Moodle 4.1`).
    pub fn label(self) -> &'static str {
        match self {
            Flavour::Canvas => "Canvas",
            Flavour::Moodle => "Moodle 4.1",
        }
    }

    /// The platform's `iss`. Fixed (not derived from the port), so a restarted demo updates its
    /// registration instead of adding another; `.invalid` says it is never contacted.
    pub fn issuer(self) -> &'static str {
        match self {
            Flavour::Canvas => "https://canvas.cairn-demo.invalid",
            Flavour::Moodle => "https://moodle.cairn-demo.invalid",
        }
    }

    /// The client id the platform gave Cairn (a developer key id / a Moodle tool client id).
    pub fn client_id(self) -> &'static str {
        match self {
            Flavour::Canvas => "10000000000001",
            Flavour::Moodle => "Zq7cAiRnDeMo41m",
        }
    }

    /// The deployment id (Canvas `N:hash` per install; Moodle the tool type id).
    pub fn deployment_id(self) -> &'static str {
        match self {
            Flavour::Canvas => "1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb",
            Flavour::Moodle => "1",
        }
    }

    /// The demo course's `context.id` in this LMS's launches (a Canvas hash, a Moodle course id).
    pub fn context_id(self) -> &'static str {
        match self {
            Flavour::Canvas => "4dde05e8ca1973bcca9bffc13e1548820eee93a3",
            Flavour::Moodle => "2",
        }
    }

    /// The token lifetime `exp − iat` of this LMS, in seconds.
    pub fn token_lifetime(self) -> i64 {
        match self {
            Flavour::Canvas => 3600,
            Flavour::Moodle => 60,
        }
    }

    /// The store's platform family.
    pub fn family(self) -> PlatformFamily {
        match self {
            Flavour::Canvas => PlatformFamily::Canvas,
            Flavour::Moodle => PlatformFamily::Moodle,
        }
    }

    /// The flavour of a client id, if it is one of the demo's.
    pub fn by_client_id(client_id: &str) -> Option<Flavour> {
        FLAVOURS
            .into_iter()
            .find(|flavour| flavour.client_id() == client_id)
    }
}

/// A person's part in the course.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CourseRole {
    /// Teaches the course (Canvas teacher, Moodle editing teacher).
    Instructor,
    /// Takes the course (Canvas student, Moodle student).
    Learner,
    /// Runs the LMS (a Canvas account admin, a Moodle site admin): not enrolled in the course,
    /// so absent from its roster, but may launch the tool (and open Cairn's admin view).
    Admin,
}

impl CourseRole {
    /// The word the page shows.
    pub fn label(self) -> &'static str {
        match self {
            CourseRole::Instructor => "instructor",
            CourseRole::Learner => "learner",
            CourseRole::Admin => "admin",
        }
    }
}

/// One person of the demo course.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Person {
    /// Their part in the course.
    pub role: CourseRole,
    /// Full name (`name` claim).
    pub name: &'static str,
    /// `given_name` claim.
    pub given_name: &'static str,
    /// `family_name` claim.
    pub family_name: &'static str,
    /// Login name (Moodle `ext.user_username`, the e-mail's local part).
    pub username: &'static str,
    /// Canvas `sub` (a UUID).
    pub canvas_sub: &'static str,
    /// Canvas `login_hint` (an opaque hash).
    pub canvas_login_hint: &'static str,
    /// Moodle user id: both `sub` and `login_hint`.
    pub moodle_user_id: &'static str,
    /// Canvas's UI language for them (`launch_presentation.locale`): Léa uses Cairn in
    /// French, the others in English.
    pub locale: &'static str,
    /// Moodle's UI language for them (each LMS keeps its own preference): as on Canvas,
    /// except the admin, whose Moodle is in French, so the demo shows both admin views.
    pub moodle_locale: &'static str,
}

impl Person {
    /// The `sub` this person has on a flavour.
    pub fn sub(&self, flavour: Flavour) -> &'static str {
        match flavour {
            Flavour::Canvas => self.canvas_sub,
            Flavour::Moodle => self.moodle_user_id,
        }
    }

    /// The `login_hint` the platform sends for this person.
    pub fn login_hint(&self, flavour: Flavour) -> &'static str {
        match flavour {
            Flavour::Canvas => self.canvas_login_hint,
            Flavour::Moodle => self.moodle_user_id,
        }
    }

    /// The UI language this person's launches from `flavour` carry.
    pub fn locale(&self, flavour: Flavour) -> &'static str {
        match flavour {
            Flavour::Canvas => self.locale,
            Flavour::Moodle => self.moodle_locale,
        }
    }

    /// "Priya Natarajan (instructor)".
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.role.label())
    }
}

/// The course title both flavours show.
pub const COURSE_TITLE: &str = "Demo course";

/// The demo's people: the instructor first, then the three learners, then the LMS admin.
pub const PEOPLE: [Person; 5] = [
    Person {
        role: CourseRole::Instructor,
        name: "Priya Natarajan",
        given_name: "Priya",
        family_name: "Natarajan",
        username: "pnatarajan",
        canvas_sub: "0b6f2a4e-6c1d-4d8e-9a35-3f7c1e2d4b01",
        canvas_login_hint: "a3f1c9e2b7d84f06c5e1a9b3d7f2c8e4a6b0d1f3",
        moodle_user_id: "2",
        locale: "en",
        moodle_locale: "en",
    },
    Person {
        role: CourseRole::Learner,
        name: "Sam Okafor",
        given_name: "Sam",
        family_name: "Okafor",
        username: "sokafor",
        canvas_sub: "5e9d7c21-83a4-4f6b-b1e0-7a2c9d3e5f12",
        canvas_login_hint: "b4e2d0f3c8e95a17d6f2b0c4e8a3d9f5b7c1e2a4",
        moodle_user_id: "3",
        locale: "en",
        moodle_locale: "en",
    },
    Person {
        role: CourseRole::Learner,
        name: "Léa Martin",
        given_name: "Léa",
        family_name: "Martin",
        username: "lmartin",
        canvas_sub: "9a1b3c5d-7e9f-4a2b-8c4d-6e8f0a2b4c23",
        canvas_login_hint: "c5f3e1a4d9fa6b28e7a3c1d5f9b4ea06c8d2f3b5",
        moodle_user_id: "4",
        locale: "fr-CA",
        moodle_locale: "fr-CA",
    },
    Person {
        role: CourseRole::Learner,
        name: "Jonas Berg",
        given_name: "Jonas",
        family_name: "Berg",
        username: "jberg",
        canvas_sub: "d2e4f6a8-0b1c-4d3e-9f5a-7b9c1d3e5f34",
        canvas_login_hint: "d6a4f2b5eaab7c39f8b4d2e6a0c5fb17d9e3a4c6",
        moodle_user_id: "5",
        locale: "en",
        moodle_locale: "en",
    },
    Person {
        role: CourseRole::Admin,
        name: "Ines Duarte",
        given_name: "Ines",
        family_name: "Duarte",
        username: "iduarte",
        canvas_sub: "e7f9a1b3-c5d7-4e9f-a1b3-c5d7e9f1a345",
        canvas_login_hint: "e8b6a4c2f0d9e7b5a3c1f9e8d7c6b5a4f3e2d1c0",
        moodle_user_id: "6",
        locale: "en",
        moodle_locale: "fr-CA",
    },
];

/// Whether the platforms list `person` as a member of the demo course (NRPS): the course's
/// instructor and learners, not the LMS admin, who is not enrolled.
pub fn is_course_member(person: &Person) -> bool {
    person.role != CourseRole::Admin
}

/// The person with this index in [`PEOPLE`].
pub fn person(index: usize) -> Option<&'static Person> {
    PEOPLE.get(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_instructor_three_learners_and_an_admin_with_distinct_ids() {
        let count = |role| PEOPLE.iter().filter(|p| p.role == role).count();
        assert_eq!(count(CourseRole::Instructor), 1);
        assert_eq!(count(CourseRole::Learner), 3);
        assert_eq!(count(CourseRole::Admin), 1);
        let members = PEOPLE.iter().filter(|p| is_course_member(p)).count();
        assert_eq!(members, 4, "the admin is not enrolled");
        for flavour in FLAVOURS {
            let mut subs: Vec<_> = PEOPLE.iter().map(|p| p.sub(flavour)).collect();
            subs.sort_unstable();
            subs.dedup();
            assert_eq!(subs.len(), PEOPLE.len(), "{flavour:?} subs collide");
        }
    }

    #[test]
    fn flavours_round_trip_and_differ() {
        for flavour in FLAVOURS {
            assert_eq!(Flavour::parse(flavour.as_str()), Some(flavour));
            assert_eq!(Flavour::by_client_id(flavour.client_id()), Some(flavour));
        }
        assert_ne!(Flavour::Canvas.issuer(), Flavour::Moodle.issuer());
        assert_eq!(Flavour::parse("blackboard"), None);
        assert_eq!(Flavour::by_client_id("nobody"), None);
    }
}
