use serde_json::{Value, json};

use crate::{TIMEOUT, client, index_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_brought_up_by_a_snapshot_rebuilds_its_search_index() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    // Snapshots every 20 entries purge the log, so a node that missed 60 entries can only
    // catch up through a snapshot: its index must then be rebuilt from the installed state.
    let mut c =
        chorus_testkit::ProcessCluster::start("psnap", 3, &[], &[("CHORUS_SNAPSHOT_EVERY", "20")])
            .await?;
    let a = c.wait_leader(TIMEOUT).await?;
    let lagger = (a.leader + 1) % 3;
    let writer = (a.leader + 2) % 3;
    tracing::info!(
        lagger,
        "phase: stop a follower and write 60 drawers without it"
    );
    c.nodes[lagger].kill()?;
    let w = client(&c, writer);
    let mut last = 0;
    for i in 0..60 {
        let v: Value = w
            .post(
                "/v1/palace/drawers",
                &json!({"wing": "snap", "room": "r", "content": format!("okapi number {i} while away")}),
                &[],
            )
            .await?;
        last = index_of(&v);
    }
    tracing::info!(last, "phase: restart it; search there finds every drawer");
    c.nodes[lagger].restart().await?;
    let r = client(&c, lagger);
    let v: Value =
        chorus_testkit::wait_for("the restarted node to index the snapshot", TIMEOUT, || {
            let r = r.clone();
            async move {
                r.get::<Value>(&format!(
                    "/v1/palace/search?q=okapi&limit=100&min_index={last}"
                ))
                .await
                .map_err(|e| e.to_string())
            }
        })
        .await?;
    assert_eq!(v["hits"].as_array().map(Vec::len), Some(60), "{v}");
    let st: Value = r.get("/v1/palace/status").await?;
    assert!(st["search"]["rebuilds"].as_u64() >= Some(1), "{st}");
    // The rebuild came from an installed snapshot, not from replaying the log.
    let log = strip_ansi(&std::fs::read_to_string(
        c.nodes[lagger].data_dir.with_extension("log"),
    )?);
    let from_snapshot = log
        .lines()
        .filter(|l| l.contains("search index rebuilt"))
        .filter_map(|l| l.split("applied_index=").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter_map(|n| {
            n.trim_matches(|c: char| !c.is_ascii_digit())
                .parse::<u64>()
                .ok()
        })
        .any(|n| n >= 20);
    assert!(
        from_snapshot,
        "no rebuild at a snapshot index in the lagger's log"
    );
    Ok(())
}

/// The text without terminal colour sequences (`ESC [ … m`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
