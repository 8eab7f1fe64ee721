//! Content ids of records.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The content id of a record: the SHA-256 of its whole canonical encoding (header, signature
/// and ciphertext). Printed as 64 lower-case hex digits, which are safe in URLs, file names and
/// DHT keys. Two records with the same cid are the same bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cid([u8; 32]);

/// A cid string is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record cid {value:?}: expected 64 lower-case hex digits (a SHA-256)")]
pub struct CidError {
    value: String,
}

impl Cid {
    /// The cid of canonical record bytes.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Wraps a raw 32-byte digest.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw digest, e.g. to derive a DHT key.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Cid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Cid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cid({self})")
    }
}

impl FromStr for Cid {
    type Err = CidError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = || CidError {
            value: s.chars().take(80).collect(),
        };
        // Upper case is refused so a cid has one spelling (it is used as a key).
        if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(fail());
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| fail())?;
        Ok(Self(out))
    }
}

impl TryFrom<String> for Cid {
    type Error = CidError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Cid> for String {
    fn from(c: Cid) -> String {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_and_rejects_bad_text() {
        let cid = Cid::of(b"abc");
        assert_eq!(
            cid.to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(cid.to_string().parse::<Cid>().unwrap(), cid);
        for bad in ["", "zz", &"A".repeat(64), &"0".repeat(63), &"g".repeat(64)] {
            assert!(bad.parse::<Cid>().is_err(), "{bad}");
        }
    }
}
