//! Why a history did not pass the check.

use std::fmt;

use crate::history::OpId;
use crate::op::Key;
use crate::violation::Violation;

/// Why [`check`](crate::check) did not accept a history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The history is not linearizable; the violation says where and why.
    #[error("{0}")]
    Violation(Box<Violation>),
    /// The search ran out of steps before deciding; nothing is known about that key.
    #[error("{0}")]
    Inconclusive(Inconclusive),
    /// The history itself is malformed (only possible for a history not made by a recorder).
    #[error("history is malformed at {op}: {reason}")]
    InvalidHistory {
        /// The offending operation.
        op: OpId,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// The violation, if this error is one.
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            Error::Violation(v) => Some(v),
            Error::Inconclusive(_) | Error::InvalidHistory { .. } => None,
        }
    }

    /// The undecided key, if this error says the search gave up.
    pub fn inconclusive(&self) -> Option<&Inconclusive> {
        match self {
            Error::Inconclusive(i) => Some(i),
            Error::Violation(_) | Error::InvalidHistory { .. } => None,
        }
    }
}

/// The search spent its step budget on one key without deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inconclusive {
    /// The key whose sub-history was undecided (the first such key, in key order).
    pub key: Key,
    /// How many operations of that key were searched.
    pub ops: usize,
    /// The budget that ran out, in steps.
    pub budget: u64,
}

impl fmt::Display for Inconclusive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "linearizability of key {:?} is undecided: the search spent its budget of {} steps on \
             its {} operations; raise Checker::step_budget, or record fewer concurrent clients or \
             fewer unknown outcomes per key",
            self.key, self.budget, self.ops
        )
    }
}
