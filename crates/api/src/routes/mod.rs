//! Route tables and handlers.

mod backup;
mod cluster;
mod common;
mod kg;
mod palace;
mod palace_more;
mod palace_search;
mod records;

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Request, State as AxState},
    http::{StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use chorus_types::status::{Readiness, Status};

use crate::{ApiError, server::Services};

/// Shared by every handler.
pub(crate) struct State {
    pub(crate) services: Services,
    token: Option<String>,
}

impl State {
    pub fn new(services: Services, token: Option<String>) -> Self {
        Self { services, token }
    }
}

pub(crate) type Shared = Arc<State>;

pub(crate) fn health_router(state: Shared) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/status", get(status))
        .route("/v1/status", get(status))
        .route("/metrics", get(metrics))
        .with_state(state)
}

pub(crate) fn api_router(state: Shared, require_token: bool) -> Router {
    let router = Router::new()
        .route("/v1/status", get(status))
        .route("/v1/peers", get(peers))
        .route("/healthz", get(healthz))
        .merge(palace::router())
        .merge(palace_more::router())
        .merge(palace_search::router())
        .merge(kg::router())
        .merge(cluster::router())
        .merge(backup::router())
        .merge(records::router())
        .layer(axum::extract::DefaultBodyLimit::max(
            common::MAX_BODY_BYTES + 1,
        ))
        .fallback(not_found)
        .with_state(state.clone());
    if require_token {
        router.layer(middleware::from_fn_with_state(state, require_bearer))
    } else {
        router
    }
}

async fn require_bearer(AxState(state): AxState<Shared>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match (&state.token, given) {
        (Some(want), Some(got)) if constant_time_eq(want.as_bytes(), got.trim().as_bytes()) => {
            next.run(req).await
        }
        _ => ApiError::unauthorized().into_response(),
    }
}

/// Compares without an early exit, so response timing does not reveal a token prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; see docs/api.md")
}

async fn healthz() -> &'static str {
    "ok\n"
}

pub(crate) fn build_status(s: &Services) -> Status {
    let p2p = &s.p2p;
    let r = s.consensus.status();
    Status {
        node_name: s.info.node_name.clone(),
        peer_id: p2p.local_peer_id().to_string(),
        raft_id: Some(r.raft_id),
        role: s.info.role.clone(),
        cluster: s.info.cluster.clone(),
        is_leader: Some(r.is_leader),
        leader_peer_id: r.leader_peer_id,
        term: Some(r.term),
        commit_index: Some(r.commit_index),
        applied_index: Some(r.applied_index),
        peers_connected: p2p.connected_members().len(),
        voters: Some(r.voters),
        version: chorus_telemetry::VERSION.to_string(),
        build_sha: chorus_telemetry::BUILD_SHA.to_string(),
        listen_addrs: p2p.listen_addrs().iter().map(|a| a.to_string()).collect(),
        uptime_seconds: s.started.elapsed().as_secs(),
    }
}

async fn status(AxState(state): AxState<Shared>) -> Json<Status> {
    Json(build_status(&state.services))
}

async fn readyz(AxState(state): AxState<Shared>) -> (StatusCode, Json<Readiness>) {
    let s = &state.services;
    let mut waiting_for = Vec::new();
    let need = s.info.bootstrap_expect.saturating_sub(1);
    let have = s.p2p.connected_members().len();
    if have < need {
        waiting_for.push(format!("mesh: {have} of {need} expected peers connected"));
    }
    let r = s.consensus.status();
    let me = s.p2p.local_peer_id().to_string();
    if !r.voters.contains(&me) && !r.learners.contains(&me) {
        waiting_for.push("cluster: not a member yet".into());
    }
    if r.leader_id.is_none() {
        waiting_for.push("cluster: no leader known".into());
    }
    // A replica more than this far behind the commit index serves stale reads.
    const MAX_LAG: u64 = 1000;
    if r.commit_index > r.applied_index + MAX_LAG {
        waiting_for.push(format!(
            "palace: applied {} of committed {}",
            r.applied_index, r.commit_index
        ));
    }
    let ready = waiting_for.is_empty();
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(Readiness { ready, waiting_for }))
}

async fn metrics(AxState(state): AxState<Shared>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.services.registry.encode_text(),
    )
}

async fn peers(
    AxState(state): AxState<Shared>,
) -> Result<Json<Vec<chorus_p2p::PeerInfo>>, ApiError> {
    state
        .services
        .p2p
        .peers()
        .await
        .map(Json)
        .map_err(|e| ApiError::unavailable(e.to_string()))
}
