//! Backups of the palace (DESIGN §6): one file holding a consistent palace snapshot taken at an
//! applied index, with a manifest, checked end to end.
//!
//! This crate owns the file format and its verification, the [seed file](seed) a restore leaves
//! for consensus, and [restoring](mod@restore) into a stopped node's data directory. It does not
//! read the node's state (the API takes the snapshot under the state lock) and links no storage
//! engine: consensus converts the seed into Raft storage at the node's next start.
//!
//! # Format, version 1
//!
//! ```text
//! "CHBK"        4 bytes  magic
//! 0x01          u8       format version
//! manifest_len  u32 BE   at most MAX_MANIFEST_BYTES
//! manifest      JSON, see [`Manifest`]
//! parts         the bytes of each part, in manifest order, back to back
//! checksum      32 bytes SHA-256 of everything before it
//! ```
//!
//! The trailing checksum catches any flipped byte, in the manifest as well as in a part; each
//! part also carries its own SHA-256 in the manifest, so a report can say which part is
//! damaged; and the palace part must decode as a palace snapshot.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod restore;
pub mod seed;

pub use restore::{RestoreError, RestoreReport, restore};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The first bytes of every backup file.
pub const MAGIC: &[u8; 4] = b"CHBK";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Largest manifest accepted.
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024;
/// The name of the palace part.
pub const PALACE_PART: &str = "palace";
/// The file name suffix `chorus backup create` uses.
pub const FILE_SUFFIX: &str = ".chorus-backup";

const HEADER_BYTES: usize = 4 + 1 + 4;
const CHECKSUM_BYTES: usize = 32;

/// What a backup holds and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Format version (equal to the header's).
    pub format: u8,
    /// The cluster the palace belonged to.
    pub cluster: String,
    /// The node that took the backup.
    pub node_name: String,
    /// The applied index the snapshot was taken at.
    pub applied_index: u64,
    /// The term of that entry.
    pub term: u64,
    /// The Chorus version that wrote the file.
    pub build_version: String,
    /// The commit it was built from.
    pub build_sha: String,
    /// When the backup was taken, milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    /// The parts, in file order.
    pub parts: Vec<Part>,
}

/// One part of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// Its name (`palace`).
    pub name: String,
    /// Its length in bytes.
    pub bytes: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

/// Where a backup was taken, for its manifest.
#[derive(Debug, Clone)]
pub struct Origin {
    /// Cluster name.
    pub cluster: String,
    /// Node name.
    pub node_name: String,
    /// Applied index of the snapshot.
    pub applied_index: u64,
    /// Term of that entry.
    pub term: u64,
    /// Chorus version.
    pub build_version: String,
    /// Commit.
    pub build_sha: String,
    /// Time, ms since the epoch.
    pub created_at_ms: u64,
}

/// A backup that passed every check.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Its manifest.
    pub manifest: Manifest,
    /// The palace snapshot bytes (as `chorus_palace::State::snapshot_bytes` wrote them).
    pub palace: Vec<u8>,
    /// Counts from the decoded palace.
    pub status: chorus_palace::Status,
}

/// A backup failed verification. Every variant says what was expected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// Shorter than a header and a checksum.
    #[error("backup is {len} bytes, too short to be a backup (at least {min} expected)")]
    TooShort {
        /// Its length.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// Does not start with the magic bytes.
    #[error("not a Chorus backup: expected the magic bytes CHBK at the start")]
    Magic,
    /// Another format version.
    #[error(
        "backup format version {found} is not supported (this build reads version {FORMAT_VERSION})"
    )]
    Version {
        /// The version in the file.
        found: u8,
    },
    /// The trailing checksum does not match.
    #[error(
        "backup checksum mismatch: the file is damaged or truncated (expected SHA-256 {expected}, computed {computed})"
    )]
    Checksum {
        /// The checksum stored in the file.
        expected: String,
        /// The checksum of the bytes before it.
        computed: String,
    },
    /// The manifest is malformed.
    #[error("backup manifest: {0}")]
    Manifest(String),
    /// A part does not match its manifest entry.
    #[error("backup part {name}: {reason}")]
    Part {
        /// The part.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

/// Writes a backup of `palace` (palace snapshot bytes) taken at `origin`.
pub fn write(origin: &Origin, palace: &[u8]) -> Vec<u8> {
    let manifest = Manifest {
        format: FORMAT_VERSION,
        cluster: origin.cluster.clone(),
        node_name: origin.node_name.clone(),
        applied_index: origin.applied_index,
        term: origin.term,
        build_version: origin.build_version.clone(),
        build_sha: origin.build_sha.clone(),
        created_at_ms: origin.created_at_ms,
        parts: vec![Part {
            name: PALACE_PART.into(),
            bytes: palace.len() as u64,
            sha256: hex::encode(Sha256::digest(palace)),
        }],
    };
    // A manifest of plain strings and numbers always serializes.
    let m = serde_json::to_vec(&manifest).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER_BYTES + m.len() + palace.len() + CHECKSUM_BYTES);
    out.extend_from_slice(MAGIC);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&(m.len() as u32).to_be_bytes());
    out.extend_from_slice(&m);
    out.extend_from_slice(palace);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// Checks a backup without restoring it: checksum, manifest, every part, and that the palace
