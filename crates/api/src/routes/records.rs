//! Decision records: `/v1/records…` (DESIGN §7).
//!
//! Bodies never pass through here in plaintext except two ways, both to the local caller
//! only: the body of a publication on its way to be encrypted, and `POST
//! /v1/records/{cid}/decrypt`, which decrypts with the role identities this node holds.

use axum::{
    Router,
    extract::{Path, State as AxState},
    http::{StatusCode, header},
    response::IntoResponse,
    routing::{get, post},
};
use base64::Engine as _;
use bytes::Bytes;
use chorus_api_types::{
    paths,
    records::{AddressQuery, NewRecord, RecordQuery},
};
use chorus_decisions::{Error as RecError, Fetched, Publish, Receipt, RecordInfo, Source};
use chorus_palace::RecordSummary;
use chorus_records::Cid;
use chorus_types::ucxl::Address;
use serde::Serialize;

use super::{
    Shared,
    answer::{self, Answer},
    request::{Body, Query},
};
use crate::ApiError;

/// Default and largest number of records a list returns.
const DEFAULT_LIST_LIMIT: usize = 100;
const MAX_LIST_LIMIT: usize = 1000;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(paths::RECORDS, post(publish).get(list))
        .route(paths::RECORD_BY_ADDRESS, get(by_address))
        .route(paths::RECORD_VERIFY, post(verify))
        .route(paths::RECORD, get(get_record))
        .route(paths::RECORD_EXPORT, get(export))
        .route(paths::RECORD_DECRYPT, post(decrypt))
}

/// `{items}`.
#[derive(Serialize)]
struct Items {
    items: Vec<RecordSummary>,
}

/// A record's verified public header and where it came from.
#[derive(Serialize)]
struct FetchedOut {
    record: RecordInfo,
    source: Source,
}

impl From<&Fetched> for FetchedOut {
    fn from(f: &Fetched) -> Self {
        Self {
            record: RecordInfo::of(&f.record, f.version),
            source: f.source,
        }
    }
}

/// A verified record.
#[derive(Serialize)]
struct Verified {
    record: RecordInfo,
}

/// A decrypted record: the body as text when it is UTF-8, and always as base64.
#[derive(Serialize)]
struct Decrypted {
    record: RecordInfo,
    content_type: String,
    text: Option<String>,
    body_b64: String,
}

fn parse_cid(s: &str) -> Result<Cid, ApiError> {
    s.parse::<Cid>()
        .map_err(|e| ApiError::invalid("cid", e.to_string()))
}

/// The record with content id `cid`: from the palace, else the DHT, else a peer.
async fn fetch(state: &Shared, cid: &str) -> Result<Fetched, ApiError> {
    let cid = parse_cid(cid)?;
    state
        .services
        .records
        .get(cid, &[])
        .await
        .map_err(ApiError::records)
}

fn parse_address(s: &str) -> Result<Address, ApiError> {
    s.parse::<Address>()
        .map_err(|e| ApiError::invalid("address", e.to_string()))
}

async fn publish(
    AxState(state): AxState<Shared>,
    Body(b): Body<NewRecord>,
) -> Result<Answer<Receipt>, ApiError> {
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
        .map_err(ApiError::records)?;
    Ok(Answer(StatusCode::CREATED, receipt))
}

async fn list(
    AxState(state): AxState<Shared>,
    Query(q): Query<RecordQuery>,
) -> Result<Answer<Items>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIST_LIMIT);
    if limit == 0 || limit > MAX_LIST_LIMIT {
        return Err(ApiError::invalid(
            "limit",
            format!("limit = {limit}: expected 1 to {MAX_LIST_LIMIT}"),
        ));
    }
    let items = state
        .services
        .records
        .list(q.project.as_deref(), q.task.as_deref(), limit)
        .await
        .map_err(ApiError::records)?;
    Ok(answer::ok(Items { items }))
}

async fn get_record(
    AxState(state): AxState<Shared>,
    Path(cid): Path<String>,
) -> Result<Answer<FetchedOut>, ApiError> {
    let f = fetch(&state, &cid).await?;
    Ok(answer::ok(FetchedOut::from(&f)))
}

async fn by_address(
    AxState(state): AxState<Shared>,
    Query(q): Query<AddressQuery>,
) -> Result<Answer<FetchedOut>, ApiError> {
    let address = parse_address(&q.address)?;
    let f = state
        .services
        .records
        .get_address(&address)
        .await
        .map_err(ApiError::records)?;
    Ok(answer::ok(FetchedOut::from(&f)))
}

async fn export(
    AxState(state): AxState<Shared>,
    Path(cid): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let f = fetch(&state, &cid).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        chorus_records::armor(&f.record),
    ))
}

/// Verifies an exported record (raw or armoured) sent as the body; a rejection is counted.
async fn verify(
    AxState(state): AxState<Shared>,
    body: Bytes,
) -> Result<Answer<Verified>, ApiError> {
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
    .map_err(ApiError::records)?;
    Ok(answer::ok(Verified {
        record: RecordInfo::of(&record, None),
    }))
}

async fn decrypt(
    AxState(state): AxState<Shared>,
    Path(cid): Path<String>,
) -> Result<Answer<Decrypted>, ApiError> {
    let cid = parse_cid(&cid)?;
    let (f, plain) = state
        .services
        .records
        .decrypt(cid)
        .await
        .map_err(ApiError::records)?;
    Ok(answer::ok(Decrypted {
        record: RecordInfo::of(&f.record, f.version),
        content_type: f.record.header().content_type.clone(),
        text: String::from_utf8(plain.clone()).ok(),
        body_b64: base64::engine::general_purpose::STANDARD.encode(&plain),
    }))
}
