//! Mesh suite: discovery, presence, private networks and hostile input, on real libp2p swarms
//! over loopback TCP + Noise.

mod t10_bootstrap;
mod t20_mdns;
mod t30_dns;
mod t40_presence;
mod t50_secret;
mod t60_hostile;
mod t70_metrics;

use std::time::Duration;

use chorus_testkit::{LocalNode, NodeOptions, wait_until};

/// Generous: a loaded CI machine with 2 cores runs many suites at once.
pub const MESH_TIMEOUT: Duration = Duration::from_secs(60);

/// A cluster name unique to this test run, so parallel tests never mix.
pub fn cluster(test: &str) -> String {
    format!("t-{test}-{}", std::process::id())
}

/// Waits until every node sees every other.
pub async fn wait_full_mesh(nodes: &[LocalNode]) -> anyhow::Result<()> {
    let want = nodes.len() - 1;
    wait_until(
        &format!("a full mesh of {} nodes", nodes.len()),
        MESH_TIMEOUT,
        || async {
            let counts: Vec<usize> = nodes.iter().map(LocalNode::peer_count).collect();
            (
                counts.iter().all(|c| *c == want),
                format!("peer counts {counts:?}"),
            )
        },
    )
    .await
}

/// Starts `n` nodes where every node after the first bootstraps from the first only.
pub async fn start_bootstrapped(
    cluster: &str,
    n: usize,
    extra: &[(&str, &str)],
) -> anyhow::Result<Vec<LocalNode>> {
    let mut nodes = Vec::new();
    for i in 0..n {
        let mut o = NodeOptions::new(cluster, &format!("n{i}"));
        for (k, v) in extra {
            o = o.env(k, *v);
        }
        if let Some(first) = nodes.first() {
            let first: &LocalNode = first;
            o = o.env("CHORUS_BOOTSTRAP_PEERS", first.bootstrap_addr().to_string());
        }
        nodes.push(LocalNode::start(o).await?);
    }
    Ok(nodes)
}
