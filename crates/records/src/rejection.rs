//! Why a received record was refused.

/// Why [`crate::verify`] refused a record. [`Rejection::reason`] is a stable label for metrics
/// such as `chorus_records_rejected_total{reason="bad_signature"}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The record is larger than the limit; nothing else was examined.
    #[error("record is {len} bytes: expected at most {max}")]
    TooLarge {
        /// Its length in bytes (or a lower bound of it).
        len: usize,
        /// The limit applied.
        max: usize,
    },
    /// The bytes are not a record of a known format version.
    #[error("record format version {version}: expected {expected}")]
    UnsupportedVersion {
        /// The version byte found.
        version: u8,
        /// The version this build reads.
        expected: u8,
    },
    /// The bytes do not decode, or a field breaks the schema.
    #[error("malformed record: {field}: {reason}")]
    Malformed {
        /// The field at fault (`magic`, `header`, `address`, `ciphertext`, …).
        field: &'static str,
        /// What was wrong, and what was expected.
        reason: String,
    },
    /// The signature does not verify under the header's author key.
    #[error("record signature: expected a valid signature by author key {key}")]
    BadSignature {
        /// The author key named in the header, hex.
        key: String,
    },
    /// The signature verifies, but the author PeerId is not the one of the signing key: someone
    /// signed with their own key while claiming another node's authorship.
    #[error("record author {claimed}: expected {derived}, the PeerId of the signing key")]
    AuthorMismatch {
        /// The PeerId claimed in the header.
        claimed: String,
        /// The PeerId of the key that signed.
        derived: String,
    },
}

impl Rejection {
    /// Every value [`Rejection::reason`] can return, to pre-register metric label values.
    pub const REASONS: [&'static str; 5] = [
        "too_large",
        "unsupported_version",
        "malformed",
        "bad_signature",
        "author_mismatch",
    ];

    /// A stable snake_case label naming the kind of rejection, from [`Rejection::REASONS`].
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::TooLarge { .. } => "too_large",
            Rejection::UnsupportedVersion { .. } => "unsupported_version",
            Rejection::Malformed { .. } => "malformed",
            Rejection::BadSignature { .. } => "bad_signature",
            Rejection::AuthorMismatch { .. } => "author_mismatch",
        }
    }
}

impl From<crate::codec::DecodeError> for Rejection {
    fn from(e: crate::codec::DecodeError) -> Self {
        Rejection::Malformed {
            field: e.field,
            reason: e.reason,
        }
    }
}
