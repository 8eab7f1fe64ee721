//! Human and JSON output.

use chorus_types::status::Status;

/// Input that is refused or unreadable (a damaged backup, a rejected record): exit 65
/// (EX_DATAERR).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadData(pub String);

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
pub fn peers(peers: &[serde_json::Value], json: bool) -> anyhow::Result<()> {
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
