//! Decrypting a record's body with role identities.
use std::io::Read;

use chorus_crypto::RoleIdentity;

use crate::cid::Cid;
use crate::record::VerifiedRecord;

/// A record's body could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    /// None of the identities given is a recipient of the record.
    #[error(
        "record {cid}: not a recipient: none of the {given} role identities given can decrypt it \
         (readable by roles: {roles})"
    )]
    NotARecipient {
        /// The record.
        cid: Cid,
        /// How many identities were tried.
        given: usize,
        /// The record's recipient roles, comma separated.
        roles: String,
    },
    /// The ciphertext is damaged or not a valid age file (the author encrypted garbage, since a
    /// verified record's ciphertext is exactly what its author signed).
    #[error("record {cid}: ciphertext does not decrypt: {reason}")]
    Corrupt {
        /// The record.
        cid: Cid,
        /// What age reported.
        reason: String,
    },
}

/// Decrypts the body of a verified record with any of `identities` (the role identities this
/// node or person holds). Returns the plaintext, which is never longer than the ciphertext.
pub fn decrypt(
    record: &VerifiedRecord,
    identities: &[RoleIdentity],
) -> Result<Vec<u8>, DecryptError> {
    let cid = record.cid();
    let corrupt = |reason: String| DecryptError::Corrupt { cid, reason };
    let ciphertext = record.ciphertext();
    let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|e| corrupt(e.to_string()))?;
    let reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_age() as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => DecryptError::NotARecipient {
                cid,
                given: identities.len(),
                roles: record.header().recipient_roles.join(","),
            },
            other => corrupt(other.to_string()),
        })?;
    let mut plaintext = Vec::with_capacity(ciphertext.len());
    reader
        .take(ciphertext.len() as u64)
        .read_to_end(&mut plaintext)
        .map_err(|e| corrupt(e.to_string()))?;
    Ok(plaintext)
}
