//! The node's data directory: the layout and the lock come from `chorus-datadir`; the node adds
//! its key (`keys/node.key`).

use std::{
    io,
    path::{Path, PathBuf},
};

pub use chorus_datadir::DataDir;
use chorus_p2p::Keypair;

use crate::secret_file;

/// Opening the data directory or the node key failed.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// The directory: locked by another daemon, or unusable.
    #[error(transparent)]
    Dir(#[from] chorus_datadir::Error),
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

/// Loads the node key, creating it (mode 0600) on first start. Refuses a key file that group or
/// others can read.
pub fn node_key(dir: &DataDir) -> Result<Keypair, DataDirError> {
    let path = dir.path(chorus_datadir::KEYS).join("node.key");
    let key_err = |reason: String| DataDirError::Key {
        path: path.clone(),
        reason,
    };
    if !path.exists() {
        let kp = Keypair::generate_ed25519();
        let bytes = kp
            .to_protobuf_encoding()
            .map_err(|e| key_err(e.to_string()))?;
        secret_file::create_new(&path, &bytes).map_err(|source| DataDirError::Io {
            path: path.clone(),
            source,
        })?;
        return Ok(kp);
    }
    let bytes = secret_file::read(&path).map_err(|e| key_err(e.to_string()))?;
    Keypair::from_protobuf_encoding(&bytes)
        .map_err(|e| key_err(format!("not a valid key file ({e})")))
}

/// The key's path, for messages.
pub fn node_key_path(root: &Path) -> PathBuf {
    root.join(chorus_datadir::KEYS).join("node.key")
}

#[cfg(test)]
mod tests {
    use std::{fs, os::unix::fs::PermissionsExt};

    use super::*;

    #[test]
    fn node_key_is_created_private_reused_and_refused_when_exposed() {
        let dir = tempfile::tempdir().unwrap();
        let d = DataDir::open(dir.path()).unwrap();
        let k1 = node_key(&d).unwrap();
        let path = node_key_path(dir.path());
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(node_key(&d).unwrap().public(), k1.public());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let e = node_key(&d).unwrap_err().to_string();
        assert!(e.contains("0644"), "{e}");
    }
}
