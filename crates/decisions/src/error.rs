//! Errors of the records service.

use chorus_records::{BuildError, Rejection};

/// A records operation failed. Messages name the field or value at fault; none contains a
/// record body.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An argument is invalid.
    #[error("{field} = {value:?}: expected {expected}")]
    Invalid {
        /// The argument.
        field: &'static str,
        /// Its value (truncated).
        value: String,
        /// What was expected.
        expected: String,
    },
    /// The record could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A record failed verification.
    #[error("record {cid}: {rejection}")]
    Rejected {
        /// The cid it was fetched under (or of its bytes).
        cid: String,
        /// Why.
        rejection: Rejection,
    },
    /// Nothing was found.
    #[error("{what}: not found")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// A write failed (says whether it may have applied).
    #[error(transparent)]
    Write(#[from] chorus_consensus::WriteError),
    /// A read failed.
    #[error(transparent)]
    Read(#[from] chorus_consensus::ReadError),
    /// The palace refused the command.
    #[error("palace: {0}")]
    Palace(String),
    /// Refused (admin proof failed, leader changed, …); certainly not applied.
    #[error("refused: {0}")]
    Refused(String),
    /// The mesh could not serve the request now.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl Error {
    pub(crate) fn invalid(field: &'static str, value: &str, expected: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            value: value.chars().take(200).collect(),
            expected: expected.into(),
        }
    }
}
