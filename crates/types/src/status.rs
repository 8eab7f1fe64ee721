//! The node status document served at `/status` and `/v1/status`.

use serde::{Deserialize, Serialize};

/// What a node reports about itself. Fields a subsystem has not filled yet are `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The node's configured name.
    pub node_name: String,
    /// Its libp2p peer id.
    pub peer_id: String,
    /// Its Raft id (derived from the peer id).
    pub raft_id: Option<u64>,
    /// Its role.
    pub role: String,
    /// The cluster name.
    pub cluster: String,
    /// Whether it is the palace writer now.
    pub is_leader: Option<bool>,
    /// The leader it knows of.
    pub leader_peer_id: Option<String>,
    /// The current Raft term.
    pub term: Option<u64>,
    /// The highest log index known committed.
    pub commit_index: Option<u64>,
    /// The highest log index applied to the local palace.
    pub applied_index: Option<u64>,
    /// Cluster peers connected now.
    pub peers_connected: usize,
    /// Peer ids of the voting members.
    pub voters: Option<Vec<String>>,
    /// Software version.
    pub version: String,
    /// Git commit of the build.
    pub build_sha: String,
    /// Addresses the mesh listens on.
    pub listen_addrs: Vec<String>,
    /// Seconds since the node started.
    pub uptime_seconds: u64,
}

/// The answer of `/readyz`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    /// Whether the node is ready to serve.
    pub ready: bool,
    /// What is still missing, in words.
    pub waiting_for: Vec<String>,
}

/// A JSON error body: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error inside [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A stable machine-readable code (`not_found`, `unauthorized`, `invalid`, …).
    pub code: String,
    /// A human-readable message naming the value and what was expected.
    pub message: String,
    /// The request field at fault, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
