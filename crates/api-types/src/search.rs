//! Full-text search over the node's derived index, reindexing, and palace counts.

use serde::{Deserialize, Serialize};

use crate::query::read_query;

read_query! {
    /// `GET /v1/palace/search?…`; with `min_index` the search waits until the index reflects it.
    pub struct SearchQuery {
        /// The query (BM25; "exact phrase", +must, -not).
        q: String,
        ;
        /// Only this wing.
        wing: String,
        /// Only this room.
        room: String,
        /// Most hits (1..=100, default 10).
        limit: usize,
    }
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The stored drawer (or chunk part) that matched.
    pub id: String,
    /// The drawer to read: the head of a chunked drawer, else `id`.
    pub drawer_id: String,
    /// Its wing.
    pub wing: String,
    /// Its room.
    pub room: String,
    /// BM25 score.
    pub score: f32,
    /// A snippet of the matching text.
    pub snippet: String,
}

/// A search's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hits {
    /// Best first.
    pub hits: Vec<Hit>,
    /// The log index the index reflected.
    pub indexed_index: u64,
}

/// A rebuilt index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reindexed {
    /// The log index it reflects.
    pub indexed_index: u64,
    /// Documents in it.
    pub documents: u64,
}

/// The state of a node's search index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchStatus {
    /// Log index searches reflect.
    pub indexed_index: u64,
    /// Documents visible to searches (chunk parts count separately).
    pub documents: u64,
    /// Full rebuilds since start.
    pub rebuilds: u64,
    /// Times the follow queue was full and a rebuild was scheduled instead.
    pub overflows: u64,
    /// Index operations that failed (each schedules a rebuild).
    pub failures: u64,
}

/// `GET /v1/palace/status`: palace counts and, on nodes that keep one, the search index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PalaceStatus {
    /// Counts and the position they reflect.
    #[serde(flatten)]
    pub counts: chorus_palace::Status,
    /// The search index (`null` on a node without one).
    pub search: Option<SearchStatus>,
}
