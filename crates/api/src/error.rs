//! API errors as JSON bodies with the right status code.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use chorus_types::status::{ErrorBody, ErrorDetail};

/// An error returned to an API client.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// Message naming the value and what was expected.
    pub message: String,
    /// The request field at fault.
    pub field: Option<String>,
}

impl ApiError {
    /// A 400 naming the field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid",
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// A 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
            field: None,
        }
    }

    /// A 503: the node cannot serve this now; the request certainly did not apply.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "unavailable",
            message: message.into(),
            field: None,
        }
    }

    /// A 500: a bug or a local failure, not bad input.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: message.into(),
            field: None,
        }
    }

    /// A 401.
    pub fn unauthorized() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "missing or wrong bearer token (Authorization: Bearer <token from CHORUS_API_TOKEN_FILE>)".into(),
            field: None,
        }
    }
}

impl ApiError {
    /// A palace rejection, with its field.
    pub fn palace(e: &chorus_palace::Error) -> Self {
        use chorus_palace::Error as E;
        let status = match e {
            E::Invalid { .. } => StatusCode::BAD_REQUEST,
            E::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            E::NotFound { .. } => StatusCode::NOT_FOUND,
            E::Conflict { .. } => StatusCode::CONFLICT,
            E::Snapshot { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self {
            status,
            code: e.code(),
            message: e.to_string(),
            field: Some(e.field().to_string()),
        }
    }

    /// A write error: 4xx and 503 mean the write certainly did not apply; 504 means it may have
    /// (retry with the same `Idempotency-Key`).
    pub fn write(e: &chorus_consensus::WriteError) -> Self {
        use chorus_consensus::WriteError as W;
        let (status, code, field) = match e {
            W::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", None),
            W::BadKey { .. } => (StatusCode::BAD_REQUEST, "invalid", Some("Idempotency-Key")),
            W::NoLeader { .. } => (StatusCode::SERVICE_UNAVAILABLE, "no_leader", None),
            W::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, "may_have_applied", None),
            W::NotLeader { .. } => (StatusCode::MISDIRECTED_REQUEST, "not_leader", None),
            W::Membership(_) => (StatusCode::CONFLICT, "membership", None),
            W::Refused(_) => (StatusCode::FORBIDDEN, "refused", None),
            W::Stopped => (StatusCode::SERVICE_UNAVAILABLE, "stopped", None),
        };
        Self {
            status,
            code,
            message: e.to_string(),
            field: field.map(str::to_string),
        }
    }

    /// A read error.
    pub fn read(e: &chorus_consensus::ReadError) -> Self {
        use chorus_consensus::ReadError as R;
        let (status, code) = match e {
            R::NotCaughtUp { .. } => (StatusCode::GATEWAY_TIMEOUT, "not_caught_up"),
            R::NoLeader { .. } => (StatusCode::SERVICE_UNAVAILABLE, "no_leader"),
            R::Stopped => (StatusCode::SERVICE_UNAVAILABLE, "stopped"),
        };
        Self {
            status,
            code,
            message: e.to_string(),
            field: None,
        }
    }
}

impl ApiError {
    /// A search error, naming the field.
    pub fn search(e: &chorus_search::Error) -> Self {
        use chorus_search::Error as E;
        let (status, code) = match e {
            E::Invalid { .. } => (StatusCode::BAD_REQUEST, "invalid"),
            E::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            E::Behind { .. } => (StatusCode::GATEWAY_TIMEOUT, "not_caught_up"),
            E::Incompatible { .. } | E::Index { .. } => {
                (StatusCode::INTERNAL_SERVER_ERROR, "search_index")
            }
        };
        Self {
            status,
            code,
            message: e.to_string(),
            field: e.field().map(str::to_string),
        }
    }

    /// A records error: 4xx and 503 mean nothing was published.
    pub fn records(e: chorus_decisions::Error) -> Self {
        use chorus_decisions::Error as R;
        use chorus_records::BuildError as B;
        let (status, code, field) = match &e {
            R::Invalid { field, .. } => (StatusCode::BAD_REQUEST, "invalid", Some(*field)),
            R::Build(B::TooLarge { .. }) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large", Some("body"))
            }
            R::Build(B::NoRecipients { .. }) => (StatusCode::BAD_REQUEST, "invalid", Some("roles")),
            R::Build(_) => (StatusCode::BAD_REQUEST, "invalid", None),
            R::Rejected { rejection, .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                rejection.reason(),
                Some("record"),
            ),
            R::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found", None),
            R::Write(w) => return Self::write(w),
            R::Read(r) => return Self::read(r),
            R::Palace(_) => (StatusCode::CONFLICT, "palace", None),
            R::Refused(_) => (StatusCode::FORBIDDEN, "refused", None),
            R::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
        };
        Self {
            status,
            code,
            message: e.to_string(),
            field: field.map(str::to_string),
        }
    }

    /// A fencing token that is no longer the resource's current one: 409 naming `field`.
    pub fn stale_token(field: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            code: "stale_token",
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                field: self.field,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
