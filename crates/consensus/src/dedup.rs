//! The idempotency table: recent keys and the first result each produced.
//!
//! Part of the replicated state (and of snapshots), so every replica agrees on which retries
//! are duplicates. Bounded by count and by encoded size; the oldest keys go first, in log order,
//! which is deterministic.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::types::Reply;

/// Keys remembered at most.
pub const MAX_KEYS: usize = 16_384;
/// Total encoded size of remembered replies at most.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Longest idempotency key accepted.
pub const MAX_KEY_LEN: usize = 128;

/// Recent idempotency keys and their replies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dedup {
    replies: BTreeMap<String, Reply>,
    order: VecDeque<(String, u64)>,
    bytes: u64,
}

impl Dedup {
    /// The first reply recorded for `key`.
    pub fn get(&self, key: &str) -> Option<&Reply> {
        self.replies.get(key)
    }

    /// Records `reply` as the result of `key`, forgetting the oldest keys past the bounds.
    pub fn insert(&mut self, key: String, reply: Reply) {
        let size = bincode::serialized_size(&reply).unwrap_or(0) + key.len() as u64;
        while !self.order.is_empty()
            && (self.order.len() >= MAX_KEYS || self.bytes + size > MAX_BYTES)
        {
            if let Some((old, old_size)) = self.order.pop_front() {
                self.replies.remove(&old);
                self.bytes = self.bytes.saturating_sub(old_size);
            }
        }
        self.bytes += size;
        self.order.push_back((key.clone(), size));
        self.replies.insert(key, reply);
    }

    /// Keys remembered.
    pub fn len(&self) -> usize {
        self.replies.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.replies.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Outcome;

    fn reply(i: u64) -> Reply {
        Reply {
            outcome: Outcome::None,
            index: i,
            term: 1,
            deduplicated: false,
        }
    }

    #[test]
    fn remembers_the_first_reply_and_forgets_the_oldest_past_the_bound() {
        let mut d = Dedup::default();
        for i in 0..(MAX_KEYS as u64 + 10) {
            d.insert(format!("k{i}"), reply(i));
        }
        assert_eq!(d.len(), MAX_KEYS);
        assert!(d.get("k0").is_none());
        assert_eq!(
            d.get(&format!("k{}", MAX_KEYS + 9)).map(|r| r.index),
            Some(MAX_KEYS as u64 + 9)
        );
    }
}
