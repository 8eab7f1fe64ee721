//! The palace error type: a rejected command or read, never a state-machine failure.

use serde::{Deserialize, Serialize};

/// Longest excerpt of an offending value quoted in an error, in characters.
const MAX_QUOTED_CHARS: usize = 64;

/// Why the palace rejected a command or a read.
///
/// Every variant names the offending field, so the API can report `{code, message, field}`.
/// Values are quoted escaped and truncated (see [`quote`]), so an error never echoes a control
/// character or a megabyte of input. The type is serde-serializable because a rejected command
/// is a deterministic *result* of applying a log entry and travels back to the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Error {
    /// A value does not have the expected form.
    #[error("{field} = \"{value}\": expected {expected}")]
    Invalid {
        /// The field, such as `wing` or `drawers[3].room`.
        field: String,
        /// The offending value, escaped and truncated.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A value or collection exceeds a named limit.
    #[error("{field} is {actual} {unit}: expected at most {max} {unit} ({limit})")]
    TooLarge {
        /// The field, such as `content`.
        field: String,
        /// The size found.
        actual: u64,
        /// The largest size accepted.
        max: u64,
        /// The unit of `actual` and `max`: `bytes`, `characters`, `entries`, `items`.
        unit: String,
        /// The name of the limit, such as `MAX_CONTENT_BYTES`.
        limit: String,
    },
    /// The command or read refers to something that does not exist.
    #[error("{field} = \"{value}\": not found, expected {expected}")]
    NotFound {
        /// The field, such as `id`.
        field: String,
        /// The value looked up, escaped and truncated.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// The command conflicts with existing state.
    #[error("{field} = \"{value}\": {reason}")]
    Conflict {
        /// The field, such as `content`.
        field: String,
        /// The conflicting value, escaped and truncated.
        value: String,
        /// Why it conflicts.
        reason: String,
    },
    /// Snapshot bytes could not be decoded.
    #[error("snapshot: {reason}")]
    Snapshot {
        /// What was wrong with the bytes.
        reason: String,
    },
}

impl Error {
    /// A stable machine-readable code: `invalid`, `too_large`, `not_found`, `conflict` or
    /// `snapshot`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid",
            Error::TooLarge { .. } => "too_large",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { .. } => "conflict",
            Error::Snapshot { .. } => "snapshot",
        }
    }

    /// The field the error is about (`snapshot` for snapshot errors).
    pub fn field(&self) -> &str {
        match self {
            Error::Invalid { field, .. }
            | Error::TooLarge { field, .. }
            | Error::NotFound { field, .. }
            | Error::Conflict { field, .. } => field,
            Error::Snapshot { .. } => "snapshot",
        }
    }

    /// Prefixes the field with `prefix` (for example `drawers[3]`), for per-item errors.
    pub fn in_item(mut self, prefix: &str) -> Error {
        match &mut self {
            Error::Invalid { field, .. }
            | Error::TooLarge { field, .. }
            | Error::NotFound { field, .. }
            | Error::Conflict { field, .. } => *field = format!("{prefix}.{field}"),
            Error::Snapshot { .. } => {}
        }
        self
    }

    pub(crate) fn invalid(field: &str, value: &str, expected: &str) -> Error {
        Error::Invalid {
            field: field.to_owned(),
            value: quote(value),
            expected: expected.to_owned(),
        }
    }

    pub(crate) fn too_large(
        field: &str,
        actual: usize,
        max: usize,
        unit: &str,
        limit: &str,
    ) -> Error {
        Error::TooLarge {
            field: field.to_owned(),
            actual: actual as u64,
            max: max as u64,
            unit: unit.to_owned(),
            limit: limit.to_owned(),
        }
    }

    pub(crate) fn not_found(field: &str, value: &str, expected: &str) -> Error {
        Error::NotFound {
            field: field.to_owned(),
            value: quote(value),
            expected: expected.to_owned(),
        }
    }

    pub(crate) fn conflict(field: &str, value: &str, reason: &str) -> Error {
        Error::Conflict {
            field: field.to_owned(),
            value: quote(value),
            reason: reason.to_owned(),
        }
    }

    pub(crate) fn snapshot(reason: impl Into<String>) -> Error {
        Error::Snapshot {
            reason: reason.into(),
        }
    }
}

/// Escapes `value` (control characters, quotes, NUL) and truncates it to 64 characters, marking
/// a truncation with `…`.
pub fn quote(value: &str) -> String {
    let mut out = String::new();
    for (n, c) in value.chars().enumerate() {
        if n == MAX_QUOTED_CHARS {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_and_truncates() {
        assert_eq!(quote("a\0b\"c"), "a\\0b\\\"c");
        let long = "x".repeat(100);
        let q = quote(&long);
        assert_eq!(q.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(q.ends_with('…'));
    }

    #[test]
    fn message_names_field_value_and_expectation() {
        let e = Error::invalid("wing", "a/b", "a name without '/'");
        assert_eq!(e.to_string(), "wing = \"a/b\": expected a name without '/'");
        assert_eq!(e.field(), "wing");
        assert_eq!(e.code(), "invalid");
        let e = e.in_item("drawers[2]");
        assert_eq!(e.field(), "drawers[2].wing");
    }
}
