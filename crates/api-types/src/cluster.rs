//! Membership (`/v1/members…`) and fencing (`/v1/fencing/…`).

use chorus_types::fencing::FencingToken;
use serde::{Deserialize, Serialize};

/// A voter or learner, as `GET /v1/members` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Raft id.
    pub raft_id: u64,
    /// Peer id.
    pub peer_id: String,
    /// The name it joined with.
    pub name: String,
    /// `voter` or `learner`.
    pub role: String,
    /// Whether it leads.
    pub leader: bool,
    /// Highest index known replicated to it (known on the leader only).
    pub matched_index: Option<u64>,
}

/// A learner made a voter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promoted {
    /// Its Raft id.
    pub promoted: u64,
}

/// A member removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// Its Raft id.
    pub removed: u64,
}

/// `POST /v1/fencing/authorize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FencingResource {
    /// The resource (1 to 256 characters).
    pub resource: String,
}

/// `POST /v1/fencing/check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FenceCheck {
    /// The resource.
    pub resource: String,
    /// The token's term.
    pub term: u64,
    /// The token's index.
    pub index: u64,
}

/// A token accepted by the receiver's check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FenceAccepted {
    /// Always true (a refusal is a 409).
    pub accepted: bool,
    /// The token.
    pub token: FencingToken,
}
