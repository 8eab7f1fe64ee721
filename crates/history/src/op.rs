//! The operations a client invokes on the key–value register.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A key of the register. Each key is an independent register that starts absent (`None`).
pub type Key = String;

/// A value stored under a key.
///
/// Values are `u64` so that histories stay cheap to copy, hash and print. A workload that stores strings
/// maps each distinct string to a number (for example `format!("v{n}")` ↔ `n`). Give every write a
/// value that no other write on the same key uses: the checker stays correct with repeated values, but
/// unique ones let it prune unobserved timed-out writes and name the exact write a read saw.
pub type Value = u64;

/// An operation a client asks the cluster to perform on one key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    /// Store `value` under `key`, replacing what was there.
    Write {
        /// The key written.
        key: Key,
        /// The value stored.
        value: Value,
    },
    /// Read the value under `key`; completes with [`Reply::Read`].
    Read {
        /// The key read.
        key: Key,
    },
    /// Store `new` under `key` only if the current value equals `expected` (`None`: the key is absent);
    /// completes with [`Reply::Cas`] saying whether it did.
    Cas {
        /// The key compared and maybe written.
        key: Key,
        /// The value the key must hold for the swap to happen.
        expected: Option<Value>,
        /// The value stored when the comparison holds.
        new: Value,
    },
}

impl Op {
    /// A write of `value` to `key`.
    pub fn write(key: impl Into<Key>, value: Value) -> Self {
        Op::Write {
            key: key.into(),
            value,
        }
    }

    /// A read of `key`.
    pub fn read(key: impl Into<Key>) -> Self {
        Op::Read { key: key.into() }
    }

    /// A compare-and-set of `key` from `expected` to `new`.
    pub fn cas(key: impl Into<Key>, expected: Option<Value>, new: Value) -> Self {
        Op::Cas {
            key: key.into(),
            expected,
            new,
        }
    }

    /// The key this operation touches.
    pub fn key(&self) -> &str {
        match self {
            Op::Write { key, .. } | Op::Read { key } | Op::Cas { key, .. } => key,
        }
    }

    /// Whether `reply` is the kind of reply this operation completes with.
    pub fn accepts(&self, reply: &Reply) -> bool {
        matches!(
            (self, reply),
            (Op::Write { .. }, Reply::Written)
                | (Op::Read { .. }, Reply::Read(_))
                | (Op::Cas { .. }, Reply::Cas(_))
        )
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Write { key, value } => write!(f, "write {key:?} := {value}"),
            Op::Read { key } => write!(f, "read {key:?}"),
            Op::Cas { key, expected, new } => {
                write!(f, "cas {key:?} from {} to {new}", ValueDisplay(*expected))
            }
        }
    }
}

/// What a successful operation returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reply {
    /// A write was acknowledged.
    Written,
    /// A read returned this value (`None`: the key was absent).
    Read(Option<Value>),
    /// A compare-and-set answered whether it swapped. A "precondition failed" answer is `Cas(false)`,
    /// an ordinary reply, not [`Outcome::Failed`].
    Cas(bool),
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Written => f.write_str("ok"),
            Reply::Read(v) => write!(f, "{}", ValueDisplay(*v)),
            Reply::Cas(true) => f.write_str("swapped"),
            Reply::Cas(false) => f.write_str("not swapped"),
        }
    }
}

/// How an operation ended, as far as the client can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// The operation took effect and returned this reply.
    Ok(Reply),
    /// The operation certainly did not take effect (a 4xx, or a 503 before the write was forwarded).
    /// The checker leaves it out.
    Failed,
    /// The operation may or may not have taken effect (a timeout after forwarding, a connection reset).
    /// The checker lets it take effect at any instant after its invocation, or never. An operation that
    /// was invoked and never completed is `Unknown` too.
    Unknown,
}

impl Outcome {
    /// A write was acknowledged.
    pub fn written() -> Self {
        Outcome::Ok(Reply::Written)
    }

    /// A read returned `value`.
    pub fn read(value: Option<Value>) -> Self {
        Outcome::Ok(Reply::Read(value))
    }

    /// A compare-and-set answered `swapped`.
    pub fn cas(swapped: bool) -> Self {
        Outcome::Ok(Reply::Cas(swapped))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok(reply) => write!(f, "{reply}"),
            Outcome::Failed => f.write_str("failed"),
            Outcome::Unknown => f.write_str("unknown"),
        }
    }
}

/// Prints `Some(3)` as `3` and `None` as `absent`.
pub(crate) struct ValueDisplay(pub(crate) Option<Value>);

impl fmt::Display for ValueDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{v}"),
            None => f.write_str("absent"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn op_accepts_only_its_own_reply_kind() {
        assert!(Op::write("k", 1).accepts(&Reply::Written));
        assert!(!Op::write("k", 1).accepts(&Reply::Read(None)));
        assert!(Op::read("k").accepts(&Reply::Read(Some(2))));
        assert!(!Op::read("k").accepts(&Reply::Cas(true)));
        assert!(Op::cas("k", None, 1).accepts(&Reply::Cas(false)));
        assert!(!Op::cas("k", None, 1).accepts(&Reply::Written));
    }

    #[test]
    fn ops_print_key_and_values() {
        assert_eq!(Op::write("k", 1).to_string(), "write \"k\" := 1");
        assert_eq!(
            Op::cas("k", None, 2).to_string(),
            "cas \"k\" from absent to 2"
        );
        assert_eq!(Outcome::read(None).to_string(), "absent");
        assert_eq!(Outcome::read(Some(4)).to_string(), "4");
    }
}
