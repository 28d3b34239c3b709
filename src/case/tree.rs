//! Building the `isChildOf` tree of an imported package: association ends resolved,
//! items placed under their first parent (cycles refused), siblings ordered as §8 says,
//! and a pre-order walk with an explicit stack that refuses a tree deeper than the limit.

use std::collections::BTreeMap;

use super::read::Findings;
use super::{Association, CaseError, Document, Item, NodeKind};
use crate::ids::CompetencyId;

/// One piece of a coding scheme for natural ordering: digit runs compare as numbers.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Chunk<'a> {
    /// Digits without leading zeros, compared by length then text (= numerically).
    Digits(usize, &'a str),
    /// Anything else, compared bytewise.
    Text(&'a str),
}

/// Splits a coding scheme into chunks; comparing the vectors is a total order in which
/// `L1.2 < L1.10`.
fn natural_key(code: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let bytes = code.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let digit = bytes[start].is_ascii_digit();
        let mut end = start;
        while end < bytes.len() && bytes[end].is_ascii_digit() == digit {
            end += 1;
        }
        // Digit runs are ASCII, so the boundaries are char boundaries.
        let run = code.get(start..end).unwrap_or("");
        if digit {
            let trimmed = run.trim_start_matches('0');
            chunks.push(Chunk::Digits(trimmed.len(), trimmed));
        } else {
            chunks.push(Chunk::Text(run));
        }
        start = end;
    }
    chunks
}

/// Sibling order of §8, as a key whose derived order is total: integer `sequenceNumber`
/// (absent last), natural order of the coding scheme (absent last), the scheme's text,
/// then the association's file position.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct SiblingKey<'a> {
    sequence_absent: bool,
    sequence: i64,
    code_absent: bool,
    natural: Vec<Chunk<'a>>,
    code: Option<&'a str>,
    position: usize,
}

fn sibling_key(sequence: Option<i64>, code: Option<&str>, position: usize) -> SiblingKey<'_> {
    SiblingKey {
        sequence_absent: sequence.is_none(),
        sequence: sequence.unwrap_or(0),
        code_absent: code.is_none(),
        natural: code.map(natural_key).unwrap_or_default(),
        code,
        position,
    }
}

fn label(item: &Item) -> String {
    item.human_coding_scheme
        .clone()
        .unwrap_or_else(|| item.id.to_string())
}

/// Finds a cycle among `isChildOf` edges (child → parent, item indexes), iteratively.
fn find_cycle(edges: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Color {
        White,
        Gray,
        Black,
    }
    let mut color = vec![Color::White; edges.len()];
    for start in 0..edges.len() {
        if color[start] != Color::White {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        color[start] = Color::Gray;
        while let Some(top) = stack.last_mut() {
            let (node, next) = *top;
            match edges[node].get(next) {
                Some(&to) => {
                    top.1 += 1;
                    match color[to] {
                        Color::White => {
                            color[to] = Color::Gray;
                            stack.push((to, 0));
                        }
                        Color::Gray => {
                            let from = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                            return Some(stack[from..].iter().map(|(n, _)| *n).collect());
                        }
                        Color::Black => {}
                    }
                }
                None => {
                    color[node] = Color::Black;
                    stack.pop();
                }
            }
        }
    }
    None
}

/// Item positions by identifier.
pub(super) fn item_index(items: &[Item]) -> BTreeMap<&str, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.id.as_str(), i))
        .collect()
}

/// Step 3: marks each association end as the document, an item or external; refuses an
/// association that starts outside the package. Returns the indexes of associations whose
/// destination is external.
pub(super) fn resolve_ends(
    document: &Document,
    index: &BTreeMap<&str, usize>,
    associations: &mut [Association],
) -> Result<Vec<usize>, CaseError> {
    let kind_of = |id: &str| {
        if id == document.identifier {
            NodeKind::Document
        } else if index.contains_key(id) {
            NodeKind::Item
        } else {
            NodeKind::External
        }
    };
    let mut external_links = Vec::new();
    for (i, a) in associations.iter_mut().enumerate() {
        a.origin.kind = kind_of(&a.origin.identifier);
        a.destination.kind = kind_of(&a.destination.identifier);
        if a.origin.kind == NodeKind::External {
            return Err(CaseError::MissingOrigin {
                path: format!("CFAssociations[{i}]"),
                association: a.identifier.clone(),
                origin: a.origin.identifier.clone(),
            });
        }
        if a.destination.kind == NodeKind::External {
            external_links.push(i);
        }
    }
    Ok(external_links)
}

/// Where `isChildOf` places each item.
pub(super) struct Placement {
    /// Per item: (parent item, or `None` for the document; the placing association's
    /// position), or `None` when no association places it.
    placed: Vec<Option<(Option<usize>, usize)>>,
    /// Per item: whether some `isChildOf` points outside the package.
    external_parent: Vec<bool>,
}

/// Step 4: `isChildOf` without cycles, then one parent per item (the first in file order).
pub(super) fn place_items(
    items: &[Item],
    associations: &[Association],
    index: &BTreeMap<&str, usize>,
    found: &mut Findings,
) -> Result<Placement, CaseError> {
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut placed: Vec<Option<(Option<usize>, usize)>> = vec![None; items.len()];
    let mut external_parent = vec![false; items.len()];
    for (pos, a) in associations.iter().enumerate() {
        if a.association_type != "isChildOf" {
            continue;
        }
        let Some(&child) = index.get(a.origin.identifier.as_str()) else {
            found.warn("document_is_child", || {
                format!(
                    "association {} makes the document a child: ignored for the tree",
                    a.identifier
                )
            });
            continue;
        };
        let parent = match a.destination.kind {
            NodeKind::Document => None,
            NodeKind::Item => index.get(a.destination.identifier.as_str()).copied(),
            NodeKind::External => {
                external_parent[child] = true;
                continue;
            }
        };
        if let Some(p) = parent {
            edges[child].push(p);
        }
        if placed[child].is_some() {
            found.warn("multiple_parents", || {
                format!(
                    "item {} has more than one isChildOf parent: the first in the file places it",
                    a.origin.identifier
                )
            });
        } else {
            placed[child] = Some((parent, pos));
        }
    }
    if let Some(cycle) = find_cycle(&edges) {
        return Err(CaseError::ChildOfCycle {
            items: cycle.iter().take(10).map(|&i| label(&items[i])).collect(),
        });
    }
    Ok(Placement {
        placed,
        external_parent,
    })
}

