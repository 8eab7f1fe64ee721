//! Splits a history into one sub-history per key and prepares it for the search.
//!
//! A key–value store is a product of independent registers, so a history is linearizable exactly
//! when each key's sub-history is (P-compositionality); each key is searched on its own, which keeps
//! every search small.

use std::collections::{BTreeMap, HashSet};

use crate::error::Error;
use crate::history::{History, OpId};
use crate::model::Step;
use crate::op::{Outcome, Value};

/// One operation of a key's sub-history, as the search sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct POp {
    /// Index of the operation in [`History::entries`].
    pub(crate) entry: usize,
    /// Its id, for reports.
    pub(crate) id: OpId,
    /// What it does to the register.
    pub(crate) step: Step,
    /// Sequence number of its invocation.
    pub(crate) call: u64,
    /// Sequence number of its completion; `None` when it may take effect at any later time.
    pub(crate) ret: Option<u64>,
}

/// Checks that the history is well formed and splits it by key, keeping only operations that can
/// constrain the register (failed operations and reads with unknown answers are dropped).
pub(crate) fn partition(history: &History) -> Result<BTreeMap<&str, Vec<POp>>, Error> {
    let mut ids = HashSet::with_capacity(history.len());
    let mut keys: BTreeMap<&str, Vec<POp>> = BTreeMap::new();
    for (index, entry) in history.entries().iter().enumerate() {
        let invalid = |reason: String| Error::InvalidHistory {
            op: entry.id,
            reason,
        };
        if !ids.insert(entry.id) {
            return Err(invalid("its id is used by another operation".to_owned()));
        }
        let ret = match entry.outcome {
            Outcome::Unknown => None,
            Outcome::Failed => Some(entry.invoked.seq),
            Outcome::Ok(reply) => {
                if !entry.op.accepts(&reply) {
                    return Err(invalid(format!(
                        "reply {reply:?} does not fit {}",
                        entry.op
                    )));
                }
                match entry.completed {
                    Some(done) if done.seq > entry.invoked.seq => Some(done.seq),
                    Some(done) => {
                        return Err(invalid(format!(
                            "completed at t{} but invoked at t{}: completion must come later",
                            done.seq, entry.invoked.seq
                        )));
                    }
                    None => return Err(invalid("outcome is Ok but no completion time".to_owned())),
                }
            }
        };
        if let Some(step) = Step::of(entry) {
            keys.entry(entry.op.key()).or_default().push(POp {
                entry: index,
                id: entry.id,
                step,
                call: entry.invoked.seq,
                ret,
            });
        }
    }
    Ok(keys)
}

/// The first operation that certainly saw a value no operation on its key may have stored, if any.
pub(crate) fn never_written(ops: &[POp], initial: Option<Value>) -> Option<POp> {
    let written: HashSet<Value> = ops
        .iter()
        .filter_map(|op| op.step.writes())
        .chain(initial)
        .collect();
    ops.iter()
        .copied()
        .find(|op| op.step.saw().is_some_and(|v| !written.contains(&v)))
}

/// Drops operations with unknown outcomes that provably need not have happened, to keep the search
/// from trying every place they could go.
///
/// By the normal form in `search`, if the history is linearizable then some linearization takes
/// every unknown operation it contains immediately before an operation that notices it: a read or
/// swap of the value it stored, an unknown swap from that value, or a "not swapped" answer. An unknown
/// store that no such operation could follow (none exists, or each completed before the store was
/// invoked) is in no such linearization, so leaving it out keeps the verdict. Dropping one can leave
/// another unnoticeable (an unknown swap was the only one to notice it), so this repeats until
/// nothing changes.
pub(crate) fn prune_unobserved(ops: &[POp]) -> Vec<POp> {
    let mut kept = ops.to_vec();
    loop {
        let before = kept.clone();
        kept.retain(|op| op.ret.is_some() || could_be_noticed(op, &before));
        if kept.len() == before.len() {
            return kept;
        }
    }
}

