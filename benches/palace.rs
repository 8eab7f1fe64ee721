//! Palace benchmark (issue #5): bulk ingest and full-text search of Chorus (3 `chorus-agent`
//! processes, release build, on loopback) beside SQLite FTS5 (Python's standard library, one
//! local writer, no replication), on the same generated corpus, in one run.
//!
//! - Ingest: `CHORUS_BENCH_DRAWERS` (100,000) drawers of about 800 characters, sent to the
//!   leader as batch writes of 1000 (`POST /v1/palace/drawers/batch`, several in flight) over
//!   keep-alive HTTP/1.1 on the token-protected TCP API. Drawers/s counts committed writes
//!   (acknowledged after a majority stored and the leader applied them); a second figure waits
//!   until every node applied the last entry and a follower's search index reflects it.
//! - Search: the same queries (single words, two-word OR, two-word phrases, a wing filter) on a
//!   follower over HTTP, top 10 with snippets: latency p50/p99 (sequential, after a warm-up).
//!   SQLite runs them in-process (no HTTP), so its figure leaves out the transport.
//!
//! - Restore (issue #14): a backup of the ingested palace taken on a follower
//!   (`POST /v1/backup`), its size; then, with the cluster stopped, `chorus backup restore` into
//!   an empty data directory and the first start of one node on it, until a search at the
//!   backup's index answers with every drawer indexed ("search ready").
//!
//! Run: `./scripts/bench palace`. `CHORUS_BENCH_DRAWERS`, `CHORUS_BENCH_BATCH` (1000),
//! `CHORUS_BENCH_INFLIGHT` (4) and `CHORUS_BENCH_ROUNDS` (5) scale it.

#[path = "common.rs"]
mod common;

use std::{
    io::Write,
    os::unix::fs::PermissionsExt,
    time::{Duration, Instant},
};

use chorus_testkit::{AgentProcess, ProcessCluster, bin_path};
use common::{Http, pct, sorted};
use serde_json::{Value, json};

const TOKEN: &str = "bench-token-0123456789abcdef";
/// Default drawers per batch write (`CHORUS_BENCH_BATCH`).
const BATCH: usize = 1000;
const CONTENT_CHARS: usize = 800;
const WINGS: usize = 10;
const ROOMS: usize = 20;
const VOCABULARY: usize = 20_000;
const QUERIES: usize = 200;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

