//! Which version of each definition a learner is folded on (REQ-LIFE-02; `docs/format.md`
//! §5.8). The definitions given to the fold may hold several versions of one definition id,
//! oldest first. A learner's first `enrolled` for a definition pins the version it names
//! (`version`, else its `offering`'s `version`); a learner in progress stays on it after a
//! new version is published. A learner with no pin (or a pin to a version not given) is
//! folded on the latest, the last given. The chosen set has one version per id and is
//! folded as usual: a pin no version answers is then refused by the `enrolled` check.

use std::borrow::Cow;

use super::catalog::Layout;
use super::{Course, LearnerSummary};
use crate::definition::{CredentialDefinition, DefinitionError};
use crate::event::{Event, EventKind};
use crate::sorted_map::StrSet;
use crate::time::Timestamp;

/// The version an `enrolled` event pins, if it names one.
pub fn pinned_version(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::Enrolled {
            version, offering, ..
        } => version
            .as_deref()
            .or(offering.as_ref().map(|o| o.version.as_str())),
        _ => None,
    }
}

/// The index in `catalog` of the version of each definition id the learner of `events` is
/// folded on at `at`, in the order the ids first appear. Refuses one id and version given
/// twice (`duplicate_id`).
pub fn chosen_versions(
    catalog: &[CredentialDefinition],
    events: &[Event],
    at: Timestamp,
) -> Result<Vec<usize>, DefinitionError> {
    // The distinct ids in order, and each catalog entry's place among them: vectors indexed
    // by place instead of maps keyed by id (one sort of `&str`, which the page's modules
    // carry anyway, instead of a tree's code per key and value type).
    let ids: StrSet = catalog.iter().map(|def| def.id.as_str()).collect();
    let place = |id: &str| ids.place(id);
    // Per place, the catalog indices of its versions, oldest first; the places in the order
    // their ids first appear.
    let mut versions: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    let mut order: Vec<usize> = Vec::with_capacity(ids.len());
    for (i, def) in catalog.iter().enumerate() {
        let Some(p) = place(def.id.as_str()) else {
            continue;
        };
        if versions[p]
            .iter()
            .any(|&j| catalog[j].version == def.version)
        {
            return Err(DefinitionError::DuplicateId {
                kind: "definition version",
                id: format!("{} {}", def.id, def.version),
            });
        }
        if versions[p].is_empty() {
            order.push(p);
        }
        versions[p].push(i);
    }
    if order.len() == catalog.len() {
        return Ok((0..catalog.len()).collect());
    }
    let mut in_time: Vec<&Event> = events.iter().filter(|e| e.at <= at).collect();
    in_time.sort_by_key(|e| e.at);
    // Per place, the version the learner's first `enrolled` for it pins (`Some(None)`: that
    // enrolment names none).
    let mut pins: Vec<Option<Option<&str>>> = vec![None; ids.len()];
    for event in in_time {
        if let EventKind::Enrolled { credential, .. } = &event.kind
            && let Some(p) = place(credential.as_str())
            && pins[p].is_none()
        {
            pins[p] = Some(pinned_version(&event.kind));
        }
    }
    Ok(order
        .iter()
        .map(|&p| {
            let list = &versions[p];
            let latest = list[list.len() - 1];
            match pins[p].flatten() {
                Some(pin) => list
                    .iter()
                    .copied()
                    .find(|&i| catalog[i].version == pin)
                    .unwrap_or(latest),
                None => latest,
            }
        })
        .collect())
}

/// The definitions the learner of `events` is folded on ([`chosen_versions`]): `catalog`
/// itself when no id has two versions.
pub fn versions_for<'d>(
    catalog: &'d [CredentialDefinition],
    events: &[Event],
    at: Timestamp,
) -> Result<Cow<'d, [CredentialDefinition]>, DefinitionError> {
    let chosen = chosen_versions(catalog, events, at)?;
    if chosen.len() == catalog.len() {
        return Ok(Cow::Borrowed(catalog));
    }
    Ok(Cow::Owned(
        chosen.into_iter().map(|i| catalog[i].clone()).collect(),
    ))
}

/// A summary folded on course `from` (a learner's pinned versions), laid out in `onto`'s
/// order (the latest versions, the roster's columns): entries `from` lacks read as not
/// started, attempted or issued; entries `onto` lacks are left out. The roster of a context
/// with learners on several versions shows every learner in one layout.
pub fn summary_onto(
    summary: &LearnerSummary,
    from: &Course<'_>,
    onto: &Course<'_>,
) -> LearnerSummary {
    Layout::new(from, onto).summary(summary)
}
