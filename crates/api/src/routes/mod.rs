//! Route tables: one module per resource, each with its own `router()`, merged here.
//!
//! Shared by every handler: [`request`] (JSON bodies and query strings, their errors naming the
//! field), [`write`] (the one way a palace write is proposed and answered), [`read`] (the one
//! way the palace is read at a requested freshness) and [`answer`] (the one way an answer is
//! written).

mod answer;
mod backup;
mod diaries;
mod drawers;
mod fencing;
mod kg;
mod members;
mod read;
mod records;
mod request;
mod roles;
mod search;
mod status;
mod tunnels;
mod write;

use std::sync::Arc;

use axum::{
    Router,
    extract::{Request, State as AxState},
    http::header,
    middleware::{self, Next},
    response::{IntoResponse, Response},
};

use crate::{ApiError, Services};

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

/// The health port: probes, status and metrics, no authentication.
pub(crate) fn health_router(state: Shared) -> Router {
    status::health_router().with_state(state)
}

/// The `/v1/` API, on the Unix socket and (behind the bearer token) on the TCP API port.
pub(crate) fn api_router(state: Shared, require_token: bool) -> Router {
    let router = Router::new()
        .merge(status::router())
        .merge(drawers::router())
        .merge(diaries::router())
        .merge(search::router())
        .merge(kg::router())
        .merge(tunnels::router())
        .merge(members::router())
        .merge(fencing::router())
        .merge(backup::router())
        .merge(records::router())
        .merge(roles::router())
        .layer(axum::extract::DefaultBodyLimit::max(
            request::MAX_BODY_BYTES + 1,
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
