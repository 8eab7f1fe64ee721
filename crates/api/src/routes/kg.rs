//! `/v1/palace/kg/…`: the temporal knowledge graph.

use axum::{
    Json, Router,
    extract::{Path, Query, State as AxState, rejection::QueryRejection},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use bytes::Bytes;
use chorus_consensus::Op;
use chorus_palace::{Command, Direction, NewFact, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    Shared,
    common::{ReadParams, idempotency_key, json_body},
    palace::submit,
    palace_more::{
        DEFAULT_PAGE_LIMIT, created_or_existing, query, read_with, unexpected, with_applied,
        written_with,
    },
};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/v1/palace/kg/facts", post(add_fact))
        .route("/v1/palace/kg/entities", post(add_entity))
        .route("/v1/palace/kg/entities/{name}", get(get_entity))
        .route("/v1/palace/kg/invalidate", post(invalidate))
        .route("/v1/palace/kg/query", get(kg_query))
        .route("/v1/palace/kg/timeline", get(timeline))
        .route("/v1/palace/kg/stats", get(stats))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactBody {
    subject: String,
    predicate: String,
    object: String,
    #[serde(default)]
    valid_from: Option<u64>,
    #[serde(default)]
    valid_to: Option<u64>,
    #[serde(default)]
    confidence: Option<f64>,
    #[serde(default)]
    source_drawer: Option<String>,
}

async fn add_fact(
    AxState(state): AxState<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b: FactBody = json_body(&body)?;
    let key = idempotency_key(&headers)?;
    let cmd = Command::KgFactAdd(NewFact {
        subject: b.subject,
        predicate: b.predicate,
        object: b.object,
        valid_from: b.valid_from,
        valid_to: b.valid_to,
        confidence: b.confidence,
        source_drawer: b.source_drawer,
    });
    let (resp, written) = submit(&state, Op::Palace(cmd), key).await?;
    let Response::FactAdded { id, already_exists } = resp else {
        return Err(unexpected(&resp));
    };
    Ok(created_or_existing(&written, json!(id), already_exists))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityBody {
    name: String,
    #[serde(default)]
    kind: Option<String>,
}

async fn add_entity(
    AxState(state): AxState<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let b: EntityBody = json_body(&body)?;
    let key = idempotency_key(&headers)?;
    let cmd = Command::KgEntityAdd {
        name: b.name,
        kind: b.kind,
    };
    let (resp, written) = submit(&state, Op::Palace(cmd), key).await?;
    let Response::EntityAdded {
        name,
        already_exists,
    } = resp
    else {
        return Err(unexpected(&resp));
    };
    Ok(Json(written_with(
        &written,
        json!({"name": name, "already_exists": already_exists}),
    )))
}

async fn get_entity(
    AxState(state): AxState<Shared>,
    Path(name): Path<String>,
    params: Result<Query<ReadParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    let (found, applied) = read_with(&state, &p, |s| s.entity(&name).cloned()).await?;
    match found {
        Some(e) => Ok(Json(with_applied(e, applied))),
        None => Err(ApiError {
            field: Some("name".into()),
            ..ApiError::not_found(format!(
                "entity {name:?} not found (applied index {applied})"
            ))
        }),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InvalidateBody {
    subject: String,
    predicate: String,
    object: String,
    #[serde(default)]
    ended_at_ms: Option<u64>,
}

async fn invalidate(
    AxState(state): AxState<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let b: InvalidateBody = json_body(&body)?;
    let key = idempotency_key(&headers)?;
    let cmd = Command::KgInvalidate {
        subject: b.subject,
        predicate: b.predicate,
        object: b.object,
        ended_at_ms: b.ended_at_ms,
    };
    let (resp, written) = submit(&state, Op::Palace(cmd), key).await?;
    let Response::FactsInvalidated { ids } = resp else {
        return Err(unexpected(&resp));
    };
    Ok(Json(written_with(&written, json!({"invalidated": ids}))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryParams {
    entity: String,
    #[serde(default)]
    as_of: Option<u64>,
    #[serde(default)]
    direction: Option<Direction>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    min_index: Option<u64>,
    #[serde(default)]
    consistency: Option<String>,
}

impl QueryParams {
    fn read(&self) -> ReadParams {
        ReadParams {
            min_index: self.min_index,
            consistency: self.consistency.clone(),
        }
    }
}

async fn kg_query(
    AxState(state): AxState<Shared>,
    params: Result<Query<QueryParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    let limit = p.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let direction = p.direction.unwrap_or(Direction::Both);
    let (page, applied) = read_with(&state, &p.read(), |s| {
        s.kg_query(&p.entity, p.as_of, direction, limit, p.cursor.as_deref())
    })
    .await?;
    let page = page.map_err(|e| ApiError::palace(&e))?;
    Ok(Json(with_applied(page, applied)))
}

async fn timeline(
    AxState(state): AxState<Shared>,
    params: Result<Query<QueryParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    if p.as_of.is_some() || p.direction.is_some() {
        return Err(ApiError::invalid(
            "query",
            "a timeline takes entity, limit, cursor, min_index and consistency; as_of and direction belong to /v1/palace/kg/query",
        ));
    }
    let limit = p.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let (page, applied) = read_with(&state, &p.read(), |s| {
        s.kg_timeline(&p.entity, limit, p.cursor.as_deref())
    })
    .await?;
    let page = page.map_err(|e| ApiError::palace(&e))?;
    Ok(Json(with_applied(page, applied)))
}

async fn stats(
    AxState(state): AxState<Shared>,
    params: Result<Query<ReadParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = query(params)?;
    let (stats, applied) = read_with(&state, &p, |s| s.kg_stats()).await?;
    Ok(Json(with_applied(stats, applied)))
}
