//! The criteria narrative (`achievement.criteria.narrative`) in plain words, generated from
//! the definition's award rule unless the instructor wrote one
//! (`metadata.criteria_narrative`). It walks the rule as the definition states it
//! (README §4 grammar), never an evaluation: "Master all of: Hazard identification (80 %),
//! Incident reporting (80 %)", "Earn any three of: A, B, C, D", "Either earn any six of:
//! B1, …, B6; or earn any five of them and pass Practicum (70 %)". Stacked rules name
//! their components by the component definition's name; an id no definition declares is
//! written as it is.

use crate::criteria::{Leaf, PointsEntry, Rule};
use crate::definition::CredentialDefinition;

/// The narrative for `def`: the instructor's own text when given, else generated from
/// `def.criteria`. `related` are the other definitions the rule may name.
pub fn criteria_narrative(def: &CredentialDefinition, related: &[CredentialDefinition]) -> String {
    if let Some(own) = def
        .metadata
        .criteria_narrative
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        return own.to_owned();
    }
    let mut words = Words {
        def,
        related,
        last_list: None,
    };
    let text = words.rule(&def.criteria);
    if text.is_empty() {
        return format!("Awarded when the criteria of {} are met", def.name.trim());
    }
    capitalize(&text)
}

struct Words<'a> {
    def: &'a CredentialDefinition,
    related: &'a [CredentialDefinition],
    /// The names of the last list written, so a repeat reads "any five of them".
    last_list: Option<Vec<String>>,
}

fn definitions<'a>(w: &Words<'a>) -> impl Iterator<Item = &'a CredentialDefinition> {
    std::iter::once(w.def).chain(w.related.iter())
}

