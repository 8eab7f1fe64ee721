//! Full-text search over this node's derived index (`/v1/palace/search`) and rebuilding it
//! (`/v1/palace/reindex`).

use std::time::Duration;

use axum::{
    Router,
    extract::State as AxState,
    routing::{get, post},
};
use chorus_api_types::{
    ReadParams, paths,
    query::ReadQuery,
    search::{Hit, Hits, Reindexed, SearchQuery},
};
use chorus_consensus::Consistency;
use chorus_search::Follower;

use super::{
    Shared,
    answer::{self, Answer},
    read::{consistency, read_at},
    request::Query,
};
use crate::ApiError;

/// Longest a search waits for the index to reach `min_index` (or the linearizable read
/// index): long enough for a follower to apply and commit a large batch, short enough that a
/// client stuck behind a broken index gets an answer.
pub(crate) const MAX_INDEX_WAIT: Duration = Duration::from_secs(10);

/// Longest a reindex request waits for the rebuild (a large palace takes tens of seconds).
pub(crate) const MAX_REINDEX_WAIT: Duration = Duration::from_secs(600);

/// Default number of hits.
const DEFAULT_SEARCH_LIMIT: usize = 10;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(paths::SEARCH, get(search))
        .route(paths::REINDEX, post(reindex))
}

fn follower(state: &Shared) -> Result<&Follower, ApiError> {
    state
        .services
        .search
        .as_deref()
        .ok_or_else(|| ApiError::unavailable("this node keeps no search index"))
}

/// The log index a search must reflect for the requested consistency.
async fn wanted_index(state: &Shared, read: &ReadParams) -> Result<u64, ApiError> {
    match consistency(read)? {
        Consistency::Local => Ok(0),
        Consistency::MinIndex(n) => Ok(n),
        Consistency::Linearizable => Ok(read_at(state, read, |_| ()).await?.1.index),
    }
}

async fn search(
    AxState(state): AxState<Shared>,
    Query(q): Query<SearchQuery>,
) -> Result<Answer<Hits>, ApiError> {
    let f = follower(&state)?;
    let want = wanted_index(&state, &q.read_params()).await?;
    if want > 0 {
        f.wait_indexed(want, MAX_INDEX_WAIT)
            .await
            .map_err(|e| ApiError::search(&e))?;
    }
    let indexed = f.indexed_index();
    let limit = q.limit.unwrap_or(DEFAULT_SEARCH_LIMIT);
    let hits = f
        .index()
        .search(&q.q, q.wing.as_deref(), q.room.as_deref(), limit)
        .map_err(|e| ApiError::search(&e))?;
    // Map chunk parts to the drawer a client reads (`GET /v1/palace/drawers/{drawer_id}`).
    let (heads, _) = read_at(&state, &ReadParams::default(), |p| {
        hits.iter()
            .map(|h| {
                p.drawer(&h.id)
                    .and_then(|d| d.chunk.as_ref().map(|c| c.head.clone()))
                    .unwrap_or_else(|| h.id.clone())
            })
            .collect::<Vec<_>>()
    })
    .await?;
    let hits = hits
        .into_iter()
        .zip(heads)
        .map(|(h, drawer_id)| Hit {
            id: h.id,
            drawer_id,
            wing: h.wing,
            room: h.room,
            score: h.score,
            snippet: h.snippet,
        })
        .collect();
    Ok(answer::ok(Hits {
        hits,
        indexed_index: indexed,
    }))
}

async fn reindex(AxState(state): AxState<Shared>) -> Result<Answer<Reindexed>, ApiError> {
    let f = follower(&state)?;
    let indexed = f
        .reindex(MAX_REINDEX_WAIT)
        .await
        .map_err(|e| ApiError::search(&e))?;
    Ok(answer::ok(Reindexed {
        indexed_index: indexed,
        documents: f.index().num_docs(),
    }))
}
