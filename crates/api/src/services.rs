//! What the handlers read: the node's subsystems and its static facts.

use std::{sync::Arc, time::Instant};

/// Static facts about the node, for `/status`.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    /// Node name.
    pub node_name: String,
    /// Role, as announced in presence.
    pub role: String,
    /// Cluster name.
    pub cluster: String,
    /// Voters expected at formation; readiness waits for this many nodes.
    pub bootstrap_expect: usize,
}

/// The handles the API reads. Owned by the node; the API keeps clones.
#[derive(Clone)]
pub struct Services {
    /// The mesh.
    pub p2p: chorus_p2p::Handle,
    /// Metrics.
    pub registry: chorus_telemetry::Registry,
    /// Consensus: writes, palace reads, membership, fencing.
    pub consensus: chorus_consensus::Consensus,
    /// The search index follower (`None`: search endpoints answer 503).
    pub search: Option<Arc<chorus_search::Follower>>,
    /// Decision records.
    pub records: chorus_decisions::Service,
    /// Static node facts.
    pub info: NodeInfo,
    /// When the node started.
    pub started: Instant,
}