impl Words<'_> {
    fn credential(&self, id: &str) -> String {
        definitions(self)
            .find(|d| d.id.as_str() == id)
            .map_or_else(|| id.to_owned(), |d| d.name.trim().to_owned())
    }

    fn competency(&self, id: &str) -> String {
        definitions(self)
            .flat_map(|d| d.competencies.iter())
            .find(|c| c.id.as_str() == id)
            .map_or_else(
                || id.to_owned(),
                |c| {
                    format!(
                        "{} ({} %)",
                        c.statement.trim(),
                        c.threshold_percent.to_exact_string()
                    )
                },
            )
    }

    fn assessment(&self, id: &str) -> String {
        definitions(self)
            .flat_map(|d| d.assessments.iter())
            .find(|a| a.id.as_str() == id)
            .map_or_else(
                || id.to_owned(),
                |a| match &a.pass_percent {
                    Some(p) => format!("{} ({} %)", a.title.trim(), p.to_exact_string()),
                    None => a.title.trim().to_owned(),
                },
            )
    }

    fn all_competencies(&self) -> Vec<String> {
        self.def
            .competencies
            .iter()
            .map(|c| self.competency(c.id.as_str()))
            .collect()
    }

    /// "any five of: A, B" or, when the list repeats the last one, "any five of them".
    fn list(&mut self, head: &str, names: Vec<String>) -> String {
        if self.last_list.as_ref() == Some(&names) {
            return format!("{head} of them");
        }
        // Names that hold commas are separated by semicolons.
        let sep = if names.iter().any(|n| n.contains(',')) {
            "; "
        } else {
            ", "
        };
        let text = format!("{head} of: {}", names.join(sep));
        self.last_list = Some(names);
        text
    }

    fn rule(&mut self, rule: &Rule) -> String {
        match rule {
            Rule::Leaf(Leaf::Competency(c)) => format!("master {}", self.competency(c.as_str())),
            Rule::Leaf(Leaf::AllCompetencies) => match self.all_competencies() {
                names if names.is_empty() => String::new(),
                names if names.len() == 1 => format!("master {}", names[0]),
                names => self.list("master all", names),
            },
            Rule::Leaf(Leaf::Assessment(a)) => format!("pass {}", self.assessment(a.as_str())),
            Rule::Leaf(Leaf::Submitted(a)) => {
                format!("submit {}", self.assessment_title(a.as_str()))
            }
            Rule::Leaf(Leaf::Credential(d)) => format!("earn {}", self.credential(d.as_str())),
            Rule::All(of) => self.group(of, Group::All),
            Rule::Any(of) => self.group(of, Group::Any),
            Rule::AtLeast { k, of } => self.group(of, Group::AtLeast(*k)),
            Rule::Points { points, of } => self.points(&points.to_exact_string(), of),
        }
    }

    fn assessment_title(&self, id: &str) -> String {
        definitions(self)
            .flat_map(|d| d.assessments.iter())
            .find(|a| a.id.as_str() == id)
            .map_or_else(|| id.to_owned(), |a| a.title.trim().to_owned())
    }

    /// A leaf's verb and the name it is written with (`None` for groups and
    /// `all_competencies`).
    fn leaf(&self, rule: &Rule) -> Option<(&'static str, String)> {
        match rule {
            Rule::Leaf(Leaf::Credential(d)) => Some(("earn", self.credential(d.as_str()))),
            Rule::Leaf(Leaf::Assessment(a)) => Some(("pass", self.assessment(a.as_str()))),
            Rule::Leaf(Leaf::Competency(c)) => Some(("master", self.competency(c.as_str()))),
            Rule::Leaf(Leaf::Submitted(a)) => Some(("submit", self.assessment_title(a.as_str()))),
            _ => None,
        }
    }

    fn group(&mut self, of: &[Rule], group: Group) -> String {
        // Leaves of one kind read as one list: "earn any three of: A, B, C".
        let leaves: Vec<Option<(&'static str, String)>> = of.iter().map(|r| self.leaf(r)).collect();
        let one_verb = leaves
            .first()
            .and_then(|l| l.as_ref().map(|(v, _)| *v))
            .filter(|v| {
                leaves
                    .iter()
                    .all(|l| l.as_ref().is_some_and(|(w, _)| w == v))
            });
        if let Some(verb) = one_verb.filter(|_| of.len() > 1) {
            let names = leaves.into_iter().flatten().map(|(_, n)| n).collect();
            let head = match group {
                Group::All => format!("{verb} all"),
                Group::Any => format!("{verb} any one"),
                Group::AtLeast(k) => format!("{verb} any {}", number_word(k)),
            };
            return self.list(&head, names);
        }
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < of.len() {
            // Within "all", a run of leaves with one verb is one list.
            let verb = leaves[i].as_ref().map(|(v, _)| *v);
            let run = leaves[i..]
                .iter()
                .take_while(|l| l.as_ref().map(|(v, _)| *v) == verb)
                .count();
            if let (Group::All, Some(verb), true) = (group, verb, run > 1) {
                let names = leaves[i..i + run]
                    .iter()
                    .flatten()
                    .map(|(_, n)| n.clone())
                    .collect();
                parts.push(self.list(&format!("{verb} all"), names));
                i += run;
            } else {
                parts.push(self.rule(&of[i]));
                i += 1;
            }
        }
        parts.retain(|p| !p.is_empty());
        if parts.len() == 1 && !matches!(group, Group::AtLeast(k) if k > 1) {
            return parts.into_iter().next().unwrap_or_default();
        }
        if parts.is_empty() {
            return String::new();
        }
        let nested = parts.iter().any(|p| p.contains(", ") || p.contains(": "));
        let sep = if nested { "; " } else { ", " };
        match group {
            Group::All => join_last(&parts, sep, if nested { "; and " } else { " and " }),
            Group::Any if parts.len() == 2 => {
                format!("either {}{sep}or {}", parts[0], parts[1])
            }
            Group::Any => format!("one of: {}", join_last(&parts, sep, &format!("{sep}or "))),
            Group::AtLeast(k) => format!("any {} of: {}", number_word(k), parts.join(sep)),
        }
    }

    fn points(&mut self, needed: &str, of: &[PointsEntry]) -> String {
        let parts: Vec<String> = of
            .iter()
            .map(|e| {
                let what = self.rule(&e.rule);
                let pts = e.points.to_exact_string();
                let unit = if pts == "1" { "point" } else { "points" };
                if e.required {
                    format!("{what} ({pts} {unit}, required)")
                } else {
                    format!("{what} ({pts} {unit})")
                }
            })
            .collect();
        format!("reach {needed} points from: {}", parts.join("; "))
    }
}

#[derive(Clone, Copy)]
enum Group {
    All,
    Any,
    AtLeast(u32),
}

fn join_last(parts: &[String], sep: &str, last: &str) -> String {
    match parts.split_last() {
        Some((tail, head)) if !head.is_empty() => format!("{}{last}{tail}", head.join(sep)),
        Some((tail, _)) => tail.clone(),
        None => String::new(),
    }
}

/// "three" for 3 (one to twelve in words, then digits).
fn number_word(n: u32) -> String {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    WORDS
        .get(n as usize)
        .map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
