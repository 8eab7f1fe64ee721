//! The linearizability checker: configuration and the per-key driver.

use std::collections::BTreeMap;

use crate::error::{Error, Inconclusive};
use crate::history::{Entry, History};
use crate::op::{Key, Value};
use crate::partition::{POp, never_written, partition};
use crate::quick::obvious_violation;
use crate::shrink::{Exhausted, Failure, explain, shrink};
use crate::violation::{Cause, Violation};

/// Checks histories for linearizability against a key–value register where every key starts absent
/// (unless given an [initial value](Checker::initial_value)).
///
/// Keys are checked one at a time, in key order. The first key found to violate linearizability is
/// reported; a key the search could not decide within the budget is reported only if no key violates.
#[derive(Debug, Clone)]
pub struct Checker {
    step_budget: u64,
    initial: BTreeMap<Key, Value>,
}

/// What a successful check covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Report {
    /// Keys checked.
    pub keys: usize,
    /// Operations checked (failed operations and unanswered reads are not counted).
    pub ops: usize,
    /// Search steps spent over all keys.
    pub steps: u64,
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}

impl Checker {
    /// The default step budget per key.
    ///
    /// A step is about one candidate tried. Histories from a correct store are decided in a few
    /// steps per operation (the 2,000-operation, 10-client test takes about 16,000); a violation costs
    /// more, since every order before it must fail, and shrinking it gets the same budget again.
    /// Blow-ups come from many operations that are concurrent, or unknown, on one key at once. The
    /// table of dead ends holds at most one entry per step, about `100 + ops / 4` bytes each, which
    /// bounds a key's memory to a few hundred megabytes at this default.
    pub const DEFAULT_STEP_BUDGET: u64 = 2_000_000;

    /// A checker with the default step budget and every key starting absent.
    pub fn new() -> Self {
        Checker {
            step_budget: Self::DEFAULT_STEP_BUDGET,
            initial: BTreeMap::new(),
        }
    }

    /// Sets how many search steps one key may take before it is reported as
    /// [`Error::Inconclusive`]. Shrinking a violation gets the same budget again.
    pub fn step_budget(mut self, steps: u64) -> Self {
        self.step_budget = steps;
        self
    }

    /// Declares that `key` held `value` before the history began (default: absent).
    pub fn initial_value(mut self, key: impl Into<Key>, value: Value) -> Self {
        self.initial.insert(key.into(), value);
        self
    }

    /// Checks `history`.
    ///
    /// # Errors
    /// [`Error::Violation`] if some key's sub-history is not linearizable, [`Error::Inconclusive`] if
    /// some key could not be decided within the step budget (and none violates),
    /// [`Error::InvalidHistory`] if the history is malformed.
    pub fn check(&self, history: &History) -> Result<Report, Error> {
        let mut report = Report::default();
        let mut undecided = None;
        for (key, ops) in partition(history)? {
            report.keys += 1;
            report.ops += ops.len();
            match self.check_key(history, key, &ops, &mut report.steps) {
                Ok(()) => {}
                Err(KeyError::Violation(v)) => return Err(Error::Violation(v)),
                Err(KeyError::Undecided) => {
                    undecided.get_or_insert_with(|| Inconclusive {
                        key: key.to_owned(),
                        ops: ops.len(),
                        budget: self.step_budget,
                    });
                }
            }
        }
        match undecided {
            Some(inconclusive) => Err(Error::Inconclusive(inconclusive)),
            None => Ok(report),
        }
    }

    fn check_key(
        &self,
        history: &History,
        key: &str,
        ops: &[POp],
        spent: &mut u64,
    ) -> Result<(), KeyError> {
        let initial = self.initial.get(key).copied();
        let entry = |op: &POp| history.entries()[op.entry].clone();
        if let Some(bad) = never_written(ops, initial) {
            return Err(KeyError::Violation(Box::new(Violation {
                key: key.to_owned(),
                cause: Cause::NeverWritten {
                    value: bad.step.saw().unwrap_or_default(),
                },
                stuck: entry(&bad),
                ops: vec![entry(&bad)],
                minimal: true,
                key_ops: ops.len(),
                deepest: Vec::new(),
                value: initial,
            })));
        }
        // The common shapes first: they need no search, which on a key with many concurrent
        // clients could run out of budget before reaching them.
        let mut quick_steps = 0;
        if let Some(set) = obvious_violation(ops, initial)
            && let Ok(Some(failure)) = explain(&set, initial, self.step_budget, &mut quick_steps)
        {
            return Err(KeyError::Violation(self.explained(
                history,
                key,
                ops.len(),
                failure,
            )));
        }
        match explain(ops, initial, self.step_budget, spent) {
            Ok(None) => Ok(()),
            Ok(Some(failure)) => Err(KeyError::Violation(self.explained(
                history,
                key,
                ops.len(),
                failure,
            ))),
            Err(Exhausted) => Err(KeyError::Undecided),
        }
    }

    /// Shrinks a failure and describes it.
    fn explained(
        &self,
        history: &History,
        key: &str,
        key_ops: usize,
        failure: Failure,
    ) -> Box<Violation> {
        let initial = self.initial.get(key).copied();
        let entry = |op: &POp| history.entries()[op.entry].clone();
        let Failure {
            ops: set,
            deepest,
            value,
            stuck,
            minimal,
        } = shrink(failure, initial, self.step_budget);
        Box::new(Violation {
            key: key.to_owned(),
            cause: Cause::NoLinearization,
            stuck: entry(&stuck),
            ops: set.iter().map(entry).collect::<Vec<Entry>>(),
            minimal,
            key_ops,
            deepest: deepest.iter().map(|op| op.id).collect(),
            value,
        })
    }
}

/// How one key failed.
enum KeyError {
    Violation(Box<Violation>),
    Undecided,
}

/// Checks `history` with a default [`Checker`]: every key starts absent, default step budget.
///
/// # Errors
/// As [`Checker::check`].
pub fn check(history: &History) -> Result<(), Error> {
    Checker::new().check(history).map(drop)
}
