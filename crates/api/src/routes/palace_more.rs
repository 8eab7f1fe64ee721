//! `/v1/palace/…`: batch add, drawer lists, duplicate check, taxonomy and tunnels.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::{Path, Query, State as AxState, rejection::QueryRejection},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use bytes::Bytes;
use chorus_consensus::Op;
use chorus_palace::{Command, NewDrawer, Response, RoomRef};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Shared,
    common::{ReadParams, Written, idempotency_key, json_body},
    palace::submit,
};
use crate::ApiError;

/// Default page size of list reads.
pub(crate) const DEFAULT_PAGE_LIMIT: usize = 50;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/v1/palace/drawers", get(list_drawers))
        .route("/v1/palace/drawers/batch", post(add_batch))
        .route("/v1/palace/duplicate", post(duplicate))
        .route("/v1/palace/taxonomy", get(taxonomy))
        .route("/v1/palace/tunnels", get(list_tunnels).post(create_tunnel))
        .route(
            "/v1/palace/tunnels/{id}",
            get(get_tunnel).delete(delete_tunnel),
        )
}

/// Unwraps a query string, turning axum's rejection (an unknown parameter, a bad number) into
/// a JSON error.
pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<Query<T>, ApiError> {
    q.map_err(|e| ApiError::invalid("query", e.body_text()))
}

/// `value` (an object) with `applied_index` added.
pub(crate) fn with_applied(value: impl Serialize, applied: u64) -> Value {
    let mut v = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("applied_index".into(), json!(applied));
    }
    v
}

/// The write position with `extra` fields added.
pub(crate) fn written_with(written: &Written, extra: Value) -> Value {
    let mut v = serde_json::to_value(written).unwrap_or(Value::Null);
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    v
}

/// The answer to a create that is idempotent on its content: 201 with the new id, or 200 with
/// the id that already existed.
pub(crate) fn created_or_existing(
    written: &Written,
    id: Value,
    already_exists: bool,
) -> (StatusCode, Json<Value>) {
    let status = if already_exists {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let body = written_with(written, json!({"id": id, "already_exists": already_exists}));
    (status, Json(body))
}

/// A response of the wrong kind for the command: a bug, not bad input.
pub(crate) fn unexpected(resp: &Response) -> ApiError {
    ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "internal",
        message: format!("unexpected response {resp:?}"),
        field: None,
    }
}

