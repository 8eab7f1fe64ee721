//! `/v1/members` and `/v1/fencing`.

use axum::{
    Json, Router,
    extract::{Path, State as AxState},
    http::StatusCode,
    routing::{delete, get, post},
};
use bytes::Bytes;
use chorus_consensus::{MemberInfo, MemberOp, NodeId};
use chorus_types::fencing::FencingToken;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Shared, common::json_body};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/v1/members", get(list))
        .route("/v1/members/{id}/promote", post(promote))
        .route("/v1/members/{id}", delete(remove))
        .route("/v1/fencing/authorize", post(authorize))
        .route("/v1/fencing/check", post(check))
}

async fn list(AxState(state): AxState<Shared>) -> Json<Vec<MemberInfo>> {
    Json(state.services.consensus.members())
}

/// Accepts a Raft id (decimal) or a peer id of a member.
fn resolve(state: &Shared, id: &str) -> Result<NodeId, ApiError> {
    if let Ok(n) = id.parse::<NodeId>() {
        return Ok(n);
    }
    state
        .services
        .consensus
        .members()
        .into_iter()
        .find(|m| m.peer_id == id || m.name == id)
        .map(|m| m.raft_id)
        .ok_or_else(|| ApiError {
            field: Some("id".into()),
            ..ApiError::not_found(format!(
                "no member {id:?}: expected a raft id, peer id or name from `chorus members list`"
            ))
        })
}

async fn promote(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let n = resolve(&state, &id)?;
    state
        .services
        .consensus
        .member_op(MemberOp::Promote(n))
        .await
        .map_err(|e| ApiError::write(&e))?;
    Ok(Json(json!({"promoted": n})))
}

async fn remove(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let n = resolve(&state, &id)?;
    state
        .services
        .consensus
        .member_op(MemberOp::Remove(n))
        .await
        .map_err(|e| ApiError::write(&e))?;
    Ok(Json(json!({"removed": n})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Resource {
    resource: String,
}

async fn authorize(
    AxState(state): AxState<Shared>,
    body: Bytes,
) -> Result<Json<FencingToken>, ApiError> {
    let r: Resource = json_body(&body)?;
    if r.resource.is_empty() || r.resource.len() > 256 {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Check {
    resource: String,
    term: u64,
    index: u64,
}

async fn check(AxState(state): AxState<Shared>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let c: Check = json_body(&body)?;
    let token = FencingToken {
        term: c.term,
        index: c.index,
    };
    match state.services.consensus.check_fence(&c.resource, token) {
        Ok(()) => Ok(Json(json!({"accepted": true, "token": token}))),
        Err(e) => Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "stale_token",
            message: e.to_string(),
            field: Some("term".into()),
        }),
    }
}
