//! Nodes started in-process on loopback.

use std::{collections::HashMap, net::TcpListener, path::PathBuf, sync::Arc};

use chorus_node::{Node, NodeConfig, NodeHandle};
use chorus_p2p::{Multiaddr, Resolver, SystemResolver};

/// Options for one in-process node.
#[derive(Clone)]
pub struct NodeOptions {
    /// Cluster name (each test should use its own).
    pub cluster: String,
    /// Node name.
    pub name: String,
    /// Extra `CHORUS_*` variables, applied over the test defaults.
    pub env: Vec<(String, String)>,
    /// DNS resolver (tests of DNS bootstrap pass a static one).
    pub resolver: Arc<dyn Resolver>,
    /// Data directory; a fresh temporary one when `None`.
    pub data_dir: Option<PathBuf>,
}

impl NodeOptions {
    /// A node named `name` in `cluster` with test defaults.
    pub fn new(cluster: &str, name: &str) -> Self {
        Self {
            cluster: cluster.into(),
            name: name.into(),
            env: Vec::new(),
            resolver: Arc::new(SystemResolver),
            data_dir: None,
        }
    }

    /// Adds a `CHORUS_*` variable.
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }
}

/// The environment a test node starts with: loopback only, every port picked at start, mDNS
/// off (tests turn it on explicitly), TCP API off, election window 300-600 ms.
pub fn test_config(opts: &NodeOptions, data_dir: &std::path::Path) -> anyhow::Result<NodeConfig> {
    let mut env: HashMap<String, String> = [
        ("CHORUS_CLUSTER", opts.cluster.as_str()),
        ("CHORUS_NODE_NAME", opts.name.as_str()),
        ("CHORUS_LISTEN_ADDRS", "/ip4/127.0.0.1/tcp/0"),
        ("CHORUS_HEALTH_PORT", "0"),
        ("CHORUS_API_PORT", "0"),
        ("CHORUS_HTTP_BIND", "127.0.0.1"),
        ("CHORUS_MDNS", "false"),
        // Many nodes share two cores while tests run in parallel: a roomier election window
        // than production's keeps CPU starvation from passing for a dead leader. Tests check
        // safety and liveness, not timing; benchmarks use the production defaults.
        ("CHORUS_RAFT_ELECTION_MIN", "300ms"),
        ("CHORUS_RAFT_ELECTION_MAX", "600ms"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.insert("CHORUS_DATA_DIR".into(), data_dir.display().to_string());
    for (k, v) in &opts.env {
        env.insert(k.clone(), v.clone());
    }
    NodeConfig::load(&env, None, &[]).map_err(|e| anyhow::anyhow!("{e}"))
}

/// A node running in this process, with its temporary data directory.
pub struct LocalNode {
    /// The node.
    pub handle: NodeHandle,
    /// Options it was started with (to restart it).
    pub opts: NodeOptions,
    /// Its data directory.
    pub data_dir: PathBuf,
    /// The temporary directory holding `data_dir`, removed on drop (`None` when the caller
    /// chose the directory).
    pub tmp: Option<tempfile::TempDir>,
}

impl LocalNode {
    /// Starts a node; returns once its ports are bound.
    pub async fn start(opts: NodeOptions) -> anyhow::Result<Self> {
        let (tmp, dir) = match &opts.data_dir {
            Some(d) => (None, d.clone()),
            None => {
                let t = tempfile::Builder::new().prefix("chorus-").tempdir()?;
                let d = t.path().join(&opts.name);
                (Some(t), d)
            }
        };
        let config = test_config(&opts, &dir)?;
        let handle = Node::start_with(
            config,
            chorus_telemetry::Registry::new(),
            opts.resolver.clone(),
        )
        .await?;
        Ok(Self {
            handle,
            opts,
            data_dir: dir,
            tmp,
        })
    }

    /// Shuts the node down and only then removes its temporary data directory (a node left
    /// running while its directory goes away can leave sled blocked on a failed flush).
    pub async fn stop(self) {
        self.handle.shutdown().await;
        drop(self.tmp);
    }

    /// The node's first listen address with its peer id, for others to bootstrap from.
    pub fn bootstrap_addr(&self) -> Multiaddr {
        let p2p = &self.handle.p2p;
        let addr = p2p
            .listen_addrs()
            .into_iter()
            .next()
            .unwrap_or_else(Multiaddr::empty);
        addr.with(chorus_p2p::multiaddr_p2p(p2p.local_peer_id()))
    }

    /// The node's status document, as `/status` serves it.
    pub fn status(&self) -> chorus_types::status::Status {
        let r = self.handle.consensus.status();
        chorus_types::status::Status {
            node_name: self.opts.name.clone(),
            peer_id: self.handle.p2p.local_peer_id().to_string(),
            raft_id: Some(r.raft_id),
            role: "agent".into(),
            cluster: self.opts.cluster.clone(),
            is_leader: Some(r.is_leader),
            leader_peer_id: r.leader_peer_id,
            term: Some(r.term),
            commit_index: Some(r.commit_index),
            applied_index: Some(r.applied_index),
            peers_connected: self.peer_count(),
            voters: Some(r.voters),
            ..Default::default()
        }
    }

    /// Connected cluster peers now.
    pub fn peer_count(&self) -> usize {
        self.handle.p2p.connected_members().len()
    }

    /// The metrics text.
    pub fn metrics(&self) -> String {
        self.handle.registry.encode_text()
    }

    /// Reads one sample from the metrics text (`name{labels}` exactly as exposed), 0 if absent.
    pub fn metric(&self, series: &str) -> f64 {
        metric_value(&self.metrics(), series)
    }
}

/// The value of `series` (e.g. `chorus_p2p_peers_connected` or
/// `chorus_x_total{a="b"}`) in Prometheus text, 0 when absent.
pub fn metric_value(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            (name == series).then(|| value.parse().ok()).flatten()
        })
        .unwrap_or(0.0)
}

/// A TCP port free on 127.0.0.1 right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
