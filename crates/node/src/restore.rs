//! Restoring a backup into a stopped node's data directory (DESIGN §6).
//!
//! The swap: the restored Raft storage is built beside the live one (`raft.restoring`, marked
//! complete only once flushed), the live `raft/` and `index/` move into
//! `backups/pre-restore-<ms>/` (the safety snapshot: the whole previous state, kept), and
//! `raft.restoring` is renamed to `raft`. Only entries *inside* the data directory are renamed,
//! never the directory itself, so it works when the data directory is a bind mount. A swap cut
//! short is finished at the next start or restore ([`finish_interrupted`]).

use std::{
    fs, io,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use tracing::info;

use crate::{DataDir, DataDirError};

const RESTORING: &str = "raft.restoring";
const COMPLETE: &str = "RESTORE-COMPLETE";

/// Restoring failed; the data directory is as it was unless the error says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The file failed verification: nothing was touched.
    #[error("{0}; nothing was restored and the data directory is untouched")]
    Verify(#[from] chorus_backup::Error),
    /// The data directory is locked by a running node, or unusable.
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    /// Writing the restored storage failed.
    #[error("restore into {path}: {reason}")]
    Write {
        /// The path involved.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// The backup's manifest.
    pub manifest: chorus_backup::Manifest,
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
    let verified = chorus_backup::verify(backup)?;
    let dir = DataDir::open(root)?;
    finish_interrupted(dir.root())?;
    let tmp = dir.path(RESTORING);
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(werr(&tmp))?;
    }
    let seed = chorus_consensus::store::Seed::from_palace(
        verified.palace.clone(),
        verified.manifest.term,
        verified.manifest.applied_index,
    );
    chorus_consensus::store::seed::write(&tmp, &seed).map_err(|reason| RestoreError::Write {
        path: tmp.clone(),
        reason,
    })?;
    let marker = tmp.join(COMPLETE);
    fs::write(&marker, verified.manifest.applied_index.to_string()).map_err(werr(&marker))?;
    sync_dir(&tmp)?;

    let raft = dir.path("raft");
    let index = dir.path("index");
    let safety = if is_empty_dir(&raft) && is_empty_dir(&index) {
        None
    } else {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let safety = dir.path("backups").join(format!("pre-restore-{ms}"));
        fs::create_dir_all(&safety).map_err(werr(&safety))?;
        for (from, name) in [(&raft, "raft"), (&index, "index")] {
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
/// moved). Called at every start.
pub fn finish_interrupted(root: &Path) -> Result<(), RestoreError> {
    let tmp = root.join(RESTORING);
    if !tmp.exists() {
        return Ok(());
    }
    let raft = root.join("raft");
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
