use crate::{cluster, start_bootstrapped, wait_full_mesh};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_nodes_with_only_bootstrap_multiaddrs_form_a_full_mesh() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    tracing::info!("phase: start 5 nodes, mDNS off, each bootstrapping from node 0 only");
    let nodes = start_bootstrapped(&cluster("boot"), 5, &[]).await?;
    tracing::info!("phase: the DHT introduces the rest; wait for 4 peers everywhere");
    wait_full_mesh(&nodes).await?;
    for n in &nodes {
        assert_eq!(n.metric("chorus_p2p_peers_connected"), 4.0);
    }
    for n in nodes {
        n.handle.shutdown().await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_bootstrap_or_discovery_nodes_stay_alone() -> anyhow::Result<()> {
    // The control for the test above: the mesh forms because of bootstrap, not by accident.
    let c = cluster("alone");
    let a = chorus_testkit::LocalNode::start(chorus_testkit::NodeOptions::new(&c, "a")).await?;
    let b = chorus_testkit::LocalNode::start(chorus_testkit::NodeOptions::new(&c, "b")).await?;
    let mut events = a.handle.p2p.subscribe();
    let waited = tokio::time::timeout(std::time::Duration::from_secs(3), events.recv()).await;
    assert!(waited.is_err(), "no event expected, got {waited:?}");
    assert_eq!((a.peer_count(), b.peer_count()), (0, 0));
    Ok(())
}
