//! Turns a linearizable history into one that provably is not, by changing one read's result.

use chorus_history::{Entry, History, Op, OpId, Outcome, Reply, Value};
use std::collections::HashMap;

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

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
    /// An earlier read saw the value of a store that began after the only store of this value
    /// completed: values would go backwards. The checker's quick pass often cannot see this one, so
    /// it exercises the search.
    Backwards,
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
    out.extend(
        backwards_values(entries, r)
            .into_iter()
            .map(|v| (v, Why::Backwards)),
    );
    out
}

/// Values of acknowledged stores `b` that completed before the store `a` of a value that an earlier
/// read (completed before `r` began) returned was invoked, where `a` had not completed when `r`
/// began and no acknowledged write lies between `b` and `r`, so that only the order of the reads
/// gives the violation away.
fn backwards_values(entries: &[Entry], r: &Entry) -> Vec<Value> {
    let key = r.op.key();
    let same_key: Vec<&Entry> = entries.iter().filter(|e| e.op.key() == key).collect();
    let stores: HashMap<Value, &Entry> = same_key
        .iter()
        .filter_map(|e| stored(e).map(|v| (v, *e)))
        .collect();
    let done = |e: &Entry| e.completed.map(|c| c.seq);
    let acked = |e: &Entry| matches!(e.outcome, Outcome::Ok(Reply::Written | Reply::Cas(true)));
    let acked_writes: Vec<&Entry> = same_key
        .iter()
        .filter(|e| matches!(e.op, Op::Write { .. }) && acked(e))
        .copied()
        .collect();
    let overwritten = |b: &Entry| {
        acked_writes.iter().any(|s| {
            done(b).is_some_and(|d| d < s.invoked.seq) && done(s).is_some_and(|d| d < r.invoked.seq)
        })
    };
    let mut out = Vec::new();
    for earlier in &same_key {
        let Outcome::Ok(Reply::Read(Some(seen))) = earlier.outcome else {
            continue;
        };
        if !matches!(earlier.op, Op::Read { .. })
            || done(earlier).is_none_or(|d| d >= r.invoked.seq)
        {
            continue;
        }
        let Some(a) = stores.get(&seen) else {
            continue;
        };
        if done(a).is_some_and(|d| d < r.invoked.seq) {
            continue;
        }
        for b in &same_key {
            if acked(b) && done(b).is_some_and(|d| d < a.invoked.seq) && !overwritten(b) {
                out.extend(stored(b));
            }
        }
    }
    out
}

/// Changes the result of one acknowledged read to a value it cannot have seen; `None` if the history
/// has no acknowledged read.
pub fn mutate(history: &History, rng: &mut StdRng) -> Option<Mutation> {
    mutate_as(history, rng, None)
}

/// Like [`mutate`], with a reason of the given kind only (`None` if there is none).
pub fn mutate_as(history: &History, rng: &mut StdRng, only: Option<Why>) -> Option<Mutation> {
    let entries = history.entries();
    let reads: Vec<usize> = (0..entries.len())
        .filter(|&i| {
            matches!(entries[i].op, Op::Read { .. }) && matches!(entries[i].outcome, Outcome::Ok(_))
        })
        .collect();
    if reads.is_empty() {
        return None;
    }
    let (at, value, why) = match only {
        Some(kind) => {
            let mut reads = reads;
            reads.shuffle(rng);
            reads.into_iter().find_map(|at| {
                let values: Vec<(Value, Why)> = impossible_values(entries, &entries[at])
                    .into_iter()
                    .filter(|&(_, why)| why == kind)
                    .collect();
                let (value, why) = *values.choose(rng)?;
                Some((at, value, why))
            })?
        }
        None => {
            let at = reads[rng.gen_range(0..reads.len())];
            let candidates = impossible_values(entries, &entries[at]);
            let (value, why) = if candidates.is_empty() || rng.gen_ratio(1, 5) {
                (Value::MAX, Why::NeverWritten)
            } else {
                candidates[rng.gen_range(0..candidates.len())]
            };
            (at, value, why)
        }
    };
    let read = &entries[at];
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
