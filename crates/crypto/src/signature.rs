//! ed25519 signatures as plain bytes.
use std::fmt;

use crate::public_key::KeyError;

/// Length of an ed25519 signature in bytes.
pub const SIGNATURE_LEN: usize = 64;

/// An ed25519 signature (64 bytes). Whether it is valid is only known once
/// [`PublicKey::verify`](crate::PublicKey::verify) accepted it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature([u8; SIGNATURE_LEN]);

impl Signature {
    /// Wraps 64 signature bytes.
    pub fn from_bytes(bytes: [u8; SIGNATURE_LEN]) -> Self {
        Self(bytes)
    }

    /// Wraps a slice that must be exactly 64 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, SignatureError> {
        <[u8; SIGNATURE_LEN]>::try_from(bytes)
            .map(Self)
            .map_err(|_| SignatureError::Length { len: bytes.len() })
    }

    /// The signature bytes.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.0
    }

    /// The signature bytes, borrowed.
    pub fn as_bytes(&self) -> &[u8; SIGNATURE_LEN] {
        &self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}

/// A signature could not be checked or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The public key is unusable.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The signature has the wrong length.
    #[error("ed25519 signature is {len} bytes: expected 64")]
    Length {
        /// The length given.
        len: usize,
    },
    /// The signature is well formed but does not verify against the key and message.
    #[error("ed25519 signature: expected a valid signature of the message by the given key")]
    Mismatch,
}
