//! `POST /v1/backup`: a consistent backup of the palace at this node's applied index.

use axum::{
    Router,
    extract::State as AxState,
    http::header,
    response::{IntoResponse, Response},
    routing::post,
};
use chorus_api_types::{ReadParams, paths};

use super::{Shared, read::read_at, request::Query};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new().route(paths::BACKUP, post(create))
}

/// Takes the palace snapshot under the state lock (so it is one applied index, never a mix) and
/// answers with the backup file (`application/octet-stream`). `min_index` and `consistency`
/// choose how fresh it must be, as for reads.
async fn create(
    AxState(state): AxState<Shared>,
    Query(q): Query<ReadParams>,
) -> Result<Response, ApiError> {
    let (palace, at) = read_at(&state, &q, |p| p.snapshot_bytes()).await?;
    let info = &state.services.info;
    let origin = chorus_backup::Origin {
        cluster: info.cluster.clone(),
        node_name: info.node_name.clone(),
        applied_index: at.index,
        term: at.term,
        build_version: chorus_telemetry::VERSION.to_string(),
        build_sha: chorus_telemetry::BUILD_SHA.to_string(),
        created_at_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0),
    };
    let bytes = tokio::task::spawn_blocking(move || chorus_backup::write(&origin, &palace))
        .await
        .map_err(|e| ApiError::internal(format!("writing the backup failed: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::HeaderName::from_static("x-chorus-applied-index"),
                at.index.to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}
