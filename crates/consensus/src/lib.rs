//! Exactly one palace writer.
//!
//! Owns: Raft (openraft 0.9, storage v2, one leader per term) with the log, vote and snapshots
//! on sled; the Raft RPCs over the mesh (`/chorus/<cluster>/raft/1`); writes forwarded to the
//! leader over `/chorus/<cluster>/write/1` with idempotency keys and retries; reads at a chosen
//! consistency; fencing tokens; formation with `bootstrap_expect` and automatic growth
//! (learners, then voters up to `max_voters`).
//!
//! Delegates the data model to `palace` (deterministic `apply`), and transport to `p2p`.
//! Knows nothing of HTTP.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod background;
mod config;
pub mod dedup;
mod error;
pub mod formation;
mod handle;
mod hooks;
mod metrics;
mod network;
mod palace_read;
mod serve;
pub mod store;
pub mod types;
pub mod wire;

pub use config::{Config, Invalid};
pub use error::{ReadError, WriteError};
pub use handle::{Consensus, Consistency, MemberInfo, RaftStatus, StartError};
pub use hooks::Hooks;
pub use palace_read::LogPosition;
pub use types::{NodeId, Op, Outcome, Reply, raft_id};
pub use wire::MemberOp;
