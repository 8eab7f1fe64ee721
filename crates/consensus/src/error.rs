//! Errors of writes and reads, saying whether a write certainly did not apply or may have.

use std::time::Duration;

/// A write failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    /// The operation is too large to propose. Certainly not applied.
    #[error("operation of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Encoded size.
        size: usize,
        /// Limit.
        limit: usize,
    },
    /// The idempotency key is unusable. Certainly not applied.
    #[error("idempotency key of {len} bytes: expected 1 to {max} printable ASCII characters")]
    BadKey {
        /// Its length.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// No leader could be reached before the deadline, and nothing was handed to one.
    /// Certainly not applied.
    #[error("no palace writer reachable within {waited:?}; the write certainly did not apply")]
    NoLeader {
        /// How long it tried.
        waited: Duration,
    },
    /// The deadline passed after the write was handed to a leader: it may still apply. Retry
    /// with the same idempotency key to get its result without applying it twice.
    #[error(
        "the write did not complete within {waited:?} and may have applied; retry with idempotency key {key:?}"
    )]
    Timeout {
        /// How long it tried.
        waited: Duration,
        /// The key to retry with.
        key: String,
    },
    /// This node is not the leader (for leader-only calls). Certainly not applied.
    #[error("this node is not the palace writer; the leader is {leader:?}")]
    NotLeader {
        /// The leader's peer id, if known.
        leader: Option<String>,
    },
    /// The leader refused the operation (an admission hook said why). Certainly not applied.
    #[error("refused: {0}")]
    Refused(String),
    /// A membership change was refused.
    #[error("membership change refused: {0}")]
    Membership(String),
    /// The node is shutting down.
    #[error("the node is shutting down")]
    Stopped,
}

impl WriteError {
    /// Whether the write may have been applied (the client should retry with the same key).
    pub fn may_have_applied(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Short label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } | Self::BadKey { .. } | Self::Refused(_) => "rejected",
            Self::NoLeader { .. } | Self::NotLeader { .. } => "no_leader",
            Self::Timeout { .. } => "timeout",
            Self::Membership(_) => "rejected",
            Self::Stopped => "stopped",
        }
    }
}

/// A read could not be served.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReadError {
    /// The node did not reach the index in time.
    #[error("this node has applied index {have}; index {want} was not reached within {waited:?}")]
    NotCaughtUp {
        /// Index wanted.
        want: u64,
        /// Index applied.
        have: u64,
        /// How long it waited.
        waited: Duration,
    },
    /// Leadership could not be confirmed for a linearizable read.
    #[error("no palace writer could confirm a linearizable read within {waited:?}")]
    NoLeader {
        /// How long it tried.
        waited: Duration,
    },
    /// The node is shutting down.
    #[error("the node is shutting down")]
    Stopped,
}