/// Reads with `f` at the consistency in `read`, mapping read errors.
pub(crate) async fn read_with<T>(
    state: &Shared,
    read: &ReadParams,
    f: impl FnOnce(&chorus_palace::State) -> T,
) -> Result<(T, u64), ApiError> {
    state
        .services
        .consensus
        .read(read.consistency()?, |d| f(&d.palace))
        .await
        .map_err(|e| ApiError::read(&e))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchItem {
    wing: String,
    room: String,
    content: String,
    #[serde(default)]
    added_by: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    hall: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchBody {
    drawers: Vec<BatchItem>,
}

async fn add_batch(
    AxState(state): AxState<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let req: BatchBody = json_body(&body)?;
    let key = idempotency_key(&headers)?;
    let me = &state.services.info.node_name;
    let drawers = req
        .drawers
        .into_iter()
        .map(|d| NewDrawer {
            wing: d.wing,
            room: d.room,
            content: d.content,
            added_by: d.added_by.unwrap_or_else(|| me.clone()),
            source: d.source,
            hall: d.hall,
            metadata: d.metadata,
        })
        .collect();
    let (resp, written) =
        submit(&state, Op::Palace(Command::DrawerAddBatch { drawers }), key).await?;
    let Response::DrawersAdded { results } = resp else {
        return Err(unexpected(&resp));
    };
    let (mut added, mut existing, mut failed) = (0u64, 0u64, 0u64);
    let results: Vec<Value> = results
        .into_iter()
        .map(|r| match r {
            Ok(a) => {
                if a.already_exists {
                    existing += 1;
                } else {
                    added += 1;
                }
                json!({"id": a.id, "already_exists": a.already_exists, "chunks": a.chunks})
            }
            Err(e) => {
                failed += 1;
                json!({"error": {"code": e.code(), "message": e.to_string(), "field": e.field()}})
            }
        })
        .collect();
    Ok(Json(written_with(
        &written,
        json!({"added": added, "already_existed": existing, "failed": failed, "results": results}),
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    #[serde(default)]
    wing: Option<String>,
    #[serde(default)]
    room: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    min_index: Option<u64>,
    #[serde(default)]
    consistency: Option<String>,
}

impl ListParams {
    fn read(&self) -> ReadParams {
        ReadParams {
            min_index: self.min_index,
            consistency: self.consistency.clone(),
        }
    }
}

async fn list_drawers(
    AxState(state): AxState<Shared>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    let limit = p.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let (page, applied) = read_with(&state, &p.read(), |s| {
        s.drawers(
            p.wing.as_deref(),
            p.room.as_deref(),
            limit,
            p.cursor.as_deref(),
        )
    })
    .await?;
    let page = page.map_err(|e| ApiError::palace(&e))?;
    Ok(Json(with_applied(page, applied)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DuplicateBody {
    wing: String,
    room: String,
    content: String,
    #[serde(default)]
    min_index: Option<u64>,
    #[serde(default)]
    consistency: Option<String>,
}

async fn duplicate(AxState(state): AxState<Shared>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let req: DuplicateBody = json_body(&body)?;
    let read = ReadParams {
        min_index: req.min_index,
        consistency: req.consistency.clone(),
    };
    let (found, applied) = read_with(&state, &read, |s| {
        s.find_duplicate(&req.wing, &req.room, &req.content)
    })
    .await?;
    let found = found.map_err(|e| ApiError::palace(&e))?;
    Ok(Json(json!({
        "duplicate": found.is_some(),
        "id": found,
        "applied_index": applied,
    })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageParams {
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    min_index: Option<u64>,
    #[serde(default)]
    consistency: Option<String>,
}

impl PageParams {
    fn read(&self) -> ReadParams {
        ReadParams {
            min_index: self.min_index,
            consistency: self.consistency.clone(),
        }
    }
}

async fn taxonomy(
    AxState(state): AxState<Shared>,
    params: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    let limit = p.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let (page, applied) = read_with(&state, &p.read(), |s| {
        s.taxonomy(limit, p.cursor.as_deref())
    })
    .await?;
    let page = page.map_err(|e| ApiError::palace(&e))?;
    Ok(Json(with_applied(page, applied)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TunnelBody {
    a: RoomRef,
    b: RoomRef,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    created_by: Option<String>,
}

async fn create_tunnel(
    AxState(state): AxState<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: TunnelBody = json_body(&body)?;
    let key = idempotency_key(&headers)?;
    let cmd = Command::TunnelCreate {
        a: req.a,
        b: req.b,
        label: req.label,
        created_by: req
            .created_by
            .unwrap_or_else(|| state.services.info.node_name.clone()),
    };
    let (resp, written) = submit(&state, Op::Palace(cmd), key).await?;
    let Response::TunnelCreated { id, already_exists } = resp else {
        return Err(unexpected(&resp));
    };
    Ok(created_or_existing(&written, json!(id), already_exists))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TunnelListParams {
    #[serde(default)]
    wing: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    min_index: Option<u64>,
    #[serde(default)]
    consistency: Option<String>,
}

async fn list_tunnels(
    AxState(state): AxState<Shared>,
    params: Result<Query<TunnelListParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    let read = ReadParams {
        min_index: p.min_index,
        consistency: p.consistency.clone(),
    };
    let limit = p.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let (page, applied) = read_with(&state, &read, |s| {
        s.tunnels(p.wing.as_deref(), limit, p.cursor.as_deref())
    })
    .await?;
    let page = page.map_err(|e| ApiError::palace(&e))?;
    Ok(Json(with_applied(page, applied)))
}

async fn get_tunnel(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    params: Result<Query<ReadParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    let (found, applied) = read_with(&state, &p, |s| s.tunnel(&id).cloned()).await?;
    match found {
        Some(t) => Ok(Json(with_applied(t, applied))),
        None => Err(ApiError {
            field: Some("id".into()),
            ..ApiError::not_found(format!("tunnel {id:?} not found (applied index {applied})"))
        }),
    }
}

async fn delete_tunnel(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let key = idempotency_key(&headers)?;
    let (resp, written) = submit(&state, Op::Palace(Command::TunnelDelete { id }), key).await?;
    let Response::TunnelDeleted { id } = resp else {
        return Err(unexpected(&resp));
    };
    Ok(Json(written_with(&written, json!({"id": id}))))
}
