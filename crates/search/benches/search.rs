//! Local-model baseline: bulk ingest through `State::apply` and the search index, then search
//! latency, side by side with SQLite FTS5 (through Python's standard library) on the same
//! corpus and queries.
//!
//! Run: `cargo bench -p chorus-search --bench search`
//! Environment: `CHORUS_BENCH_DRAWERS` (default 100000), `CHORUS_BENCH_PYTHON` (default
//! `python3`). Figures are printed, never asserted.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command as Process;
use std::time::{Duration, Instant};

use chorus_palace::{ApplyContext, Command, NewDrawer, Response, State};
use chorus_search::{Batch, Index};
use serde::{Deserialize, Serialize};

const BATCH: usize = 1000;
const WINGS: usize = 20;
const ROOMS: usize = 10;
const VOCABULARY: usize = 5000;
const TARGET_CHARS: usize = 800;
const ROUNDS: usize = 5;
const LIMIT: usize = 10;

/// splitmix64: a fixed, dependency-free generator so every run builds the same corpus.
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
}

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    const SYL: [&str; 24] = [
        "ka", "lo", "mi", "ra", "ne", "su", "to", "vi", "de", "po", "zu", "ha", "ri", "an", "el",
        "or", "us", "in", "qua", "bre", "sto", "ple", "mon", "tri",
    ];
    let mut words = std::collections::BTreeSet::new();
    while words.len() < VOCABULARY {
        let n = 2 + (rng.next() % 3) as usize;
        let w: String = (0..n).map(|_| SYL[(rng.next() % 24) as usize]).collect();
        words.insert(w);
    }
    let mut v: Vec<String> = words.into_iter().collect();
    // Shuffle so frequency rank does not follow alphabetical order.
    for i in (1..v.len()).rev() {
        v.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    v
}

/// Zipf-like pick: low ranks are far more frequent.
fn pick<'a>(rng: &mut Rng, vocab: &'a [String]) -> &'a str {
    let u = rng.unit();
    &vocab[((u * u * u) * vocab.len() as f64) as usize % vocab.len()]
}

fn text(rng: &mut Rng, vocab: &[String]) -> String {
    let mut s = String::with_capacity(TARGET_CHARS + 16);
    while s.len() < TARGET_CHARS {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(pick(rng, vocab));
    }
    s
}

#[derive(Debug, Clone, Serialize)]
struct Query {
    terms: Vec<String>,
    phrase: bool,
    wing: Option<String>,
}

impl Query {
    fn tantivy(&self) -> String {
        if self.phrase {
            format!("\"{}\"", self.terms.join(" "))
        } else {
            self.terms.join(" ")
        }
    }
}

