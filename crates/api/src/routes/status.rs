//! Probes and status: `/healthz`, `/readyz`, `/status` and `/metrics` on the health port;
//! `/v1/status`, `/v1/peers` and `/v1/palace/status` on the API.

use axum::{
    Json, Router,
    extract::State as AxState,
    http::{StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use chorus_api_types::{
    ReadParams, paths,
    search::{PalaceStatus, SearchStatus},
};
use chorus_types::status::{Readiness, Status};

use super::{
    Shared,
    answer::{self, Answer},
    read::read_at,
    request::Query,
};
use crate::{ApiError, Services};

/// A replica more than this far behind the commit index serves stale reads: not ready.
const MAX_LAG: u64 = 1000;

/// The health port's routes (no authentication, nothing secret).
pub(crate) fn health_router() -> Router<Shared> {
    Router::new()
        .route(paths::HEALTHZ, get(healthz))
        .route(paths::READYZ, get(readyz))
        .route(paths::HEALTH_STATUS, get(status))
        .route(paths::STATUS, get(status))
        .route(paths::METRICS, get(metrics))
}

/// The API's status routes.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(paths::STATUS, get(status))
        .route(paths::PEERS, get(peers))
        .route(paths::HEALTHZ, get(healthz))
        .route(paths::PALACE_STATUS, get(palace_status))
}

async fn healthz() -> &'static str {
    "ok\n"
}

fn build_status(s: &Services) -> Status {
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

/// Palace counts (the position they reflect is the palace's own) and the search index.
async fn palace_status(
    AxState(state): AxState<Shared>,
    Query(q): Query<ReadParams>,
) -> Result<Answer<PalaceStatus>, ApiError> {
    let (counts, _) = read_at(&state, &q, |p| p.status()).await?;
    let search = state.services.search.as_ref().map(|f| {
        let s = f.status();
        SearchStatus {
            indexed_index: s.indexed_index,
            documents: s.documents,
            rebuilds: s.rebuilds,
            overflows: s.overflows,
            failures: s.failures,
        }
    });
    Ok(answer::ok(PalaceStatus { counts, search }))
}
