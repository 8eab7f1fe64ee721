//! The search error type.

/// Why a search-index operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A search argument does not have the expected form.
    #[error("{field} = \"{value}\": expected {expected}")]
    Invalid {
        /// The argument, such as `query` or `wing`.
        field: String,
        /// The offending value, escaped and truncated.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A search argument exceeds a named limit.
    #[error("{field} is {actual} {unit}: expected at most {max} {unit} ({limit})")]
    TooLarge {
        /// The argument, such as `query`.
        field: String,
        /// The size found.
        actual: u64,
        /// The largest size accepted.
        max: u64,
        /// The unit: `bytes` or `hits`.
        unit: String,
        /// The name of the limit, such as `MAX_QUERY_BYTES`.
        limit: String,
    },
    /// The index directory holds an index with another schema or format version.
    #[error("search index at {dir}: {reason}; delete the directory and rebuild the index")]
    Incompatible {
        /// The index directory.
        dir: String,
        /// What did not match.
        reason: String,
    },
    /// Searches did not reach the requested log index in time.
    #[error("the search index reflects log index {have}, not yet {want}, after waiting {waited:?}")]
    Behind {
        /// The index asked for (`min_index`).
        want: u64,
        /// The index searches reflect.
        have: u64,
        /// How long the caller waited.
        waited: std::time::Duration,
    },
    /// tantivy or the file system failed.
    #[error("search index {op} failed: {message}")]
    Index {
        /// What was being done: `open`, `commit`, `search`, …
        op: String,
        /// The underlying error's message.
        message: String,
    },
}

impl Error {
    /// The argument the error is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } | Error::TooLarge { field, .. } => Some(field),
            Error::Incompatible { .. } | Error::Index { .. } | Error::Behind { .. } => None,
        }
    }

    pub(crate) fn index(op: &str, e: impl std::fmt::Display) -> Error {
        Error::Index {
            op: op.to_owned(),
            message: e.to_string(),
        }
    }

    /// Carries a palace validation error (a bad `wing` or `room` filter) over unchanged.
    pub(crate) fn from_palace(e: chorus_palace::Error) -> Error {
        match e {
            chorus_palace::Error::TooLarge {
                field,
                actual,
                max,
                unit,
                limit,
            } => Error::TooLarge {
                field,
                actual,
                max,
                unit,
                limit,
            },
            chorus_palace::Error::Invalid {
                field,
                value,
                expected,
            } => Error::Invalid {
                field,
                value,
                expected,
            },
            other => Error::Invalid {
                field: other.field().to_owned(),
                value: String::new(),
                expected: other.to_string(),
            },
        }
    }
}
