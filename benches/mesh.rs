//! Mesh benchmark (issue #3): time from starting N nodes to a full mesh for N = 3, 10, 20 on
//! loopback, gossip delivery latency to all nodes, and, measured in the same run, the loopback
//! TCP round trip (the physical floor).
//!
//! Run: `cargo bench -p chorus-benches --bench mesh` (set `CHORUS_BENCH_ROUNDS` to change the
//! number of formations per N, default 5).

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use chorus_p2p::{Event, Topic};
use chorus_testkit::{LocalNode, NodeOptions, free_port};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v
}

/// Starts `n` nodes at once, every node bootstrapping from node 0's address only (the DHT
/// introduces the rest); returns the nodes and the time until every node saw all others.
async fn form(n: usize, round: usize) -> anyhow::Result<(Vec<LocalNode>, Duration)> {
    let cluster = format!("bench-mesh-{n}-{round}-{}", std::process::id());
    let ports: Vec<u16> = (0..n).map(|_| free_port()).collect::<Result<_, _>>()?;
    let boot = format!("/ip4/127.0.0.1/tcp/{}", ports[0]);
    let t0 = Instant::now();
    let starts = ports.iter().enumerate().map(|(i, p)| {
        let mut o = NodeOptions::new(&cluster, &format!("m{i}"))
            .env("CHORUS_LISTEN_ADDRS", format!("/ip4/127.0.0.1/tcp/{p}"))
            // Consensus stays idle: this measures the mesh alone.
            .env("CHORUS_BOOTSTRAP_EXPECT", "64");
        if i > 0 {
            o = o.env("CHORUS_BOOTSTRAP_PEERS", boot.clone());
        }
        LocalNode::start(o)
    });
    let nodes: Vec<LocalNode> = futures::future::try_join_all(starts).await?;
    let mut watches: Vec<_> = nodes.iter().map(|n| n.handle.p2p.watch_members()).collect();
    for w in &mut watches {
        tokio::time::timeout(Duration::from_secs(120), w.wait_for(|m| m.len() >= n - 1)).await??;
    }
    Ok((nodes, t0.elapsed()))
}

/// Publishes `count` messages from rotating nodes; returns per-message latency until every other
/// node delivered it, and per-delivery latencies.
async fn gossip(nodes: &[LocalNode], count: usize) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let n = nodes.len();
    let sent: Arc<std::sync::Mutex<HashMap<u64, Instant>>> = Arc::default();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(u64, Instant)>(100_000);
    for node in nodes {
        let mut events = node.handle.p2p.subscribe();
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Ok(ev) = events.recv().await {
                if let Event::Gossip(m) = ev
                    && m.topic == Topic::Hmmm
                    && m.data.len() >= 8
                {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&m.data[..8]);
                    let _ = tx.send((u64::from_le_bytes(b), Instant::now())).await;
                }
            }
        });
    }
    // Let every gossip mesh graft first (heartbeat is 500 ms).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut per_delivery = Vec::new();
    let mut to_all = Vec::new();
    for seq in 0..count as u64 {
        let from = &nodes[seq as usize % n];
        let mut payload = seq.to_le_bytes().to_vec();
        payload.extend_from_slice(&[0u8; 120]);
        let t = Instant::now();
        sent.lock()
            .map_err(|_| anyhow::anyhow!("lock"))?
            .insert(seq, t);
        from.handle.p2p.publish(Topic::Hmmm, payload).await?;
        let mut got = 0;
        let deadline = t + Duration::from_secs(10);
        while got < n - 1 {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(Some((s, at))) = tokio::time::timeout(left, rx.recv()).await else {
                anyhow::bail!("message {seq} reached {got} of {} nodes", n - 1)
            };
            if s == seq {
                got += 1;
                per_delivery.push(at.duration_since(t).as_secs_f64() * 1e6);
                if got == n - 1 {
                    to_all.push(at.duration_since(t).as_secs_f64() * 1e6);
                }
            }
        }
    }
    Ok((to_all, per_delivery))
}

/// Loopback TCP round trip with 128-byte messages, measured with the same clock.
async fn tcp_rtt(iters: usize) -> anyhow::Result<Vec<f64>> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = l.local_addr()?;
    tokio::spawn(async move {
        if let Ok((mut s, _)) = l.accept().await {
            let _ = s.set_nodelay(true);
            let mut buf = [0u8; 128];
            while s.read_exact(&mut buf).await.is_ok() {
                if s.write_all(&buf).await.is_err() {
                    break;
                }
            }
        }
    });
    let mut c = tokio::net::TcpStream::connect(addr).await?;
    c.set_nodelay(true)?;
    let mut buf = [7u8; 128];
    let mut out = Vec::with_capacity(iters);
    for _ in 0..iters {
        let t = Instant::now();
        c.write_all(&buf).await?;
        c.read_exact(&mut buf).await?;
        out.push(t.elapsed().as_secs_f64() * 1e6);
    }
    Ok(out)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::var("CHORUS_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    println!("chorus mesh benchmark (loopback, in-process nodes, {rounds} formations per N)");
    let rtt = sorted(tcp_rtt(20_000).await?);
    println!(
        "\nloopback TCP round trip (128 B, nodelay): p50 {:.1} µs  p99 {:.1} µs",
        pct(&rtt, 0.5),
        pct(&rtt, 0.99)
    );

    println!(
        "\n{:>4}  {:>14}  {:>14}  {:>14}",
        "N", "mesh p50 (ms)", "mesh max (ms)", "per node (ms)"
    );
    let mut last = None;
    for n in [3usize, 10, 20] {
        let mut times = Vec::new();
        for r in 0..rounds {
            let (nodes, t) = form(n, r).await?;
            times.push(t.as_secs_f64() * 1000.0);
            if n == 20 && r + 1 == rounds {
                last = Some(nodes);
            } else {
                for node in nodes {
                    node.handle.shutdown().await;
                }
            }
        }
        let t = sorted(times);
        println!(
            "{n:>4}  {:>14.0}  {:>14.0}  {:>14.1}",
            pct(&t, 0.5),
            t[t.len() - 1],
            pct(&t, 0.5) / n as f64
        );
    }
    let nodes = last.ok_or_else(|| anyhow::anyhow!("no 20-node mesh kept"))?;
    let (to_all, each) = gossip(&nodes, 500).await?;
    let (to_all, each) = (sorted(to_all), sorted(each));
    println!("\ngossip on a 20-node mesh, 500 messages of 128 B from rotating senders:");
    println!(
        "  delivered to all 19 others: p50 {:.0} µs  p99 {:.0} µs",
        pct(&to_all, 0.5),
        pct(&to_all, 0.99)
    );
    println!(
        "  each delivery:              p50 {:.0} µs  p99 {:.0} µs",
        pct(&each, 0.5),
        pct(&each, 0.99)
    );
    println!(
        "  ratio to the loopback TCP round trip (p50): all {:.1}x, each {:.1}x",
        pct(&to_all, 0.5) / pct(&rtt, 0.5),
        pct(&each, 0.5) / pct(&rtt, 0.5)
    );
    for node in nodes {
        node.handle.shutdown().await;
    }
    Ok(())
}
