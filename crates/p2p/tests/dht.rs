//! DHT put and get on real swarms over loopback TCP + Noise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{sync::Arc, time::Duration};

use chorus_p2p::{Config, DhtError, Handle, Keypair, Multiaddr, StaticResolver, multiaddr_p2p};
use sha2::{Digest, Sha256};

const WAIT: Duration = Duration::from_secs(30);

async fn node(cluster: &str, bootstrap: Option<Multiaddr>) -> Handle {
    let config = Config {
        cluster: cluster.into(),
        listen_addrs: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
        bootstrap_peers: bootstrap.into_iter().collect(),
        mdns: false,
        redial_interval: Duration::from_millis(200),
        ..Config::default()
    };
    let registry = chorus_telemetry::Registry::new();
    let (h, _inbound) = chorus_p2p::start(
        config,
        Keypair::generate_ed25519(),
        &registry,
        Arc::new(StaticResolver::new()),
    )
    .await
    .unwrap();
    h
}

async fn wait_members(nodes: &[Handle], want: usize) {
    for n in nodes {
        let mut rx = n.watch_members();
        tokio::time::timeout(WAIT, rx.wait_for(|m| m.len() >= want))
            .await
            .unwrap_or_else(|_| panic!("{} peers not reached", want))
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_put_on_one_node_is_fetched_on_another_by_its_hash() {
    let cluster = format!("dht-{}", std::process::id());
    let a = node(&cluster, None).await;
    let first = a.listen_addrs()[0]
        .clone()
        .with(multiaddr_p2p(a.local_peer_id()));
    let b = node(&cluster, Some(first.clone())).await;
    let c = node(&cluster, Some(first)).await;
    let nodes = [a.clone(), b.clone(), c.clone()];
    wait_members(&nodes[..1], 2).await;
    wait_members(&nodes[1..], 1).await;

    let value = b"a content-addressed value".repeat(1000);
    let hash = a
        .dht_put(value.clone())
        .await
        .expect("put replicated to a peer");
    assert_eq!(hash, <[u8; 32]>::from(Sha256::digest(&value)));
    assert_eq!(c.dht_get(hash).await.unwrap(), value);
    assert_eq!(b.dht_get(hash).await.unwrap(), value);

    // Unknown keys are not found; oversized values are refused before anything is sent.
    let missing = c.dht_get([7u8; 32]).await.unwrap_err();
    assert!(
        matches!(
            missing,
            DhtError::NotFound { .. } | DhtError::Timeout { .. }
        ),
        "{missing}"
    );
    let big = vec![0u8; Config::default().limits.max_dht_value_bytes + 1];
    assert!(matches!(
        a.dht_put(big).await.unwrap_err(),
        DhtError::TooLarge { .. }
    ));
    // Values are kept as given: the store holds exactly the bytes put.
    assert!(a.dht_local_values().await.unwrap().contains(&value));
    for n in nodes {
        n.shutdown().await;
    }
}
