use std::time::Duration;

use chorus_consensus::Consistency;
use chorus_testkit::{LocalCluster, LocalNode, NodeOptions, wait_until};

use crate::{TIMEOUT, add};

fn roles(n: &LocalNode) -> (usize, usize) {
    let m = n.handle.consensus.members();
    (
        m.iter().filter(|x| x.role == "voter").count(),
        m.iter().filter(|x| x.role == "learner").count(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn late_nodes_join_as_learners_and_are_promoted_up_to_max_voters() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let mut c = LocalCluster::start("grow", 3, &[("CHORUS_MAX_VOTERS", "4")]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    c.nodes[a.leader]
        .handle
        .consensus
        .write(add("before the newcomers"), None)
        .await?;
    let cluster = c.nodes[0].opts.cluster.clone();
    let boot = c.nodes[0].bootstrap_addr().to_string();
    tracing::info!("phase: two more nodes appear");
    for i in 3..5 {
        let o = NodeOptions::new(&cluster, &format!("n{i}"))
            .env("CHORUS_BOOTSTRAP_EXPECT", "3")
            .env("CHORUS_MAX_VOTERS", "4")
            .env("CHORUS_BOOTSTRAP_PEERS", boot.clone());
        c.nodes.push(LocalNode::start(o).await?);
    }
    let leader = &c.nodes[a.leader];
    wait_until(
        "4 voters and 1 learner (max_voters = 4)",
        TIMEOUT,
        || async {
            let r = roles(leader);
            (r == (4, 1), format!("voters, learners = {r:?}"))
        },
    )
    .await?;
    tracing::info!("phase: the learner replicates the palace");
    let w = leader
        .handle
        .consensus
        .write(add("after the newcomers"), None)
        .await?;
    for n in &c.nodes {
        let (found, _) = n
            .handle
            .consensus
            .read(Consistency::MinIndex(w.index), |d| {
                d.palace
                    .find_duplicate("w", "r", "before the newcomers")
                    .ok()
                    .flatten()
            })
            .await?;
        assert!(found.is_some(), "{} lacks the early write", n.opts.name);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_operator_removes_and_promotes_members_and_removal_sticks() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = LocalCluster::start("remove", 3, &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    let victim = (a.leader + 1) % 3;
    let victim_id = c.nodes[victim].handle.consensus.raft_id();
    let via = &c.nodes[(a.leader + 2) % 3].handle.consensus;
    tracing::info!(victim, "phase: remove a voter through a follower");
    via.member_op(chorus_consensus::MemberOp::Remove(victim_id))
        .await?;
    let leader = &c.nodes[a.leader];
    wait_until("2 voters, the victim gone", TIMEOUT, || async {
        let m = leader.handle.consensus.members();
        (
            m.len() == 2 && m.iter().all(|x| x.raft_id != victim_id),
            format!("{m:?}"),
        )
    })
    .await?;
    // Still connected, yet not re-added: removal is explicit and sticks across membership ticks.
    tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            if leader
                .handle
                .consensus
                .members()
                .iter()
                .any(|x| x.raft_id == victim_id)
            {
                return;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect_err("the removed node must not come back on its own");
    assert!(
        c.nodes[victim].peer_count() > 0,
        "the victim is still connected"
    );
    tracing::info!("phase: the operator promotes it back: admitted as a learner, then a voter");
    via.member_op(chorus_consensus::MemberOp::Promote(victim_id))
        .await?;
    wait_until("3 voters again", TIMEOUT, || async {
        let r = roles(leader);
        (r == (3, 0), format!("voters, learners = {r:?}"))
    })
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_far_behind_catches_up_through_a_chunked_snapshot() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let mut c = LocalCluster::start(
        "snap",
        3,
        &[
            ("CHORUS_SNAPSHOT_EVERY", "100"),
            ("CHORUS_SNAPSHOT_CHUNK_BYTES", "262144"),
        ],
    )
    .await?;
    let a = c.wait_leader(TIMEOUT).await?;
    let lagger = (a.leader + 1) % 3;
    let opts = c.nodes[lagger].opts.clone();
    let dir = c.nodes[lagger].data_dir.clone();
    // Restarted at the same address (others redial what they knew) and told where the
    // leader is (the stopped node may have been the bootstrap node itself).
    let addr = c.nodes[lagger].handle.p2p.listen_addrs()[0].to_string();
    let leader_addr = c.nodes[a.leader].bootstrap_addr().to_string();
    tracing::info!(
        "phase: stop a follower, write ~1.3 MB (snapshots every 100 entries purge the log behind them; 256 KiB chunks)"
    );
    // Stopped but kept: its temporary directory is the one the node restarts from.
    let stopped = c.nodes.remove(lagger);
    let LocalNode {
        handle,
        tmp: stopped_dir,
        ..
    } = stopped;
    handle.shutdown().await;
    let leader = c
        .nodes
        .iter()
        .find(|n| n.status().is_leader == Some(true))
        .ok_or_else(|| anyhow::anyhow!("no leader"))?;
    let filler = "0123456789abcdef".repeat(250);
    let mut last = 0;
    for i in 0..320 {
        last = leader
            .handle
            .consensus
            .write(add(&format!("{i} {filler}")), None)
            .await?
            .index;
    }
    tracing::info!(
        "phase: restart it; the log it lacks is purged, so only a snapshot can bring it up"
    );
    let restarted = LocalNode::start(
        NodeOptions {
            data_dir: Some(dir),
            ..opts
        }
        .env("CHORUS_LISTEN_ADDRS", addr)
        .env("CHORUS_BOOTSTRAP_PEERS", leader_addr),
    )
    .await?;
    wait_until(
        "the restarted node to apply the last write",
        TIMEOUT,
        || async {
            let a = restarted.handle.consensus.status().applied_index;
            (a >= last, format!("applied {a} of {last}"))
        },
    )
    .await?;
    let (n, _) = restarted
        .handle
        .consensus
        .read(Consistency::MinIndex(last), |d| d.palace.status())
        .await?;
    assert!(n.drawers >= 320, "{n:?}");
    let purged = c.nodes[0]
        .handle
        .consensus
        .raft()
        .metrics()
        .borrow()
        .purged
        .map(|p| p.index)
        .unwrap_or(0);
    assert!(
        purged > 5,
        "the leader purged its log past what the stopped node had (purged up to {purged})"
    );
    restarted.stop().await;
    c.stop().await;
    drop(stopped_dir);
    Ok(())
}
