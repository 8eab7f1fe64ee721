//! Output: JSON and text renderings of the node's answers, and exit codes.

use std::path::PathBuf;

use chorus_types::{exit, status::Status};
use serde::Serialize;
use serde_json::Value;

/// A failure that carries its exit code (a damaged backup is [`exit::DATA`], a data directory
/// in use [`exit::TEMPORARY`], …).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// What went wrong.
    pub message: String,
}

/// Input that is refused or unreadable (a damaged backup, a rejected record): exit 65.
pub fn bad_data(message: impl Into<String>) -> Failure {
    Failure {
        code: exit::DATA,
        message: message.into(),
    }
}

/// The exit code for an error: its own, the client's for node errors, else 70.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if let Some(f) = e.downcast_ref::<Failure>() {
        f.code
    } else if let Some(c) = e.downcast_ref::<chorus_client::Error>() {
        c.exit_code()
    } else {
        exit::SOFTWARE
    }
}

/// Prints `value` as pretty JSON with its keys in alphabetical order (as the node writes them).
pub fn print(value: &impl Serialize) -> anyhow::Result<()> {
    let v = serde_json::to_value(value)?;
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

/// Runs the sibling program `name` (or the one `env` names) with `args` in place of this
/// process: its output, signals and exit code are the user's.
pub fn run_sibling(name: &str, env: &str, args: &[String]) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    let path = match std::env::var_os(env) {
        Some(p) => PathBuf::from(p),
        None => std::env::current_exe()?.with_file_name(name),
    };
    let err = std::process::Command::new(&path).args(args).exec();
    anyhow::bail!(
        "{}: cannot run it ({err}); build it (cargo build --bins) or set {env}",
        path.display()
    )
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map(|x| x.to_string())
        .unwrap_or_else(|| "-".into())
}

/// Prints a status document.
pub fn status(s: &Status, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(s)?);
        return Ok(());
    }
    println!("node:          {} ({})", s.node_name, s.role);
    println!("cluster:       {}", s.cluster);
    println!("peer id:       {}", s.peer_id);
    println!("raft id:       {}", opt(&s.raft_id));
    println!(
        "leader:        {}{}",
        opt(&s.leader_peer_id),
        if s.is_leader == Some(true) {
            " (this node)"
        } else {
            ""
        }
    );
    println!("term:          {}", opt(&s.term));
    println!(
        "commit/applied: {}/{}",
        opt(&s.commit_index),
        opt(&s.applied_index)
    );
    println!(
        "voters:        {}",
        s.voters
            .as_ref()
            .map(|v| v.len().to_string())
            .unwrap_or_else(|| "-".into())
    );
    println!("peers:         {}", s.peers_connected);
    println!("listening:     {}", s.listen_addrs.join(", "));
    println!("version:       {} ({})", s.version, s.build_sha);
    Ok(())
}

/// Prints the peer list.
pub fn peers(peers: &[Value], json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(peers)?);
        return Ok(());
    }
    println!(
        "{:<54} {:<10} {:<16} ADDRESSES",
        "PEER", "CONNECTED", "NAME"
    );
    for p in peers {
        let name = p["presence"]["node_name"].as_str().unwrap_or("-");
        let addrs: Vec<&str> = p["addrs"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        println!(
            "{:<54} {:<10} {:<16} {}",
            p["peer_id"].as_str().unwrap_or("?"),
            p["connected"].as_bool().unwrap_or(false),
            name,
            addrs.join(",")
        );
    }
    Ok(())
}
