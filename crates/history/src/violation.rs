//! The explanation of a history that is not linearizable.

use std::fmt;

use crate::history::{Entry, History, OpId};
use crate::op::{Key, Value, ValueDisplay};

/// How many operations a report prints before it refers to [`Violation::history`] for the rest.
const MAX_PRINTED_OPS: usize = 30;

/// How many operations of the longest order found a report prints (the last ones).
const MAX_PRINTED_ORDER: usize = 12;

/// A key whose sub-history is not linearizable, with the smallest failing set of its operations found.
///
/// Its `Display` is written for a test failure message: the key, the operation that could not take
/// effect, the failing set with invocation and completion times and values, and how far the search got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The key whose register history breaks linearizability.
    pub key: Key,
    /// What kind of failure this is.
    pub cause: Cause,
    /// The operation that could not be linearized: no order of the failing set gives it a place.
    pub stuck: Entry,
    /// A set of the key's operations that on its own admits no linearization, in invocation order.
    /// Any linearization of the whole history would yield one of this set (it keeps every operation
    /// that may have stored a value one of its operations saw), so this set is a proof.
    pub ops: Vec<Entry>,
    /// Whether `ops` is minimal: leaving out any single operation (other than a store of a value
    /// something in `ops` saw) makes it linearizable. False when shrinking ran out of budget or was
    /// not sound for this key (a compare-and-set answered "not swapped").
    pub minimal: bool,
    /// How many of the key's operations were checked (failed operations and unanswered reads excluded).
    pub key_ops: usize,
    /// The longest order of operations from `ops` the search found before it got stuck at `stuck`.
    pub deepest: Vec<OpId>,
    /// The register value after `deepest`.
    pub value: Option<Value>,
}

/// What kind of failure a [`Violation`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// An operation saw a value that no operation on the key may have stored.
    NeverWritten {
        /// The value seen.
        value: Value,
    },
    /// Every operation saw a value that was stored, but no order of the operations explains them all
    /// (a stale read, values going backwards, a lost acknowledged write…).
    NoLinearization,
}

impl Violation {
    /// The failing set as a history of its own, to save or check again; ids are those of the full history.
    pub fn history(&self) -> History {
        History::from_entries(self.ops.clone())
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stuck = &self.stuck;
        write!(f, "history of key {:?} is not linearizable: ", self.key)?;
        match self.cause {
            Cause::NeverWritten { value } => writeln!(
                f,
                "{} ({}, {} -> {}) saw {value}, which no operation on this key may have stored",
                stuck.id, stuck.client, stuck.op, stuck.outcome
            )?,
            Cause::NoLinearization => writeln!(
                f,
                "{} ({}, {} -> {}) cannot take effect at any point of its interval",
                stuck.id, stuck.client, stuck.op, stuck.outcome
            )?,
        }
        let why = match (self.cause, self.minimal) {
            (Cause::NeverWritten { .. }, _) => "it alone is proof",
            (Cause::NoLinearization, true) => {
                "minimal: leaving out any one operation makes it linearizable"
            }
            (Cause::NoLinearization, false) => "not shrunk to a minimum",
        };
        writeln!(
            f,
            "  failing set: {} of the key's {} operations ({why}):",
            self.ops.len(),
            self.key_ops
        )?;
        for entry in self.ops.iter().take(MAX_PRINTED_OPS) {
            let mark = if entry.id == stuck.id { "=>" } else { "  " };
            writeln!(f, "  {mark} {entry}")?;
        }
        if self.ops.len() > MAX_PRINTED_OPS {
            writeln!(
                f,
                "     … {} more (Violation::history() has them all)",
                self.ops.len() - MAX_PRINTED_OPS
            )?;
        }
        if matches!(self.cause, Cause::NoLinearization) {
            let skip = self.deepest.len().saturating_sub(MAX_PRINTED_ORDER);
            let mut order: Vec<String> = self
                .deepest
                .iter()
                .skip(skip)
                .map(ToString::to_string)
                .collect();
            if skip > 0 {
                order.insert(0, format!("({skip} earlier operations) …"));
            }
            let order = if order.is_empty() {
                "nothing".to_owned()
            } else {
                order.join(", ")
            };
            write!(
                f,
                "  longest order found: {order}; value then: {}; after it {} has no place",
                ValueDisplay(self.value),
                stuck.id
            )?;
        }
        Ok(())
    }
}
