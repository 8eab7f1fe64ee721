//! Tunnels: links between rooms of different wings (`/v1/palace/tunnels…`).

use chorus_palace::RoomRef;
use serde::{Deserialize, Serialize};

use crate::query::read_query;

/// `POST /v1/palace/tunnels` (undirected and idempotent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTunnel {
    /// One end.
    pub a: RoomRef,
    /// The other end, in another wing.
    pub b: RoomRef,
    /// Why the rooms are linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Who creates it (default: the node's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// `GET /v1/palace/tunnels?…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TunnelQuery {
    /// Only tunnels with an end in this wing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wing: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// See [`crate::ReadParams`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_index: Option<u64>,
    /// See [`crate::ReadParams`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<String>,
}

read_query!(TunnelQuery);

/// A tunnel deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TunnelDeleted {
    /// Its id.
    pub id: String,
}
