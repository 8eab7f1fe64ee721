//! The role registry: `/v1/roles…` (see docs/security.md).

use axum::{
    Router,
    extract::{Path, State as AxState},
    routing::{get, post},
};
use chorus_api_types::{
    ReadParams, paths,
    records::{RoleRecipients, RoleSet},
};
use chorus_palace::Role;
use serde::Serialize;

use super::{
    Shared,
    answer::{self, Answer},
    read::read_at,
    request::Body,
};
use crate::ApiError;

/// Most roles listed (the registry is small by design).
const MAX_ROLES: usize = 1000;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(paths::ROLES, get(list))
        .route(paths::ROLE, post(set))
}

/// The registry and the roles whose identity this node holds.
#[derive(Serialize)]
struct Roles {
    items: Vec<Role>,
    held_here: Vec<String>,
}

async fn list(AxState(state): AxState<Shared>) -> Result<Answer<Roles>, ApiError> {
    let (page, _) = read_at(&state, &ReadParams::default(), |p| p.roles(MAX_ROLES, None)).await?;
    let page = page.map_err(|e| ApiError::palace(&e))?;
    let held_here = state
        .services
        .records
        .identities()
        .map(|v| v.into_iter().map(|(r, _)| r).collect())
        .unwrap_or_default();
    Ok(answer::ok(Roles {
        items: page.items,
        held_here,
    }))
}

async fn set(
    AxState(state): AxState<Shared>,
    Path(role): Path<String>,
    Body(b): Body<RoleRecipients>,
) -> Result<Answer<RoleSet>, ApiError> {
    let (index, term) = state
        .services
        .records
        .set_role(&role, &b.recipients)
        .await
        .map_err(ApiError::records)?;
    Ok(answer::ok(RoleSet { role, index, term }))
}
