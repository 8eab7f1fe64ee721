//! A client for the node API, used by the `chorus` CLI, the MCP server and tools.
//!
//! Talks HTTP/1.1 over the node's Unix socket (trusted by file permissions) or over TCP with a
//! bearer token. One connection per request keeps it simple and robust across node restarts.
//! Every endpoint has a typed call (`add_drawer`, `search`, `members`, …), one module per
//! resource as in the server; paths and types come from `chorus-api-types`. The untyped
//! `get`/`post` calls remain for tests and tools that probe the API itself. Knows nothing of
//! libp2p, Raft or storage.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod client;
mod cluster;
mod diaries;
mod drawers;
mod error;
mod kg;
mod records;
mod search;
mod status;
mod tunnels;

pub use chorus_api_types as types;
pub use client::{Client, Target};
pub use cluster::BACKUP_WAIT;
pub use error::Error;
pub use search::REINDEX_WAIT;
