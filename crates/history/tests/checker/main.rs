//! Checker suite: hand-made bad and good histories, generated histories, and a large one.
#![allow(clippy::unwrap_used, missing_docs)]

mod mutate;
mod sim;
mod t10_bad_histories;
mod t20_good_histories;
mod t30_generated;
mod t40_large;

use chorus_history::{Error, History, Op, OpId, Outcome, Recorder, Violation, check};

/// Invokes and completes `op` at once, as a client that runs alone would.
pub fn done(rec: &Recorder, client: u64, op: Op, outcome: Outcome) -> OpId {
    let pending = rec.invoke(client, op);
    let id = pending.id();
    rec.complete(pending, outcome).unwrap();
    id
}

/// The violation `check` reports, or a panic naming what it reported instead.
pub fn violation(history: &History) -> Violation {
    match check(history) {
        Err(Error::Violation(v)) => *v,
        other => panic!("expected a violation, got {other:?}\nhistory:\n{history}"),
    }
}

/// Asserts that `check` accepts the history.
pub fn accepted(history: &History) {
    if let Err(e) = check(history) {
        panic!("expected a linearizable history, got:\n{e}\nhistory:\n{history}");
    }
}

/// Ids of the violation's failing set.
pub fn ids(v: &Violation) -> Vec<OpId> {
    v.ops.iter().map(|e| e.id).collect()
}
