use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use chorus_client::{Client, Error as ClientError};
use chorus_history::{ClientId, Op as HOp, Outcome as HOutcome, Recorder};
use chorus_testkit::ProcessCluster;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};

use crate::TIMEOUT;

const KEYS: usize = 3;
const CLIENTS: u64 = 6;
const RUN: Duration = Duration::from_secs(20);

/// Maps a history outcome from an HTTP result: 4xx and 503 certainly did not apply; anything
/// else that is not a success may have.
fn write_outcome(r: &Result<Value, ClientError>) -> HOutcome {
    match r {
        Ok(_) => HOutcome::written(),
        Err(ClientError::Api { status, .. }) if *status < 500 || *status == 503 => HOutcome::Failed,
        Err(_) => HOutcome::Unknown,
    }
}

fn parse_value(content: &str) -> Option<u64> {
    content.strip_prefix("v=").and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_see_a_linearizable_history_across_leader_kills() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let mut cluster = ProcessCluster::start("hist", 3, &[], &[]).await?;
    cluster.wait_leader(TIMEOUT).await?;
    let clients: Vec<Client> = cluster
        .nodes
        .iter()
        .map(|n| n.client().with_timeout(Duration::from_secs(8)))
        .collect();

    tracing::info!("phase: one register per key (a drawer in its own room)");
    let mut ids = Vec::new();
    for k in 0..KEYS {
        let v: Value = clients[0]
            .post("/v1/palace/drawers", &json!({"wing": "hist", "room": format!("reg-{k}"), "content": format!("register {k}")}), &[])
            .await?;
        ids.push(v["id"].as_str().unwrap_or_default().to_string());
    }
    let ids = Arc::new(ids);
    let rec = Recorder::new();
    let next_value = Arc::new(AtomicU64::new(1));
    let stop = Arc::new(AtomicBool::new(false));

    tracing::info!(
        clients = CLIENTS,
        "phase: random reads (linearizable) and writes from every node"
    );
    let mut workers = Vec::new();
    for cid in 0..CLIENTS {
        let (rec, ids, clients, next_value, stop) = (
            rec.clone(),
            ids.clone(),
            clients.clone(),
            next_value.clone(),
            stop.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(cid);
            while !stop.load(Ordering::Relaxed) {
                let k = rng.gen_range(0..KEYS);
                let node = &clients[rng.gen_range(0..clients.len())];
                let key = format!("k{k}");
                if rng.gen_bool(0.5) {
                    let v = next_value.fetch_add(1, Ordering::Relaxed);
                    let p = rec.invoke(ClientId(cid), HOp::write(key, v));
                    let r: Result<Value, ClientError> = node
                        .patch(
                            &format!("/v1/palace/drawers/{}", ids[k]),
                            &json!({"content": format!("v={v}")}),
                            &[("Idempotency-Key", format!("w-{v}"))],
                        )
                        .await;
                    let _ = rec.complete(p, write_outcome(&r));
                } else {
                    let p = rec.invoke(ClientId(cid), HOp::read(key));
                    let r: Result<Value, ClientError> = node
                        .get(&format!(
                            "/v1/palace/drawers/{}?consistency=linearizable",
                            ids[k]
                        ))
                        .await;
                    let outcome = match r {
                        Ok(v) => HOutcome::read(v["content"].as_str().and_then(parse_value)),
                        Err(_) => HOutcome::Failed,
                    };
                    let _ = rec.complete(p, outcome);
                }
            }
        }));
    }

    tracing::info!("phase: kill the leader every few seconds and restart it");
    let started = tokio::time::Instant::now();
    let mut kills = 0;
    // The sleeps below are the fault schedule itself (how long the cluster runs between kills
    // and how long the leader stays dead), not synchronisation: nothing waits on them.
    while started.elapsed() < RUN {
        tokio::time::sleep(Duration::from_secs(4)).await;
        let Ok(a) = cluster.wait_leader(TIMEOUT).await else {
            continue;
        };
        cluster.nodes[a.leader].kill()?;
        kills += 1;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        cluster.nodes[a.leader].restart().await?;
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await?;
    }

    let history = rec.history();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in history.entries() {
        let label = match (&e.op, &e.outcome) {
            (_, HOutcome::Failed) => "failed",
            (_, HOutcome::Unknown) => "unknown",
            (HOp::Write { .. }, _) => "write ok",
            _ => "read ok",
        };
        *counts.entry(label).or_default() += 1;
    }
    tracing::info!(?counts, kills, "phase: check linearizability");
    assert!(kills >= 3, "only {kills} leader kills");
    assert!(
        counts.get("write ok").copied().unwrap_or(0) >= 30
            && counts.get("read ok").copied().unwrap_or(0) >= 30,
        "too little traffic to mean anything: {counts:?}"
    );
    if let Err(e) = chorus_history::check(&history) {
        panic!("not linearizable: {e}");
    }
    Ok(())
}

#[test]
fn the_checker_used_above_rejects_a_stale_read() {
    // A write of 2 completes, then a later read returns the older value 1.
    let rec = Recorder::new();
    let w1 = rec.invoke(ClientId(1), HOp::write("k", 1));
    rec.complete(w1, HOutcome::written()).unwrap();
    let w2 = rec.invoke(ClientId(1), HOp::write("k", 2));
    rec.complete(w2, HOutcome::written()).unwrap();
    let r = rec.invoke(ClientId(2), HOp::read("k"));
    rec.complete(r, HOutcome::read(Some(1))).unwrap();
    let err = chorus_history::check(&rec.history()).expect_err("a stale read must be caught");
    assert!(err.to_string().contains("\"k\""), "{err}");
}
