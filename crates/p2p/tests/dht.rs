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

/// A bare Kademlia peer speaking the cluster's DHT protocol, outside Chorus's checks.
fn raw_kad(
    cluster: &str,
) -> libp2p::Swarm<libp2p::kad::Behaviour<libp2p::kad::store::MemoryStore>> {
    use libp2p::{StreamProtocol, kad, noise, tcp, yamux};
    let proto = StreamProtocol::try_from_owned(format!("/chorus/{cluster}/kad/1.0.0")).unwrap();
    libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )
        .unwrap()
        .with_behaviour(|key| {
            let id = key.public().to_peer_id();
            kad::Behaviour::with_config(
                id,
                kad::store::MemoryStore::new(id),
                kad::Config::new(proto),
            )
        })
        .unwrap()
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_stored_under_a_key_it_does_not_hash_to_is_refused() {
    use futures::StreamExt;
    use libp2p::{kad, swarm::SwarmEvent};
    let cluster = format!("dht-hostile-{}", std::process::id());
    let config = Config {
        cluster: cluster.clone(),
        listen_addrs: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
        mdns: false,
        ..Config::default()
    };
    let registry = chorus_telemetry::Registry::new();
    let (node, _inbound) = chorus_p2p::start(
        config,
        Keypair::generate_ed25519(),
        &registry,
        Arc::new(StaticResolver::new()),
    )
    .await
    .unwrap();
    let mut mallory = raw_kad(&cluster);
    mallory
        .dial(
            node.listen_addrs()[0]
                .clone()
                .with(multiaddr_p2p(node.local_peer_id())),
        )
        .unwrap();
    tokio::time::timeout(WAIT, async {
        while !matches!(
            mallory.select_next_some().await,
            SwarmEvent::ConnectionEstablished { .. }
        ) {}
    })
    .await
    .expect("connected to the node");
    let value = b"not what the key says".to_vec();
    let wrong_key = {
        let mut k = format!("/chorus/{cluster}/cid/").into_bytes();
        k.extend_from_slice(&[0u8; 32]);
        kad::RecordKey::new(&k)
    };
    mallory.behaviour_mut().put_record_to(
        kad::Record::new(wrong_key, value.clone()),
        std::iter::once(node.local_peer_id()),
        kad::Quorum::One,
    );
    let series = "chorus_p2p_requests_rejected_total{protocol=\"dht\",reason=\"bad_value\"} 1";
    let refused = async {
        // Drive the swarm; the verdict is read from the node's metrics, which have no change
        // notification, so they are checked on a short interval.
        let mut check = tokio::time::interval(Duration::from_millis(20));
        loop {
            tokio::select! {
                _ = mallory.select_next_some() => {}
                _ = check.tick() => {
                    if registry.encode_text().contains(series) {
                        break;
                    }
                }
            }
        }
    };
    tokio::time::timeout(WAIT, refused)
        .await
        .expect("the hostile put was refused and counted");
    // Nothing was stored: neither under the hash of the value nor anywhere.
    assert!(node.dht_local_values().await.unwrap().is_empty());
    let hash: [u8; 32] = Sha256::digest(&value).into();
    assert!(node.dht_get(hash).await.is_err());
    node.shutdown().await;
}
