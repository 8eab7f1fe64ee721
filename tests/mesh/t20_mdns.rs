use chorus_testkit::{LocalNode, NodeOptions};

use crate::{cluster, wait_full_mesh};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_nodes_with_mdns_only_form_a_full_mesh() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = cluster("mdns");
    tracing::info!("phase: start 5 nodes with mDNS on, no bootstrap peers, DHT off");
    let mut nodes = Vec::new();
    for i in 0..5 {
        // mDNS announces the addresses of real interfaces, never loopback: listen on all.
        let o = NodeOptions::new(&c, &format!("m{i}"))
            .env("CHORUS_MDNS", "true")
            .env("CHORUS_DHT_ENABLED", "false")
            .env("CHORUS_LISTEN_ADDRS", "/ip4/0.0.0.0/tcp/0");
        nodes.push(LocalNode::start(o).await?);
    }
    tracing::info!("phase: wait for multicast discovery");
    wait_full_mesh(&nodes).await?;
    for n in nodes {
        n.handle.shutdown().await;
    }
    Ok(())
}
