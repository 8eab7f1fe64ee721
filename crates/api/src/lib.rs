//! The node's HTTP surfaces.
//!
//! Owns three listeners: the health port (`/healthz`, `/readyz`, `/status`, `/metrics`, no
//! authentication, nothing secret), the Unix socket (the full `/v1/` API, trusted by file
//! permissions 0600) and the TCP API port (the same `/v1/` API behind a bearer token; off when no
//! token is configured). Does not own any state: it reads the subsystems' handles
//! ([`Services`]).
//!
//! One module per resource under `routes/` (drawers, diaries, kg, tunnels, search, members,
//! fencing, backup, records, roles, status), each with its own `router()`. Every palace write
//! goes through `routes::write`, every palace read through `routes::read`, and every answer
//! through `routes::answer`. Paths and request and answer types come from `chorus-api-types`,
//! shared with the client. Adding a resource: see `docs/architecture.md`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod error;
mod routes;
mod server;
mod services;

pub use error::ApiError;
pub use server::{Config, Invalid, Server, start};
pub use services::{NodeInfo, Services};

/// Errors binding the listeners.
pub mod server_error {
    pub use crate::server::BindError;
}
