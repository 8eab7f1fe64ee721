use chorus_consensus::Consistency;
use chorus_testkit::LocalCluster;

use crate::{TIMEOUT, add, added_id};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_to_a_follower_commits_and_is_readable_everywhere() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = LocalCluster::start("fwd", 3, &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    let follower = (a.leader + 1) % 3;
    tracing::info!(follower, "phase: write through a follower");
    let reply = c.nodes[follower]
        .handle
        .consensus
        .write(add("forwarded through a follower"), None)
        .await?;
    let id = added_id(&reply);
    assert!(reply.index > 0 && reply.term == a.term);
    assert!(
        c.nodes[follower].metric("chorus_write_duration_seconds_count{path=\"forwarded\"}") >= 1.0
    );
    tracing::info!(
        index = reply.index,
        "phase: read it on every node with min_index"
    );
    for n in &c.nodes {
        let (content, applied) = n
            .handle
            .consensus
            .read(Consistency::MinIndex(reply.index), |d| {
                d.palace.drawer_content(&id).ok()
            })
            .await?;
        assert_eq!(content.as_deref(), Some("forwarded through a follower"));
        assert!(applied >= reply.index);
    }
    tracing::info!("phase: a linearizable read on the other follower");
    let other = (a.leader + 2) % 3;
    let (found, _) = c.nodes[other]
        .handle
        .consensus
        .read(Consistency::Linearizable, |d| {
            d.palace.drawer(&id).is_some()
        })
        .await?;
    assert!(found);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_retried_with_the_same_idempotency_key_applies_once() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = LocalCluster::start("idem", 3, &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    let follower = &c.nodes[(a.leader + 1) % 3].handle.consensus;
    // A diary append is not idempotent by content: only the key can stop a second entry.
    let op = || {
        chorus_consensus::Op::Palace(chorus_palace::Command::DiaryAppend {
            agent: "agent-a".into(),
            text: "thought once".into(),
            topic: None,
        })
    };
    let first = follower.write(op(), Some("retry-me-1".into())).await?;
    let second = follower.write(op(), Some("retry-me-1".into())).await?;
    let leader_side = c.nodes[a.leader]
        .handle
        .consensus
        .write(op(), Some("retry-me-1".into()))
        .await?;
    assert!(!first.deduplicated);
    assert!(second.deduplicated && leader_side.deduplicated);
    assert_eq!(
        (second.index, second.outcome.clone()),
        (first.index, first.outcome.clone()),
        "the first result comes back"
    );
    let (entries, _) = follower
        .read(chorus_consensus::Consistency::Linearizable, |d| {
            d.palace.diary("agent-a", 100, None).map(|p| p.items.len())
        })
        .await?;
    assert_eq!(entries?, 1, "applied once");
    // Without a key, the same append applies again: the test above is not vacuous.
    follower.write(op(), None).await?;
    let (entries, _) = follower
        .read(chorus_consensus::Consistency::Linearizable, |d| {
            d.palace.diary("agent-a", 100, None).map(|p| p.items.len())
        })
        .await?;
    assert_eq!(entries?, 2);
    Ok(())
}
