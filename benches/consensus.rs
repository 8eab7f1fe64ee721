//! Consensus benchmark (issue #4): Chorus (3 `chorus-agent` processes, release build) against
//! etcd 3.4 (Debian's `etcd-server`, 3 members), both on loopback, in one run, with the same
//! 1 KiB values, writes sent to a follower in both, over keep-alive HTTP/1.1 with JSON (our
//! `/v1/palace/drawers` on the token-protected TCP API; etcd's `/v3/kv/put` gateway).
//!
//! - 1 client: write latency p50/p99 and writes/s;
//! - 64 concurrent clients: writes/s and p99;
//! - leader SIGKILL → first committed write: 10 samples, median and max, etcd with its default
//!   timers and with timers as close to ours as it accepts. The client writes through a
//!   surviving follower with a 250 ms deadline per request, retried at once, for both systems.
//!
//! Run: `./scripts/bench consensus` (builds the release binaries, installs etcd if missing).
//! `CHORUS_BENCH_SEQ` (2000), `CHORUS_BENCH_SECS` (10) and `CHORUS_BENCH_FAILOVERS` (10) scale it.

#[path = "common.rs"]
mod common;

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use base64::Engine;
use chorus_testkit::{ProcessCluster, free_port};
use common::{Http, pct, sorted};
use serde_json::{Value, json};

const VALUE_BYTES: usize = 1024;
const TOKEN: &str = "bench-token-0123456789abcdef";
/// Per-request deadline while measuring failover; a timed-out request is retried at once.
const FAILOVER_CLIENT_TIMEOUT: Duration = Duration::from_millis(250);

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A 3-node system under test.
trait System {
    fn name(&self) -> String;
    fn client_addr(&self, i: usize) -> String;
    fn token(&self) -> Option<String>;
    fn path(&self) -> &'static str;
    fn body(&self, seq: u64) -> Vec<u8>;
    async fn leader(&self) -> anyhow::Result<usize>;
    fn kill(&mut self, i: usize) -> anyhow::Result<()>;
    async fn restart(&mut self, i: usize) -> anyhow::Result<()>;
}

fn value(seq: u64) -> String {
    let mut v = format!("{seq:020}-");
    while v.len() < VALUE_BYTES {
        v.push_str("abcdefghijklmnopqrstuvwxyz0123456789");
    }
    v.truncate(VALUE_BYTES);
    v
}

// ---------------------------------------------------------------------------------------------
// Chorus

struct Chorus {
    c: ProcessCluster,
}

impl Chorus {
    async fn start() -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("chorus-bench-token-{}", std::process::id()));
        std::fs::write(&dir, TOKEN)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o600))?;
        let token_path = dir.display().to_string();
        let c = ProcessCluster::start(
            "bench",
            3,
            &["--api-port", "0", "--api-token-file", &token_path],
            // Production defaults (the test kit widens the election window for loaded CI).
            &[
                ("CHORUS_RAFT_ELECTION_MIN", "150ms"),
                ("CHORUS_RAFT_ELECTION_MAX", "300ms"),
            ],
        )
        .await?;
        c.wait_leader(Duration::from_secs(30)).await?;
        Ok(Self { c })
    }
}

