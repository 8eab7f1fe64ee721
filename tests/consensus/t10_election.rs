use chorus_testkit::LocalCluster;

use crate::TIMEOUT;

async fn elects_one_leader(n: usize) -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    tracing::info!(n, "phase: start the cluster, bootstrap_expect = n");
    let c = LocalCluster::start(&format!("elect{n}"), n, &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    tracing::info!(
        leader = a.leader,
        term = a.term,
        "phase: agreed; check voters and the leader flag"
    );
    let st = c.statuses();
    assert_eq!(
        st.iter().filter(|(_, s)| s.is_leader == Some(true)).count(),
        1
    );
    for (_, s) in &st {
        assert_eq!(
            s.voters.as_ref().map(Vec::len),
            Some(n),
            "every node is a voter"
        );
        assert_eq!(s.leader_peer_id.as_deref(), Some(a.leader_peer_id.as_str()));
    }
    assert_eq!(c.nodes[a.leader].metric("chorus_raft_is_leader"), 1.0);
    let others: f64 = c
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != a.leader)
        .map(|(_, n)| n.metric("chorus_raft_is_leader"))
        .sum();
    assert_eq!(others, 0.0);
    for n in c.nodes {
        n.handle.shutdown().await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_elect_exactly_one_leader() -> anyhow::Result<()> {
    elects_one_leader(3).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_nodes_elect_exactly_one_leader() -> anyhow::Result<()> {
    elects_one_leader(5).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lone_node_with_bootstrap_expect_one_leads_at_once() -> anyhow::Result<()> {
    let c = LocalCluster::start("lone", 1, &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    assert_eq!(a.leader, 0);
    let r = c.nodes[0]
        .handle
        .consensus
        .write(crate::add("alone"), None)
        .await?;
    assert!(r.index >= 1);
    Ok(())
}
