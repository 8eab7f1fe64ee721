//! Decision records on the mesh (DESIGN §7): the node-side service around the pure `records`
//! crate.
//!
//! Owns:
//! - publishing: build (sign with the node key, encrypt to the recipient roles' keys from the
//!   palace role registry plus `admin`), number the version under the address (`*1`, `*2`, …)
//!   under a fencing token, commit the envelope to the palace, put it in the DHT by cid and
//!   announce `{cid, address, author}` on `decisions/1`;
//! - receiving: every announcement is fetched (palace, else DHT, else a peer over
//!   `/chorus/<cluster>/records/1`) and verified before gossipsub may forward it; rejections
//!   are counted by reason in `chorus_records_rejected_total`;
//! - fetching by cid or by address and version (`*^`, `*N`, `~~N`);
//! - the admin gate on the role registry: a role change is admitted by the leader only after
//!   the requesting node proved it holds an `admin` identity (see [`roles`]).
//!
//! Only ciphertext leaves this crate: the plaintext of a body is encrypted before anything is
//! written to the palace, the DHT or the network, and this crate never decrypts.
//!
//! Does not own the envelope format or its checks (`chorus-records`), storage (`palace`
//! through `consensus`), or transport (`p2p`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod config;
mod error;
mod fetch;
mod metrics;
mod publish;
mod receive;
pub mod roles;
mod serve;
mod service;
mod wire;

pub use config::Config;
pub use error::Error;
pub use fetch::{Fetched, Source};
pub use publish::{Publish, Receipt};
pub use roles::RoleGate;
pub use service::{RecordInfo, Service};
