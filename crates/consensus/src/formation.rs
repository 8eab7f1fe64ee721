//! Pure decisions about forming the cluster and growing it: no IO, fully unit-tested.

use std::collections::{BTreeMap, BTreeSet};

use crate::types::NodeId;

/// What an uninitialised node should do now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Formation {
    /// Fewer than `bootstrap_expect` nodes are visible.
    Wait {
        /// Nodes visible, this one included.
        seen: usize,
        /// Nodes needed.
        need: usize,
    },
    /// This node has the lowest id among the first `bootstrap_expect` nodes: initialise the
    /// membership with them as voters.
    Initialize(BTreeSet<NodeId>),
    /// Another node initialises, or a cluster already exists: wait to be contacted by its leader.
    WaitToBeContacted,
}

/// Decides formation for `me`, given the voter-eligible peers it sees and whether any of them
/// already belongs to an initialised cluster.
pub fn formation(
    me: NodeId,
    voter: bool,
    peers: &BTreeSet<NodeId>,
    cluster_exists: bool,
    expect: usize,
) -> Formation {
    if !voter || cluster_exists {
        return Formation::WaitToBeContacted;
    }
    let mut all = peers.clone();
    all.insert(me);
    if all.len() < expect {
        return Formation::Wait {
            seen: all.len(),
            need: expect,
        };
    }
    let first: BTreeSet<NodeId> = all.iter().copied().take(expect.max(1)).collect();
    if first.iter().next() == Some(&me) {
        Formation::Initialize(first)
    } else {
        Formation::WaitToBeContacted
    }
}

/// A membership change the leader should make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start replicating to a new node as a learner.
    AddLearner(NodeId),
    /// Make these caught-up learners voters.
    Promote(BTreeSet<NodeId>),
}

/// Plans how the leader grows the membership: connected nodes join as learners (up to
/// `max_learners`), and caught-up, voter-eligible learners become voters up to `max_voters`.
/// Nothing is ever removed here: removal is an explicit operator action.
pub fn plan(
    voters: &BTreeSet<NodeId>,
    learners: &BTreeSet<NodeId>,
    connected: &BTreeMap<NodeId, bool>,
    caught_up: &BTreeSet<NodeId>,
    max_voters: usize,
    max_learners: usize,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut learner_count = learners.len();
    for id in connected.keys() {
        if voters.contains(id) || learners.contains(id) {
            continue;
        }
        if learner_count >= max_learners {
            break;
        }
        actions.push(Action::AddLearner(*id));
        learner_count += 1;
    }
    let room = max_voters.saturating_sub(voters.len());
    let promote: BTreeSet<NodeId> = learners
        .iter()
        .filter(|id| caught_up.contains(id) && connected.get(id).copied().unwrap_or(false))
        .take(room)
        .copied()
        .collect();
    if !promote.is_empty() {
        actions.push(Action::Promote(promote));
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[u64]) -> BTreeSet<u64> {
        v.iter().copied().collect()
    }

    #[test]
    fn lowest_of_the_expected_initialises_and_others_wait() {
        assert_eq!(
            formation(5, true, &set(&[9]), false, 3),
            Formation::Wait { seen: 2, need: 3 }
        );
        assert_eq!(
            formation(5, true, &set(&[9, 7]), false, 3),
            Formation::Initialize(set(&[5, 7, 9]))
        );
        assert_eq!(
            formation(7, true, &set(&[5, 9]), false, 3),
            Formation::WaitToBeContacted
        );
        assert_eq!(
            formation(5, true, &set(&[7, 9, 11]), false, 3),
            Formation::Initialize(set(&[5, 7, 9]))
        );
        assert_eq!(
            formation(1, true, &set(&[]), false, 1),
            Formation::Initialize(set(&[1]))
        );
    }

    #[test]
    fn an_existing_cluster_or_a_portal_never_initialises() {
        assert_eq!(
            formation(1, true, &set(&[2, 3]), true, 3),
            Formation::WaitToBeContacted
        );
        assert_eq!(
            formation(1, false, &set(&[2, 3]), false, 3),
            Formation::WaitToBeContacted
        );
    }

    #[test]
    fn newcomers_become_learners_then_voters_up_to_the_caps() {
        let connected: BTreeMap<u64, bool> = [(4, true), (5, true), (6, false)].into();
        let a = plan(&set(&[1, 2, 3]), &set(&[]), &connected, &set(&[]), 5, 16);
        assert_eq!(
            a,
            vec![
                Action::AddLearner(4),
                Action::AddLearner(5),
                Action::AddLearner(6)
            ]
        );
        let a = plan(
            &set(&[1, 2, 3]),
            &set(&[4, 5, 6]),
            &connected,
            &set(&[4, 5, 6]),
            5,
            16,
        );
        assert_eq!(
            a,
            vec![Action::Promote(set(&[4, 5]))],
            "a portal (6) never votes"
        );
        let a = plan(
            &set(&[1, 2, 3, 4, 5]),
            &set(&[]),
            &[(9, true)].into(),
            &set(&[]),
            5,
            0,
        );
        assert!(a.is_empty(), "learner cap");
        let a = plan(
            &set(&[1, 2, 3]),
            &set(&[4]),
            &[(4, true)].into(),
            &set(&[]),
            5,
            16,
        );
        assert!(a.is_empty(), "not caught up yet");
    }
}
