//! Secret files: node keys, role identities, cluster secrets, API tokens.
//!
//! Reading refuses a file that grants any permission to group or others (`mode & 0o077 != 0`):
//! readable means the secret may already have leaked, writable means someone else could replace
//! it with a key they know. Reading also refuses anything but a regular file (a FIFO would block
//! forever) and files over [`MAX_SECRET_FILE_BYTES`].
//!
//! Writing goes through a temporary file in the same directory created with mode 0600, flushed
//! to disk, then renamed (replace) or hard-linked (create-new) into place, so a crash never leaves
//! a half-written key at the final path and the secret is never readable by others, not even
//! briefly.
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use age::secrecy::{SecretSlice, SecretString};

/// Largest secret file read. Keys and tokens are a few hundred bytes; the cap keeps a wrong path
/// (a log file, a device) from being read into memory whole.
pub const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

/// Permission bits a secret file must not have: any access by group or others.
const FORBIDDEN_MODE_BITS: u32 = 0o077;

/// A secret file could not be read or written. Messages name the path, never the contents.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file grants access to group or others.
    #[error(
        "secret file {path}: mode {mode:04o} grants access to group or others: expected no group \
         or other permissions (chmod 600 {path})"
    )]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The path is not a regular file.
    #[error("secret file {path}: expected a regular file")]
    NotRegularFile {
        /// The path.
        path: PathBuf,
    },
    /// The file is larger than [`MAX_SECRET_FILE_BYTES`].
    #[error("secret file {path}: {len} bytes: expected at most {max}")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its length (or a lower bound of it).
        len: u64,
        /// The limit.
        max: u64,
    },
    /// A text secret is not UTF-8.
    #[error("secret file {path}: expected UTF-8 text")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// Creating a new file found one already there.
    #[error(
        "secret file {path}: already exists: expected a path with no file (refusing to overwrite)"
    )]
    AlreadyExists {
        /// The path.
        path: PathBuf,
    },
    /// The path has no file name.
    #[error("secret file {path:?}: expected a path naming a file")]
    BadPath {
        /// The path.
        path: PathBuf,
    },
    /// An IO operation failed.
    #[error("secret file {path}: {op} failed: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done (`open`, `read`, `write`, `rename`, …).
        op: &'static str,
        /// The IO error.
        #[source]
        source: io::Error,
    },
}

fn io_err<'a>(path: &'a Path, op: &'static str) -> impl FnOnce(io::Error) -> KeyFileError + 'a {
    move |source| KeyFileError::Io {
        path: path.to_owned(),
        op,
        source,
    }
}

/// Reads a secret file after checking it is a regular file, at most [`MAX_SECRET_FILE_BYTES`]
/// long and not accessible by group or others. Follows symbolic links (Kubernetes and Swarm
/// mount secrets through them); the checks apply to the file actually opened.
pub fn read_secret_file(path: &Path) -> Result<SecretSlice<u8>, KeyFileError> {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io_err(path, "open"))?;
    let meta = file.metadata().map_err(io_err(path, "stat"))?;
    if !meta.is_file() {
        return Err(KeyFileError::NotRegularFile {
            path: path.to_owned(),
        });
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & FORBIDDEN_MODE_BITS != 0 {
        return Err(KeyFileError::Permissions {
            path: path.to_owned(),
            mode,
        });
    }
    let too_large = |len| KeyFileError::TooLarge {
        path: path.to_owned(),
        len,
        max: MAX_SECRET_FILE_BYTES,
    };
    if meta.len() > MAX_SECRET_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    // Capacity fixed up front so the buffer never reallocates and leaves stray copies.
    let mut buf = Vec::with_capacity(MAX_SECRET_FILE_BYTES as usize + 1);
    let read = (&mut file)
        .take(MAX_SECRET_FILE_BYTES + 1)
        .read_to_end(&mut buf);
    let secret = SecretSlice::from(buf);
    read.map_err(io_err(path, "read"))?;
    let len = age::secrecy::ExposeSecret::expose_secret(&secret).len() as u64;
    if len > MAX_SECRET_FILE_BYTES {
        return Err(too_large(len));
    }
    Ok(secret)
}

/// Reads a secret text file (a token, a cluster secret) like [`read_secret_file`] and trims
/// surrounding whitespace, such as the newline editors and `echo` add.
pub fn read_secret_text(path: &Path) -> Result<SecretString, KeyFileError> {
    use age::secrecy::ExposeSecret;
    let bytes = read_secret_file(path)?;
    let text = std::str::from_utf8(bytes.expose_secret()).map_err(|_| KeyFileError::NotUtf8 {
        path: path.to_owned(),
    })?;
    Ok(SecretString::from(text.trim()))
}

