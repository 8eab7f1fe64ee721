//! `/v1/records…` and `/v1/roles…`: decision records and the role registry (DESIGN §7).
//!
//! Bodies never pass through here in plaintext except two ways, both to the local caller
//! only: the body of a publication on its way to be encrypted, and `POST
//! /v1/records/{cid}/decrypt`, which decrypts with the role identities this node holds.

use axum::{
    Json, Router,
    extract::{Path, Query, State as AxState},
    http::{StatusCode, header},
    response::IntoResponse,
    routing::{get, post},
};
use base64::Engine as _;
use bytes::Bytes;
use chorus_decisions::{Error as RecError, Publish, RecordInfo};
use chorus_records::Cid;
use chorus_types::ucxl::Address;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Shared, common::json_body};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/v1/records", post(publish).get(list))
        .route("/v1/records/by-address", get(by_address))
        .route("/v1/records/verify", post(verify))
        .route("/v1/records/{cid}", get(get_record))
        .route("/v1/records/{cid}/export", get(export))
        .route("/v1/records/{cid}/decrypt", post(decrypt))
        .route("/v1/roles", get(list_roles))
        .route("/v1/roles/{role}", post(set_role))
}

/// Maps a records error to a status: 4xx and 503 mean nothing was published.
fn rec_err(e: RecError) -> ApiError {
    let (status, code, field) = match &e {
        RecError::Invalid { field, .. } => (StatusCode::BAD_REQUEST, "invalid", Some(*field)),
        RecError::Build(chorus_records::BuildError::TooLarge { .. }) => {
            (StatusCode::PAYLOAD_TOO_LARGE, "too_large", Some("body"))
        }
        RecError::Build(chorus_records::BuildError::NoRecipients { .. }) => {
            (StatusCode::BAD_REQUEST, "invalid", Some("roles"))
        }
        RecError::Build(_) => (StatusCode::BAD_REQUEST, "invalid", None),
        RecError::Rejected { rejection, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            rejection.reason(),
            Some("record"),
        ),
        RecError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found", None),
        RecError::Write(w) => return ApiError::write(w),
        RecError::Read(r) => return ApiError::read(r),
        RecError::Palace(_) => (StatusCode::CONFLICT, "palace", None),
        RecError::Refused(_) => (StatusCode::FORBIDDEN, "refused", None),
        RecError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
    };
    ApiError {
        status,
        code,
        message: e.to_string(),
        field: field.map(str::to_string),
    }
}

fn parse_cid(s: &str) -> Result<Cid, ApiError> {
    s.parse::<Cid>()
        .map_err(|e| ApiError::invalid("cid", e.to_string()))
}

