use std::{net::IpAddr, sync::Arc};

use chorus_p2p::StaticResolver;
use chorus_testkit::{LocalNode, NodeOptions, free_port};

use crate::{cluster, wait_full_mesh};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_nodes_bootstrapping_from_one_dns_name_form_a_full_mesh() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = cluster("dns");
    // Like a Swarm service: five tasks, each on its own address, all on the same port, and one
    // name (`tasks.agents`) that resolves to all five.
    let port = free_port()?;
    let ips: Vec<IpAddr> = (1..=5).map(|i| IpAddr::from([127, 0, 0, i])).collect();
    let resolver = StaticResolver::new();
    resolver.insert("tasks.agents", ips.clone());
    tracing::info!(
        port,
        "phase: start 5 nodes on 127.0.0.1-5, DHT and mDNS off, DNS bootstrap only"
    );
    let mut nodes = Vec::new();
    for (i, ip) in ips.iter().enumerate() {
        let o = NodeOptions {
            resolver: Arc::new(resolver.clone()),
            ..NodeOptions::new(&c, &format!("d{i}"))
        }
        .env("CHORUS_LISTEN_ADDRS", format!("/ip4/{ip}/tcp/{port}"))
        .env("CHORUS_DHT_ENABLED", "false")
        .env("CHORUS_BOOTSTRAP_DNS", format!("tasks.agents:{port}"))
        .env("CHORUS_BOOTSTRAP_DNS_INTERVAL", "1s");
        nodes.push(LocalNode::start(o).await?);
    }
    tracing::info!("phase: names are re-resolved every second; the early nodes find the late ones");
    wait_full_mesh(&nodes).await?;
    for n in nodes {
        n.handle.shutdown().await;
    }
    Ok(())
}
