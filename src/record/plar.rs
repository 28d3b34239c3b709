//! PLAR grants (README §5.3): the target of a decision (a competency or a component of the
//! governing definition), the method check, `already_granted` and the share cap.

use super::competency::CompCache;
use super::learner::Learner;
use crate::definition::PlarMethod;
use crate::ids::{CompetencyId, DefinitionId};
use crate::number::Number;
use crate::policy::{self, PolicyError};
use crate::time::Timestamp;

impl Learner<'_, '_> {
    pub(super) fn plar_target(
        &self,
        d: usize,
        competency: Option<&CompetencyId>,
        component: Option<&DefinitionId>,
    ) -> Result<PlarTarget, PolicyError> {
        let def = &self.course.defs[d];
        match (competency, component) {
            (Some(c), None) => {
                let ci = self
                    .course
                    .comp_by_id
                    .get(c.as_str())
                    .copied()
                    .filter(|&ci| self.course.comps[ci].def == d);
                ci.map(PlarTarget::Competency)
                    .ok_or_else(|| PolicyError::UnknownReference {
                        kind: "competency of the governing definition",
                        id: c.to_string(),
                    })
            }
            (None, Some(k)) => {
                let found = def.components.iter().position(|x| x.credential == *k);
                found
                    .map(PlarTarget::Component)
                    .ok_or_else(|| PolicyError::UnknownReference {
                        kind: "component of the governing definition",
                        id: k.to_string(),
                    })
            }
            _ => Err(PolicyError::InvalidEvent {
                problem: "a PLAR decision names exactly one of competency or component".into(),
            }),
        }
    }

    pub(super) fn grant(
        &mut self,
        credential: &DefinitionId,
        method: PlarMethod,
        competency: Option<&CompetencyId>,
        component: Option<&DefinitionId>,
        t: Timestamp,
    ) -> Result<(), PolicyError> {
        let d = self.def_index(credential)?;
        let target = self.plar_target(d, competency, component)?;
        let def = &self.course.defs[d];
        let plar = def
            .plar
            .as_ref()
            .filter(|p| p.methods.contains(&method) && !method.is_challenge());
        let Some(plar) = plar else {
            return Err(PolicyError::PlarMethodNotAllowed {
                method: method.as_str(),
                credential: def.id.to_string(),
            });
        };
        let info = &self.course.def_info[d];
        match target {
            PlarTarget::Competency(ci) => {
                if self.granted_comps[ci].is_some() {
                    return Err(PolicyError::AlreadyGranted {
                        target: self.course.comps[ci].id.to_string(),
                    });
                }
                let granted = info
                    .comps
                    .iter()
                    .filter(|&&c| self.granted_comps[c].is_some())
                    .fold(Number::zero(), |acc, &c| {
                        acc.add(&self.course.comps[c].weight)
                    });
                policy::check_plar_share(
                    &granted,
                    &self.course.comps[ci].weight,
                    &info.comp_weight_total,
                    plar.max_share_percent.as_ref(),
                    def.id.as_str(),
                )?;
                self.granted_comps[ci] = Some((method, t));
                self.comp_cache.get_mut()[ci] = CompCache::default();
                self.dirty = true;
            }
            PlarTarget::Component(k) => {
                let component = &def.components[k];
                if self.granted_components[d]
                    .iter()
                    .any(|(id, _, _)| *id == component.credential)
                {
                    return Err(PolicyError::AlreadyGranted {
                        target: component.credential.to_string(),
                    });
                }
                let granted = def
                    .components
                    .iter()
                    .filter(|x| {
                        self.granted_components[d]
                            .iter()
                            .any(|(id, _, _)| *id == x.credential)
                    })
                    .fold(Number::zero(), |acc, x| acc.add(&x.weight));
                policy::check_plar_share(
                    &granted,
                    &component.weight,
                    &info.component_weight_total,
                    plar.max_share_percent.as_ref(),
                    def.id.as_str(),
                )?;
                self.granted_components[d].push((component.credential.clone(), method, t));
                self.dirty = true;
            }
        }
        Ok(())
    }
}

pub(super) enum PlarTarget {
    Competency(usize),
    Component(usize),
}
