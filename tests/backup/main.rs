//! Backup and restore drill (DESIGN §6), on in-process nodes with real sled files and the real
//! `chorus` CLI talking to them over their Unix sockets.

use std::{collections::BTreeMap, path::Path, process::Output, time::Duration};

use chorus_consensus::{Consistency, Op};
use chorus_palace::{Command, NewDrawer, NewFact};
use chorus_testkit::{LocalCluster, LocalNode, NodeOptions, wait_until};

const TIMEOUT: Duration = Duration::from_secs(60);

fn cli(args: &[&str]) -> anyhow::Result<Output> {
    Ok(
        std::process::Command::new(chorus_testkit::bin_path("chorus")?)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()?,
    )
}

fn drawer(i: usize) -> Command {
    Command::DrawerAdd(NewDrawer {
        wing: format!("agent-{}", i % 3),
        room: "notes".into(),
        content: format!("memory number {i}: the build broke on tuesday and was fixed"),
        added_by: "drill".into(),
        source: None,
        hall: None,
        metadata: BTreeMap::new(),
    })
}

fn fact(i: usize) -> Command {
    Command::KgFactAdd(NewFact {
        subject: format!("agent-{i}"),
        predicate: "works_on".into(),
        object: "chorus".into(),
        valid_from: Some(1_000 + i as u64),
        valid_to: None,
        confidence: None,
        source_drawer: None,
    })
}

/// Every file under `dir` with its bytes, to show a refused restore changed nothing.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                out.insert(p.strip_prefix(dir).unwrap_or(&p).display().to_string(), b);
            }
        }
    }
    out
}

async fn palace_bytes(n: &LocalNode, min: u64) -> anyhow::Result<Vec<u8>> {
    let (b, _) = n
        .handle
        .consensus
        .read(Consistency::MinIndex(min), |d| d.palace.snapshot_bytes())
        .await?;
    Ok(b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_restores_every_item_into_a_new_cluster_and_a_damaged_one_is_refused()
-> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = LocalCluster::start("drill", 3, &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    let follower = &c.nodes[(a.leader + 1) % 3];
    let mut last = 0;
    for i in 0..60 {
        last = follower
            .handle
            .consensus
            .write(Op::Palace(drawer(i)), None)
            .await?
            .index;
    }
    for i in 0..20 {
        last = follower
            .handle
            .consensus
            .write(Op::Palace(fact(i)), None)
            .await?
            .index;
    }
    let original = palace_bytes(follower, last).await?;

    let work = tempfile::tempdir()?;
    let file = work.path().join("drill.chorus-backup");
    let file_s = file.display().to_string();
    let dir_s = follower.data_dir.display().to_string();
    let min = last.to_string();
    let out = cli(&[
        "--data-dir",
        &dir_s,
        "backup",
        "create",
        "--out",
        &file_s,
        "--min-index",
        &min,
    ])?;
    assert!(
        out.status.success(),
        "create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(created["drawers"], 60, "{created}");
    assert!(created["applied_index"].as_u64() >= Some(last), "{created}");
    let out = cli(&["backup", "verify", &file_s])?;
    assert!(
        out.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // One flipped byte: verify fails (exit 65, bad data) and restore refuses it.
    let mut bytes = std::fs::read(&file)?;
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    let bad = work.path().join("bad.chorus-backup");
    std::fs::write(&bad, &bytes)?;
    let bad_s = bad.display().to_string();
    let out = cli(&["backup", "verify", &bad_s])?;
    assert_eq!(
        out.status.code(),
        Some(65),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("checksum"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Restoring onto a running node is refused by its lock.
    let out = cli(&["--data-dir", &dir_s, "backup", "restore", &file_s])?;
    assert_eq!(
        out.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"));

    let dirs: Vec<_> = c.nodes.iter().map(|n| n.data_dir.clone()).collect();
    // Keep the directories: stop the nodes, not their temporary homes.
    let mut homes = Vec::new();
    for n in c.nodes {
        let LocalNode { handle, tmp, .. } = n;
        handle.shutdown().await;
        homes.push(tmp);
    }

    // The damaged file is refused and leaves a stopped node's palace untouched.
    let before = tree(&dirs[0].join("raft"));
    let d0 = dirs[0].display().to_string();
    let out = cli(&["--data-dir", &d0, "backup", "restore", &bad_s])?;
    assert_eq!(
        out.status.code(),
        Some(65),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("untouched"));
    assert_eq!(
        tree(&dirs[0].join("raft")),
        before,
        "a refused restore changed the raft files"
    );

    // Disaster: every data directory is gone. Restore into a fresh one.
    for d in &dirs {
        std::fs::remove_dir_all(d)?;
    }
    let fresh = work.path().join("restored");
    let fresh_s = fresh.display().to_string();
    let out = cli(&[
        "--data-dir",
        &fresh_s,
        "backup",
        "restore",
        &file_s,
        "--json",
    ])?;
    assert!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The restored node forms a new cluster alone; two empty nodes join it and receive the
    // palace as a snapshot.
    let cluster = format!("drill2-{}", std::process::id());
    let seed = LocalNode::start(NodeOptions {
        data_dir: Some(fresh.clone()),
        ..NodeOptions::new(&cluster, "seed")
    })
    .await?;
    let boot = seed.bootstrap_addr().to_string();
    let mut nodes = vec![seed];
    for name in ["j1", "j2"] {
        nodes.push(
            LocalNode::start(
                NodeOptions::new(&cluster, name).env("CHORUS_BOOTSTRAP_PEERS", boot.clone()),
            )
            .await?,
        );
    }
    wait_until("both joiners to become voters", TIMEOUT, || async {
        let v = nodes[0].status().voters.map(|v| v.len()).unwrap_or(0);
        (v == 3, format!("{v} voters"))
    })
    .await?;
    // Every node holds the restored palace, byte for byte.
    for n in &nodes {
        wait_until("the restored palace on every node", TIMEOUT, || async {
            let b = palace_bytes(n, 0).await.unwrap_or_default();
            (
                b == original,
                format!(
                    "{} has {} palace bytes of {}",
                    n.opts.name,
                    b.len(),
                    original.len()
                ),
            )
        })
        .await?;
    }
    // A new write commits through the new cluster and reaches every node...
    let r = nodes[2]
        .handle
        .consensus
        .write(Op::Palace(drawer(1000)), None)
        .await?;
    for n in &nodes {
        let (found, _) = n
            .handle
            .consensus
            .read(Consistency::MinIndex(r.index), |d| {
                let drawers = (0..60).filter(|i| {
                    let content =
                        format!("memory number {i}: the build broke on tuesday and was fixed");
                    matches!(
                        d.palace
                            .find_duplicate(&format!("agent-{}", i % 3), "notes", &content),
                        Ok(Some(_))
                    )
                });
                let facts =
                    d.palace
                        .kg_query("chorus", None, chorus_palace::Direction::In, 100, None);
                (
                    drawers.count(),
                    facts.map(|p| p.items.len()).unwrap_or(0),
                    d.palace.status().drawers,
                )
            })
            .await?;
        // ...and every restored item is on every node.
        assert_eq!(found, (60, 20, 61), "node {}", n.opts.name);
    }
    for n in nodes {
        n.stop().await;
    }
    drop(homes);
    Ok(())
}
