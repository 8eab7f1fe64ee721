//! A recorded history: every operation with its invocation, completion and outcome.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::op::{Op, Outcome};

/// Identifies the client (a task, a connection) that issued an operation. Only used in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClientId(pub u64);

impl From<u64> for ClientId {
    fn from(id: u64) -> Self {
        ClientId(id)
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client {}", self.0)
    }
}

/// Identifies an operation within one history: its position in invocation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId(pub usize);

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "op {}", self.0)
    }
}

/// When an event (an invocation or a completion) was recorded.
///
/// `seq` orders events: the recorder hands out one number per event under a lock, so an event that
/// returned before another began has the smaller number. `elapsed` (since the recorder was created) is
/// carried only for people reading a report; the checker never looks at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// Position of the event in the recorder's total order of events.
    pub seq: u64,
    /// Wall-clock time since the recorder was created, for reports.
    pub elapsed: Duration,
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "t{} (+{:.3}ms)",
            self.seq,
            self.elapsed.as_secs_f64() * 1e3
        )
    }
}

/// One operation of a history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The operation's id, unique within the history. The recorder numbers operations in invocation
    /// order from 0; a [witness](crate::Violation::history) keeps the ids of the full history.
    pub id: OpId,
    /// Who invoked it.
    pub client: ClientId,
    /// What was asked.
    pub op: Op,
    /// When it was invoked.
    pub invoked: Stamp,
    /// When the client learnt its outcome; `None` if it never did. For an [`Outcome::Unknown`] outcome
    /// this is when the client gave up, which bounds nothing: the operation may take effect later.
    pub completed: Option<Stamp>,
    /// How it ended.
    pub outcome: Outcome,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let done = match (self.outcome, self.completed) {
            (Outcome::Unknown, _) | (_, None) => "never".to_owned(),
            (_, Some(done)) => done.to_string(),
        };
        write!(
            f,
            "{:<7} {:<10} {:<20} .. {:<20} {} -> {}",
            self.id.to_string(),
            self.client.to_string(),
            self.invoked.to_string(),
            done,
            self.op,
            self.outcome
        )
    }
}

/// A history of operations on the register, in invocation order.
///
/// Built by [`Recorder::history`](crate::Recorder::history); serialisable so that a failing run can
/// save it (for example as JSON) and a test can check it again later.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    entries: Vec<Entry>,
}

impl History {
    /// A history of these entries. Ids must be unique and each completion must follow its invocation;
    /// [`check`](crate::check) reports a history that breaks this as
    /// [`Error::InvalidHistory`](crate::Error::InvalidHistory).
    pub fn from_entries(entries: Vec<Entry>) -> Self {
        History { entries }
    }

    /// All operations, in invocation order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The operation with this id, if the history has it.
    pub fn get(&self, id: OpId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no operation was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The distinct keys touched, sorted.
    pub fn keys(&self) -> BTreeSet<&str> {
        self.entries.iter().map(|e| e.op.key()).collect()
    }
}

impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for entry in &self.entries {
            writeln!(f, "{entry}")?;
        }
        Ok(())
    }
}
