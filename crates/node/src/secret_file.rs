//! Reading secret and key files, refusing ones that others can read.

use std::{
    fs,
    io::{self, Write},
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

/// Largest secret file read (a key or token is tiny; this stops a mistaken path to a big file).
const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// Why a secret file was refused.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    /// It could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Group or others may read it.
    #[error(
        "{path}: mode {mode:04o} lets group or others read it; expected 0600 or 0400 (chmod 600 {path})"
    )]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// It is empty or too large.
    #[error("{path}: {len} bytes; expected 1 to {MAX_SECRET_BYTES} bytes")]
    Size {
        /// The file.
        path: PathBuf,
        /// Its size.
        len: u64,
    },
}

/// Checks that only the owner can read `path`.
pub fn check_private(path: &Path) -> Result<fs::Metadata, SecretFileError> {
    let meta = fs::metadata(path).map_err(|source| SecretFileError::Io {
        path: path.into(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecretFileError::Permissions {
            path: path.into(),
            mode,
        });
    }
    Ok(meta)
}

/// Reads a secret file after checking its permissions and size.
pub fn read(path: &Path) -> Result<Vec<u8>, SecretFileError> {
    let meta = check_private(path)?;
    if meta.len() == 0 || meta.len() > MAX_SECRET_BYTES {
        return Err(SecretFileError::Size {
            path: path.into(),
            len: meta.len(),
        });
    }
    fs::read(path).map_err(|source| SecretFileError::Io {
        path: path.into(),
        source,
    })
}

/// Creates `path` with mode 0600 holding `bytes`; fails if it exists (never overwrites a key).
pub fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_or_world_readable_files_are_refused_with_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s");
        create_new(&p, b"0123456789abcdef").unwrap();
        assert_eq!(read(&p).unwrap(), b"0123456789abcdef");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(e.contains("0644"), "{e}");
        assert!(create_new(&p, b"x").is_err(), "must not overwrite");
    }
}