/// Whether some other operation of `ops` could directly follow the unknown store `store` and notice
/// it.
fn could_be_noticed(store: &POp, ops: &[POp]) -> bool {
    let Some(value) = store.step.writes() else {
        return true;
    };
    ops.iter().any(|other| {
        let notices =
            other.step.observes() == Some(value) || matches!(other.step, Step::NoSwap { .. });
        let may_follow = other.ret.is_none_or(|ret| ret >= store.call);
        notices && may_follow && other.entry != store.entry
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::op::Op;
    use crate::recorder::Recorder;

    #[test]
    fn failed_ops_and_unknown_reads_are_dropped() {
        let rec = Recorder::new();
        let a = rec.invoke(1, Op::write("a", 1));
        let b = rec.invoke(2, Op::read("a"));
        let c = rec.invoke(3, Op::write("b", 2));
        let _pending = rec.invoke(4, Op::write("b", 3));
        rec.complete(a, Outcome::Failed).unwrap();
        rec.complete(b, Outcome::Unknown).unwrap();
        rec.complete(c, Outcome::written()).unwrap();
        let h = rec.history();
        let parts = partition(&h).unwrap();
        assert!(!parts.contains_key("a"));
        let b_ops = &parts["b"];
        assert_eq!(b_ops.len(), 2);
        assert_eq!(b_ops[0].ret, Some(h.entries()[2].completed.unwrap().seq));
        assert_eq!(
            b_ops[1].ret, None,
            "a never-completed write may take effect any time"
        );
    }

    #[test]
    fn unobserved_unknown_writes_are_pruned_but_observed_ones_kept() {
        let rec = Recorder::new();
        let seen = rec.invoke(1, Op::write("k", 1));
        let unseen = rec.invoke(2, Op::write("k", 2));
        let r = rec.invoke(3, Op::read("k"));
        rec.complete(r, Outcome::read(Some(1))).unwrap();
        drop((seen, unseen));
        let h = rec.history();
        let parts = partition(&h).unwrap();
        let kept = prune_unobserved(&parts["k"]);
        let ids: Vec<usize> = kept.iter().map(|op| op.id.0).collect();
        assert_eq!(ids, vec![0, 2]);
    }

    #[test]
    fn a_later_not_swapped_answer_keeps_an_unseen_write() {
        let rec = Recorder::new();
        let early = rec.invoke(2, Op::cas("k", None, 5));
        rec.complete(early, Outcome::cas(false)).unwrap();
        let _unseen = rec.invoke(1, Op::write("k", 2));
        let h = rec.history();
        let parts = partition(&h).unwrap();
        assert_eq!(
            prune_unobserved(&parts["k"]).len(),
            1,
            "the answer came before the write"
        );
        let late = rec.invoke(2, Op::cas("k", None, 6));
        rec.complete(late, Outcome::cas(false)).unwrap();
        let h = rec.history();
        let parts = partition(&h).unwrap();
        assert_eq!(prune_unobserved(&parts["k"]).len(), 3);
    }

    #[test]
    fn pruning_repeats_until_nothing_changes() {
        let rec = Recorder::new();
        // The swap is the only one to notice the write, and nothing notices the swap.
        let _write = rec.invoke(1, Op::write("k", 1));
        let _swap = rec.invoke(2, Op::cas("k", Some(1), 2));
        let h = rec.history();
        let parts = partition(&h).unwrap();
        assert!(prune_unobserved(&parts["k"]).is_empty());
    }

    #[test]
    fn a_read_of_a_value_nobody_stores_is_found() {
        let rec = Recorder::new();
        let w = rec.invoke(1, Op::write("k", 1));
        rec.complete(w, Outcome::written()).unwrap();
        let r = rec.invoke(2, Op::read("k"));
        rec.complete(r, Outcome::read(Some(9))).unwrap();
        let h = rec.history();
        let parts = partition(&h).unwrap();
        assert_eq!(
            never_written(&parts["k"], None).map(|op| op.id),
            Some(OpId(1))
        );
        assert_eq!(never_written(&parts["k"], Some(9)), None);
    }

    #[test]
    fn malformed_entries_are_reported() {
        let rec = Recorder::new();
        let w = rec.invoke(1, Op::write("k", 1));
        rec.complete(w, Outcome::written()).unwrap();
        let mut entries = rec.history().entries().to_vec();
        entries.push(entries[0].clone());
        let err = partition(&History::from_entries(entries)).unwrap_err();
        assert!(
            matches!(err, Error::InvalidHistory { op: OpId(0), .. }),
            "{err}"
        );
    }
}
