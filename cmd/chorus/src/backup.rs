//! `chorus backup create|verify|restore`.

use std::{io::Write, path::PathBuf};

use anyhow::Context;
use chorus_client::types::ReadParams;
use clap::Subcommand;

use crate::{
    output::{Failure, bad_data},
    target::TargetArgs,
};

/// Backups of the palace.
#[derive(Subcommand, Debug)]
pub enum BackupCmd {
    /// Take a consistent backup of the palace from the node and write it to a file.
    Create {
        /// Output file (default: `chorus-<cluster>-<index>.chorus-backup` in the current directory).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Wait until the node applied at least this index first.
        #[arg(long)]
        min_index: Option<u64>,
        /// Take it at a linearizable point (confirmed with the leader).
        #[arg(long)]
        linearizable: bool,
    },
    /// Check a backup file without restoring it (works offline).
    Verify {
        /// The backup file.
        file: PathBuf,
    },
    /// Restore a backup into the data directory of a STOPPED node (--data-dir). The node then
    /// starts a new cluster holding the restored palace; other nodes join it.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
}

fn read_file(file: &PathBuf) -> anyhow::Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("backup file {}: cannot read", file.display()))
}

/// Runs a backup command.
pub async fn run(target: &TargetArgs, cmd: BackupCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        BackupCmd::Create {
            out,
            min_index,
            linearizable,
        } => {
            let read = if linearizable {
                ReadParams::new(None, true)
            } else {
                ReadParams::new(min_index, false)
            };
            let bytes = target.client()?.backup(&read).await?;
            let v = chorus_backup::verify(&bytes).map_err(|e| {
                bad_data(format!(
                    "the node sent a backup that fails verification: {e}"
                ))
            })?;
            let m = &v.manifest;
            let out = out.unwrap_or_else(|| {
                PathBuf::from(format!(
                    "chorus-{}-{}{}",
                    m.cluster,
                    m.applied_index,
                    chorus_backup::FILE_SUFFIX
                ))
            });
            write_atomically(&out, &bytes)?;
            println!(
                "{}",
                serde_json::json!({
                    "file": out.display().to_string(),
                    "bytes": bytes.len(),
                    "cluster": m.cluster,
                    "applied_index": m.applied_index,
                    "term": m.term,
                    "drawers": v.status.drawers,
                })
            );
            Ok(())
        }
        BackupCmd::Verify { file } => {
            let bytes = read_file(&file)?;
            let v = chorus_backup::verify(&bytes)
                .map_err(|e| bad_data(format!("{}: {e}", file.display())))?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "ok": true, "manifest": v.manifest, "status": v.status,
                    }))?
                );
            } else {
                let m = &v.manifest;
                println!(
                    "{}: OK, cluster {} at index {} (term {}), taken by {} with chorus {} ({}); {} drawers",
                    file.display(),
                    m.cluster,
                    m.applied_index,
                    m.term,
                    m.node_name,
                    m.build_version,
                    m.build_sha,
                    v.status.drawers
                );
            }
            Ok(())
        }
        BackupCmd::Restore { file } => {
            let bytes = read_file(&file)?;
            let dir = target.local_data_dir();
            let report = chorus_backup::restore(&dir, &bytes).map_err(|e| {
                let message = match &e {
                    chorus_backup::RestoreError::Verify(_) => format!("{}: {e}", file.display()),
                    _ => e.to_string(),
                };
                Failure {
                    code: e.exit_code(),
                    message,
                }
            })?;
            let m = &report.manifest;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "data_dir": dir.display().to_string(),
                        "manifest": m,
                        "status": report.status,
                        "safety": report.safety.as_ref().map(|p| p.display().to_string()),
                    }))?
                );
            } else {
                println!(
                    "restored {} drawers from cluster {} at index {} into {}",
                    report.status.drawers,
                    m.cluster,
                    m.applied_index,
                    dir.display()
                );
                if let Some(s) = &report.safety {
                    println!("the previous state was moved to {}", s.display());
                }
                println!(
                    "start the node: it forms a new cluster holding this palace; start the others with --bootstrap-peers pointing at it"
                );
            }
            Ok(())
        }
    }
}

fn write_atomically(out: &PathBuf, bytes: &[u8]) -> anyhow::Result<()> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "backup".into());
    let tmp = out.with_file_name(format!(".{name}.partial"));
    let mut f = std::fs::File::create(&tmp)
        .with_context(|| format!("--out {}: cannot create", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("--out {}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, out)
        .with_context(|| format!("--out {}: cannot rename", out.display()))?;
    Ok(())
}
