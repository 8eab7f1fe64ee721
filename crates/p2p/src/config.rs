//! Mesh configuration: what to listen on, how to find peers, and the limits that keep a slow or
//! hostile peer from growing our memory.

use std::time::Duration;

use libp2p::Multiaddr;

use crate::dns::DnsTarget;

/// Everything the mesh needs to start. Every field has a default suitable for a single node on a
/// LAN; tests override listen addresses with port 0.
#[derive(Debug, Clone)]
pub struct Config {
    /// Cluster name: scopes protocol names and gossip topics, so two clusters sharing a LAN never
    /// mix. Lowercase letters, digits and `-`, 1 to 64 characters.
    pub cluster: String,
    /// Addresses to listen on (port 0 picks a free port). Default `/ip4/0.0.0.0/tcp/9000`.
    pub listen_addrs: Vec<Multiaddr>,
    /// Peers to dial at start and to redial while disconnected.
    pub bootstrap_peers: Vec<Multiaddr>,
    /// Names resolved to every address they carry (`tasks.<service>:<port>` on Swarm), re-resolved
    /// every `dns_interval`.
    pub bootstrap_dns: Vec<DnsTarget>,
    /// How often DNS bootstrap names are resolved again, so replicas that start later are found.
    pub dns_interval: Duration,
    /// Discover peers by multicast DNS (useless across overlay networks, harmless there).
    pub mdns: bool,
    /// Run Kademlia (server mode) to learn peers from peers.
    pub dht: bool,
    /// Private-network key derived from the cluster secret; nodes without the same key can never
    /// complete a connection.
    pub psk: Option<[u8; 32]>,
    /// How often presence is announced (also on change and when a peer subscribes).
    pub presence_interval: Duration,
    /// How often disconnected known peers and bootstrap addresses are redialled.
    pub redial_interval: Duration,
    /// Agent string announced through identify (name and version of the software).
    pub agent_version: String,
    /// Resource limits.
    pub limits: Limits,
}

/// Limits on connections, message sizes and queues.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Established connections in total.
    pub max_connections: u32,
    /// Established connections per peer (two allow a simultaneous dial from both sides).
    pub max_connections_per_peer: u32,
    /// Incoming connections still in their handshake (a SYN flood stays cheap).
    pub max_pending_incoming: u32,
    /// Largest gossip message accepted or sent.
    pub max_gossip_bytes: usize,
    /// Largest Raft request or response (log batches and snapshot chunks stay below it).
    pub max_raft_bytes: usize,
    /// Largest forwarded write request or response.
    pub max_write_bytes: usize,
    /// Largest record request or response.
    pub max_records_bytes: usize,
    /// How long an outbound request waits for its response.
    pub request_timeout: Duration,
    /// Capacity of the command queue into the event loop.
    pub command_queue: usize,
    /// Capacity of each protocol's inbound request queue; a full queue refuses the request.
    pub inbound_queue: usize,
    /// Capacity of the broadcast queue of events; a receiver that lags loses the oldest events
    /// and is told how many.
    pub event_queue: usize,
    /// Outbound requests in flight at once.
    pub max_pending_requests: usize,
    /// Largest value stored in or fetched from the DHT. Values are content-addressed (the key is
    /// their SHA-256), so a peer cannot overwrite one; this bounds what a peer can make us keep.
    pub max_dht_value_bytes: usize,
    /// Most DHT values this node keeps for others; with `max_dht_value_bytes` it bounds the
    /// memory the DHT store may take (default 256 × 1 MiB). A full store refuses new values.
    pub max_dht_records: usize,
    /// How long a DHT put or get may take before it is reported as timed out.
    pub dht_timeout: Duration,
    /// DHT queries in flight at once.
    pub max_dht_queries: usize,
    /// Idle connections are kept this long (the mesh is meant to stay connected; ping keeps
    /// active connections alive).
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 256,
            max_connections_per_peer: 2,
            max_pending_incoming: 64,
            max_gossip_bytes: 64 * 1024,
            max_raft_bytes: 16 * 1024 * 1024,
            max_write_bytes: 8 * 1024 * 1024,
            max_records_bytes: 8 * 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            command_queue: 1024,
            inbound_queue: 1024,
            event_queue: 4096,
            max_pending_requests: 4096,
            max_dht_value_bytes: 1024 * 1024 + 4096,
            max_dht_records: 256,
            dht_timeout: Duration::from_secs(10),
            max_dht_queries: 256,
            idle_timeout: Duration::from_secs(3600),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            cluster: "chorus".to_string(),
            listen_addrs: vec![default_listen(9000)],
            bootstrap_peers: Vec::new(),
            bootstrap_dns: Vec::new(),
            dns_interval: Duration::from_secs(30),
            mdns: true,
            dht: true,
            psk: None,
            presence_interval: Duration::from_secs(10),
            redial_interval: Duration::from_secs(2),
            agent_version: format!("chorus/{}", env!("CARGO_PKG_VERSION")),
            limits: Limits::default(),
        }
    }
}

/// `/ip4/0.0.0.0/tcp/<port>`.
pub fn default_listen(port: u16) -> Multiaddr {
    use libp2p::multiaddr::Protocol;
    Multiaddr::empty()
        .with(Protocol::Ip4([0, 0, 0, 0].into()))
        .with(Protocol::Tcp(port))
}

/// A cluster name that cannot scope protocol names.
#[derive(Debug, thiserror::Error)]
#[error("cluster = {value:?}: expected 1 to 64 characters of a-z, 0-9 and '-'")]
pub struct ConfigError {
    /// The rejected value.
    pub value: String,
}

/// Checks a cluster name: it becomes part of protocol ids and topic names.
pub fn validate_cluster_name(name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ConfigError {
            value: name.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_are_checked() {
        assert!(validate_cluster_name("prod-1").is_ok());
        for bad in ["", "Prod", "a/b", "a b", &"x".repeat(65)] {
            assert!(validate_cluster_name(bad).is_err(), "{bad:?}");
        }
    }
}
