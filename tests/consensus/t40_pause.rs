use std::{collections::BTreeMap, time::Duration};

use chorus_client::Error as ClientError;
use chorus_testkit::{ProcessCluster, wait_until};
use serde_json::{Value, json};

use crate::TIMEOUT;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paused_leader_steps_down_loses_nothing_and_its_old_token_is_refused()
-> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = ProcessCluster::start("pause", 3, &[], &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    let old = a.leader;
    let others: Vec<usize> = (0..3).filter(|i| *i != old).collect();
    let receiver = c.nodes[others[0]].client();
    let old_client = c.nodes[old].client().with_timeout(Duration::from_secs(30));

    tracing::info!(
        old,
        "phase: the leader authorises a side effect; a receiver accepts its token"
    );
    let t1: Value = old_client
        .post("/v1/fencing/authorize", &json!({"resource": "task/1"}), &[])
        .await?;
    let check = |t: &Value| json!({"resource": "task/1", "term": t["term"], "index": t["index"]});
    let _: Value = receiver.post("/v1/fencing/check", &check(&t1), &[]).await?;

    tracing::info!("phase: SIGSTOP the leader; send it writes while it is frozen");
    c.nodes[old].pause()?;
    let mut pending = Vec::new();
    for i in 0..5 {
        let client = old_client.clone();
        pending.push(tokio::spawn(async move {
            let body = json!({"text": format!("written during the pause {i}")});
            let r: Result<Value, ClientError> = client
                .post(
                    "/v1/palace/diaries/pauser",
                    &body,
                    &[("Idempotency-Key", format!("pause-{i}"))],
                )
                .await;
            (i, r)
        }));
    }

    tracing::info!("phase: the others elect a new leader, which authorises the same resource");
    let b = c.wait_leader_among(&others, TIMEOUT).await?;
    assert_ne!(b.leader, old);
    let new_client = c.nodes[b.leader].client();
    let t2: Value = new_client
        .post("/v1/fencing/authorize", &json!({"resource": "task/1"}), &[])
        .await?;
    assert!(
        t2["term"].as_u64() > t1["term"].as_u64(),
        "new token {t2} must outrank {t1}"
    );
    let _: Value = receiver.post("/v1/fencing/check", &check(&t2), &[]).await?;

    tracing::info!("phase: a write fenced with the old token is refused by the state machine");
    let token = format!("{}.{}", t1["term"], t1["index"]);
    let stale: Result<Value, ClientError> = new_client
        .post(
            "/v1/palace/diaries/pauser",
            &json!({"text": "fenced with a stale token"}),
            &[
                ("Fencing-Resource", "task/1".into()),
                ("Fencing-Token", token),
            ],
        )
        .await;
    assert!(
        matches!(&stale, Err(ClientError::Api { status: 409, code, .. }) if code == "stale_token"),
        "{stale:?}"
    );

    tracing::info!("phase: SIGCONT the old leader; it steps down");
    c.nodes[old].resume()?;
    wait_until("the old leader to follow the new one", TIMEOUT, || async {
        match old_client
            .get::<chorus_types::status::Status>("/v1/status")
            .await
        {
            Ok(s) => (
                s.is_leader == Some(false) && s.leader_peer_id.is_some(),
                format!("is_leader {:?} leader {:?}", s.is_leader, s.leader_peer_id),
            ),
            Err(e) => (false, e.to_string()),
        }
    })
    .await?;

    tracing::info!("phase: a side effect carrying the old token is refused by its receiver");
    let refused: Result<Value, ClientError> =
        receiver.post("/v1/fencing/check", &check(&t1), &[]).await;
    assert!(
        matches!(&refused, Err(ClientError::Api { status: 409, .. })),
        "{refused:?}"
    );
    let again: Result<Value, ClientError> = old_client
        .post("/v1/fencing/authorize", &json!({"resource": "task/1"}), &[])
        .await;
    assert!(
        again.is_err(),
        "a deposed leader cannot authorise: {again:?}"
    );

    tracing::info!(
        "phase: writes sent to the frozen leader applied at most once, acknowledged ones exactly once"
    );
    let mut outcomes = BTreeMap::new();
    for p in pending {
        let (i, r) = p.await?;
        outcomes.insert(i, r);
    }
    let diary: Value = new_client
        .get("/v1/palace/diaries/pauser?limit=100&consistency=linearizable")
        .await?;
    let texts: Vec<String> = diary["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["text"].as_str().map(str::to_string))
        .collect();
    for (i, r) in &outcomes {
        let text = format!("written during the pause {i}");
        let n = texts.iter().filter(|t| **t == text).count();
        match r {
            Ok(_) => assert_eq!(n, 1, "acknowledged write {i} must be applied exactly once"),
            Err(e) if e.exit_code() == 65 => {
                assert_eq!(n, 0, "write {i} was refused ({e}) yet applied")
            }
            Err(e) => assert!(n <= 1, "write {i} ({e}) applied {n} times"),
        }
    }
    assert!(!texts.iter().any(|t| t == "fenced with a stale token"));
    Ok(())
}
