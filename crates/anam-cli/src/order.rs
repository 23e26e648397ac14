//! The order of `apply`: what each action must wait for, from the references between
//! resources. Everything else runs in parallel.
//!
//! - A create or update waits for the creates of what it will refer to (a tool before the
//!   persona that uses it, a group before its documents and the knowledge tool that searches it).
//! - A delete waits for every change to a resource that refers to what it deletes now (a
//!   persona stops using a tool, or is deleted, before the tool is deleted; a share link
//!   before its persona), and, where what a resource refers to is not known (a persona to
//!   delete is not read in full), for every change to that resource if it is of a kind that
//!   can refer to the deleted one's.
//!
//! Creates wait only for creates of kinds before theirs, and deletes only for changes of kinds
//! after theirs, so the waits never go round in a circle.

use std::collections::HashMap;

use crate::plan::{Action, Ref, Verb};

/// For each action, the indexes of the actions it waits for.
pub fn dependencies(actions: &[Action]) -> Vec<Vec<usize>> {
    let creates: HashMap<Ref, usize> = actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.verb == Verb::Create && a.at.is_some())
        .map(|(i, a)| (Ref { kind: a.kind, name: a.name.clone() }, i))
        .collect();
    actions
        .iter()
        .enumerate()
        .map(|(i, action)| {
            let mut waits: Vec<usize> = action.uses.iter().filter_map(|r| creates.get(r).copied()).collect();
            if action.verb == Verb::Delete
                && let Some(id) = &action.id
            {
                let referrers = actions.iter().enumerate().filter(|(j, other)| {
                    *j != i
                        && other.changes_something()
                        && other.kind > action.kind
                        && other.refers_to.as_ref().is_none_or(|ids| ids.contains(id))
                });
                waits.extend(referrers.map(|(j, _)| j));
            }
            waits.sort_unstable();
            waits.dedup();
            waits
        })
        .collect()
}

/// The actions' indexes in an order where each comes after what it waits for, or `None` if the
/// waits go round in a circle (which [`dependencies`] never makes).
pub fn topological(waits: &[Vec<usize>]) -> Option<Vec<usize>> {
    let mut left: Vec<usize> = waits.iter().map(Vec::len).collect();
    let mut waited_by: Vec<Vec<usize>> = vec![Vec::new(); waits.len()];
    for (i, list) in waits.iter().enumerate() {
        for &j in list {
            waited_by.get_mut(j)?.push(i);
        }
    }
    let mut ready: Vec<usize> = (0..waits.len()).filter(|&i| left[i] == 0).rev().collect();
    let mut order = Vec::with_capacity(waits.len());
    while let Some(i) = ready.pop() {
        order.push(i);
        for &k in &waited_by[i] {
            left[k] -= 1;
            if left[k] == 0 {
                ready.push(k);
            }
        }
    }
    (order.len() == waits.len()).then_some(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Change;
    use crate::spec::Kind;

    fn action(
        kind: Kind,
        name: &str,
        verb: Verb,
        id: Option<&str>,
        uses: &[(Kind, &str)],
        refers: Option<&[&str]>,
    ) -> Action {
        Action {
            kind,
            name: name.into(),
            at: (verb != Verb::Delete).then(|| "x[0]".to_owned()),
            id: id.map(str::to_owned),
            verb,
            changes: Vec::<Change>::new(),
            uses: uses.iter().map(|(kind, name)| Ref { kind: *kind, name: (*name).into() }).collect(),
            refers_to: refers.map(|ids| ids.iter().map(|s| (*s).to_owned()).collect()),
            run: None,
        }
    }

    #[test]
    fn creates_come_before_their_users_and_deletes_after_their_users_change() {
        let actions = [
            action(Kind::KnowledgeGroup, "handbook", Verb::Create, None, &[], Some(&[])),
            action(Kind::Tool, "search", Verb::Create, None, &[(Kind::KnowledgeGroup, "handbook")], Some(&[])),
            action(Kind::Tool, "old", Verb::Delete, Some("t-old"), &[], Some(&[])),
            action(Kind::Tool, "other", Verb::Delete, Some("t-other"), &[], Some(&[])),
            action(Kind::Persona, "front", Verb::Update, Some("p1"), &[(Kind::Tool, "search")], Some(&["t-old"])),
            action(Kind::Persona, "night", Verb::Update, Some("p2"), &[], Some(&["t-kept"])),
            action(Kind::Persona, "gone", Verb::Delete, Some("p3"), &[], None),
            action(Kind::ShareLink, "gone", Verb::Delete, Some("l1"), &[], Some(&["p3"])),
        ];
        let waits = dependencies(&actions);
        assert_eq!(waits[1], [0], "the tool waits for its group");
        assert_eq!(waits[4], [1], "the persona waits for its new tool");
        assert_eq!(
            waits[2],
            [4, 6],
            "a deleted tool waits for the persona that used it, and for a persona of unknown tools"
        );
        assert_eq!(waits[3], [6], "not for a persona that never used it");
        assert_eq!(waits[6], [7], "a persona is deleted after its share link");
        assert!(waits[5].is_empty() && waits[0].is_empty() && waits[7].is_empty());
        let order = topological(&waits).unwrap();
        let position = |i: usize| order.iter().position(|&o| o == i).unwrap();
        for (i, list) in waits.iter().enumerate() {
            assert!(list.iter().all(|&j| position(j) < position(i)), "{i} after {list:?} in {order:?}");
        }
        assert_eq!(topological(&[vec![1], vec![0]]), None, "a circle has no order");
    }
}
