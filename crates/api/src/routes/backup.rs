//! `POST /v1/backup`: a consistent backup of the palace at this node's applied index.

use axum::{
    Router,
    extract::{Query, State as AxState},
    http::header,
    response::{IntoResponse, Response},
    routing::post,
};

use super::{Shared, common::ReadParams};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new().route("/v1/backup", post(create))
}

/// Takes the palace snapshot under the state lock (so it is one applied index, never a mix) and
/// answers with the backup file (`application/octet-stream`). `min_index` and `consistency`
/// choose how fresh it must be, as for reads.
async fn create(
    AxState(state): AxState<Shared>,
    Query(params): Query<ReadParams>,
) -> Result<Response, ApiError> {
    let consistency = params.consistency()?;
    let ((palace, term), applied) = state
        .services
        .consensus
        .read(consistency, |d| {
            (
                d.palace.snapshot_bytes(),
                d.last_applied.map(|l| l.leader_id.term).unwrap_or(0),
            )
        })
        .await
        .map_err(|e| ApiError::read(&e))?;
    let info = &state.services.info;
    let origin = chorus_backup::Origin {
        cluster: info.cluster.clone(),
        node_name: info.node_name.clone(),
        applied_index: applied,
        term,
        build_version: chorus_telemetry::VERSION.to_string(),
        build_sha: chorus_telemetry::BUILD_SHA.to_string(),
        created_at_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0),
    };
    let bytes = tokio::task::spawn_blocking(move || chorus_backup::write(&origin, &palace))
        .await
        .map_err(|e| ApiError {
            status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: format!("writing the backup failed: {e}"),
            field: None,
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::HeaderName::from_static("x-chorus-applied-index"),
                applied.to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}
