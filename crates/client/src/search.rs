//! Full-text search and reindexing.

use std::time::Duration;

use chorus_api_types::{
    paths,
    query::with_query,
    search::{Hits, Reindexed, SearchQuery},
};

use crate::{Client, Error};

/// Longest a reindex may take (a large palace takes tens of seconds; the node waits as long).
pub const REINDEX_WAIT: Duration = Duration::from_secs(600);

impl Client {
    /// Searches this node's index, best first.
    pub async fn search(&self, query: &SearchQuery) -> Result<Hits, Error> {
        self.get(&with_query(paths::SEARCH, query)).await
    }

    /// Rebuilds this node's search index from its palace, waiting up to [`REINDEX_WAIT`].
    pub async fn reindex(&self) -> Result<Reindexed, Error> {
        self.clone()
            .with_timeout(REINDEX_WAIT)
            .post(paths::REINDEX, &serde_json::json!({}), &[])
            .await
    }
}
