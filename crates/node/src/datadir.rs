//! The data directory: fixed subfolders and the exclusive lock that keeps two daemons apart.

use std::{
    fs::{self, File},
    io::{self, Write},
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
};

use chorus_p2p::Keypair;

use crate::secret_file;

/// Subfolders created at start.
const SUBDIRS: [&str; 6] = ["keys", "raft", "index", "sockets", "run", "backups"];

/// Opening the data directory failed.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// Another daemon holds the lock.
    #[error(
        "data directory {dir} is in use by another chorus-agent (pid {pid}); stop it or choose another --data-dir"
    )]
    Locked {
        /// The directory.
        dir: PathBuf,
        /// The holder's pid as it recorded it (`unknown` if unreadable).
        pid: String,
    },
    /// A filesystem operation failed.
    #[error("data directory {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The node key is unreadable, unsafe or corrupt.
    #[error("node key {path}: {reason}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> DataDirError + '_ {
    move |source| DataDirError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An open, locked data directory. The lock is released when this is dropped (and by the
/// kernel if the process dies, so a stale lock from a killed daemon is reclaimed at the next
/// start).
#[derive(Debug)]
pub struct DataDir {
    root: PathBuf,
    _lock: File,
}

impl DataDir {
    /// Creates the layout if needed and takes the exclusive lock.
    pub fn open(root: &Path) -> Result<Self, DataDirError> {
        fs::create_dir_all(root).map_err(io_err(root))?;
        let _ = fs::set_permissions(root, fs::Permissions::from_mode(0o700));
        for sub in SUBDIRS {
            let p = root.join(sub);
            fs::create_dir_all(&p).map_err(io_err(&p))?;
        }
        let lock_path = root.join("run/lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_err(&lock_path))?;
        let pid_path = root.join("run/pid");
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let pid = fs::read_to_string(&pid_path)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_else(|_| "unknown".into());
                return Err(DataDirError::Locked {
                    dir: root.to_path_buf(),
                    pid,
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_err(&lock_path)(e)),
        }
        let mut f = File::create(&pid_path).map_err(io_err(&pid_path))?;
        writeln!(f, "{}", std::process::id()).map_err(io_err(&pid_path))?;
        Ok(Self {
            root: root.to_path_buf(),
            _lock: lock,
        })
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<data>/<sub>`.
    pub fn path(&self, sub: &str) -> PathBuf {
        self.root.join(sub)
    }

    /// The API socket path.
    pub fn socket_path(&self) -> PathBuf {
        self.root.join("sockets/api.sock")
    }

    /// Loads the node key, creating it (mode 0600) on first start. Refuses a key file that group
    /// or others can read.
    pub fn node_key(&self) -> Result<Keypair, DataDirError> {
        let path = self.root.join("keys/node.key");
        let key_err = |reason: String| DataDirError::Key {
            path: path.clone(),
            reason,
        };
        if !path.exists() {
            let kp = Keypair::generate_ed25519();
            let bytes = kp
                .to_protobuf_encoding()
                .map_err(|e| key_err(e.to_string()))?;
            secret_file::create_new(&path, &bytes).map_err(io_err(&path))?;
            return Ok(kp);
        }
        let bytes = secret_file::read(&path).map_err(|e| key_err(e.to_string()))?;
        Keypair::from_protobuf_encoding(&bytes)
            .map_err(|e| key_err(format!("not a valid key file ({e})")))
    }

    /// Writes `<data>/run/<name>` atomically (temporary file, then rename), so a reader never
    /// sees half a file.
    pub fn write_run_file(&self, name: &str, contents: &[u8]) -> Result<(), DataDirError> {
        let path = self.root.join("run").join(name);
        let tmp = self.root.join("run").join(format!(".{name}.tmp"));
        fs::write(&tmp, contents).map_err(io_err(&tmp))?;
        fs::rename(&tmp, &path).map_err(io_err(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_open_names_the_holder_and_lock_is_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDir::open(dir.path()).unwrap();
        let err = DataDir::open(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        DataDir::open(dir.path()).unwrap();
    }

    #[test]
    fn node_key_is_created_private_reused_and_refused_when_exposed() {
        let dir = tempfile::tempdir().unwrap();
        let d = DataDir::open(dir.path()).unwrap();
        let k1 = d.node_key().unwrap();
        let path = dir.path().join("keys/node.key");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(d.node_key().unwrap().public(), k1.public());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let e = d.node_key().unwrap_err().to_string();
        assert!(e.contains("0644"), "{e}");
    }
}