/// Writes `contents` to `path` with mode 0600, atomically replacing any existing file.
pub fn write_secret_file_atomic(path: &Path, contents: &[u8]) -> Result<(), KeyFileError> {
    let (dir, tmp) = write_temp(path, contents)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(path, "rename")(e));
    }
    sync_dir(&dir)
}

/// Writes `contents` to a new file at `path` with mode 0600, refusing to touch an existing file
/// ([`KeyFileError::AlreadyExists`]). The file appears complete or not at all.
pub fn write_new_secret_file(path: &Path, contents: &[u8]) -> Result<(), KeyFileError> {
    let (dir, tmp) = write_temp(path, contents)?;
    // link(2) fails if the target exists, unlike rename(2): create-new and atomic at once.
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => sync_dir(&dir),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(KeyFileError::AlreadyExists {
            path: path.to_owned(),
        }),
        Err(e) => Err(io_err(path, "link")(e)),
    }
}

/// Writes a complete, synced temporary file with mode 0600 beside `path`; returns the directory
/// and the temporary path.
fn write_temp(path: &Path, contents: &[u8]) -> Result<(PathBuf, PathBuf), KeyFileError> {
    let name = path.file_name().ok_or_else(|| KeyFileError::BadPath {
        path: path.to_owned(),
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{}.tmp-{:016x}",
        name.to_string_lossy(),
        rand::random::<u64>()
    ));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io_err(&tmp, "create"))?;
        // The umask can only clear bits; set the mode explicitly so it is exactly 0600.
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_err(&tmp, "chmod"))?;
        file.write_all(contents).map_err(io_err(&tmp, "write"))?;
        file.sync_all().map_err(io_err(&tmp, "fsync"))
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok((dir, tmp))
}

/// Makes a rename or link durable.
fn sync_dir(dir: &Path) -> Result<(), KeyFileError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir, "fsync directory"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use age::secrecy::ExposeSecret;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn written_files_are_0600_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        write_secret_file_atomic(&path, b"  s3cret\n").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            read_secret_file(&path).unwrap().expose_secret(),
            b"  s3cret\n"
        );
        assert_eq!(read_secret_text(&path).unwrap().expose_secret(), "s3cret");
        write_secret_file_atomic(&path, b"next").unwrap();
        assert_eq!(read_secret_file(&path).unwrap().expose_secret(), b"next");
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn create_new_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        write_new_secret_file(&path, b"one").unwrap();
        let err = write_new_secret_file(&path, b"two").unwrap_err();
        assert!(matches!(err, KeyFileError::AlreadyExists { .. }), "{err}");
        assert!(err.to_string().contains(&path.display().to_string()));
        assert_eq!(read_secret_file(&path).unwrap().expose_secret(), b"one");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn loose_permissions_are_refused_with_path_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        write_secret_file_atomic(&path, b"top secret").unwrap();
        for bad in [0o640, 0o604, 0o620, 0o644, 0o601] {
            fs::set_permissions(&path, fs::Permissions::from_mode(bad)).unwrap();
            let err = read_secret_file(&path).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, KeyFileError::Permissions { mode, .. } if mode == bad));
            assert!(msg.contains(&path.display().to_string()), "{msg}");
            assert!(msg.contains(&format!("{bad:04o}")), "{msg}");
            assert!(!msg.contains("top secret"));
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        read_secret_file(&path).unwrap();
    }

    #[test]
    fn directories_fifos_and_large_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        let err = read_secret_file(dir.path()).unwrap_err();
        assert!(matches!(err, KeyFileError::NotRegularFile { .. }), "{err}");

        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg("-m")
            .arg("600")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let err = read_secret_file(&fifo).unwrap_err();
        assert!(matches!(err, KeyFileError::NotRegularFile { .. }), "{err}");

        let big = dir.path().join("big");
        write_secret_file_atomic(&big, &vec![b'x'; MAX_SECRET_FILE_BYTES as usize + 1]).unwrap();
        let err = read_secret_file(&big).unwrap_err();
        assert!(matches!(err, KeyFileError::TooLarge { .. }), "{err}");

        let missing = read_secret_file(&dir.path().join("none")).unwrap_err();
        assert!(missing.to_string().contains("open failed"), "{missing}");
    }
}