impl System for Chorus {
    fn name(&self) -> String {
        "chorus".into()
    }
    fn client_addr(&self, i: usize) -> String {
        self.c.nodes[i].ports["api"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    fn token(&self) -> Option<String> {
        Some(TOKEN.into())
    }
    fn path(&self) -> &'static str {
        chorus_client::types::paths::DRAWERS
    }
    fn body(&self, seq: u64) -> Vec<u8> {
        serde_json::to_vec(&json!({"wing": "bench", "room": "r", "content": value(seq)}))
            .unwrap_or_default()
    }
    async fn leader(&self) -> anyhow::Result<usize> {
        Ok(self.c.wait_leader(Duration::from_secs(30)).await?.leader)
    }
    fn kill(&mut self, i: usize) -> anyhow::Result<()> {
        self.c.nodes[i].kill()
    }
    async fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        self.c.nodes[i].restart().await?;
        // Caught up: the restarted node applied what the leader committed.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let st = self.c.statuses().await;
            if st.len() == 3 && chorus_testkit::agreed_leader(&st).is_ok() {
                let max = st
                    .iter()
                    .filter_map(|(_, s)| s.commit_index)
                    .max()
                    .unwrap_or(0);
                if st
                    .iter()
                    .all(|(_, s)| s.applied_index.unwrap_or(0) + 5 >= max)
                {
                    return Ok(());
                }
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "chorus did not recover within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// etcd

struct Etcd {
    label: String,
    dir: PathBuf,
    client_ports: Vec<u16>,
    peer_ports: Vec<u16>,
    timers: Vec<String>,
    procs: Vec<Option<Child>>,
}

impl Etcd {
    async fn start(label: &str, timers: &[&str]) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("etcd-bench-")
            .tempdir()?
            .keep();
        let client_ports: Vec<u16> = (0..3).map(|_| free_port()).collect::<Result<_, _>>()?;
        let peer_ports: Vec<u16> = (0..3).map(|_| free_port()).collect::<Result<_, _>>()?;
        let mut e = Self {
            label: label.into(),
            dir,
            client_ports,
            peer_ports,
            timers: timers.iter().map(|s| s.to_string()).collect(),
            procs: vec![None, None, None],
        };
        for i in 0..3 {
            e.spawn(i)?;
        }
        e.leader().await?;
        Ok(e)
    }

    fn spawn(&mut self, i: usize) -> anyhow::Result<()> {
        let cluster: Vec<String> = (0..3)
            .map(|j| format!("e{j}=http://127.0.0.1:{}", self.peer_ports[j]))
            .collect();
        let log = std::fs::File::create(self.dir.join(format!("e{i}.log")))?;
        let child = Command::new("etcd")
            .args(["--name", &format!("e{i}")])
            .arg("--data-dir")
            .arg(self.dir.join(format!("e{i}")))
            .args([
                "--listen-client-urls",
                &format!("http://127.0.0.1:{}", self.client_ports[i]),
            ])
            .args([
                "--advertise-client-urls",
                &format!("http://127.0.0.1:{}", self.client_ports[i]),
            ])
            .args([
                "--listen-peer-urls",
                &format!("http://127.0.0.1:{}", self.peer_ports[i]),
            ])
            .args([
                "--initial-advertise-peer-urls",
                &format!("http://127.0.0.1:{}", self.peer_ports[i]),
            ])
            .args(["--initial-cluster", &cluster.join(",")])
            .args([
                "--initial-cluster-token",
                "bench",
                "--initial-cluster-state",
                "new",
                "--log-level",
                "warn",
            ])
            .args(&self.timers)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!("cannot start etcd ({e}); install Debian's etcd-server")
            })?;
        self.procs[i] = Some(child);
        Ok(())
    }

    async fn status(&self, i: usize) -> anyhow::Result<Value> {
        let mut h = Http::new(&format!("127.0.0.1:{}", self.client_ports[i]), None);
        let (code, body) = h
            .post(
                "/v3/maintenance/status",
                b"{}".to_vec(),
                Duration::from_secs(2),
            )
            .await?;
        anyhow::ensure!(code == 200, "status {code}");
        Ok(serde_json::from_slice(&body)?)
    }
}