/// decodes.
pub fn verify(bytes: &[u8]) -> Result<Verified, Error> {
    let min = HEADER_BYTES + CHECKSUM_BYTES;
    if bytes.len() < min {
        return Err(Error::TooShort {
            len: bytes.len(),
            min,
        });
    }
    if &bytes[..4] != MAGIC {
        return Err(Error::Magic);
    }
    if bytes[4] != FORMAT_VERSION {
        return Err(Error::Version { found: bytes[4] });
    }
    let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_BYTES);
    let computed = Sha256::digest(body);
    if computed.as_slice() != sum {
        return Err(Error::Checksum {
            expected: hex::encode(sum),
            computed: hex::encode(computed),
        });
    }
    let mut len = [0u8; 4];
    len.copy_from_slice(&body[5..9]);
    let mlen = u32::from_be_bytes(len) as usize;
    if mlen > MAX_MANIFEST_BYTES || HEADER_BYTES + mlen > body.len() {
        return Err(Error::Manifest(format!(
            "length {mlen} is out of bounds (at most {MAX_MANIFEST_BYTES} and within the file)"
        )));
    }
    let manifest: Manifest = serde_json::from_slice(&body[HEADER_BYTES..HEADER_BYTES + mlen])
        .map_err(|e| Error::Manifest(e.to_string()))?;
    if manifest.format != FORMAT_VERSION {
        return Err(Error::Manifest(format!(
            "format {} differs from the header's version {FORMAT_VERSION}",
            manifest.format
        )));
    }
    let mut rest = &body[HEADER_BYTES + mlen..];
    let mut palace = None;
    for part in &manifest.parts {
        let perr = |reason: String| Error::Part {
            name: part.name.clone(),
            reason,
        };
        let n = usize::try_from(part.bytes)
            .ok()
            .filter(|n| *n <= rest.len())
            .ok_or_else(|| {
                perr(format!(
                    "declares {} bytes but only {} remain",
                    part.bytes,
                    rest.len()
                ))
            })?;
        let (data, tail) = rest.split_at(n);
        rest = tail;
        let sha = hex::encode(Sha256::digest(data));
        if sha != part.sha256 {
            return Err(perr(format!(
                "SHA-256 {sha} differs from the manifest's {}",
                part.sha256
            )));
        }
        if part.name == PALACE_PART {
            if palace.is_some() {
                return Err(perr("appears twice".into()));
            }
            palace = Some(data);
        } else {
            return Err(perr(format!("is unknown (expected only {PALACE_PART:?})")));
        }
    }
    if !rest.is_empty() {
        return Err(Error::Manifest(format!(
            "{} bytes follow the last part",
            rest.len()
        )));
    }
    let palace = palace.ok_or_else(|| Error::Part {
        name: PALACE_PART.into(),
        reason: "missing".into(),
    })?;
    let state = chorus_palace::State::from_snapshot_bytes(palace).map_err(|e| Error::Part {
        name: PALACE_PART.into(),
        reason: format!("does not decode as a palace snapshot: {e}"),
    })?;
    Ok(Verified {
        manifest,
        palace: palace.to_vec(),
        status: state.status(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_palace::{ApplyContext, Command, NewDrawer, State};

    fn palace_bytes() -> Vec<u8> {
        let mut s = State::new(chorus_palace::Config::default()).expect("config");
        for i in 0..5u64 {
            let ctx = ApplyContext {
                index: i + 1,
                term: 1,
                now_ms: 1_000 + i,
            };
            let d = NewDrawer {
                wing: "w".into(),
                room: "r".into(),
                content: format!("drawer {i}"),
                added_by: "t".into(),
                source: None,
                hall: None,
                metadata: Default::default(),
            };
            let _ = s.apply(&ctx, Command::DrawerAdd(d));
        }
        s.snapshot_bytes()
    }

    fn origin() -> Origin {
        Origin {
            cluster: "c".into(),
            node_name: "n".into(),
            applied_index: 5,
            term: 1,
            build_version: "0.1.0".into(),
            build_sha: "abc".into(),
            created_at_ms: 1,
        }
    }

    #[test]
    fn a_written_backup_verifies_with_its_counts() {
        let p = palace_bytes();
        let v = verify(&write(&origin(), &p)).expect("verifies");
        assert_eq!(v.palace, p);
        assert_eq!(v.manifest.applied_index, 5);
        assert_eq!(v.status.drawers, 5);
    }

    #[test]
    fn every_single_flipped_byte_is_caught() {
        let b = write(&origin(), &palace_bytes());
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0x01;
            assert!(
                verify(&bad).is_err(),
                "flip at byte {i} of {} passed",
                b.len()
            );
        }
    }

    #[test]
    fn truncation_and_garbage_are_errors_not_panics() {
        let b = write(&origin(), &palace_bytes());
        for n in 0..b.len() {
            assert!(verify(&b[..n]).is_err());
        }
        assert_eq!(
            verify(b"CHBK").err(),
            Some(Error::TooShort { len: 4, min: 41 })
        );
        let mut wrong = b.clone();
        wrong[4] = 9;
        assert_eq!(verify(&wrong).err(), Some(Error::Version { found: 9 }));
    }

    #[test]
    fn a_consistent_file_with_a_bad_palace_names_the_part() {
        let b = write(&origin(), b"not a palace");
        let e = verify(&b).expect_err("bad palace");
        assert!(e.to_string().contains("backup part palace"), "{e}");
    }
}
