//! ed25519 public keys, strict verification and the libp2p PeerId of a key.
use std::fmt;

use ed25519_dalek::VerifyingKey;

use crate::signature::{Signature, SignatureError};

/// Length of an ed25519 public key in bytes.
pub const PUBLIC_KEY_LEN: usize = 32;

/// An ed25519 public key that decodes to a curve point.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

/// Public key bytes are unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key has the wrong length.
    #[error("ed25519 public key is {len} bytes: expected 32")]
    Length {
        /// The length given.
        len: usize,
    },
    /// The bytes do not encode a usable curve point.
    #[error("ed25519 public key {hex}: expected a valid compressed curve point")]
    Invalid {
        /// The key, hex encoded (public keys are not secret).
        hex: String,
    },
}

impl PublicKey {
    /// Decodes a 32-byte public key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let arr = <[u8; PUBLIC_KEY_LEN]>::try_from(bytes)
            .map_err(|_| KeyError::Length { len: bytes.len() })?;
        VerifyingKey::from_bytes(&arr)
            .map(Self)
            .map_err(|_| KeyError::Invalid {
                hex: hex::encode(arr),
            })
    }

    pub(crate) fn from_dalek(key: VerifyingKey) -> Self {
        Self(key)
    }

    /// The 32 key bytes.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.0.to_bytes()
    }

    /// Verifies `sig` over `msg` strictly: non-canonical signatures and weak (small-order) keys
    /// are refused, so one message and key admit one valid signature encoding and a record's
    /// content id cannot be changed by re-encoding its signature.
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> Result<(), SignatureError> {
        let sig = ed25519_dalek::Signature::from_bytes(sig.as_bytes());
        self.0
            .verify_strict(msg, &sig)
            .map_err(|_| SignatureError::Mismatch)
    }

    /// The libp2p PeerId (base58) of this key, as the swarm derives it for an ed25519 node key.
    pub fn peer_id(&self) -> String {
        match libp2p_identity::ed25519::PublicKey::try_from_bytes(self.0.as_bytes()) {
            Ok(key) => libp2p_identity::PublicKey::from(key)
                .to_peer_id()
                .to_base58(),
            // Unreachable: both libraries accept exactly the compressed points ed25519 defines,
            // and `self` was decoded as one. Returning a value that matches no PeerId keeps an
            // author check failing closed rather than panicking.
            Err(_) => String::from("invalid-ed25519-key"),
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.0.as_bytes()))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0.as_bytes()))
    }
}

/// Verifies an ed25519 signature given as raw bytes: a 32-byte public key, the message and a
/// 64-byte signature. Strict, as [`PublicKey::verify`].
pub fn verify(public_key: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
    let key = PublicKey::from_bytes(public_key)?;
    let sig = Signature::from_slice(sig)?;
    key.verify(msg, &sig)
}
