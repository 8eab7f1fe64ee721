//! The Raft type configuration: node ids, member descriptions, log commands and their results.

use std::{fmt, io::Cursor};

use chorus_types::fencing::FencingToken;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A Raft node id: the first 8 bytes (big-endian) of the SHA-256 of the node's PeerId bytes.
pub type NodeId = u64;

/// Derives the Raft id of a peer. Collisions are refused at membership change.
pub fn raft_id(peer: &chorus_p2p::PeerId) -> NodeId {
    let digest = Sha256::digest(peer.to_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(b)
}

/// What the membership stores about each member: enough to reach it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// libp2p PeerId (base58).
    pub peer_id: String,
    /// Node name at the time it joined (informational).
    pub name: String,
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name, self.peer_id)
    }
}

/// An operation proposed through the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// A palace command.
    Palace(chorus_palace::Command),
    /// Authorises a side effect on `resource`: the committed entry's `(term, index)` becomes the
    /// resource's current fencing token.
    Fence {
        /// The resource, e.g. `task/42`.
        resource: String,
    },
    /// A palace command that may only apply while `token` is still `resource`'s current token
    /// (a deposed holder's write is rejected).
    Fenced {
        /// The resource.
        resource: String,
        /// The token the writer holds.
        token: FencingToken,
        /// The command.
        command: chorus_palace::Command,
    },
    /// Marks a node as removed by an operator (the leader never re-adds it on its own), or
    /// clears the mark.
    Exclude {
        /// The node.
        node: NodeId,
        /// Whether it is excluded.
        excluded: bool,
    },
}

impl Op {
    /// Short name for metrics labels (a fixed set).
    pub fn label(&self) -> &'static str {
        match self {
            Op::Palace(c) | Op::Fenced { command: c, .. } => palace_label(c),
            Op::Fence { .. } => "fence",
            Op::Exclude { .. } => "membership",
        }
    }
}

fn palace_label(c: &chorus_palace::Command) -> &'static str {
    use chorus_palace::Command as C;
    match c {
        C::DrawerAdd(_) => "drawer_add",
        C::DrawerAddBatch { .. } => "drawer_add_batch",
        C::DrawerUpdate { .. } => "drawer_update",
        C::DrawerDelete { .. } => "drawer_delete",
        C::RecordPut { .. } => "record_put",
        C::RoleSet { .. } => "role_set",
        _ => "other",
    }
}

/// A log entry's application payload: the operation plus what the leader stamped into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The operation.
    pub op: Op,
    /// Makes a retried write apply once: the state machine remembers recent keys and their
    /// results.
    pub idempotency_key: Option<String>,
    /// Wall time stamped by the leader when it proposed the entry (ms since the epoch); `apply`
    /// uses it instead of reading a clock.
    pub stamped_at_ms: u64,
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.op.label())
    }
}

/// The result of applying an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// A palace command's result (a rejected command is a deterministic error, not a failure).
    Palace(Result<chorus_palace::Response, chorus_palace::Error>),
    /// A side effect was authorised with this token.
    Fenced(FencingToken),
    /// A fenced command was refused: the token is no longer current.
    StaleToken {
        /// The token presented.
        presented: FencingToken,
        /// The resource's current token.
        current: FencingToken,
    },
    /// Membership or blank entries.
    None,
}

/// What a committed entry returns to its writer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The outcome.
    pub outcome: Outcome,
    /// Index of the entry that produced the outcome (for a deduplicated retry: the first one).
    pub index: u64,
    /// Term of that entry.
    pub term: u64,
    /// True when the idempotency key was seen before and this is the first result again.
    pub deduplicated: bool,
}

openraft::declare_raft_types!(
    /// Chorus's Raft types.
    pub TypeConfig:
        D = Request,
        R = Reply,
        NodeId = NodeId,
        Node = Member,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
);

/// Shorthand for the Raft instance.
pub type Raft = openraft::Raft<TypeConfig>;
/// A log id.
pub type LogId = openraft::LogId<NodeId>;
/// A stored membership.
pub type StoredMembership = openraft::StoredMembership<NodeId, Member>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raft_ids_are_stable_and_distinct() {
        let a = chorus_p2p::Keypair::generate_ed25519()
            .public()
            .to_peer_id();
        let b = chorus_p2p::Keypair::generate_ed25519()
            .public()
            .to_peer_id();
        assert_eq!(raft_id(&a), raft_id(&a));
        assert_ne!(raft_id(&a), raft_id(&b));
    }
}
