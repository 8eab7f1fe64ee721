//! What every write answers.

use serde::{Deserialize, Serialize};

/// Where a write landed: the entry's index and term, the leader that committed it, and whether
/// this was a retry answered with the first result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteAt {
    /// Log index of the entry (pass it as `min_index` to read the write anywhere).
    pub index: u64,
    /// Its term.
    pub term: u64,
    /// Peer id of the leader, when known.
    pub leader: Option<String>,
    /// True when the `Idempotency-Key` had been seen: this is the first result, not a second
    /// application.
    pub deduplicated: bool,
}

/// A write's answer: its own fields beside [`WriteAt`]'s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Written<T> {
    /// What the write did.
    #[serde(flatten)]
    pub value: T,
    /// Where it landed.
    #[serde(flatten)]
    pub at: WriteAt,
}

/// A create that is idempotent on its content: the new id, or the one that already existed
/// (answered with 201 or 200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created<Id> {
    /// The id.
    pub id: Id,
    /// True when it existed before; nothing changed.
    pub already_exists: bool,
}
