//! The vocabulary of the node's `/v1/` HTTP API, shared by the server (`chorus-api`) and the
//! client (`chorus-client`): every path, request body, query string and answer is declared
//! once, here.
//!
//! Owns plain serde types and the path table. Knows no HTTP library, no Raft, no libp2p; the
//! palace's own data types (drawers, facts, tunnels, pages) are used as they are.
//!
//! Request types deny unknown fields, so a misspelt field is a 400 naming it; answer types
//! accept unknown fields, so an older client reads a newer node. The server writes every answer
//! that is not a fixed document (`/status`, `/v1/members`, fencing tokens) with its keys in
//! alphabetical order, as the API always has (see `chorus-api`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod cluster;
pub mod diaries;
pub mod drawers;
pub mod kg;
pub mod paths;
pub mod query;
pub mod records;
pub mod search;
pub mod tunnels;
pub mod write;

pub use query::{Read, ReadParams};
pub use write::{Created, WriteAt, Written};
