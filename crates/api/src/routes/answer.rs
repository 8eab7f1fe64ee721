//! Writing answers.
//!
//! The `/v1/` answers have always been written with their object keys in alphabetical order at
//! every level (they were built as `serde_json` maps), and clients may compare them as bytes.
//! Typed answer structs keep their declaration order, so [`Answer`] turns them into a map first:
//! one place, with an error path, instead of a conversion per handler. Fixed documents
//! (`/status`, `/v1/members`, fencing tokens) are written in their declared order with
//! `axum::Json`.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;

use crate::ApiError;

/// A JSON answer with sorted keys, and its status.
pub(crate) struct Answer<T>(pub StatusCode, pub T);

/// 200 with `value`.
pub(crate) fn ok<T: Serialize>(value: T) -> Answer<T> {
    Answer(StatusCode::OK, value)
}

/// 201 for something new, 200 when it already existed (creates idempotent on their content).
pub(crate) fn created<T: Serialize>(already_exists: bool, value: T) -> Answer<T> {
    let status = if already_exists {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Answer(status, value)
}

impl<T: Serialize> IntoResponse for Answer<T> {
    fn into_response(self) -> Response {
        match serde_json::to_value(&self.1) {
            Ok(v) => (self.0, Json(v)).into_response(),
            Err(e) => {
                ApiError::internal(format!("the answer could not be encoded: {e}")).into_response()
            }
        }
    }
}
