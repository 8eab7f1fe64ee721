//! Fencing tokens: `/v1/fencing/authorize` (leader side) and `/v1/fencing/check` (receiver
//! side).

use axum::{Json, Router, extract::State as AxState, routing::post};
use chorus_api_types::{
    cluster::{FenceAccepted, FenceCheck, FencingResource},
    paths,
};
use chorus_types::fencing::FencingToken;

use super::{
    Shared,
    answer::{self, Answer},
    request::Body,
};
use crate::ApiError;

/// Longest resource name, in bytes.
const MAX_RESOURCE_BYTES: usize = 256;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(paths::FENCING_AUTHORIZE, post(authorize))
        .route(paths::FENCING_CHECK, post(check))
}

async fn authorize(
    AxState(state): AxState<Shared>,
    Body(r): Body<FencingResource>,
) -> Result<Json<FencingToken>, ApiError> {
    if r.resource.is_empty() || r.resource.len() > MAX_RESOURCE_BYTES {
        return Err(ApiError::invalid(
            "resource",
            "expected 1 to 256 characters",
        ));
    }
    state
        .services
        .consensus
        .authorize(&r.resource)
        .await
        .map(Json)
        .map_err(|e| ApiError::write(&e))
}

async fn check(
    AxState(state): AxState<Shared>,
    Body(c): Body<FenceCheck>,
) -> Result<Answer<FenceAccepted>, ApiError> {
    let token = FencingToken {
        term: c.term,
        index: c.index,
    };
    match state.services.consensus.check_fence(&c.resource, token) {
        Ok(()) => Ok(answer::ok(FenceAccepted {
            accepted: true,
            token,
        })),
        Err(e) => Err(ApiError::stale_token("term", e.to_string())),
    }
}
