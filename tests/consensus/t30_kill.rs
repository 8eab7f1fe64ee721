use std::{collections::BTreeSet, time::Duration};

use chorus_client::{Client, Error as ClientError};
use chorus_testkit::{ProcessCluster, wait_until};
use serde_json::Value;

use crate::{TIMEOUT, add_body};

/// Writes `content` through `client` until acknowledged, retrying with one idempotency key.
/// Returns the id, or `None` if the deadline passed (never acknowledged).
async fn write_acked(clients: &[Client], start: usize, content: &str, key: &str) -> Option<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut i = start;
    while tokio::time::Instant::now() < deadline {
        let c = &clients[i % clients.len()];
        let r: Result<Value, ClientError> = c
            .post(
                "/v1/palace/drawers",
                &add_body(content),
                &[("Idempotency-Key", key.to_string())],
            )
            .await;
        match r {
            Ok(v) => return v["id"].as_str().map(str::to_string),
            Err(_) => i += 1,
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_leader_loses_no_acknowledged_write_and_it_catches_up_after_restart()
-> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let mut c = ProcessCluster::start("kill", 3, &[], &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    tracing::info!(
        leader = a.leader,
        "phase: stream writes through the followers"
    );
    let followers: Vec<usize> = (0..3).filter(|i| *i != a.leader).collect();
    let clients: Vec<Client> = followers
        .iter()
        .map(|i| c.nodes[*i].client().with_timeout(Duration::from_secs(15)))
        .collect();
    let total = 120;
    let kill_at = 40;
    let mut acked = BTreeSet::new();
    let mut killed = false;
    for i in 0..total {
        if i == kill_at {
            tracing::info!(leader = a.leader, "phase: SIGKILL the leader mid-stream");
            c.nodes[a.leader].kill()?;
            killed = true;
        }
        let id = write_acked(
            &clients,
            i,
            &format!("write number {i}"),
            &format!("kill-test-{i}"),
        )
        .await;
        acked.insert(id.ok_or_else(|| anyhow::anyhow!("write {i} never acknowledged"))?);
    }
    assert!(killed);
    let b = c.wait_leader(TIMEOUT).await?;
    assert_ne!(b.leader, a.leader, "a new leader took over");
    assert!(b.term > a.term);

    tracing::info!("phase: restart the killed node from its sled files");
    c.nodes[a.leader].restart().await?;
    let leader_commit = c
        .statuses()
        .await
        .into_iter()
        .find(|(i, _)| *i == b.leader)
        .and_then(|(_, s)| s.commit_index)
        .unwrap_or(0);
    let restarted = c.nodes[a.leader].client();
    wait_until("the restarted node to catch up", TIMEOUT, || async {
        match restarted
            .get::<chorus_types::status::Status>("/v1/status")
            .await
        {
            Ok(s) => (
                s.applied_index.unwrap_or(0) >= leader_commit,
                format!("applied {:?} of {leader_commit}", s.applied_index),
            ),
            Err(e) => (false, e.to_string()),
        }
    })
    .await?;

    tracing::info!(
        acked = acked.len(),
        "phase: every acknowledged write is on every node"
    );
    for (i, n) in c.nodes.iter().enumerate() {
        let client = n.client();
        for id in &acked {
            let v: Value = client
                .get(&format!(
                    "/v1/palace/drawers/{id}?min_index={leader_commit}"
                ))
                .await
                .map_err(|e| anyhow::anyhow!("node {i} lacks acknowledged drawer {id}: {e}"))?;
            assert_eq!(v["id"].as_str(), Some(id.as_str()));
        }
    }
    assert_eq!(acked.len(), total);
    Ok(())
}
