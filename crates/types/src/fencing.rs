//! Fencing tokens: the `(term, index)` of the committed log entry that authorised a side effect.
//!
//! A side effect outside the log (a task lease, a sandbox start, a record published for a task)
//! carries the token of the entry that authorised it. Receivers keep the highest token seen per
//! resource and refuse lower ones, so a deposed leader that wakes up can do no harm: every token
//! it holds is older than the new leader's.

use std::{collections::BTreeMap, fmt};

use serde::{Deserialize, Serialize};

/// `(term, index)` of a committed entry, ordered by term then index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FencingToken {
    /// Raft term of the entry.
    pub term: u64,
    /// Log index of the entry.
    pub index: u64,
}

impl fmt::Display for FencingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.term, self.index)
    }
}

/// A token lower than one already accepted for the same resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stale fencing token {presented} for {resource}: {current} was already accepted")]
pub struct StaleToken {
    /// The resource.
    pub resource: String,
    /// The token presented.
    pub presented: FencingToken,
    /// The highest token accepted so far.
    pub current: FencingToken,
}

/// Keeps the highest token accepted per resource, in a bounded table.
///
/// Equal tokens are accepted (the same holder may act more than once under one authorisation);
/// lower tokens are refused. When the table is full, the resource with the lowest token is
/// forgotten first: a resource not touched for that long can no longer be confused with a live
/// one, and the bound keeps hostile input from growing memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FenceGuard {
    highest: BTreeMap<String, FencingToken>,
    capacity: usize,
}

impl FenceGuard {
    /// Default number of resources remembered.
    pub const DEFAULT_CAPACITY: usize = 65_536;

    /// An empty guard remembering up to `capacity` resources (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            highest: BTreeMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// Accepts `token` for `resource` if no higher token was accepted before, and remembers it.
    pub fn check(&mut self, resource: &str, token: FencingToken) -> Result<(), StaleToken> {
        if let Some(current) = self.highest.get(resource).copied() {
            if token < current {
                return Err(StaleToken {
                    resource: resource.to_string(),
                    presented: token,
                    current,
                });
            }
            if token > current {
                self.highest.insert(resource.to_string(), token);
            }
            return Ok(());
        }
        if self.highest.len() >= self.capacity.max(1) {
            let oldest = self
                .highest
                .iter()
                .min_by_key(|(_, t)| **t)
                .map(|(r, _)| r.clone());
            if let Some(r) = oldest {
                self.highest.remove(&r);
            }
        }
        self.highest.insert(resource.to_string(), token);
        Ok(())
    }

    /// The highest token accepted for `resource`.
    pub fn current(&self, resource: &str) -> Option<FencingToken> {
        self.highest.get(resource).copied()
    }

    /// Resources remembered.
    pub fn len(&self) -> usize {
        self.highest.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.highest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn t(term: u64, index: u64) -> FencingToken {
        FencingToken { term, index }
    }

    #[test]
    fn newer_term_wins_even_with_a_lower_index() {
        let mut g = FenceGuard::new(8);
        g.check("task-1", t(1, 50)).unwrap();
        g.check("task-1", t(2, 10)).unwrap();
        let e = g.check("task-1", t(1, 99)).unwrap_err();
        assert_eq!(e.current, t(2, 10));
        assert!(e.to_string().contains("task-1"), "{e}");
        g.check("task-1", t(2, 10)).unwrap();
        g.check("task-2", t(1, 1)).unwrap();
    }

    proptest! {
        /// Whatever the order of presentation, a token lower than one accepted earlier for the
        /// same resource is never accepted.
        #[test]
        fn a_stale_token_is_never_accepted(ops in proptest::collection::vec((0u8..4, 0u64..5, 0u64..20), 1..200)) {
            let mut g = FenceGuard::new(1024);
            let mut max: BTreeMap<u8, FencingToken> = BTreeMap::new();
            for (r, term, index) in ops {
                let tok = t(term, index);
                let res = g.check(&r.to_string(), tok);
                match max.get(&r) {
                    Some(m) if tok < *m => prop_assert!(res.is_err()),
                    _ => {
                        prop_assert!(res.is_ok());
                        let e = max.entry(r).or_insert(tok);
                        if tok > *e { *e = tok; }
                    }
                }
            }
        }

        #[test]
        fn the_table_stays_bounded(ops in proptest::collection::vec((0u16..500, 0u64..5), 1..300)) {
            let mut g = FenceGuard::new(16);
            for (r, term) in ops {
                let _ = g.check(&r.to_string(), t(term, 1));
                prop_assert!(g.len() <= 16);
            }
        }
    }
}
