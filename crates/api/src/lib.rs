//! The node's HTTP surfaces.
//!
//! Owns three listeners: the health port (`/healthz`, `/readyz`, `/status`, `/metrics`, no
//! authentication, nothing secret), the Unix socket (the full `/v1/` API, trusted by file
//! permissions 0600) and the TCP API port (the same `/v1/` API behind a bearer token; off when no
//! token is configured). Does not own any state: it reads the subsystems' handles.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod error;
mod routes;
mod server;

pub use error::ApiError;
pub use server::{Config, NodeInfo, Server, Services, start};

/// Errors binding the listeners.
pub mod server_error {
    pub use crate::server::BindError;
}
