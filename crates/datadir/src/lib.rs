//! The data directory (DESIGN §10): where each part lives, and the exclusive lock that keeps two
//! daemons, or a daemon and an offline restore, off the same directory.
//!
//! Owns the layout and the lock only. Knows no key format, no storage engine, no network: the
//! node loads its key from [`KEYS`], consensus opens [`RAFT`], the backup crate restores into
//! it, and the CLI finds the node's socket ([`SOCKET`]) here.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

use std::{
    fs::{self, File},
    io::{self, Write},
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
};

/// Key files: the node key and role identities (`keys/roles/<role>.age`).
pub const KEYS: &str = "keys";
/// Raft storage (sled), or a seed waiting to be converted at start.
pub const RAFT: &str = "raft";
/// The search index, derived from the palace and rebuildable.
pub const INDEX: &str = "index";
/// The API socket's folder.
pub const SOCKETS: &str = "sockets";
/// The lock, the pid and the ports file of the running daemon.
pub const RUN: &str = "run";
/// Safety copies a restore makes of the state it replaces.
pub const BACKUPS: &str = "backups";
/// The API's Unix socket, relative to the data directory.
pub const SOCKET: &str = "sockets/api.sock";
/// The ports the daemon bound (`run/ports.json`), for scripts and tests.
pub const PORTS: &str = "run/ports.json";

/// Subfolders created when the directory is opened.
const SUBDIRS: [&str; 6] = [KEYS, RAFT, INDEX, SOCKETS, RUN, BACKUPS];

/// The default data directory of a node: `<home>/.chorus/<node name>`.
pub fn default_root(home: &Path, node_name: &str) -> PathBuf {
    home.join(".chorus").join(node_name)
}

/// Opening the data directory failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process holds the lock.
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
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
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
    /// Creates the layout if needed (the directory mode 0700) and takes the exclusive lock,
    /// recording this process's pid for the message a second opener gets.
    pub fn open(root: &Path) -> Result<Self, Error> {
        fs::create_dir_all(root).map_err(io_err(root))?;
        let _ = fs::set_permissions(root, fs::Permissions::from_mode(0o700));
        for sub in SUBDIRS {
            let p = root.join(sub);
            fs::create_dir_all(&p).map_err(io_err(&p))?;
        }
        let lock_path = root.join(RUN).join("lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_err(&lock_path))?;
        let pid_path = root.join(RUN).join("pid");
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let pid = fs::read_to_string(&pid_path)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_else(|_| "unknown".into());
                return Err(Error::Locked {
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
        self.root.join(SOCKET)
    }

    /// Writes `<data>/run/<name>` atomically (temporary file, then rename), so a reader never
    /// sees half a file.
    pub fn write_run_file(&self, name: &str, contents: &[u8]) -> Result<(), Error> {
        let path = self.root.join(RUN).join(name);
        let tmp = self.root.join(RUN).join(format!(".{name}.tmp"));
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
    fn the_layout_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let d = DataDir::open(dir.path()).unwrap();
        for sub in SUBDIRS {
            assert!(d.path(sub).is_dir(), "{sub}");
        }
        assert_eq!(d.socket_path(), dir.path().join("sockets/api.sock"));
    }
}
