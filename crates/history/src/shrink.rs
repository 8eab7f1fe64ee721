//! Finds a small set of operations that on its own is not linearizable, to explain a violation.
//!
//! Shrinking uses delta debugging: leave out a chunk of operations, keep the smaller set if it still
//! fails, and halve the chunks when no chunk can go. A smaller failing set proves that the whole
//! history fails only if every linearization of the whole would give one of the smaller set:
//!
//! - Leaving out operations that change nothing (reads, "not swapped" answers) is always fine: the
//!   same order without them stays valid.
//! - Leaving out stores is fine if the set stays *closed*: it keeps every operation that may have
//!   stored a value one of its operations saw, and it holds no "not swapped" answer. Restricting a
//!   linearization of the whole to a closed set leaves each observing operation right after the same
//!   store as before (stores between them would have changed what it saw), so the order stays valid.
//!   A "not swapped" answer only says what the value was not, which leaving out stores can break, so
//!   a set that needs one keeps all its stores.

use std::collections::HashSet;

use crate::model::Step;
use crate::op::Value;
use crate::partition::{POp, prune_unobserved};
use crate::search::{self, search};

/// A failing set with the search's account of where it got stuck.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    /// The operations of the set, in invocation order (including unknown ones the search could
    /// leave out, so that every store of a value the set saw is shown).
    pub(crate) ops: Vec<POp>,
    /// The longest order of them the search found.
    pub(crate) deepest: Vec<POp>,
    /// The register value after `deepest`.
    pub(crate) value: Option<Value>,
    /// The operation that could not be placed after `deepest`.
    pub(crate) stuck: POp,
    /// Whether no single operation can be left out (keeping the set closed).
    pub(crate) minimal: bool,
}

/// The search ran out of budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exhausted;

/// Searches `ops` (after pruning) within `budget` steps, adding the steps spent to `spent`.
/// `Ok(None)`: linearizable.
pub(crate) fn explain(
    ops: &[POp],
    initial: Option<Value>,
    budget: u64,
    spent: &mut u64,
) -> Result<Option<Failure>, Exhausted> {
    let pruned = prune_unobserved(ops);
    match search(&pruned, initial, budget) {
        search::Outcome::Linearizable { steps } => {
            *spent += steps;
            Ok(None)
        }
        search::Outcome::Exhausted { steps } => {
            *spent += steps;
            Err(Exhausted)
        }
        search::Outcome::NotLinearizable {
            steps,
            deepest,
            state,
            stuck,
        } => {
            *spent += steps;
            Ok(Some(Failure {
                deepest: deepest.iter().map(|&i| pruned[i]).collect(),
                stuck: pruned[stuck],
                ops: ops.to_vec(),
                value: state,
                minimal: false,
            }))
        }
    }
}

/// Shrinks `failure`, found on the key's operations, spending at most `budget` steps.
///
/// First leaves out operations that change nothing (reads and "not swapped" answers), which is
/// always sound: a linearization of the whole history restricted to the rest stays valid. If no "not
/// swapped" answer is left, it then leaves out any operation, keeping the set closed.
pub(crate) fn shrink(failure: Failure, initial: Option<Value>, budget: u64) -> Failure {
    let mut spent = 0u64;
    let changes_nothing = |op: &POp| matches!(op.step, Step::Read(_) | Step::NoSwap { .. });
    let (best, finished) = ddmin(failure, changes_nothing, initial, budget, &mut spent);
    if !finished
        || best
            .ops
            .iter()
            .any(|op| matches!(op.step, Step::NoSwap { .. }))
    {
        return best;
    }
    let (mut best, finished) = ddmin(best, |_| true, initial, budget, &mut spent);
    best.minimal = finished;
    best
}

/// Delta debugging: leaves out chunks of the operations `removable` allows, as long as the set
/// stays closed and still fails, halving the chunks when none can go. Returns the smallest failing
/// set found and whether it got to the end (no single such operation can be left out) within budget.
fn ddmin(
    mut best: Failure,
    removable: impl Fn(&POp) -> bool,
    initial: Option<Value>,
    budget: u64,
    spent: &mut u64,
) -> (Failure, bool) {
    let mut chunks = 2usize;
    loop {
        let current = best.ops.clone();
        let candidates: Vec<usize> = (0..current.len())
            .filter(|&i| removable(&current[i]))
            .collect();
        if candidates.is_empty() {
            return (best, true);
        }
        let chunks_now = chunks.min(candidates.len());
        let mut shrunk = false;
        for group in candidates.chunks(candidates.len().div_ceil(chunks_now)) {
            let mut kept: Vec<POp> = Vec::with_capacity(current.len());
            let mut removed: Vec<POp> = Vec::with_capacity(group.len());
            for (i, op) in current.iter().enumerate() {
                if group.binary_search(&i).is_ok() {
                    removed.push(*op);
                } else {
                    kept.push(*op);
                }
            }
            if kept.is_empty() || !stays_closed(&kept, &removed) {
                continue;
            }
            match explain(&kept, initial, budget.saturating_sub(*spent), spent) {
                Err(Exhausted) => return (best, false),
                Ok(None) => {}
                Ok(Some(smaller)) => {
                    best = smaller;
                    chunks = (chunks_now - 1).max(2);
                    shrunk = true;
                    break;
                }
            }
        }
        if !shrunk {
            if chunks_now >= candidates.len() {
                return (best, true);
            }
            chunks = (chunks_now * 2).min(candidates.len());
        }
    }
}

/// Whether leaving `removed` out of a closed set, keeping `kept`, leaves it closed: no removed
/// operation may have stored a value a kept operation saw.
fn stays_closed(kept: &[POp], removed: &[POp]) -> bool {
    let observed: HashSet<Value> = kept.iter().filter_map(|op| op.step.observes()).collect();
    removed
        .iter()
        .all(|op| op.step.writes().is_none_or(|v| !observed.contains(&v)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::history::OpId;

    fn op(id: usize, step: Step, call: u64, ret: u64) -> POp {
        POp {
            entry: id,
            id: OpId(id),
            step,
            call,
            ret: Some(ret),
        }
    }

    #[test]
    fn shrinks_a_stale_read_to_the_writes_it_skipped() {
        // Noise on both sides of a stale read: write 1, write 2, then read 1.
        let mut ops = vec![
            op(0, Step::Write(10), 0, 1),
            op(1, Step::Read(Some(10)), 2, 3),
        ];
        ops.push(op(2, Step::Write(1), 4, 5));
        ops.push(op(3, Step::Write(2), 6, 7));
        ops.push(op(4, Step::Read(Some(1)), 8, 9));
        ops.push(op(5, Step::Write(3), 10, 11));
        ops.push(op(6, Step::Read(Some(3)), 12, 13));
        let mut spent = 0;
        let failure = explain(&ops, None, 10_000, &mut spent).unwrap().unwrap();
        let small = shrink(failure, None, 10_000);
        let ids: Vec<usize> = small.ops.iter().map(|op| op.id.0).collect();
        assert_eq!(ids, vec![2, 3, 4]);
        assert!(small.minimal);
        assert_eq!(small.stuck.id, OpId(4));
    }

    #[test]
    fn never_leaves_out_the_store_of_an_observed_value() {
        let w = op(0, Step::Write(1), 0, 1);
        let r = op(1, Step::Read(Some(1)), 2, 3);
        assert!(!stays_closed(&[r], &[w]));
        assert!(stays_closed(&[w], &[r]));
    }
}
