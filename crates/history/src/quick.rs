//! Finds the most common violations directly, before any search: a value that was certainly
//! overwritten, or not yet written, when an operation saw it.
//!
//! These are the shapes a replication bug usually leaves (a stale read, a lost acknowledged write,
//! a read from the future), and finding them takes one pass instead of a search that has to rule
//! out every order before them, which on a key with many concurrent clients can exceed the budget.

use std::collections::HashMap;

use crate::model::Step;
use crate::op::Value;
use crate::partition::POp;

/// A set of operations that on its own admits no linearization and is closed (it holds every
/// operation that may have stored a value one of its operations saw), or `None` if no such obvious
/// set exists.
///
/// An operation `seen` that certainly saw `v` (a read returning `v`, a swap from `v`) needs some
/// store of `v` to be its latest store before it. A store `w` cannot be if `w` was invoked after
/// `seen` completed, or if an acknowledged write `s` of another value started after `w` completed
/// and completed before `seen` started (then `s` lies between them in every order). When every
/// store of `v` (and the initial value, if it is `v`) is ruled out, `seen`, the stores of `v` and
/// the writes that rule them out form the set. Only stores that are plain writes are considered, so
/// that the set needs no further operations to be closed.
pub(crate) fn obvious_violation(ops: &[POp], initial: Option<Value>) -> Option<Vec<POp>> {
    let mut stores: HashMap<Option<Value>, Vec<POp>> = HashMap::new();
    for op in ops {
        if let Some(v) = op.step.writes() {
            stores.entry(Some(v)).or_default().push(*op);
        }
    }
    let acknowledged: Vec<POp> = ops
        .iter()
        .filter(|op| matches!(op.step, Step::Write(_)) && op.ret.is_some())
        .copied()
        .collect();
    let mut seen_by_call: Vec<&POp> = ops
        .iter()
        .filter(|op| definitely_saw(op).is_some())
        .collect();
    seen_by_call.sort_by_key(|op| op.call);
    seen_by_call.into_iter().find_map(|seen| {
        let v = definitely_saw(seen)?;
        let seen_call = seen.call;
        let seen_ret = seen.ret?;
        let writers = stores.get(&v).map(Vec::as_slice).unwrap_or_default();
        if writers.iter().any(|w| !matches!(w.step, Step::Write(_))) {
            return None;
        }
        // A write of another value that certainly lies between `after` and `seen`.
        let overwrite = |after: Option<u64>| {
            acknowledged.iter().copied().find(|s| {
                s.step.writes() != v
                    && after.is_none_or(|done| done < s.call)
                    && s.ret.is_some_and(|ret| ret < seen_call)
            })
        };
        let mut set = vec![*seen];
        if initial == v {
            set.push(overwrite(None)?);
        }
        for w in writers {
            set.push(*w);
            if w.call > seen_ret {
                continue;
            }
            set.push(overwrite(Some(w.ret?))?);
        }
        set.sort_by_key(|op| op.entry);
        set.dedup_by_key(|op| op.entry);
        Some(set)
    })
}

/// The value an operation certainly saw, if it saw one: what a read returned (`Some(None)`: absent),
/// or what a swap found.
fn definitely_saw(op: &POp) -> Option<Option<Value>> {
    match op.step {
        Step::Read(v) | Step::Swap { expected: v, .. } => Some(v),
        Step::Write(_) | Step::NoSwap { .. } | Step::MaybeSwap { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::history::OpId;

    fn op(id: usize, step: Step, call: u64, ret: Option<u64>) -> POp {
        POp {
            entry: id,
            id: OpId(id),
            step,
            call,
            ret,
        }
    }

    fn ids(set: Option<Vec<POp>>) -> Option<Vec<usize>> {
        set.map(|s| s.iter().map(|op| op.id.0).collect())
    }

    #[test]
    fn stale_read_is_found_with_the_write_in_between() {
        let ops = [
            op(0, Step::Write(1), 0, Some(1)),
            op(1, Step::Write(2), 2, Some(3)),
            op(2, Step::Read(Some(1)), 4, Some(5)),
        ];
        assert_eq!(ids(obvious_violation(&ops, None)), Some(vec![0, 1, 2]));
    }

    #[test]
    fn read_of_absent_after_an_acknowledged_write_is_found() {
        let ops = [
            op(0, Step::Write(1), 0, Some(1)),
            op(1, Step::Read(None), 2, Some(3)),
        ];
        assert_eq!(ids(obvious_violation(&ops, None)), Some(vec![0, 1]));
    }

    #[test]
    fn read_from_the_future_is_found() {
        let ops = [
            op(0, Step::Read(Some(1)), 0, Some(1)),
            op(1, Step::Write(1), 2, None),
        ];
        assert_eq!(ids(obvious_violation(&ops, None)), Some(vec![0, 1]));
    }

    #[test]
    fn concurrent_or_unknown_writes_are_not_obvious() {
        // The overwriting write is concurrent with the read.
        let concurrent = [
            op(0, Step::Write(1), 0, Some(1)),
            op(1, Step::Write(2), 2, Some(5)),
            op(2, Step::Read(Some(1)), 4, Some(6)),
        ];
        assert_eq!(obvious_violation(&concurrent, None), None);
        // The read value's write has no completion: it may land after the overwrite.
        let unknown = [
            op(0, Step::Write(1), 0, None),
            op(1, Step::Write(2), 2, Some(3)),
            op(2, Step::Read(Some(1)), 4, Some(5)),
        ];
        assert_eq!(obvious_violation(&unknown, None), None);
    }
}
