//! The one way a palace write is proposed and answered.
//!
//! Every palace write takes the same headers ([`WriteHeaders`]: `Idempotency-Key`, and
//! `Fencing-Resource` with `Fencing-Token`), goes through consensus (forwarded to the leader when
//! this node follows), and answers its own fields beside `{index, term, leader, deduplicated}`
//! ([`Written`]). Errors say whether the write certainly did not apply (4xx, 503) or may have
//! (504).

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, request::Parts},
};
use chorus_api_types::{WriteAt, Written};
use chorus_consensus::{Op, Outcome, Reply};
use chorus_palace::{Command, Response};
use chorus_types::fencing::FencingToken;

use super::Shared;
use crate::ApiError;

/// The headers of a palace write.
#[derive(Debug, Default)]
pub(crate) struct WriteHeaders {
    /// `Idempotency-Key`: a retry with the same key applies once and gets the first result.
    key: Option<String>,
    /// `Fencing-Resource` and `Fencing-Token: term.index`: apply only while the token is the
    /// resource's current one.
    fence: Option<(String, FencingToken)>,
}

impl<S: Send + Sync> FromRequestParts<S> for WriteHeaders {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Self {
            key: idempotency_key(&parts.headers)?,
            fence: fence(&parts.headers)?,
        })
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.to_string()))
            .map_err(|_| ApiError::invalid("Idempotency-Key", "expected printable ASCII")),
    }
}

fn fence(headers: &HeaderMap) -> Result<Option<(String, FencingToken)>, ApiError> {
    let resource = headers
        .get("fencing-resource")
        .and_then(|v| v.to_str().ok());
    let token = headers.get("fencing-token").and_then(|v| v.to_str().ok());
    match (resource, token) {
        (None, None) => Ok(None),
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
            Ok(Some((resource.to_string(), token)))
        }
        _ => Err(ApiError::invalid(
            "Fencing-Token",
            "Fencing-Resource and Fencing-Token go together",
        )),
    }
}

/// Proposes `command` and answers with what `pick` takes out of the palace's response, beside
/// where the write landed. `pick` returns the response back when it is not the kind the
/// command produces: a bug, answered 500 naming it.
pub(crate) async fn write<T>(
    state: &Shared,
    headers: WriteHeaders,
    command: Command,
    pick: impl FnOnce(Response) -> Result<T, Response>,
) -> Result<Written<T>, ApiError> {
    let op = match headers.fence {
        None => Op::Palace(command),
        Some((resource, token)) => Op::Fenced {
            resource,
            token,
            command,
        },
    };
    let s = &state.services;
    let reply = s
        .consensus
        .write(op, headers.key)
        .await
        .map_err(|e| ApiError::write(&e))?;
    let at = write_at(&reply, state);
    let response = match reply.outcome {
        Outcome::Palace(Ok(r)) => r,
        Outcome::Palace(Err(e)) => return Err(ApiError::palace(&e)),
        Outcome::StaleToken { presented, current } => {
            return Err(ApiError::stale_token(
                "Fencing-Token",
                format!(
                    "fencing token {presented} is stale: the resource's current token is {current}"
                ),
            ));
        }
        other => {
            return Err(ApiError::internal(format!("unexpected outcome {other:?}")));
        }
    };
    let value =
        pick(response).map_err(|r| ApiError::internal(format!("unexpected response {r:?}")))?;
    Ok(Written { value, at })
}

/// Where a committed entry landed, with the leader as this node knows it now.
pub(crate) fn write_at(reply: &Reply, state: &Shared) -> WriteAt {
    WriteAt {
        index: reply.index,
        term: reply.term,
        leader: state.services.consensus.status().leader_peer_id,
        deduplicated: reply.deduplicated,
    }
}
