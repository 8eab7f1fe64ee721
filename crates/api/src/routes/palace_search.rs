//! `/v1/palace/search`, `/v1/palace/reindex` and `/v1/palace/status`: full-text search over the
//! node's derived index, rebuilding it, and palace counts.

use std::time::Duration;

use axum::{
    Json, Router,
    extract::{Query, State as AxState, rejection::QueryRejection},
    http::StatusCode,
    routing::{get, post},
};
use chorus_consensus::Consistency;
use chorus_search::Follower;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Shared, common::ReadParams, palace_more::query};
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
        .route("/v1/palace/search", get(search))
        .route("/v1/palace/reindex", post(reindex))
        .route("/v1/palace/status", get(palace_status))
}

/// Maps a search error to an API error naming the field.
pub(crate) fn search_error(e: &chorus_search::Error) -> ApiError {
    use chorus_search::Error as E;
    let (status, code) = match e {
        E::Invalid { .. } => (StatusCode::BAD_REQUEST, "invalid"),
        E::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        E::Behind { .. } => (StatusCode::GATEWAY_TIMEOUT, "not_caught_up"),
        E::Incompatible { .. } | E::Index { .. } => {
            (StatusCode::INTERNAL_SERVER_ERROR, "search_index")
        }
    };
    ApiError {
        status,
        code,
        message: e.to_string(),
        field: e.field().map(str::to_string),
    }
}

fn follower(state: &Shared) -> Result<&Follower, ApiError> {
    state
        .services
        .search
        .as_deref()
        .ok_or_else(|| ApiError::unavailable("this node keeps no search index"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    q: String,
    #[serde(default)]
    wing: Option<String>,
    #[serde(default)]
    room: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    min_index: Option<u64>,
    #[serde(default)]
    consistency: Option<String>,
}

#[derive(Debug, Serialize)]
struct HitOut {
    /// The stored drawer (or chunk part) that matched.
    id: String,
    /// The drawer to show: the head of a chunked drawer, else `id`.
    drawer_id: String,
    wing: String,
    room: String,
    score: f32,
    snippet: String,
}

/// The log index a search must reflect for the requested consistency.
async fn wanted_index(state: &Shared, read: &ReadParams) -> Result<u64, ApiError> {
    match read.consistency()? {
        Consistency::Local => Ok(0),
        Consistency::MinIndex(n) => Ok(n),
        Consistency::Linearizable => state
            .services
            .consensus
            .read(Consistency::Linearizable, |d| d.applied_index())
            .await
            .map(|(i, _)| i)
            .map_err(|e| ApiError::read(&e)),
    }
}

async fn search(
    AxState(state): AxState<Shared>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    let f = follower(&state)?;
    let read = ReadParams {
        min_index: p.min_index,
        consistency: p.consistency.clone(),
    };
    let want = wanted_index(&state, &read).await?;
    if want > 0 {
        f.wait_indexed(want, MAX_INDEX_WAIT)
            .await
            .map_err(|e| search_error(&e))?;
    }
    let indexed = f.indexed_index();
    let limit = p.limit.unwrap_or(DEFAULT_SEARCH_LIMIT);
    let hits = f
        .index()
        .search(&p.q, p.wing.as_deref(), p.room.as_deref(), limit)
        .map_err(|e| search_error(&e))?;
    // Map chunk parts to the drawer a client reads (`GET /v1/palace/drawers/{drawer_id}`).
    let (heads, _) = state
        .services
        .consensus
        .read(Consistency::Local, |d| {
            hits.iter()
                .map(|h| {
                    d.palace
                        .drawer(&h.id)
                        .and_then(|dr| dr.chunk.as_ref().map(|c| c.head.clone()))
                        .unwrap_or_else(|| h.id.clone())
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| ApiError::read(&e))?;
    let out: Vec<HitOut> = hits
        .into_iter()
        .zip(heads)
        .map(|(h, drawer_id)| HitOut {
            id: h.id,
            drawer_id,
            wing: h.wing,
            room: h.room,
            score: h.score,
            snippet: h.snippet,
        })
        .collect();
    Ok(Json(json!({"hits": out, "indexed_index": indexed})))
}

async fn reindex(AxState(state): AxState<Shared>) -> Result<Json<Value>, ApiError> {
    let f = follower(&state)?;
    let indexed = f
        .reindex(MAX_REINDEX_WAIT)
        .await
        .map_err(|e| search_error(&e))?;
    Ok(Json(json!({
        "indexed_index": indexed,
        "documents": f.index().num_docs(),
    })))
}

async fn palace_status(
    AxState(state): AxState<Shared>,
    params: Result<Query<ReadParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    let (counts, _) = state
        .services
        .consensus
        .read(p.consistency()?, |d| d.palace.status())
        .await
        .map_err(|e| ApiError::read(&e))?;
    let mut v = serde_json::to_value(&counts).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        let search = state.services.search.as_ref().map(|f| f.status());
        m.insert("search".into(), json!(search));
    }
    Ok(Json(v))
}
