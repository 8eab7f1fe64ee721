//! Messages of `/chorus/<cluster>/records/1`: record fetches and the admin challenge.

use bincode::Options;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// A request to a peer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Request {
    /// Send the envelope with this cid (raw 32 bytes), if you have it.
    Fetch([u8; 32]),
    /// (To the leader.) Challenge me to prove I hold an `admin` identity, for this role change.
    RoleChallenge {
        role: String,
        recipients: Vec<String>,
    },
    /// (To the leader.) The latest version of `key` and the recipients of `roles` and admin,
    /// as of `min_index` or later, for a publication.
    Prepare {
        key: String,
        roles: Vec<String>,
        min_index: u64,
    },
    /// (To the leader.) The nonce of challenge `id`, decrypted.
    RoleProof { id: u64, nonce: [u8; 32] },
}

/// The answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Reply {
    /// The envelope.
    Envelope(Vec<u8>),
    /// Not here.
    NotFound,
    /// An age ciphertext of a 32-byte nonce, to the current admin recipients.
    Challenge { id: u64, ciphertext: Vec<u8> },
    /// The latest version and role recipients.
    Prepared {
        latest: u64,
        roles: Vec<(String, Vec<String>)>,
    },
    /// The role change committed at this index and term.
    RoleSet { index: u64, term: u64 },
    /// Refused, with the reason.
    Refused(String),
}

fn options() -> impl Options {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .reject_trailing_bytes()
}

pub(crate) fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    options().serialize(msg).unwrap_or_default()
}

/// Decodes with a byte limit, so a length prefix in hostile input cannot make us allocate more
/// than the message it came in.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    options()
        .with_limit(bytes.len() as u64 + 64)
        .deserialize(bytes)
        .map_err(|e| e.to_string())
}