fn batch() -> usize {
    env_num("CHORUS_BENCH_BATCH", BATCH).clamp(1, 1000)
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// splitmix64: a fixed, seedable generator, so both systems get byte-identical corpora.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pronounceable pseudo-words, so tokenisers treat them like text.
fn vocabulary(rng: &mut Rng) -> Vec<String> {
    const SYL: &[&str] = &[
        "ka", "lo", "mi", "ra", "te", "su", "no", "vi", "da", "pe", "zo", "ri", "ba", "go", "fu",
        "ne", "to", "la", "xi", "mo", "ve", "sa", "ku", "di", "po", "ha", "je", "wo", "ci", "ru",
    ];
    let mut seen = std::collections::BTreeSet::new();
    let mut words = Vec::with_capacity(VOCABULARY);
    while words.len() < VOCABULARY {
        let n = 2 + rng.below(3);
        let w: String = (0..n).map(|_| SYL[rng.below(SYL.len())]).collect();
        if seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

/// A word with a skewed (Zipf-like) frequency: low ranks are common.
fn word<'a>(rng: &mut Rng, vocab: &'a [String]) -> &'a str {
    let i = (vocab.len() as f64 * rng.unit().powi(3)) as usize;
    &vocab[i.min(vocab.len() - 1)]
}

struct Drawer {
    wing: String,
    room: String,
    content: String,
}

fn corpus(n: usize, rng: &mut Rng, vocab: &[String]) -> Vec<Drawer> {
    (0..n)
        .map(|i| {
            let mut content = format!("memory {i}:");
            while content.len() < CONTENT_CHARS {
                content.push(' ');
                content.push_str(word(rng, vocab));
            }
            content.push('.');
            Drawer {
                wing: format!("agent-{}", rng.below(WINGS)),
                room: format!("topic-{}", rng.below(ROOMS)),
                content,
            }
        })
        .collect()
}

/// Queries with hits: words and phrases taken from random drawers, so every kind is realistic.
fn queries(rng: &mut Rng, docs: &[Drawer]) -> Vec<Value> {
    (0..QUERIES)
        .map(|i| {
            let d = &docs[rng.below(docs.len())];
            let words: Vec<&str> = d.content.split(' ').skip(2).collect();
            let at = rng.below(words.len().saturating_sub(2).max(1));
            let w1 = words[at].trim_end_matches('.');
            let w2 = words
                .get(at + 1)
                .copied()
                .unwrap_or(w1)
                .trim_end_matches('.');
            match i % 4 {
                0 => json!({"terms": [w1], "phrase": false, "wing": null}),
                1 => json!({"terms": [w1, w2], "phrase": false, "wing": null}),
                2 => json!({"terms": [w1, w2], "phrase": true, "wing": null}),
                _ => json!({"terms": [w1], "phrase": false, "wing": d.wing}),
            }
        })
        .collect()
}

fn search_path(q: &Value) -> String {
    let terms: Vec<&str> = q["terms"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let text = if q["phrase"] == true {
        format!("\"{}\"", terms.join(" "))
    } else {
        terms.join(" ")
    };
    let enc: String = text
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut p = format!("/v1/palace/search?q={enc}&limit=10");
    if let Some(w) = q["wing"].as_str() {
        p.push_str(&format!("&wing={w}"));
    }
    p
}

fn api_addr(c: &ProcessCluster, i: usize) -> String {
    c.nodes[i].ports["api"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn get_json(http: &mut Http, path: &str) -> anyhow::Result<Value> {
    let (status, body) = http.get(path, REQUEST_TIMEOUT).await?;
    anyhow::ensure!(
        status == 200,
        "GET {path}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    Ok(serde_json::from_slice(&body)?)
}

struct Ingest {
    acked_s: f64,
    everywhere_s: f64,
    last_index: u64,
}

async fn ingest(c: &ProcessCluster, leader: usize, docs: &[Drawer]) -> anyhow::Result<Ingest> {
    let inflight = env_num("CHORUS_BENCH_INFLIGHT", 4).max(1);
    let bodies: Vec<Vec<u8>> = docs
        .chunks(batch())
        .map(|chunk| {
            let drawers: Vec<Value> = chunk
                .iter()
                .map(|d| json!({"wing": d.wing, "room": d.room, "content": d.content, "added_by": "bench"}))
                .collect();
            serde_json::to_vec(&json!({ "drawers": drawers })).unwrap_or_default()
        })
        .collect();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(bodies.into_iter()));
    let addr = api_addr(c, leader);
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..inflight {
        let queue = queue.clone();
        let addr = addr.clone();
        tasks.push(tokio::spawn(async move {
            let mut http = Http::new(&addr, Some(TOKEN.into()));
            let mut last = 0u64;
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.next());
                let Some(body) = next else { break };
                let (status, resp) = http
                    .post(
                        chorus_client::types::paths::DRAWERS_BATCH,
                        body,
                        REQUEST_TIMEOUT,
                    )
                    .await?;
                anyhow::ensure!(
                    status == 200,
                    "batch write: {status} {}",
                    String::from_utf8_lossy(&resp[..resp.len().min(500)])
                );
                let v: Value = serde_json::from_slice(&resp)?;
                anyhow::ensure!(v["failed"] == 0, "batch items failed: {v}");
                last = last.max(v["index"].as_u64().unwrap_or(0));
            }
            anyhow::Ok(last)
        }));
    }
    let mut last_index = 0;
    for t in tasks {
        last_index = last_index.max(t.await??);
    }
    let acked_s = t.elapsed().as_secs_f64();
    for i in 0..c.nodes.len() {
        let mut http = Http::new(&api_addr(c, i), Some(TOKEN.into()));
        loop {
            let path = format!("/v1/palace/search?q=memory&limit=1&min_index={last_index}");
            match http.get(&path, REQUEST_TIMEOUT).await {
                Ok((200, _)) => break,
                _ if t.elapsed() < Duration::from_secs(600) => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
                Ok((s, b)) => anyhow::bail!("node {i} did not catch up: {s} {b:?}"),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(Ingest {
        acked_s,
        everywhere_s: t.elapsed().as_secs_f64(),
        last_index,
    })
}

async fn search_latencies(
    c: &ProcessCluster,
    follower: usize,
    queries: &[Value],
    rounds: usize,
) -> anyhow::Result<(Vec<f64>, usize)> {
    let mut http = Http::new(&api_addr(c, follower), Some(TOKEN.into()));
    let mut empty = 0;
    for q in queries {
        let v = get_json(&mut http, &search_path(q)).await?;
        if v["hits"].as_array().is_none_or(Vec::is_empty) {
            empty += 1;
        }
    }
    let mut lat = Vec::with_capacity(queries.len() * rounds);
    for _ in 0..rounds {
        for q in queries {
            let path = search_path(q);
            let t = Instant::now();
            let (status, _) = http.get(&path, REQUEST_TIMEOUT).await?;
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(status == 200, "search {path}: {status}");
        }
    }
    Ok((sorted(lat), empty))
}

struct Restore {
    backup_bytes: usize,
    backup_s: f64,
    restore_s: f64,
    start_to_search_s: f64,
    index: u64,
    documents: u64,
}

/// Takes a backup on `follower`, stops the cluster, restores the backup into an empty data
/// directory with the CLI and starts one node on it, timing each step until a search at the
/// backup's index answers with `n` documents indexed.
async fn restore(
    c: ProcessCluster,
    follower: usize,
    n: usize,
    token_path: &str,
) -> anyhow::Result<Restore> {
    let mut http = Http::new(&api_addr(&c, follower), Some(TOKEN.into()));
    let t = Instant::now();
    let (status, bytes) = http
        .post("/v1/backup", Vec::new(), Duration::from_secs(600))
        .await?;
    anyhow::ensure!(status == 200, "backup: {status}");
    let backup_s = t.elapsed().as_secs_f64();
    drop(http);
    drop(c);
    let dir = tempfile::Builder::new()
        .prefix("palace-restore-")
        .tempdir()?;
    let file = dir.path().join("bench.chorus-backup");
    std::fs::write(&file, &bytes)?;
    let data = dir.path().join("node");

    let t = Instant::now();
    let out = std::process::Command::new(bin_path("chorus")?)
        .arg("--data-dir")
        .arg(&data)
        .args(["backup", "restore", "--json"])
        .arg(&file)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restore_s = t.elapsed().as_secs_f64();
    let report: Value = serde_json::from_slice(&out.stdout)?;
    let index = report["manifest"]["applied_index"].as_u64().unwrap_or(0);

    let t = Instant::now();
    let args: Vec<String> = [
        "--cluster",
        "pbench-restored",
        "--node-name",
        "restored",
        "--listen-addrs",
        "/ip4/127.0.0.1/tcp/0",
        "--health-port",
        "0",
        "--api-port",
        "0",
        "--api-token-file",
        token_path,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let node = AgentProcess::start(&data, &args, &[("CHORUS_MDNS".into(), "false".into())]).await?;
    let addr = node.ports["api"].as_str().unwrap_or_default().to_string();
    let mut http = Http::new(&addr, Some(TOKEN.into()));
    let documents = loop {
        let path = format!("/v1/palace/search?q=memory&limit=1&min_index={index}");
        if let Ok((200, _)) = http.get(&path, REQUEST_TIMEOUT).await {
            let st = get_json(&mut http, "/v1/palace/status").await?;
            let docs = st["search"]["documents"].as_u64().unwrap_or(0);
            if docs >= n as u64 {
                break docs;
            }
        }
        anyhow::ensure!(
            t.elapsed() < Duration::from_secs(600),
            "the restored node's search did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let start_to_search_s = t.elapsed().as_secs_f64();
    drop(node);
    Ok(Restore {
        backup_bytes: bytes.len(),
        backup_s,
        restore_s,
        start_to_search_s,
        index,
        documents,
    })
}

fn sqlite(docs: &[Drawer], queries: &[Value], rounds: usize) -> anyhow::Result<Value> {
    let dir = tempfile::Builder::new().prefix("palace-fts5-").tempdir()?;
    let corpus = dir.path().join("corpus.tsv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&corpus)?);
    for (i, d) in docs.iter().enumerate() {
        writeln!(f, "{i}\t{}\t{}\t{}", d.wing, d.room, d.content)?;
    }
    f.flush()?;
    drop(f);
    let qpath = dir.path().join("queries.json");
    std::fs::write(&qpath, serde_json::to_vec(queries)?)?;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fts5.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&corpus)
        .arg(&qpath)
        .arg(dir.path().join("fts.db"))
        .arg(batch().to_string())
        .arg(rounds.to_string())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "fts5.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let n = env_num("CHORUS_BENCH_DRAWERS", 100_000);
    let rounds = env_num("CHORUS_BENCH_ROUNDS", 5).max(1);
    let mut rng = Rng(0x00C0_FFEE);
    let vocab = vocabulary(&mut rng);
    let docs = corpus(n, &mut rng, &vocab);
    let qs = queries(&mut rng, &docs);
    let bytes: usize = docs.iter().map(|d| d.content.len()).sum();
    println!(
        "palace benchmark: {n} drawers, {:.0} chars on average ({:.1} MB), batches of {}, {} queries x {rounds} rounds",
        bytes as f64 / n as f64,
        bytes as f64 / 1e6,
        batch(),
        qs.len()
    );

    let token = std::env::temp_dir().join(format!("chorus-bench-token-{}", std::process::id()));
    std::fs::write(&token, TOKEN)?;
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600))?;
    let token_path = token.display().to_string();
    let c = ProcessCluster::start(
        "pbench",
        3,
        &["--api-port", "0", "--api-token-file", &token_path],
        &[],
    )
    .await?;
    let a = c.wait_leader(Duration::from_secs(60)).await?;
    let follower = (a.leader + 1) % 3;
    let ing = ingest(&c, a.leader, &docs).await?;
    let (lat, empty) = search_latencies(&c, follower, &qs, rounds).await?;
    let mut http = Http::new(&api_addr(&c, follower), Some(TOKEN.into()));
    let st = get_json(&mut http, "/v1/palace/status").await?;
    drop(http);
    let rs = restore(c, follower, n, &token_path).await?;
    let _ = std::fs::remove_file(&token);

    let s = sqlite(&docs, &qs, rounds)?;
    let s_lat = sorted(
        s["latencies_us"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_f64)
                    .map(|us| us / 1000.0)
                    .collect()
            })
            .unwrap_or_default(),
    );
    let s_insert = s["insert_s"].as_f64().unwrap_or(f64::NAN);

    let ours_acked = n as f64 / ing.acked_s;
    let ours_all = n as f64 / ing.everywhere_s;
    let theirs = n as f64 / s_insert;
    println!(
        "\nfollower after ingest: {} drawers, index at {} with {} documents (last write index {})",
        st["drawers"], st["search"]["indexed_index"], st["search"]["documents"], ing.last_index
    );
    println!(
        "queries without hits: chorus {empty}, sqlite {}",
        s["empty_queries"]
    );
    println!(
        "\n{:<44} {:>14} {:>14} {:>10}",
        "", "chorus (3 nodes)", "sqlite fts5", "ratio"
    );
    println!(
        "{:<44} {:>14.0} {:>14.0} {:>9.2}x",
        "ingest, drawers/s (committed)",
        ours_acked,
        theirs,
        ours_acked / theirs
    );
    println!(
        "{:<44} {:>14.0} {:>14} {:>10}",
        "ingest, drawers/s (all nodes applied+indexed)", ours_all, "-", "-"
    );
    for (name, p) in [("search p50, ms", 0.5), ("search p99, ms", 0.99)] {
        let (o, t) = (pct(&lat, p), pct(&s_lat, p));
        println!("{name:<44} {o:>14.2} {t:>14.2} {:>9.2}x", o / t);
    }
    println!(
        "\n(sqlite {}: one local writer, WAL, synchronous=NORMAL, transactions of {}; its searches run in-process, ours over HTTP on a follower)",
        s["sqlite_version"].as_str().unwrap_or("?"),
        batch()
    );
    println!(
        "\nbackup of {n} drawers at index {}: {:.1} MB, taken in {:.2} s",
        rs.index,
        rs.backup_bytes as f64 / 1e6,
        rs.backup_s
    );
    println!(
        "restore {:.2} s + first start to search ready ({} documents) {:.2} s = {:.2} s",
        rs.restore_s,
        rs.documents,
        rs.start_to_search_s,
        rs.restore_s + rs.start_to_search_s
    );
    println!(
        "targets: ingest >= 5000 drawers/s replicated: {}; search p99 <= 10 ms: {}",
        if ours_acked >= 5000.0 {
            "met"
        } else {
            "NOT met"
        },
        if pct(&lat, 0.99) <= 10.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}