impl System for Etcd {
    fn name(&self) -> String {
        self.label.clone()
    }
    fn client_addr(&self, i: usize) -> String {
        format!("127.0.0.1:{}", self.client_ports[i])
    }
    fn token(&self) -> Option<String> {
        None
    }
    fn path(&self) -> &'static str {
        "/v3/kv/put"
    }
    fn body(&self, seq: u64) -> Vec<u8> {
        let b64 = base64::engine::general_purpose::STANDARD;
        serde_json::to_vec(&json!({"key": b64.encode(format!("k{}", seq % 4096)), "value": b64.encode(value(seq))})).unwrap_or_default()
    }
    async fn leader(&self) -> anyhow::Result<usize> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut found = None;
            let mut agree = true;
            let mut lead = None;
            for i in 0..3 {
                if self.procs[i].is_none() {
                    continue;
                }
                match self.status(i).await {
                    Ok(s) => {
                        let l = s["leader"].as_str().map(str::to_string);
                        if lead.is_none() {
                            lead = l.clone();
                        } else if lead != l {
                            agree = false;
                        }
                        if l.is_some() && s["header"]["member_id"].as_str() == l.as_deref() {
                            found = Some(i);
                        }
                    }
                    Err(_) => agree = false,
                }
            }
            if let (Some(i), true) = (found, agree) {
                return Ok(i);
            }
            anyhow::ensure!(Instant::now() < deadline, "etcd has no agreed leader");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    fn kill(&mut self, i: usize) -> anyhow::Result<()> {
        if let Some(mut c) = self.procs[i].take() {
            c.kill()?;
            c.wait()?;
        }
        Ok(())
    }
    async fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        self.spawn(i)?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if self.status(i).await.is_ok() && self.leader().await.is_ok() {
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "etcd member did not rejoin");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        for i in 0..3 {
            let _ = self.kill(i);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

// ---------------------------------------------------------------------------------------------
// Workloads

struct Figures {
    p50_ms: f64,
    p99_ms: f64,
    per_s: f64,
}

async fn sequential<S: System>(s: &S, target: usize, n: usize) -> anyhow::Result<Figures> {
    let mut h = Http::new(&s.client_addr(target), s.token());
    let mut lat = Vec::with_capacity(n);
    let t0 = Instant::now();
    for i in 0..n as u64 {
        let t = Instant::now();
        let (code, body) = h
            .post(s.path(), s.body(1_000_000 + i), Duration::from_secs(10))
            .await?;
        anyhow::ensure!(
            code < 300,
            "{} write failed: {code} {}",
            s.name(),
            String::from_utf8_lossy(&body)
        );
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let secs = t0.elapsed().as_secs_f64();
    let lat = sorted(lat);
    Ok(Figures {
        p50_ms: pct(&lat, 0.5),
        p99_ms: pct(&lat, 0.99),
        per_s: n as f64 / secs,
    })
}

async fn concurrent<S: System>(
    s: &S,
    target: usize,
    clients: usize,
    secs: u64,
) -> anyhow::Result<Figures> {
    let addr = s.client_addr(target);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..clients as u64 * 4096)
            .map(|i| s.body(10_000_000 + i))
            .collect(),
    );
    let path = s.path();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (addr, token, bodies) = (addr.clone(), s.token(), bodies.clone());
        tasks.push(tokio::spawn(async move {
            let mut h = Http::new(&addr, token);
            let mut lat = Vec::new();
            let mut i = 0usize;
            while Instant::now() < deadline {
                let body = bodies[(c * 4096 + i) % bodies.len()].clone();
                i += 1;
                let t = Instant::now();
                match h.post(path, body, Duration::from_secs(10)).await {
                    Ok((code, _)) if code < 300 => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                    _ => {}
                }
            }
            lat
        }));
    }
    let t0 = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    let elapsed = t0.elapsed().as_secs_f64().max(secs as f64);
    let n = all.len();
    let all = sorted(all);
    Ok(Figures {
        p50_ms: pct(&all, 0.5),
        p99_ms: pct(&all, 0.99),
        per_s: n as f64 / elapsed,
    })
}

/// SIGKILL the leader while idle, then write through a surviving follower until one commits.
async fn failovers<S: System>(s: &mut S, samples: usize) -> anyhow::Result<Vec<f64>> {
    let mut out = Vec::new();
    for k in 0..samples {
        let leader = s.leader().await?;
        let target = (leader + 1) % 3;
        let mut h = Http::new(&s.client_addr(target), s.token());
        let (code, _) = h
            .post(
                s.path(),
                s.body(50_000_000 + k as u64),
                Duration::from_secs(10),
            )
            .await?;
        anyhow::ensure!(code < 300, "warm-up write failed");
        s.kill(leader)?;
        let t0 = Instant::now();
        let mut seq = 60_000_000 + (k as u64) * 100_000;
        loop {
            seq += 1;
            // The same short client deadline for both systems: an etcd follower holds a proposal
            // it cannot forward until its own request timeout (seconds), so a client that waits
            // for that measures the timeout, not the failover.
            if let Ok((code, _)) = h.post(s.path(), s.body(seq), FAILOVER_CLIENT_TIMEOUT).await
                && code < 300
            {
                break;
            }
            anyhow::ensure!(
                t0.elapsed() < Duration::from_secs(30),
                "{}: no write committed 30 s after the kill",
                s.name()
            );
        }
        out.push(t0.elapsed().as_secs_f64() * 1000.0);
        s.restart(leader).await?;
    }
    Ok(out)
}

struct Row {
    name: String,
    one: Option<Figures>,
    many: Option<Figures>,
    fail: Vec<f64>,
}

