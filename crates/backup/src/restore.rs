//! Restoring a backup into a stopped node's data directory (DESIGN §6), with no storage engine:
//! the restored palace is left as a [seed file](crate::seed) that the node's consensus converts
//! at its next start.
//!
//! The swap: the seed is written beside the live storage (`raft.restoring/SEED`, marked
//! complete only once flushed), the live `raft/` and `index/` move into
//! `backups/pre-restore-<ms>/` (the safety snapshot: the whole previous state, kept), and
//! `raft.restoring` is renamed to `raft`. Only entries *inside* the data directory are renamed,
//! never the directory itself, so it works when the data directory is a bind mount. A swap cut
//! short is finished at the next start or restore ([`finish_interrupted`]). The data
//! directory's lock keeps a running node out while it happens.

use std::{
    fs, io,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use chorus_datadir::{BACKUPS, DataDir, INDEX, RAFT};
use chorus_types::exit;
use tracing::info;

use crate::seed::{self, Seed};

/// The restored storage being built beside the live one.
const RESTORING: &str = "raft.restoring";
/// Marks `raft.restoring` complete (flushed) and safe to swap in.
const COMPLETE: &str = "RESTORE-COMPLETE";

/// Restoring failed; the data directory is as it was unless the error says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The file failed verification: nothing was touched.
    #[error("{0}; nothing was restored and the data directory is untouched")]
    Verify(#[from] crate::Error),
    /// The data directory is locked by a running node, or unusable.
    #[error(transparent)]
    DataDir(#[from] chorus_datadir::Error),
    /// Writing the restored storage failed.
    #[error("restore into {path}: {reason}")]
    Write {
        /// The path involved.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

impl RestoreError {
    /// The exit code a CLI gives it: bad data for a file that fails verification, temporary
    /// failure for a data directory a node runs on, I/O otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Verify(_) => exit::DATA,
            Self::DataDir(chorus_datadir::Error::Locked { .. }) => exit::TEMPORARY,
            Self::DataDir(_) | Self::Write { .. } => exit::IO,
        }
    }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// The backup's manifest.
    pub manifest: crate::Manifest,
    /// Counts of the restored palace.
    pub status: chorus_palace::Status,
    /// Where the previous state was moved, when there was one.
    pub safety: Option<PathBuf>,
}

fn werr(path: &Path) -> impl FnOnce(io::Error) -> RestoreError + '_ {
    move |e| RestoreError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

fn is_empty_dir(p: &Path) -> bool {
    fs::read_dir(p)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true)
}

/// Restores `backup` (the bytes of a backup file) into the data directory `root`, which no
/// node may be running on. Verifies first and touches nothing if verification fails.
pub fn restore(root: &Path, backup: &[u8]) -> Result<RestoreReport, RestoreError> {
    let verified = crate::verify(backup)?;
    let dir = DataDir::open(root)?;
    finish_interrupted(dir.root())?;
    let tmp = dir.path(RESTORING);
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(werr(&tmp))?;
    }
    let seed = Seed {
        term: verified.manifest.term,
        index: verified.manifest.applied_index,
        palace: verified.palace.clone(),
        tables: Vec::new(),
    };
    seed::write(&tmp, &seed).map_err(|e| RestoreError::Write {
        path: tmp.clone(),
        reason: e.to_string(),
    })?;
    let marker = tmp.join(COMPLETE);
    fs::write(&marker, verified.manifest.applied_index.to_string()).map_err(werr(&marker))?;
    sync_dir(&tmp)?;

    let raft = dir.path(RAFT);
    let index = dir.path(INDEX);
    let safety = if is_empty_dir(&raft) && is_empty_dir(&index) {
        None
    } else {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let safety = dir.path(BACKUPS).join(format!("pre-restore-{ms}"));
        fs::create_dir_all(&safety).map_err(werr(&safety))?;
        for (from, name) in [(&raft, RAFT), (&index, INDEX)] {
            if from.exists() {
                fs::rename(from, safety.join(name)).map_err(werr(from))?;
            }
        }
        Some(safety)
    };
    finish_interrupted(dir.root())?;
    fs::create_dir_all(&index).map_err(werr(&index))?;
    info!(
        index = verified.manifest.applied_index,
        cluster = %verified.manifest.cluster,
        safety = ?safety,
        "backup restored"
    );
    Ok(RestoreReport {
        manifest: verified.manifest,
        status: verified.status,
        safety,
    })
}

/// Completes a restore whose swap was cut short: a complete `raft.restoring` with no live
/// storage beside it becomes `raft`; an incomplete one is discarded (the live storage was never
/// moved). The node calls it at every start, under the data directory's lock.
pub fn finish_interrupted(root: &Path) -> Result<(), RestoreError> {
    let tmp = root.join(RESTORING);
    if !tmp.exists() {
        return Ok(());
    }
    let raft = root.join(RAFT);
    if !tmp.join(COMPLETE).exists() {
        fs::remove_dir_all(&tmp).map_err(werr(&tmp))?;
        return Ok(());
    }
    if raft.exists() {
        if !is_empty_dir(&raft) {
            // Both complete: the restore never swapped; the caller decides (restore retries).
            return Ok(());
        }
        fs::remove_dir(&raft).map_err(werr(&raft))?;
    }
    fs::rename(&tmp, &raft).map_err(werr(&tmp))?;
    let marker = raft.join(COMPLETE);
    fs::remove_file(&marker).map_err(werr(&marker))?;
    sync_dir(root)
}

fn sync_dir(p: &Path) -> Result<(), RestoreError> {
    fs::File::open(p)
        .and_then(|f| f.sync_all())
        .map_err(werr(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup() -> Vec<u8> {
        let palace = chorus_palace::State::new(chorus_palace::Config::default())
            .expect("config")
            .snapshot_bytes();
        let origin = crate::Origin {
            cluster: "c".into(),
            node_name: "n".into(),
            applied_index: 41,
            term: 3,
            build_version: "0.2.0".into(),
            build_sha: "abc".into(),
            created_at_ms: 1,
        };
        crate::write(&origin, &palace)
    }

    #[test]
    fn a_restore_leaves_only_a_seed_file_in_raft_and_keeps_the_old_state() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("node");
        std::fs::create_dir_all(root.join("raft")).unwrap();
        std::fs::write(root.join("raft/db"), b"old storage").unwrap();
        let report = restore(&root, &backup()).unwrap();
        let names: Vec<String> = fs::read_dir(root.join("raft"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [seed::FILE_NAME], "no storage engine files");
        let s = seed::read(&root.join("raft")).unwrap().unwrap();
        assert_eq!((s.term, s.index), (3, 41));
        assert!(s.tables.is_empty());
        let safety = report.safety.expect("the old state was kept");
        assert_eq!(fs::read(safety.join("raft/db")).unwrap(), b"old storage");
    }

    #[test]
    fn a_locked_directory_is_a_temporary_failure_and_a_bad_file_is_bad_data() {
        let dir = tempfile::tempdir().unwrap();
        let _held = DataDir::open(dir.path()).unwrap();
        let e = restore(dir.path(), &backup()).unwrap_err();
        assert_eq!(e.exit_code(), exit::TEMPORARY, "{e}");
        let e = restore(dir.path(), b"not a backup").unwrap_err();
        assert_eq!(e.exit_code(), exit::DATA, "{e}");
    }
}
