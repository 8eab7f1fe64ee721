//! The export file format and the offline operations the CLI calls.
//!
//! An export file holds one record, either as its raw canonical bytes (starting with `CHRD`) or
//! armoured as text, which survives copy and paste and e-mail:
//!
//! ```text
//! -----BEGIN CHORUS RECORD-----
//! <the canonical bytes, standard base64 with padding, 64 characters a line>
//! -----END CHORUS RECORD-----
//! ```
//!
//! Both are accepted wherever a record file is read; surrounding whitespace and `\r\n` line ends
//! are tolerated. The armour adds nothing to the record: the cid is that of the bytes inside.
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chorus_crypto::{RoleIdentity, RoleKeyError};

use crate::codec::DecodeError;
use crate::decrypt::{DecryptError, decrypt};
use crate::record::{Limits, MAGIC, VerifiedRecord, verify_with};
use crate::rejection::Rejection;

/// First line of an armoured record.
pub const ARMOR_BEGIN: &str = "-----BEGIN CHORUS RECORD-----";
/// Last line of an armoured record.
pub const ARMOR_END: &str = "-----END CHORUS RECORD-----";
const ARMOR_LINE: usize = 64;

/// An export file could not be verified or decrypted.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read.
    #[error("record file {path}: read failed: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: io::Error,
    },
    /// The file does not hold a valid record.
    #[error("record file {path}: {rejection}")]
    Rejected {
        /// The file.
        path: PathBuf,
        /// Why the record was refused.
        rejection: Rejection,
    },
    /// The identity file could not be loaded.
    #[error(transparent)]
    Identity(#[from] RoleKeyError),
    /// The record verified but could not be decrypted with the identity.
    #[error("record file {path}: {error}")]
    Decrypt {
        /// The record file.
        path: PathBuf,
        /// Why decryption failed.
        error: DecryptError,
    },
}

/// The record armoured as text (see the module documentation).
pub fn armor(record: &VerifiedRecord) -> String {
    let b64 = STANDARD.encode(record.as_bytes());
    let mut out = String::with_capacity(b64.len() + b64.len() / ARMOR_LINE + 64);
    out.push_str(ARMOR_BEGIN);
    out.push('\n');
    for line in b64.as_bytes().chunks(ARMOR_LINE) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(ARMOR_END);
    out.push('\n');
    out
}

/// The longest export text that can hold a record within `limits`.
fn max_export_len(limits: &Limits) -> usize {
    let b64 = limits.max_record_bytes.div_ceil(3).saturating_mul(4);
    b64.saturating_add(2 * (b64 / ARMOR_LINE + 1))
        .saturating_add(ARMOR_BEGIN.len() + ARMOR_END.len() + 64)
}

/// Verifies the contents of an export file, raw or armoured.
pub fn verify_export(input: &[u8], limits: &Limits) -> Result<VerifiedRecord, Rejection> {
    if input.starts_with(&MAGIC) {
        return verify_with(input, limits);
    }
    let max = max_export_len(limits);
    if input.len() > max {
        return Err(Rejection::TooLarge {
            len: input.len(),
            max,
        });
    }
    let malformed = |reason: &str| Rejection::from(DecodeError::new("armor", reason));
    let text = std::str::from_utf8(input)
        .map_err(|_| malformed("expected raw record bytes or armoured text"))?
        .trim();
    let body = text
        .strip_prefix(ARMOR_BEGIN)
        .and_then(|rest| rest.strip_suffix(ARMOR_END))
        .ok_or_else(|| malformed("expected raw record bytes or armoured text"))?;
    let b64: String = body.split_ascii_whitespace().collect();
    let bytes = STANDARD
        .decode(b64)
        .map_err(|_| malformed("expected standard base64 between the armour lines"))?;
    verify_with(&bytes, limits)
}

/// Reads at most one byte more than the largest acceptable export.
fn read_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>, FileError> {
    let io_err = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let cap = max_export_len(limits) as u64 + 1;
    let mut buf = Vec::new();
    file.take(cap).read_to_end(&mut buf).map_err(io_err)?;
    Ok(buf)
}

/// Verifies a record export file offline: `chorus record verify FILE`.
pub fn verify_file(path: &Path, limits: &Limits) -> Result<VerifiedRecord, FileError> {
    let input = read_bounded(path, limits)?;
    verify_export(&input, limits).map_err(|rejection| FileError::Rejected {
        path: path.to_owned(),
        rejection,
    })
}

/// Verifies a record export file and decrypts it with a role identity file (which must not be
/// accessible by group or others): `chorus record decrypt FILE --identity FILE`. Returns the
/// verified record and the plaintext.
pub fn decrypt_file(
    path: &Path,
    identity_path: &Path,
    limits: &Limits,
) -> Result<(VerifiedRecord, Vec<u8>), FileError> {
    let record = verify_file(path, limits)?;
    let identity = RoleIdentity::load(identity_path)?;
    let plaintext =
        decrypt(&record, std::slice::from_ref(&identity)).map_err(|error| FileError::Decrypt {
            path: path.to_owned(),
            error,
        })?;
    Ok((record, plaintext))
}
