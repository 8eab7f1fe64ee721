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
        content: content(i),
        added_by: "drill".into(),
        source: None,
        hall: None,
        metadata: BTreeMap::new(),
    })
}

/// Each drawer's text carries one word no other drawer has (`zq17marker`), so a search for it
/// finds exactly that drawer.
fn content(i: usize) -> String {
    format!("memory number {i}: the build broke on tuesday and was fixed, zq{i}marker")
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

/// The highest `applied_index` and `commit_index` seen per node name: neither may ever go
/// down, through backup, restore and the joins after it.
#[derive(Default)]
struct Watermarks(BTreeMap<String, (u64, u64)>);

impl Watermarks {
    /// Reads the node's status, checks it against what was seen before, returns its applied
    /// index.
    fn observe(&mut self, n: &LocalNode) -> u64 {
        let s = n.status();
        let (applied, commit) = (s.applied_index.unwrap_or(0), s.commit_index.unwrap_or(0));
        let seen = self.0.entry(n.opts.name.clone()).or_insert((0, 0));
        assert!(
            applied >= seen.0 && commit >= seen.1,
            "{}: indexes went backwards: applied {} -> {applied}, commit {} -> {commit}",
            n.opts.name,
            seen.0,
            seen.1
        );
        assert!(
            commit >= applied,
            "{}: commit {commit} < applied {applied}",
            n.opts.name
        );
        *seen = (applied, commit);
        applied
    }
}

/// Runs the CLI against a node's data directory and parses its JSON answer.
fn cli_json(dir: &Path, args: &[&str]) -> anyhow::Result<serde_json::Value> {
    let d = dir.display().to_string();
    let mut all = vec!["--data-dir", &d];
    all.extend_from_slice(args);
    all.push("--json");
    let out = cli(&all)?;
    anyhow::ensure!(
        out.status.success(),
        "chorus {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// The ids of the drawers a search for `word` finds on the node at `dir`, once its index
/// reflects `min_index`.
fn search_ids(dir: &Path, word: &str, min_index: u64) -> anyhow::Result<Vec<String>> {
    let min = min_index.to_string();
    let v = cli_json(dir, &["palace", "search", word, "--min-index", &min])?;
    Ok(v["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["drawer_id"].as_str().map(str::to_string))
        .collect())
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
    let mut marks = Watermarks::default();
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
    for n in &c.nodes {
        marks.observe(n);
    }

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
    let backup_index = created["applied_index"].as_u64().unwrap_or(0);
    assert!(backup_index >= last, "{created}");
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

    for n in &c.nodes {
        marks.observe(n);
    }
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
    // The restored node continues the index sequence: its applied and commit indexes start at
    // the backup's index, `/status` (through the CLI) and the palace agree, and a read that
    // waits for the backup's index answers at once.
    wait_until(
        "the restored node to lead its new cluster",
        TIMEOUT,
        || async {
            let s = seed.status();
            (s.is_leader == Some(true), format!("{s:?}"))
        },
    )
    .await?;
    let first = marks.observe(&seed);
    assert!(
        first >= backup_index,
        "restored node applied {first}, below the backup's {backup_index}"
    );
    let status = cli_json(&fresh, &["status"])?;
    assert!(
        status["applied_index"].as_u64() >= Some(backup_index)
            && status["commit_index"].as_u64() >= Some(backup_index),
        "/status after restore: {status}"
    );
    let backup_min = backup_index.to_string();
    let palace = cli_json(&fresh, &["palace", "status", "--min-index", &backup_min])?;
    assert_eq!(palace["drawers"], 60, "{palace}");
    assert!(
        palace["applied_index"].as_u64() >= Some(backup_index),
        "palace status after restore: {palace}"
    );
    // Search was rebuilt from the restored palace: drawers filed before the backup are found.
    assert_eq!(
        search_ids(&fresh, "zq17marker", backup_index)?.len(),
        1,
        "a drawer filed before the backup is not found after the restore"
    );
    let palace = cli_json(&fresh, &["palace", "status"])?;
    assert_eq!(palace["search"]["documents"], 60, "{palace}");
    assert!(
        palace["search"]["indexed_index"].as_u64() >= Some(backup_index),
        "{palace}"
    );

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
        marks.observe(n);
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
                    matches!(
                        d.palace
                            .find_duplicate(&format!("agent-{}", i % 3), "notes", &content(*i)),
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
        let applied = marks.observe(n);
        assert!(
            applied > backup_index && r.index > backup_index,
            "{}: applied {applied}, new write at {}, backup at {backup_index}",
            n.opts.name,
            r.index
        );
        // The new drawer and an old one are found by search on the restored node and on the
        // nodes that joined it (which installed the palace as a snapshot).
        for word in ["zq1000marker", "zq17marker"] {
            let ids = search_ids(&n.data_dir, word, r.index)?;
            assert_eq!(ids.len(), 1, "{}: search for {word}: {ids:?}", n.opts.name);
        }
    }
    for n in nodes {
        n.stop().await;
    }
    drop(homes);
    Ok(())
}

/// Every read command accepts `--json` and prints one JSON document, whether its default
/// output is text (`status`, `peers`, `members list`, …) or JSON already.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_read_command_accepts_json_and_prints_json() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = LocalCluster::start("json", 1, &[]).await?;
    c.wait_leader(TIMEOUT).await?;
    let n = &c.nodes[0];
    let dir = n.data_dir.as_path();
    let work = tempfile::tempdir()?;

    // Something to read: a drawer, a fact, a tunnel, a diary entry, a role and a record.
    let added = cli_json(
        dir,
        &[
            "palace",
            "add",
            "--wing",
            "w",
            "--room",
            "r",
            "--content",
            "zq1marker",
        ],
    )?;
    let id = added["id"].as_str().unwrap_or_default().to_string();
    cli_json(
        dir,
        &[
            "palace",
            "add",
            "--wing",
            "v",
            "--room",
            "r",
            "--content",
            "x",
        ],
    )?;
    cli_json(dir, &["palace", "kg", "add", "alice", "works_on", "chorus"])?;
    let tunnel = cli_json(
        dir,
        &["palace", "tunnel", "create", "--from", "w/r", "--to", "v/r"],
    )?;
    let tunnel = tunnel["id"].as_str().unwrap_or_default().to_string();
    cli_json(dir, &["palace", "diary", "write", "alice", "a day"])?;
    let admin = cli_json(dir, &["keys", "gen-role", "admin"])?;
    let admin = admin["recipient"].as_str().unwrap_or_default().to_string();
    cli_json(dir, &["roles", "set", "admin", &admin])?;
    let record = cli_json(
        dir,
        &[
            "record",
            "publish",
            "--address",
            "ucxl://a:admin@p:t/*^/x.md",
            "--roles",
            "admin",
            "--text",
            "hello",
        ],
    )?;
    let cid = record["cid"].as_str().unwrap_or_default().to_string();
    let exported = work.path().join("r.ucxl");
    let export = cli_json(dir, &["record", "export", &cid])?;
    std::fs::write(&exported, export["export"].as_str().unwrap_or_default())?;
    let exported = exported.display().to_string();
    let backup = work.path().join("b.chorus-backup").display().to_string();
    cli_json(dir, &["backup", "create", "--out", &backup])?;
    let key = dir.join("keys/roles/admin.age").display().to_string();

    let reads: &[&[&str]] = &[
        &["status"],
        &["peers"],
        &["members", "list"],
        &["palace", "get", &id],
        &["palace", "list"],
        &[
            "palace",
            "duplicate",
            "--wing",
            "w",
            "--room",
            "r",
            "--content",
            "zq1marker",
        ],
        &["palace", "taxonomy"],
        &["palace", "status"],
        &["palace", "search", "zq1marker"],
        &["palace", "kg", "query", "alice"],
        &["palace", "kg", "timeline", "alice"],
        &["palace", "kg", "stats"],
        &["palace", "tunnel", "list"],
        &["palace", "tunnel", "get", &tunnel],
        &["palace", "diary", "read", "alice"],
        &["roles", "list"],
        &["record", "get", &cid],
        &["record", "list"],
        &["record", "export", &cid],
        &["record", "verify", &exported],
        &["record", "decrypt", &cid, "--identity", &key],
        &["backup", "verify", &backup],
    ];
    for args in reads {
        let v = cli_json(dir, args)?;
        assert!(
            v.is_object() || v.is_array(),
            "chorus {args:?} --json printed {v}"
        );
    }
    for n in c.nodes {
        n.stop().await;
    }
    Ok(())
}

/// Unpacks a release fixture's data directory (see `tests/fixtures/make-release-fixture`).
fn unpack_fixture(fixture: &Path, into: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(into)?;
    let out = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(fixture.join("data.tar.gz"))
        .arg("-C")
        .arg(into)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "tar: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// A data directory and a backup written by release 0.1.0 open with this build: the node
/// starts on the directory with its palace, records and search intact and continues its log;
/// the backup verifies and restores.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_data_directory_and_a_backup_of_release_0_1_0_still_open() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/release-0.1.0");
    let expect: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture.join("expect.json"))?)?;
    let applied = expect["applied_index"].as_u64().unwrap_or(u64::MAX);
    let work = tempfile::tempdir()?;
    let dir = work.path().join("node");
    unpack_fixture(&fixture, &dir)?;

    let node = LocalNode::start(NodeOptions {
        data_dir: Some(dir.clone()),
        ..NodeOptions::new("fixture", "fixture").env("CHORUS_BOOTSTRAP_EXPECT", "1")
    })
    .await?;
    wait_until("the fixture node to lead", TIMEOUT, || async {
        let s = node.status();
        (s.is_leader == Some(true), format!("{s:?}"))
    })
    .await?;
    let min = applied.to_string();
    let palace = cli_json(&dir, &["palace", "status", "--min-index", &min])?;
    assert_eq!(palace["drawers"], expect["drawers"], "{palace}");
    assert_eq!(search_ids(&dir, "zq7fixture", applied)?.len(), 1);
    let cid = expect["record_cid"].as_str().unwrap_or_default();
    let record = cli_json(&dir, &["record", "get", cid])?;
    assert_eq!(record["record"]["cid"], cid, "{record}");
    assert_eq!(record["record"]["verified"], true, "{record}");
    let key = dir.join("keys/roles/admin.age").display().to_string();
    let plain = cli_json(&dir, &["record", "decrypt", cid, "--identity", &key])?;
    assert_eq!(plain["text"], "we keep the old data readable", "{plain}");
    let added = cli_json(
        &dir,
        &[
            "palace",
            "add",
            "--wing",
            "w",
            "--room",
            "r",
            "--content",
            "after the upgrade",
        ],
    )?;
    assert!(added["index"].as_u64() > Some(applied), "{added}");
    node.stop().await;

    let backup = fixture.join("palace.chorus-backup").display().to_string();
    let verified = cli_json(work.path(), &["backup", "verify", &backup])?;
    assert_eq!(
        verified["manifest"]["applied_index"], expect["backup_index"],
        "{verified}"
    );
    let fresh = work.path().join("restored");
    cli_json(&fresh, &["backup", "restore", &backup])?;
    let restored = LocalNode::start(NodeOptions {
        data_dir: Some(fresh.clone()),
        ..NodeOptions::new("fixture-restored", "r")
    })
    .await?;
    let backup_min = expect["backup_index"].to_string();
    let palace = cli_json(&fresh, &["palace", "status", "--min-index", &backup_min])?;
    assert_eq!(palace["drawers"], expect["drawers"], "{palace}");
    restored.stop().await;
    Ok(())
}
