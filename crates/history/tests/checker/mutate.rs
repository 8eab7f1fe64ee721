//! Turns a linearizable history into one that provably is not, by changing one read's result.

use chorus_history::{Entry, History, Op, OpId, Outcome, Reply, Value};
use rand::Rng;
use rand::rngs::StdRng;

/// Why the new read result cannot have been observed. Every value in the simulated history is
/// stored by at most one operation, which the arguments below rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The only write of the value completed before another acknowledged write began, and that one
    /// completed before the read began: in any order the later write sits between them.
    Stale,
    /// The only store of the value was invoked after the read completed.
    Future,
    /// The only store of the value failed, so it never took effect.
    FailedStore,
    /// No operation stores the value.
    NeverWritten,
}

/// A history with one read changed.
#[derive(Debug, Clone)]
pub struct Mutation {
    /// The changed history.
    pub history: History,
    /// The changed read.
    pub read: OpId,
    /// Its key.
    pub key: String,
    /// The value it now returns.
    pub value: Value,
    /// Why that value cannot have been observed.
    pub why: Why,
}

fn stored(entry: &Entry) -> Option<Value> {
    match entry.op {
        Op::Write { value, .. } => Some(value),
        Op::Cas { new, .. } => Some(new),
        Op::Read { .. } => None,
    }
}

/// Values the read at `r` provably cannot have returned, with the reason, excluding `NeverWritten`.
fn impossible_values(entries: &[Entry], r: &Entry) -> Vec<(Value, Why)> {
    let key = r.op.key();
    let read_done = r.completed.map(|s| s.seq).unwrap_or(u64::MAX);
    let same_key = || entries.iter().filter(move |e| e.op.key() == key);
    let acked_writes = || {
        same_key().filter(|e| {
            matches!(e.op, Op::Write { .. }) && e.outcome == Outcome::Ok(Reply::Written)
        })
    };
    let mut out = Vec::new();
    // The latest invocation of an acknowledged write that completed before the read began.
    let barrier = acked_writes()
        .filter(|w| w.completed.is_some_and(|c| c.seq < r.invoked.seq))
        .map(|w| w.invoked.seq)
        .max();
    if let Some(barrier) = barrier {
        for w in acked_writes().filter(|w| w.completed.is_some_and(|c| c.seq < barrier)) {
            out.extend(stored(w).map(|v| (v, Why::Stale)));
        }
    }
    for e in same_key().filter(|e| e.invoked.seq > read_done) {
        out.extend(stored(e).map(|v| (v, Why::Future)));
    }
    for e in same_key().filter(|e| e.outcome == Outcome::Failed) {
        out.extend(stored(e).map(|v| (v, Why::FailedStore)));
    }
    out
}

/// Changes the result of one acknowledged read to a value it cannot have seen; `None` if the history
/// has no acknowledged read.
pub fn mutate(history: &History, rng: &mut StdRng) -> Option<Mutation> {
    let entries = history.entries();
    let reads: Vec<usize> = (0..entries.len())
        .filter(|&i| {
            matches!(entries[i].op, Op::Read { .. }) && matches!(entries[i].outcome, Outcome::Ok(_))
        })
        .collect();
    if reads.is_empty() {
        return None;
    }
    let at = reads[rng.gen_range(0..reads.len())];
    let read = &entries[at];
    let candidates = impossible_values(entries, read);
    let (value, why) = if candidates.is_empty() || rng.gen_ratio(1, 5) {
        (Value::MAX, Why::NeverWritten)
    } else {
        candidates[rng.gen_range(0..candidates.len())]
    };
    let mut changed = entries.to_vec();
    changed[at].outcome = Outcome::read(Some(value));
    Some(Mutation {
        history: History::from_entries(changed),
        read: read.id,
        key: read.op.key().to_owned(),
        value,
        why,
    })
}
