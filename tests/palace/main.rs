//! Palace suite: full-text search kept current on every node, the knowledge graph over the API
//! and CLI, and `chorus mcp` driven by the official Python MCP SDK, all against clusters of
//! real `chorus-agent` processes.

mod t10_search;
mod t20_kg;
mod t30_mcp;
mod t40_snapshot;

use std::time::Duration;

use chorus_client::Client;
use chorus_testkit::{Agreement, ProcessCluster};
use serde_json::Value;

/// Generous: CI machines have 2 cores shared by several clusters.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Starts a 3-node process cluster and waits for its leader.
pub async fn cluster(name: &str) -> anyhow::Result<(ProcessCluster, Agreement)> {
    let c = ProcessCluster::start(name, 3, &[], &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    Ok((c, a))
}

/// A client with a deadline that suits a loaded test machine.
pub fn client(c: &ProcessCluster, i: usize) -> Client {
    c.nodes[i].client().with_timeout(TIMEOUT)
}

/// The write index of a write answer.
pub fn index_of(v: &Value) -> u64 {
    v["index"]
        .as_u64()
        .unwrap_or_else(|| panic!("no index in {v}"))
}

/// Runs the `chorus` CLI against node `i` and parses its JSON output.
pub fn cli(c: &ProcessCluster, i: usize, args: &[&str]) -> anyhow::Result<Value> {
    let out = std::process::Command::new(chorus_testkit::bin_path("chorus")?)
        .arg("--data-dir")
        .arg(&c.nodes[i].data_dir)
        .args(args)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "chorus {args:?} exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}
