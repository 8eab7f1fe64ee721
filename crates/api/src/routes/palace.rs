//! `/v1/palace/…`: drawers.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::{Path, Query, State as AxState},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use bytes::Bytes;
use chorus_consensus::{Op, Outcome};
use chorus_palace::{Command, NewDrawer, Response};
use chorus_types::fencing::FencingToken;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Shared,
    common::{ReadParams, Written, idempotency_key, json_body},
};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/v1/palace/drawers", post(add_drawer))
        .route(
            "/v1/palace/drawers/{id}",
            get(get_drawer).delete(delete_drawer).patch(update_drawer),
        )
        .route(
            "/v1/palace/diaries/{agent}",
            get(read_diary).post(append_diary),
        )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddDrawer {
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

/// `Fencing-Resource` and `Fencing-Token: term.index` make a write conditional on the token
/// still being the resource's current one.
fn fenced(headers: &HeaderMap, command: Command) -> Result<Op, ApiError> {
    let resource = headers
        .get("fencing-resource")
        .and_then(|v| v.to_str().ok());
    let token = headers.get("fencing-token").and_then(|v| v.to_str().ok());
    match (resource, token) {
        (None, None) => Ok(Op::Palace(command)),
        (Some(resource), Some(token)) => {
            let parsed = token.split_once('.').and_then(|(t, i)| {
                Some(FencingToken {
                    term: t.parse().ok()?,
                    index: i.parse().ok()?,
                })
            });
            let token = parsed.ok_or_else(|| {
                ApiError::invalid(
                    "Fencing-Token",
                    format!("Fencing-Token = {token:?}: expected term.index, e.g. 3.41"),
                )
            })?;
            Ok(Op::Fenced {
                resource: resource.to_string(),
                token,
                command,
            })
        }
        _ => Err(ApiError::invalid(
            "Fencing-Token",
            "Fencing-Resource and Fencing-Token go together",
        )),
    }
}

pub(crate) async fn submit(
    state: &Shared,
    op: Op,
    key: Option<String>,
) -> Result<(Response, super::common::Written), ApiError> {
    let s = &state.services;
    let reply = s
        .consensus
        .write(op, key)
        .await
        .map_err(|e| ApiError::write(&e))?;
    let written = Written::from(&reply, s);
    match reply.outcome {
        Outcome::Palace(Ok(r)) => Ok((r, written)),
        Outcome::Palace(Err(e)) => Err(ApiError::palace(&e)),
        Outcome::StaleToken { presented, current } => Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "stale_token",
            message: format!(
                "fencing token {presented} is stale: the resource's current token is {current}"
            ),
            field: Some("Fencing-Token".into()),
        }),
        other => Err(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: format!("unexpected outcome {other:?}"),
            field: None,
        }),
    }
}

#[derive(Serialize)]
struct DrawerWritten {
    id: String,
    already_exists: bool,
    chunks: u32,
    #[serde(flatten)]
    written: Written,
}

async fn add_drawer(
    AxState(state): AxState<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: AddDrawer = json_body(&body)?;
    let key = idempotency_key(&headers)?;
    let cmd = Command::DrawerAdd(NewDrawer {
        wing: req.wing,
        room: req.room,
        content: req.content,
        added_by: req
            .added_by
            .unwrap_or_else(|| state.services.info.node_name.clone()),
        source: req.source,
        hall: req.hall,
        metadata: req.metadata,
    });
    let (resp, written) = submit(&state, fenced(&headers, cmd)?, key).await?;
    let Response::DrawerAdded(a) = resp else {
        return Err(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "unexpected response".into(),
            field: None,
        });
    };
    let status = if a.already_exists {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let out = DrawerWritten {
        id: a.id,
        already_exists: a.already_exists,
        chunks: a.chunks,
        written,
    };
    Ok((
        status,
        Json(serde_json::to_value(out).unwrap_or(Value::Null)),
    ))
}

async fn get_drawer(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    Query(params): Query<ReadParams>,
) -> Result<Json<Value>, ApiError> {
    let consistency = params.consistency()?;
    let (found, applied) = state
        .services
        .consensus
        .read(consistency, |d| {
            d.palace
                .drawer(&id)
                .cloned()
                .map(|drawer| (drawer, d.palace.drawer_content(&id)))
        })
        .await
        .map_err(|e| ApiError::read(&e))?;
    let Some((drawer, content)) = found else {
        return Err(ApiError {
            field: Some("id".into()),
            ..ApiError::not_found(format!("drawer {id:?} not found (applied index {applied})"))
        });
    };
    let mut v = serde_json::to_value(&drawer).unwrap_or(Value::Null);
    if let (Value::Object(m), Ok(full)) = (&mut v, content) {
        m.insert("content".into(), Value::String(full));
        m.insert("applied_index".into(), json!(applied));
    }
    Ok(Json(v))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateDrawer {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    metadata: Option<BTreeMap<String, String>>,
}

async fn update_drawer(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let req: UpdateDrawer = json_body(&body)?;
    let key = idempotency_key(&headers)?;
    let cmd = Command::DrawerUpdate {
        id,
        content: req.content,
        metadata: req.metadata,
    };
    let (resp, written) = submit(&state, fenced(&headers, cmd)?, key).await?;
    let Response::DrawerUpdated { id, chunks } = resp else {
        return Err(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "unexpected response".into(),
            field: None,
        });
    };
    let mut v = serde_json::to_value(&written).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("id".into(), json!(id));
        m.insert("chunks".into(), json!(chunks));
    }
    Ok(Json(v))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiaryEntryBody {
    text: String,
    #[serde(default)]
    topic: Option<String>,
}

async fn append_diary(
    AxState(state): AxState<Shared>,
    Path(agent): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: DiaryEntryBody = json_body(&body)?;
    let key = idempotency_key(&headers)?;
    let cmd = Command::DiaryAppend {
        agent,
        text: req.text,
        topic: req.topic,
    };
    let (resp, written) = submit(&state, fenced(&headers, cmd)?, key).await?;
    let mut v = serde_json::to_value(&written).unwrap_or(Value::Null);
    if let (Value::Object(m), Response::DiaryAppended { agent, seq }) = (&mut v, resp) {
        m.insert("agent".into(), json!(agent));
        m.insert("seq".into(), json!(seq));
    }
    Ok((StatusCode::CREATED, Json(v)))
}

#[derive(Debug, Default, Deserialize)]
struct PageParams {
    limit: Option<usize>,
    cursor: Option<String>,
    min_index: Option<u64>,
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

async fn read_diary(
    AxState(state): AxState<Shared>,
    Path(agent): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Json<Value>, ApiError> {
    let consistency = p.read().consistency()?;
    let limit = p.limit.unwrap_or(50);
    let cursor = p.cursor.clone();
    let (page, applied) = state
        .services
        .consensus
        .read(consistency, |d| {
            d.palace.diary(&agent, limit, cursor.as_deref())
        })
        .await
        .map_err(|e| ApiError::read(&e))?;
    let page = page.map_err(|e| ApiError::palace(&e))?;
    let mut v = serde_json::to_value(&page).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("applied_index".into(), json!(applied));
    }
    Ok(Json(v))
}

async fn delete_drawer(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let key = idempotency_key(&headers)?;
    let (resp, written) =
        submit(&state, fenced(&headers, Command::DrawerDelete { id })?, key).await?;
    let Response::DrawerDeleted { id, chunks } = resp else {
        return Err(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "unexpected response".into(),
            field: None,
        });
    };
    let mut v = serde_json::to_value(&written).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("id".into(), json!(id));
        m.insert("chunks".into(), json!(chunks));
    }
    Ok(Json(v))
}
