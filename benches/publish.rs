//! Publish → received-and-verified on all 5 loopback nodes, p50/p99 over 200 records, beside a
//! plain palace write (drawer add) from the same node in the same run.
//!
//! Five in-process nodes on loopback TCP + Noise (`LocalCluster`). Each record is published
//! from a follower (so its commit is forwarded, as for most publishers); the clock stops when
//! the other four nodes have each fetched and verified it (their `watch_verified` count moves).
//! Run: `./scripts/bench publish`.

mod common;

use std::time::{Duration, Instant};

use chorus_consensus::Op;
use chorus_decisions::Publish;
use chorus_palace::{Command, NewDrawer};
use chorus_testkit::LocalCluster;
use common::{pct, sorted};

const RECORDS: usize = 200;
const NODES: usize = 5;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn line(name: &str, v: Vec<f64>) {
    let s = sorted(v);
    println!(
        "{name:<44} p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms",
        pct(&s, 0.5),
        pct(&s, 0.99),
        pct(&s, 1.0)
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let c = LocalCluster::start("bench-publish", NODES, &[]).await?;
    let leader = c.wait_leader(Duration::from_secs(60)).await?.leader;
    let deadline = Instant::now() + Duration::from_secs(60);
    while c.nodes.iter().any(|n| n.peer_count() < NODES - 1) {
        anyhow::ensure!(Instant::now() < deadline, "mesh did not form");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let author = (leader + 1) % NODES;
    let admin = chorus_crypto::RoleIdentity::generate_file(
        &c.nodes[author].data_dir.join("keys/roles"),
        "admin",
    )?
    .1;
    let dev = chorus_crypto::RoleIdentity::generate();
    let records = &c.nodes[author].handle.records;
    records
        .set_role("admin", &[admin.recipient().to_string()])
        .await?;
    records
        .set_role("developer", &[dev.recipient().to_string()])
        .await?;
    let body = vec![b'x'; 1024];

    let mut publish = Vec::new();
    let mut everywhere = Vec::new();
    let records_n: usize = std::env::var("CHORUS_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(RECORDS);
    for i in 0..records_n {
        let mut watches: Vec<_> = c
            .nodes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != author)
            .map(|(_, n)| n.handle.records.watch_verified())
            .collect();
        let before: Vec<u64> = watches.iter().map(|w| *w.borrow()).collect();
        let t = Instant::now();
        records
            .publish(Publish {
                address: format!("ucxl://bench:developer@chorus:bench/*^/r{i}.md").parse()?,
                roles: vec!["developer".into()],
                content_type: "text/plain".into(),
                body: body.clone(),
                task: None,
                parents: Vec::new(),
            })
            .await?;
        publish.push(ms(t.elapsed()));
        for (w, b) in watches.iter_mut().zip(before) {
            tokio::time::timeout(Duration::from_secs(30), w.wait_for(|n| *n > b)).await??;
        }
        everywhere.push(ms(t.elapsed()));
    }

    let mut drawer = Vec::new();
    for i in 0..RECORDS {
        let t = Instant::now();
        c.nodes[author]
            .handle
            .consensus
            .write(
                Op::Palace(Command::DrawerAdd(NewDrawer {
                    wing: "bench".into(),
                    room: "r".into(),
                    content: format!("{i} {}", "x".repeat(1024)),
                    added_by: "bench".into(),
                    source: None,
                    hall: None,
                    metadata: Default::default(),
                })),
                None,
            )
            .await?;
        drawer.push(ms(t.elapsed()));
    }

    println!("{RECORDS} records of 1 KiB, {NODES} loopback nodes, published from a follower");
    line("record published (fence + commit + DHT + gossip)", publish);
    line("record received and verified on all 5", everywhere);
    line("reference: palace write, drawer add 1 KiB", drawer);
    c.stop().await;
    Ok(())
}
