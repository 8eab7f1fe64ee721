//! Records suite: decision records published, announced, fetched, verified and decrypted on
//! real swarms over loopback, with real sled files; tampering, durability and versions.

mod t10_publish;
mod t20_tamper;
mod t30_durable;
mod t40_versions;
mod t50_roles;
mod t60_cli;

use std::{path::Path, time::Duration};

use chorus_crypto::RoleIdentity;
use chorus_decisions::Publish;
use chorus_testkit::{LocalCluster, LocalNode, wait_until};
use chorus_types::ucxl::Address;

/// Generous: CI machines have 2 cores shared by several clusters.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Role keys of a test cluster: `admin` held by node 0, `developer` by node 1.
pub struct Keys {
    /// Held by node 0.
    pub admin: RoleIdentity,
    /// Held by node 1.
    pub developer: RoleIdentity,
}

/// Writes `role`'s identity into a node's `<data>/keys/roles/`.
pub fn give_role(node: &LocalNode, role: &str) -> RoleIdentity {
    let (_, id) = RoleIdentity::generate_file(&node.data_dir.join("keys/roles"), role)
        .expect("role identity written");
    id
}

/// Starts `n` nodes, waits for a leader and a full mesh, gives node 0 `admin` and node 1
/// `developer`, and registers both roles (node 0 proves it holds admin).
pub async fn cluster(name: &str, n: usize) -> anyhow::Result<(LocalCluster, Keys)> {
    // Two shared cores run every suite at once: a write may wait well past production's 10 s.
    let c = LocalCluster::start(name, n, &[("CHORUS_WRITE_TIMEOUT", "30s")]).await?;
    c.wait_leader(TIMEOUT).await?;
    wait_until("a full mesh", TIMEOUT, || async {
        let counts: Vec<usize> = c.nodes.iter().map(LocalNode::peer_count).collect();
        (
            counts.iter().all(|k| *k == n - 1),
            format!("peer counts {counts:?}"),
        )
    })
    .await?;
    let admin = give_role(&c.nodes[0], "admin");
    let developer = give_role(&c.nodes[1], "developer");
    let r0 = &c.nodes[0].handle.records;
    r0.set_role("admin", &[admin.recipient().to_string()])
        .await?;
    r0.set_role("developer", &[developer.recipient().to_string()])
        .await?;
    Ok((c, Keys { admin, developer }))
}

/// A publication of `text` to `address`, readable by `developer` (and admin).
pub fn draft(address: &str, text: &str) -> Publish {
    Publish {
        address: address.parse::<Address>().expect("test address"),
        roles: vec!["developer".into()],
        content_type: "text/plain".into(),
        body: text.as_bytes().to_vec(),
        task: None,
        parents: Vec::new(),
    }
}

/// Records a node received and verified, whatever the source.
pub fn received(node: &LocalNode) -> f64 {
    ["palace", "dht", "peer"]
        .iter()
        .map(|v| node.metric(&format!("chorus_records_received_total{{via=\"{v}\"}}")))
        .sum()
}

/// Rejections counted for `reason` on a node.
pub fn rejected(node: &LocalNode, reason: &str) -> f64 {
    node.metric(&format!(
        "chorus_records_rejected_total{{reason=\"{reason}\"}}"
    ))
}

/// Whether any file under `dir` contains `needle`.
pub fn files_contain(dir: &Path, needle: &[u8]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            files_contain(&p, needle)
        } else {
            std::fs::read(&p)
                .map(|b| b.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
        }
    })
}
