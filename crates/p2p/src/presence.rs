//! Presence: what each node announces about itself on `chorus/<cluster>/presence/1`.

use serde::{Deserialize, Serialize};

/// A node's self-description, announced periodically and on change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Presence {
    /// The node's configured name.
    pub node_name: String,
    /// The node's role (`agent`, `portal`, …).
    pub role: String,
    /// Software version.
    pub version: String,
    /// The node's Raft id, once known.
    #[serde(default)]
    pub raft_id: Option<u64>,
    /// What the node can do (free-form capability names).
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Current load, 0.0 (idle) to 1.0 (saturated).
    #[serde(default)]
    pub load: f64,
    /// The palace writer this node follows (peer id), once it belongs to a formed cluster. A
    /// node that sees such a peer never initialises a second cluster.
    #[serde(default)]
    pub leader: Option<String>,
    /// When the announcement was sent, ms since the Unix epoch (sender's clock).
    #[serde(default)]
    pub sent_at_ms: u64,
}