/// Children lists in sibling order; roots are the document's children, then orphans.
pub(super) struct Siblings {
    top: Vec<usize>,
    orphans: Vec<usize>,
    children: Vec<Vec<usize>>,
}

/// Step 5: each item in its parent's list (orphans warned about), lists in sibling order.
pub(super) fn sibling_lists(
    items: &[Item],
    associations: &[Association],
    placement: &Placement,
    found: &mut Findings,
) -> Siblings {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut top: Vec<usize> = Vec::new();
    let mut orphans: Vec<usize> = Vec::new();
    for (i, p) in placement.placed.iter().enumerate() {
        match p {
            Some((Some(parent), _)) => children[*parent].push(i),
            Some((None, _)) => top.push(i),
            None => {
                orphans.push(i);
                if placement.external_parent[i] {
                    found.warn("external_parent", || {
                        format!(
                            "item {} is a child only of nodes outside the package: listed at top level",
                            label(&items[i])
                        )
                    });
                } else {
                    found.warn("orphan_item", || {
                        format!(
                            "item {} has no isChildOf parent: listed at top level",
                            label(&items[i])
                        )
                    });
                }
            }
        }
    }
    // Keys computed once per item, so sorting never re-splits a coding scheme.
    let keys: Vec<SiblingKey<'_>> = items
        .iter()
        .zip(&placement.placed)
        .map(|(item, p)| {
            let position = p.map_or(usize::MAX, |(_, pos)| pos);
            let sequence = associations.get(position).and_then(|a| a.sequence_number);
            sibling_key(sequence, item.human_coding_scheme.as_deref(), position)
        })
        .collect();
    top.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
    for list in &mut children {
        list.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
    }
    Siblings {
        top,
        orphans,
        children,
    }
}

/// Step 6: the items in tree order (pre-order, explicit stack), each with its parent and
/// depth; refuses an item deeper than `max_depth`.
pub(super) fn walk(
    mut items: Vec<Item>,
    siblings: &Siblings,
    max_depth: usize,
) -> Result<Vec<Item>, CaseError> {
    let mut order: Vec<(usize, Option<usize>, usize)> = Vec::with_capacity(items.len());
    let mut stack: Vec<(usize, Option<usize>, usize)> = Vec::new();
    for root_list in [&siblings.top, &siblings.orphans] {
        stack.extend(root_list.iter().rev().map(|&i| (i, None, 1)));
        while let Some((i, parent, depth)) = stack.pop() {
            if depth > max_depth {
                return Err(CaseError::TooDeep {
                    item: label(&items[i]),
                    depth,
                    max: max_depth,
                });
            }
            order.push((i, parent, depth));
            stack.extend(
                siblings.children[i]
                    .iter()
                    .rev()
                    .map(|&c| (c, Some(i), depth + 1)),
            );
        }
    }
    let ids: Vec<CompetencyId> = items.iter().map(|it| it.id.clone()).collect();
    let mut slots: Vec<Option<Item>> = items.drain(..).map(Some).collect();
    let mut ordered = Vec::with_capacity(slots.len());
    for (i, parent, depth) in order {
        if let Some(mut item) = slots.get_mut(i).and_then(Option::take) {
            item.parent = parent.map(|p| ids[p].clone());
            item.depth = depth;
            ordered.push(item);
        }
    }
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_digit_runs_as_numbers() {
        let mut codes = vec!["L1.10", "L1.2", "L1.1", "L1.2a", "L1", "L01.3", "L2"];
        codes.sort_by_key(|c| sibling_key(None, Some(c), 0));
        assert_eq!(
            codes,
            ["L1", "L1.1", "L1.2", "L1.2a", "L01.3", "L1.10", "L2"]
        );
        let huge = "9".repeat(200);
        assert!(sibling_key(None, Some(&huge), 0) > sibling_key(None, Some("10"), 0));
    }

    #[test]
    fn sequence_numbers_come_first_then_codes_then_position() {
        assert!(sibling_key(Some(2), Some("B"), 5) < sibling_key(None, Some("A"), 0));
        assert!(sibling_key(Some(1), Some("B"), 5) < sibling_key(Some(2), Some("A"), 0));
        assert!(sibling_key(Some(-3), None, 5) < sibling_key(Some(0), Some("A"), 0));
        assert!(sibling_key(None, Some("A"), 5) < sibling_key(None, None, 0));
        assert!(sibling_key(None, None, 1) > sibling_key(None, None, 0));
    }

    #[test]
    fn cycles_are_found_without_recursion() {
        let n = 200_000;
        let mut edges: Vec<Vec<usize>> = (0..n).map(|i| vec![i + 1]).collect();
        edges[n - 1] = vec![];
        assert_eq!(find_cycle(&edges), None);
        edges[n - 1] = vec![0];
        assert_eq!(find_cycle(&edges).map(|c| c.len()), Some(n));
        assert_eq!(find_cycle(&[vec![0]]), Some(vec![0]));
    }
}
