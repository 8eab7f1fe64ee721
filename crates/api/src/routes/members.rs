//! Raft membership: `/v1/members…`.

use axum::{
    Json, Router,
    extract::{Path, State as AxState},
    routing::{delete, get, post},
};
use chorus_api_types::{
    cluster::{Member, Promoted, Removed},
    paths,
};
use chorus_consensus::{MemberOp, NodeId};

use super::{
    Shared,
    answer::{self, Answer},
};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(paths::MEMBERS, get(list))
        .route(paths::MEMBER_PROMOTE, post(promote))
        .route(paths::MEMBER, delete(remove))
}

async fn list(AxState(state): AxState<Shared>) -> Json<Vec<Member>> {
    let members = state.services.consensus.members();
    Json(
        members
            .into_iter()
            .map(|m| Member {
                raft_id: m.raft_id,
                peer_id: m.peer_id,
                name: m.name,
                role: m.role.to_string(),
                leader: m.leader,
                matched_index: m.matched_index,
            })
            .collect(),
    )
}

/// Accepts a Raft id (decimal), or a peer id or name of a member.
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
) -> Result<Answer<Promoted>, ApiError> {
    let n = resolve(&state, &id)?;
    state
        .services
        .consensus
        .member_op(MemberOp::Promote(n))
        .await
        .map_err(|e| ApiError::write(&e))?;
    Ok(answer::ok(Promoted { promoted: n }))
}

async fn remove(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
) -> Result<Answer<Removed>, ApiError> {
    let n = resolve(&state, &id)?;
    state
        .services
        .consensus
        .member_op(MemberOp::Remove(n))
        .await
        .map_err(|e| ApiError::write(&e))?;
    Ok(answer::ok(Removed { removed: n }))
}
