//! The seed file: a palace and the log position it reflects, left in a node's `raft/` folder for
//! consensus to turn into Raft storage at the node's next start.
//!
//! Written offline (a restore, and later a quorum-loss recovery) with no storage engine: plain
//! file IO, so a tool that writes one (the CLI) links no database. Consensus reads it with
//! [`read`] before Raft opens its storage, converts it (a snapshot at `index`, this node the only
//! voter, a vote of `term`) and removes it.
//!
//! # Format, version 1
//!
//! ```text
//! "CHSD"       4 bytes  magic
//! 0x01         u8       format version
//! term         u64 BE   term of the entry the palace was taken at
//! index        u64 BE   its index
//! palace_len   u64 BE   then the palace snapshot bytes
//! tables_len   u64 BE   then the tables beside the palace, in consensus's own encoding
//!                       (idempotency keys, fences, excluded members); empty for a backup
//! checksum     32 bytes SHA-256 of everything before it
//! ```

use std::{
    fs,
    io::{self, Write},
    path::Path,
};

use sha2::{Digest, Sha256};

/// The seed's file name inside the `raft/` folder.
pub const FILE_NAME: &str = "SEED";
/// The first bytes of a seed file.
pub const MAGIC: &[u8; 4] = b"CHSD";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;

const HEADER_BYTES: usize = 4 + 1 + 8 + 8;
const CHECKSUM_BYTES: usize = 32;

/// A palace, the log position it reflects, and consensus's tables beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// Term of the entry the palace was taken at.
    pub term: u64,
    /// Index of that entry: the seeded node's first new entry comes after it.
    pub index: u64,
    /// The palace snapshot bytes.
    pub palace: Vec<u8>,
    /// Consensus's tables in its own encoding; empty for a backup, which carries none.
    pub tables: Vec<u8>,
}

/// A seed file that cannot be used. Every variant says what was expected.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// Reading or writing it failed.
    #[error("seed {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// Its bytes are not a seed this build reads.
    #[error("seed {path}: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong and what was expected.
        reason: String,
    },
}

/// The bytes of `seed` as a file.
pub fn encode(seed: &Seed) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        HEADER_BYTES + 16 + seed.palace.len() + seed.tables.len() + CHECKSUM_BYTES,
    );
    out.extend_from_slice(MAGIC);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&seed.term.to_be_bytes());
    out.extend_from_slice(&seed.index.to_be_bytes());
    for part in [&seed.palace, &seed.tables] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part);
    }
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// Decodes a seed, checking its magic, version, lengths and checksum. The message says what was
/// expected.
pub fn decode(bytes: &[u8]) -> Result<Seed, String> {
    let min = HEADER_BYTES + 16 + CHECKSUM_BYTES;
    if bytes.len() < min {
        return Err(format!(
            "{} bytes, too short for a seed (at least {min} expected)",
            bytes.len()
        ));
    }
    if &bytes[..4] != MAGIC {
        return Err("expected the magic bytes CHSD at the start".into());
    }
    if bytes[4] != FORMAT_VERSION {
        return Err(format!(
            "format version {} is not supported (this build reads version {FORMAT_VERSION})",
            bytes[4]
        ));
    }
    let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_BYTES);
    if Sha256::digest(body).as_slice() != sum {
        return Err("checksum mismatch: the file is damaged or truncated".into());
    }
    let u64_at = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&body[at..at + 8]);
        u64::from_be_bytes(b)
    };
    let (term, index) = (u64_at(5), u64_at(13));
    let mut rest = &body[HEADER_BYTES..];
    let mut parts = Vec::with_capacity(2);
    for name in ["palace", "tables"] {
        if rest.len() < 8 {
            return Err(format!("the {name} length is missing"));
        }
        let mut b = [0u8; 8];
        b.copy_from_slice(&rest[..8]);
        let n = usize::try_from(u64::from_be_bytes(b))
            .ok()
            .filter(|n| *n <= rest.len() - 8)
            .ok_or_else(|| format!("the {name} length exceeds the file"))?;
        parts.push(rest[8..8 + n].to_vec());
        rest = &rest[8 + n..];
    }
    if !rest.is_empty() {
        return Err(format!("{} bytes follow the tables", rest.len()));
    }
    let tables = parts.pop().unwrap_or_default();
    let palace = parts.pop().unwrap_or_default();
    Ok(Seed {
        term,
        index,
        palace,
        tables,
    })
}

/// Writes `seed` as `dir/SEED`, durably: a temporary file, flushed, renamed, and the folder
/// flushed. Creates `dir` if needed.
pub fn write(dir: &Path, seed: &Seed) -> Result<(), SeedError> {
    let path = dir.join(FILE_NAME);
    let io = |source| SeedError::Io {
        path: path.display().to_string(),
        source,
    };
    fs::create_dir_all(dir).map_err(io)?;
    let tmp = dir.join(format!(".{FILE_NAME}.tmp"));
    let mut f = fs::File::create(&tmp).map_err(io)?;
    f.write_all(&encode(seed))
        .and_then(|()| f.sync_all())
        .map_err(io)?;
    fs::rename(&tmp, &path).map_err(io)?;
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)
}

/// Reads `dir/SEED`: `None` when there is none.
pub fn read(dir: &Path) -> Result<Option<Seed>, SeedError> {
    let path = dir.join(FILE_NAME);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SeedError::Io {
                path: path.display().to_string(),
                source,
            });
        }
    };
    decode(&bytes)
        .map(Some)
        .map_err(|reason| SeedError::Format {
            path: path.display().to_string(),
            reason,
        })
}

/// Removes `dir/SEED` once it has been converted; absent is fine.
pub fn remove(dir: &Path) -> Result<(), SeedError> {
    let path = dir.join(FILE_NAME);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(SeedError::Io {
            path: path.display().to_string(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Seed {
        Seed {
            term: 3,
            index: 41,
            palace: b"palace bytes".to_vec(),
            tables: b"tables".to_vec(),
        }
    }

    #[test]
    fn a_seed_round_trips_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let raft = dir.path().join("raft.restoring");
        assert!(read(&raft).unwrap().is_none());
        write(&raft, &seed()).unwrap();
        assert_eq!(read(&raft).unwrap(), Some(seed()));
        remove(&raft).unwrap();
        assert!(read(&raft).unwrap().is_none());
    }

    #[test]
    fn every_flipped_byte_and_every_truncation_is_refused() {
        let b = encode(&seed());
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0x01;
            assert!(decode(&bad).is_err(), "flip at byte {i} passed");
        }
        for n in 0..b.len() {
            assert!(decode(&b[..n]).is_err(), "truncation to {n} passed");
        }
    }
}
