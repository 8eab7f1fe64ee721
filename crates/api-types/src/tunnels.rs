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

read_query! {
    /// `GET /v1/palace/tunnels?…`.
    pub struct TunnelQuery {
        ;
        /// Only tunnels with an end in this wing.
        wing: String,
    } paged
}

/// A tunnel deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TunnelDeleted {
    /// Its id.
    pub id: String,
}
