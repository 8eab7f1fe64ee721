//! The Chorus node: configuration layering, the data directory, key files, and the wiring of
//! every subsystem in dependency order.
//!
//! [`Node::start`] returns a [`NodeHandle`] once every port is bound; its `shutdown` stops the
//! subsystems in reverse order within a bounded time. Owns no protocol logic itself.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod config;
pub mod datadir;
mod node;
mod records;
mod running;
mod search;
pub mod secret_file;
pub mod settings;

pub use config::{ConfigError, NodeConfig, SettingError};
pub use datadir::{DataDir, DataDirError};
pub use node::{Node, NodeHandle, Ports, StartError};