fn parse_address(s: &str) -> Result<Address, ApiError> {
    s.parse::<Address>()
        .map_err(|e| ApiError::invalid("address", e.to_string()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    address: String,
    roles: Vec<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    body_b64: Option<String>,
    #[serde(default)]
    task: Option<String>,
    #[serde(default)]
    parents: Vec<String>,
}

async fn publish(
    AxState(state): AxState<Shared>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b: PublishBody = json_body(&body)?;
    let address = parse_address(&b.address)?;
    let (bytes, default_type) = match (b.text, b.body_b64) {
        (Some(t), None) => (t.into_bytes(), "text/plain; charset=utf-8"),
        (None, Some(x)) => (
            base64::engine::general_purpose::STANDARD
                .decode(x.trim())
                .map_err(|e| {
                    ApiError::invalid("body_b64", format!("body_b64: expected base64: {e}"))
                })?,
            "application/octet-stream",
        ),
        _ => {
            return Err(ApiError::invalid(
                "text",
                "expected exactly one of `text` and `body_b64`",
            ));
        }
    };
    let parents = b
        .parents
        .iter()
        .map(|p| parse_cid(p))
        .collect::<Result<Vec<_>, _>>()?;
    let receipt = state
        .services
        .records
        .publish(Publish {
            address,
            roles: b.roles,
            content_type: b.content_type.unwrap_or_else(|| default_type.to_owned()),
            body: bytes,
            task: b.task,
            parents,
        })
        .await
        .map_err(rec_err)?;
    Ok((StatusCode::CREATED, Json(json!(receipt))))
}

#[derive(Debug, Deserialize)]
struct ListParams {
    project: Option<String>,
    task: Option<String>,
    limit: Option<usize>,
}

async fn list(
    AxState(state): AxState<Shared>,
    Query(q): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || limit > 1000 {
        return Err(ApiError::invalid(
            "limit",
            format!("limit = {limit}: expected 1 to 1000"),
        ));
    }
    let items = state
        .services
        .records
        .list(q.project.as_deref(), q.task.as_deref(), limit)
        .await
        .map_err(rec_err)?;
    Ok(Json(json!({ "items": items })))
}

fn fetched_json(f: &chorus_decisions::Fetched) -> Value {
    json!({
        "record": RecordInfo::of(&f.record, f.version),
        "source": f.source,
    })
}

async fn get_record(
    AxState(state): AxState<Shared>,
    Path(cid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let cid = parse_cid(&cid)?;
    let f = state
        .services
        .records
        .get(cid, &[])
        .await
        .map_err(rec_err)?;
    Ok(Json(fetched_json(&f)))
}

#[derive(Debug, Deserialize)]
struct AddressParams {
    address: String,
}

async fn by_address(
    AxState(state): AxState<Shared>,
    Query(q): Query<AddressParams>,
) -> Result<Json<Value>, ApiError> {
    let address = parse_address(&q.address)?;
    let f = state
        .services
        .records
        .get_address(&address)
        .await
        .map_err(rec_err)?;
    Ok(Json(fetched_json(&f)))
}

async fn export(
    AxState(state): AxState<Shared>,
    Path(cid): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let cid = parse_cid(&cid)?;
    let f = state
        .services
        .records
        .get(cid, &[])
        .await
        .map_err(rec_err)?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        chorus_records::armor(&f.record),
    ))
}

/// Verifies an exported record (raw or armoured) sent as the body; a rejection is counted.
async fn verify(AxState(state): AxState<Shared>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let limits = state.services.records.limits();
    let record = match chorus_records::verify_export(&body, &limits) {
        Ok(r) => state.services.records.verify(r.as_bytes(), None),
        Err(rejection) => {
            state.services.records.count_rejection(rejection.reason());
            Err(RecError::Rejected {
                cid: Cid::of(&body).to_string(),
                rejection,
            })
        }
    }
    .map_err(rec_err)?;
    Ok(Json(json!({ "record": RecordInfo::of(&record, None) })))
}

async fn decrypt(
    AxState(state): AxState<Shared>,
    Path(cid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let cid = parse_cid(&cid)?;
    let (f, plain) = state.services.records.decrypt(cid).await.map_err(rec_err)?;
    let text = String::from_utf8(plain.clone()).ok();
    Ok(Json(json!({
        "record": RecordInfo::of(&f.record, f.version),
        "content_type": f.record.header().content_type,
        "text": text,
        "body_b64": base64::engine::general_purpose::STANDARD.encode(&plain),
    })))
}

async fn list_roles(AxState(state): AxState<Shared>) -> Result<Json<Value>, ApiError> {
    let page = state
        .services
        .consensus
        .read(chorus_consensus::Consistency::Local, |d| {
            d.palace.roles(1000, None)
        })
        .await
        .map_err(|e| ApiError::read(&e))?
        .0
        .map_err(|e| ApiError::palace(&e))?;
    let held: Vec<String> = state
        .services
        .records
        .identities()
        .map(|v| v.into_iter().map(|(r, _)| r).collect())
        .unwrap_or_default();
    Ok(Json(json!({ "items": page.items, "held_here": held })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetRole {
    recipients: Vec<String>,
}

async fn set_role(
    AxState(state): AxState<Shared>,
    Path(role): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let b: SetRole = json_body(&body)?;
    let (index, term) = state
        .services
        .records
        .set_role(&role, &b.recipients)
        .await
        .map_err(rec_err)?;
    Ok(Json(json!({ "role": role, "index": index, "term": term })))
}