async fn measure<S: System>(
    s: &mut S,
    seq: usize,
    secs: u64,
    fails: usize,
    throughput: bool,
) -> anyhow::Result<Row> {
    let leader = s.leader().await?;
    let follower = (leader + 1) % 3;
    let (one, many) = if throughput {
        let one = sequential(s, follower, seq).await?;
        let leader = s.leader().await?;
        let many = concurrent(s, (leader + 1) % 3, 64, secs).await?;
        (Some(one), Some(many))
    } else {
        (None, None)
    };
    let fail = sorted(failovers(s, fails).await?);
    Ok(Row {
        name: s.name(),
        one,
        many,
        fail,
    })
}

fn print(rows: &[Row]) {
    println!(
        "\n{:<28} {:>10} {:>10} {:>10} | {:>12} {:>12} | {:>14} {:>14}",
        "system",
        "1c p50 ms",
        "1c p99 ms",
        "1c w/s",
        "64c w/s",
        "64c p99 ms",
        "failover med",
        "failover max"
    );
    for r in rows {
        let f = |x: Option<f64>| x.map(|v| format!("{v:.2}")).unwrap_or_else(|| "-".into());
        let g = |x: Option<f64>| x.map(|v| format!("{v:.0}")).unwrap_or_else(|| "-".into());
        println!(
            "{:<28} {:>10} {:>10} {:>10} | {:>12} {:>12} | {:>11.0} ms {:>11.0} ms",
            r.name,
            f(r.one.as_ref().map(|x| x.p50_ms)),
            f(r.one.as_ref().map(|x| x.p99_ms)),
            g(r.one.as_ref().map(|x| x.per_s)),
            g(r.many.as_ref().map(|x| x.per_s)),
            f(r.many.as_ref().map(|x| x.p99_ms)),
            pct(&r.fail, 0.5),
            r.fail.last().copied().unwrap_or(f64::NAN)
        );
    }
    if let (Some(c), Some(e)) = (rows.first(), rows.get(1))
        && let (Some(c1), Some(e1), Some(cm), Some(em)) = (&c.one, &e.one, &c.many, &e.many)
    {
        println!(
            "\nratios chorus/etcd: 1-client p50 {:.2}x (lower is better), 64-client writes/s {:.2}x (higher is better)",
            c1.p50_ms / e1.p50_ms,
            cm.per_s / em.per_s
        );
    }
    println!(
        "targets: forwarded-write p50 <= etcd's; 64-client throughput >= etcd's; failover median <= 600 ms, max <= 1500 ms"
    );
}

fn bin_dir_check() -> anyhow::Result<()> {
    let p = chorus_testkit::bin_path("chorus-agent")?;
    let bench = std::env::current_exe()?;
    let same_profile = p.parent() == bench.parent().and_then(Path::parent);
    anyhow::ensure!(
        same_profile,
        "chorus-agent must be built in the bench's profile (cargo build --release --bins)"
    );
    Ok(())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    bin_dir_check()?;
    let (seq, secs, fails) = (
        env_num("CHORUS_BENCH_SEQ", 2000),
        env_num("CHORUS_BENCH_SECS", 10) as u64,
        env_num("CHORUS_BENCH_FAILOVERS", 10),
    );
    println!(
        "consensus benchmark: 3 nodes on loopback, {VALUE_BYTES} B values, writes sent to a follower"
    );
    println!(
        "1 client: {seq} sequential writes; 64 clients: {secs} s; failover: {fails} leader SIGKILLs"
    );
    let mut rows = Vec::new();

    let mut chorus = Chorus::start().await?;
    println!(
        "chorus: heartbeat 100 ms, election 150-300 ms (+300 ms lease), quick election on connection loss"
    );
    rows.push(measure(&mut chorus, seq, secs, fails, true).await?);
    drop(chorus);

    let mut etcd = Etcd::start("etcd 3.4 (default timers)", &[]).await?;
    println!("etcd: default timers (heartbeat 100 ms, election 1000 ms)");
    rows.push(measure(&mut etcd, seq, secs, fails, true).await?);
    drop(etcd);

    let mut etcd = Etcd::start(
        "etcd 3.4 (hb 60, election 300)",
        &["--heartbeat-interval", "60", "--election-timeout", "300"],
    )
    .await?;
    println!(
        "etcd: heartbeat 60 ms, election 300 ms (etcd requires election >= 5x heartbeat, so ours, 100/150-300, is not accepted as is)"
    );
    rows.push(measure(&mut etcd, seq, secs, fails, false).await?);
    drop(etcd);

    print(&rows);
    Ok(())
}
