//! `chorus record …`: publish, read, export, and verify or decrypt records, offline for files.

use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine as _;
use chorus_client::types::records::{NewRecord, RecordQuery};
use chorus_records::{Limits, VerifiedRecord};
use clap::Subcommand;
use serde_json::{Value, json};

use crate::{
    output::{bad_data, print},
    target::TargetArgs,
};

/// The largest record nodes accept (the palace's envelope limit), so a file that verifies here
/// is one a node would keep.
const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// The most records `chorus record list` shows (the node's limit).
const MAX_LIST: usize = 1000;

/// Record commands.
#[derive(Subcommand, Debug)]
pub enum RecordCmd {
    /// Publish a record: signed by the node, encrypted to the roles (and admin).
    Publish {
        /// UCXL address; its version part is replaced by the next version.
        #[arg(long)]
        address: String,
        /// Roles that may read it, comma separated.
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<String>,
        /// Body from this file.
        #[arg(long, conflicts_with = "text", required_unless_present = "text")]
        file: Option<PathBuf>,
        /// Body as text.
        #[arg(long)]
        text: Option<String>,
        /// Media type of the body.
        #[arg(long)]
        content_type: Option<String>,
        /// Task the record belongs to.
        #[arg(long)]
        task: Option<String>,
    },
    /// Show a record's verified header, by address (ucxl://…, versions *^, *N, ~~N) or cid.
    Get {
        /// Address or cid.
        what: String,
    },
    /// List records in the palace.
    List {
        /// Only this project.
        #[arg(long)]
        project: Option<String>,
        /// Only this task.
        #[arg(long)]
        task: Option<String>,
    },
    /// Print a record as armoured text (redirect to a file to keep it).
    Export {
        /// Cid.
        cid: String,
    },
    /// Verify a record: an exported file (offline) or a cid fetched from the node.
    Verify {
        /// File or cid.
        what: String,
    },
    /// Decrypt a record with a role identity file; prints the body.
    Decrypt {
        /// File (offline) or cid.
        what: String,
        /// The role identity file (mode 0600).
        #[arg(long)]
        identity: PathBuf,
    },
}

/// The record named by `what`: a file read offline, or a cid exported by the node.
async fn load(target: &TargetArgs, what: &str) -> anyhow::Result<VerifiedRecord> {
    let limits = Limits {
        max_record_bytes: MAX_RECORD_BYTES,
    };
    let path = Path::new(what);
    if path.exists() {
        return chorus_records::verify_file(path, &limits)
            .map_err(|e| bad_data(format!("rejected: {}", describe(&e))).into());
    }
    let text = target.client()?.export_record(what).await?;
    chorus_records::verify_export(text.as_bytes(), &limits)
        .map_err(|r| bad_data(format!("rejected ({}): {r}", r.reason())).into())
}

fn describe(e: &chorus_records::FileError) -> String {
    match e {
        chorus_records::FileError::Rejected { rejection, .. } => {
            format!("({}) {e}", rejection.reason())
        }
        other => other.to_string(),
    }
}

fn header_json(r: &VerifiedRecord) -> Value {
    json!({ "cid": r.cid().to_string(), "verified": true, "header": r.header() })
}

/// Runs a record command.
pub async fn run(target: &TargetArgs, cmd: RecordCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        RecordCmd::Publish {
            address,
            roles,
            file,
            text,
            content_type,
            task,
        } => {
            let mut record = NewRecord {
                address,
                roles,
                content_type,
                task,
                ..NewRecord::default()
            };
            match (file, text) {
                (Some(f), _) => {
                    let bytes = std::fs::read(&f)
                        .with_context(|| format!("--file {}: cannot read", f.display()))?;
                    record.body_b64 = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
                }
                (None, Some(t)) => record.text = Some(t),
                (None, None) => anyhow::bail!("one of --file and --text is required"),
            }
            print(&target.client()?.publish_record(&record).await?)
        }
        RecordCmd::Get { what } => {
            let client = target.client()?;
            let v = if what.starts_with("ucxl://") {
                client.record_at(&what).await?
            } else {
                client.record(&what).await?
            };
            print(&v)
        }
        RecordCmd::List { project, task } => {
            let q = RecordQuery {
                project,
                task,
                limit: Some(MAX_LIST),
            };
            let v = target.client()?.records(&q).await?;
            if json {
                return print(&v);
            }
            for r in v["items"].as_array().into_iter().flatten() {
                println!(
                    "{}  v{}  {}",
                    r["cid"].as_str().unwrap_or(""),
                    r["version"],
                    r["address_key"].as_str().unwrap_or("")
                );
            }
            Ok(())
        }
        RecordCmd::Export { cid } => {
            let text = target.client()?.export_record(&cid).await?;
            if json {
                return print(&json!({ "cid": cid, "export": text }));
            }
            print!("{text}");
            Ok(())
        }
        RecordCmd::Verify { what } => {
            let r = load(target, &what).await?;
            print(&header_json(&r))
        }
        RecordCmd::Decrypt { what, identity } => {
            let r = load(target, &what).await?;
            let id = chorus_crypto::RoleIdentity::load(&identity)
                .map_err(|e| bad_data(e.to_string()))?;
            let plain = chorus_records::decrypt(&r, std::slice::from_ref(&id))
                .map_err(|e| bad_data(e.to_string()))?;
            if json {
                return print(&json!({
                    "cid": r.cid().to_string(),
                    "bytes": plain.len(),
                    "text": std::str::from_utf8(&plain).ok(),
                    "body_b64": base64::engine::general_purpose::STANDARD.encode(&plain),
                }));
            }
            use std::io::Write;
            std::io::stdout().write_all(&plain)?;
            Ok(())
        }
    }
}