fn queries(rng: &mut Rng, vocab: &[String], docs: &[(String, String)]) -> Vec<Query> {
    let mut out = Vec::new();
    for i in 0..60 {
        let wing = (i % 3 == 0).then(|| format!("wing-{:02}", i % WINGS));
        let q = match i % 4 {
            // A frequent word, a rare word, two words (OR), and a phrase from a real drawer.
            0 => vec![vocab[i % 20].clone()],
            1 => vec![vocab[1000 + i * 37 % 3000].clone()],
            2 => vec![pick(rng, vocab).to_owned(), pick(rng, vocab).to_owned()],
            _ => {
                let (_, content) = &docs[(rng.next() % docs.len() as u64) as usize];
                let words: Vec<&str> = content.split(' ').collect();
                let at = (rng.next() % (words.len() as u64 - 3)) as usize;
                let q = Query {
                    terms: words[at..at + 3].iter().map(|w| w.to_string()).collect(),
                    phrase: true,
                    wing: None,
                };
                out.push(q);
                continue;
            }
        };
        out.push(Query {
            terms: q,
            phrase: false,
            wing,
        });
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[derive(Deserialize)]
struct Fts5 {
    sqlite_version: String,
    rows: usize,
    insert_s: f64,
    latencies_us: Vec<f64>,
    top: Vec<Vec<String>>,
}

fn run_fts5(dir: &Path, corpus: &str, queries: &[Query]) -> Result<Fts5, String> {
    let corpus_path = dir.join("corpus.tsv");
    let queries_path = dir.join("queries.json");
    std::fs::write(&corpus_path, corpus).map_err(|e| e.to_string())?;
    let q = serde_json::to_vec(queries).map_err(|e| e.to_string())?;
    std::fs::write(&queries_path, q).map_err(|e| e.to_string())?;
    // The one FTS5 reference script, shared with the palace benchmark.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/fts5.py");
    let python = std::env::var("CHORUS_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Process::new(python)
        .arg(script)
        .arg(&corpus_path)
        .arg(&queries_path)
        .arg(dir.join("fts5.db"))
        .arg("0")
        .arg(ROUNDS.to_string())
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::var("CHORUS_BENCH_DRAWERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut rng = Rng(0x00C4_0125);
    let vocab = vocabulary(&mut rng);
    let docs: Vec<(String, String)> = (0..n)
        .map(|i| {
            let wr = format!("wing-{:02}\troom-{}", i % WINGS, (i / WINGS) % ROOMS);
            (wr, text(&mut rng, &vocab))
        })
        .collect();
    let chars: usize = docs.iter().map(|(_, c)| c.len()).sum();
    println!(
        "corpus: {n} drawers, {:.0} chars each on average, {WINGS} wings x {ROOMS} rooms",
        chars as f64 / n as f64
    );

    // Commands are built before timing: the figure is the state machine's, not the generator's.
    let commands: Vec<Command> = docs
        .chunks(BATCH)
        .map(|chunk| Command::DrawerAddBatch {
            drawers: chunk
                .iter()
                .map(|(wr, c)| {
                    let (w, r) = wr.split_once('\t').unwrap_or_default();
                    NewDrawer {
                        wing: w.into(),
                        room: r.into(),
                        content: c.clone(),
                        added_by: "bench".into(),
                        source: None,
                        hall: None,
                        metadata: BTreeMap::new(),
                    }
                })
                .collect(),
        })
        .collect();

    let mut state = State::default();
    let mut applied = Vec::with_capacity(commands.len());
    let t = Instant::now();
    for (i, cmd) in commands.into_iter().enumerate() {
        let ctx = ApplyContext {
            index: i as u64 + 1,
            term: 1,
            now_ms: 1_700_000_000_000 + i as u64,
        };
        applied.push((ctx.index, state.apply(&ctx, cmd)));
    }
    let apply_time = t.elapsed();

    let mut ids = Vec::with_capacity(n);
    for (_, a) in &applied {
        if let Ok(Response::DrawersAdded { results }) = &a.result {
            ids.extend(
                results
                    .iter()
                    .filter_map(|r| r.as_ref().ok().map(|d| d.id.clone())),
            );
        }
    }
    assert_eq!(ids.len(), n, "every drawer was added");

    let t = Instant::now();
    let snapshot = state.snapshot_bytes();
    let snapshot_time = t.elapsed();

    let dir = tempfile::tempdir()?;
    let index = Index::open(&dir.path().join("index"))?;
    let t = Instant::now();
    for (idx, a) in &applied {
        index.apply_batch(Batch::from_changes(&state, &a.changes, *idx))?;
    }
    index.commit()?;
    let index_time = t.elapsed();
    assert_eq!(index.num_docs(), n as u64);

    let rebuilt = Index::in_memory()?;
    let t = Instant::now();
    rebuilt.rebuild(&state)?;
    let rebuild_time = t.elapsed();

    let queries = queries(&mut rng, &vocab, &docs);
    let mut ours_top = Vec::new();
    for q in &queries {
        let hits = index.search(&q.tantivy(), q.wing.as_deref(), None, LIMIT)?;
        ours_top.push(hits.into_iter().map(|h| h.id).collect::<Vec<_>>());
    }
    let mut lat = Vec::new();
    for _ in 0..ROUNDS {
        for q in &queries {
            let qs = q.tantivy();
            let t = Instant::now();
            let hits = index.search(&qs, q.wing.as_deref(), None, LIMIT)?;
            lat.push(t.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(hits);
        }
    }
    lat.sort_by(f64::total_cmp);

    let mut corpus = String::with_capacity(chars + n * 64);
    for (id, (wr, c)) in ids.iter().zip(&docs) {
        let _ = writeln!(corpus, "{id}\t{wr}\t{c}");
    }
    let fts = run_fts5(dir.path(), &corpus, &queries);

    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!();
    println!(
        "{:<34} {:>14} {:>14} {:>10}",
        "", "chorus", "sqlite fts5", "ratio"
    );
    let ours_ingest = n as f64 / (apply_time + index_time).as_secs_f64();
    println!(
        "{:<34} {:>14.0}",
        "palace apply (drawers/s)",
        rate(apply_time)
    );
    println!(
        "{:<34} {:>14.0}",
        "index apply+commit (drawers/s)",
        rate(index_time)
    );
    println!(
        "{:<34} {:>14.0}",
        "index rebuild (drawers/s)",
        rate(rebuild_time)
    );
    println!(
        "{:<34} {:>14.1}",
        "snapshot (MB, ms)",
        snapshot.len() as f64 / 1e6
    );
    println!("{:<34} {:>14.0}", "", snapshot_time.as_secs_f64() * 1e3);
    match fts {
        Ok(f) => {
            let theirs = f.rows as f64 / f.insert_s;
            println!(
                "{:<34} {:>14.0} {:>14.0} {:>9.2}x",
                "ingest: apply+index vs insert (/s)",
                ours_ingest,
                theirs,
                ours_ingest / theirs
            );
            let mut tl = f.latencies_us.clone();
            tl.sort_by(f64::total_cmp);
            for (name, p) in [("search p50 (us)", 0.5), ("search p99 (us)", 0.99)] {
                let (a, b) = (percentile(&lat, p), percentile(&tl, p));
                println!("{name:<34} {a:>14.0} {b:>14.0} {:>9.2}x", a / b);
            }
            let overlap: f64 = ours_top
                .iter()
                .zip(&f.top)
                .map(|(a, b)| {
                    let inter = a.iter().filter(|x| b.contains(x)).count();
                    inter as f64 / a.len().max(b.len()).max(1) as f64
                })
                .sum::<f64>()
                / queries.len() as f64;
            println!("{:<34} {:>14.2}", "top-10 overlap with fts5", overlap);
            println!(
                "(sqlite {}; ratio = chorus / fts5: above 1 is faster ingest or slower search)",
                f.sqlite_version
            );
        }
        Err(e) => println!("sqlite fts5 baseline failed: {e}"),
    }
    println!(
        "{} queries x {ROUNDS} rounds, limit {LIMIT}, snippets on both sides",
        queries.len()
    );
    Ok(())
}
