//! Request parsing shared by the write and read endpoints.

use axum::http::HeaderMap;
use bytes::Bytes;
use chorus_consensus::{Consistency, Reply};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::{ApiError, server::Services};

/// Largest request body accepted before parsing (the consensus limit on one operation is
/// checked again after encoding).
pub(crate) const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Parses a JSON body, naming the field at fault.
pub(crate) fn json_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError {
            status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            code: "too_large",
            message: format!(
                "request body of {} bytes exceeds the write limit of {MAX_BODY_BYTES} bytes",
                body.len()
            ),
            field: None,
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        ApiError::invalid(&field, format!("{field}: {}", e.inner()))
    })
}

/// The `Idempotency-Key` header, if any.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.to_string()))
            .map_err(|_| ApiError::invalid("Idempotency-Key", "expected printable ASCII")),
    }
}

/// `?min_index=N&consistency=local|linearizable`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReadParams {
    pub min_index: Option<u64>,
    pub consistency: Option<String>,
}

impl ReadParams {
    pub fn consistency(&self) -> Result<Consistency, ApiError> {
        match (self.consistency.as_deref(), self.min_index) {
            (Some("linearizable"), _) => Ok(Consistency::Linearizable),
            (None | Some("local"), Some(n)) => Ok(Consistency::MinIndex(n)),
            (None | Some("local"), None) => Ok(Consistency::Local),
            (Some(other), _) => Err(ApiError::invalid(
                "consistency",
                format!("consistency = {other:?}: expected `local` or `linearizable`"),
            )),
        }
    }
}

/// Where a write landed: `{index, term, leader, deduplicated}`.
#[derive(Debug, Serialize)]
pub(crate) struct Written {
    pub index: u64,
    pub term: u64,
    pub leader: Option<String>,
    pub deduplicated: bool,
}

impl Written {
    pub fn from(reply: &Reply, s: &Services) -> Self {
        Self {
            index: reply.index,
            term: reply.term,
            leader: s.consensus.status().leader_peer_id,
            deduplicated: reply.deduplicated,
        }
    }
}
