//! What can go wrong calling the node, and the exit code a CLI gives it.

use chorus_types::exit;

/// A call to the node failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The node could not be reached (sysexits 69).
    #[error("cannot reach the node at {target}: {reason}")]
    Unavailable {
        /// Where we tried.
        target: String,
        /// Why.
        reason: String,
    },
    /// The node answered with an error.
    #[error("{status}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Stable code.
        code: String,
        /// Message.
        message: String,
        /// Field at fault.
        field: Option<String>,
    },
    /// The answer was not what the API promises.
    #[error("unexpected answer from the node: {0}")]
    Protocol(String),
    /// A `--node` URL that is not `http://host:port`.
    #[error("--node {0:?}: expected http://host:port")]
    BadUrl(String),
}

impl Error {
    /// The sysexits code a CLI should exit with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Unavailable { .. } => exit::UNAVAILABLE,
            Self::Api { status, .. } if *status == 503 || *status == 504 => exit::UNAVAILABLE,
            Self::Api { status, .. }
                if *status == 400 || *status == 404 || *status == 409 || *status == 413 =>
            {
                exit::DATA
            }
            Self::Api { .. } => exit::SOFTWARE,
            Self::Protocol(_) => exit::SOFTWARE,
            Self::BadUrl(_) => exit::USAGE,
        }
    }
}
