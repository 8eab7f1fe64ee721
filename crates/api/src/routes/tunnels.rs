//! Tunnels between rooms of different wings: `/v1/palace/tunnels…`.

use axum::{
    Router,
    extract::{Path, State as AxState},
    routing::get,
};
use chorus_api_types::{
    Created, Read, ReadParams, Written, paths,
    tunnels::{NewTunnel, TunnelDeleted, TunnelQuery},
};
use chorus_palace::{Command, Page, Response, Tunnel};

use super::{
    Shared,
    answer::{self, Answer},
    drawers::DEFAULT_PAGE_LIMIT,
    read::{read, read_one},
    request::{Body, Query},
    write::{WriteHeaders, write},
};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(paths::TUNNELS, get(list).post(create))
        .route(paths::TUNNEL, get(get_one).delete(delete))
}

async fn create(
    AxState(state): AxState<Shared>,
    headers: WriteHeaders,
    Body(req): Body<NewTunnel>,
) -> Result<Answer<Written<Created<String>>>, ApiError> {
    let cmd = Command::TunnelCreate {
        a: req.a,
        b: req.b,
        label: req.label,
        created_by: req
            .created_by
            .unwrap_or_else(|| state.services.info.node_name.clone()),
    };
    let w = write(&state, headers, cmd, |r| match r {
        Response::TunnelCreated { id, already_exists } => Ok(Created { id, already_exists }),
        other => Err(other),
    })
    .await?;
    Ok(answer::created(w.value.already_exists, w))
}

async fn list(
    AxState(state): AxState<Shared>,
    Query(q): Query<TunnelQuery>,
) -> Result<Answer<Read<Page<Tunnel>>>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let page = read(&state, &q, |p| {
        p.tunnels(q.wing.as_deref(), limit, q.cursor.as_deref())
    })
    .await?;
    Ok(answer::ok(page))
}

async fn get_one(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    Query(q): Query<ReadParams>,
) -> Result<Answer<Read<Tunnel>>, ApiError> {
    let found = read_one(&state, &q, "tunnel", "id", &id, |p| p.tunnel(&id).cloned()).await?;
    Ok(answer::ok(found))
}

async fn delete(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    headers: WriteHeaders,
) -> Result<Answer<Written<TunnelDeleted>>, ApiError> {
    let w = write(&state, headers, Command::TunnelDelete { id }, |r| match r {
        Response::TunnelDeleted { id } => Ok(TunnelDeleted { id }),
        other => Err(other),
    })
    .await?;
    Ok(answer::ok(w))
}
