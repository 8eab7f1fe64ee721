//! The Model Context Protocol server behind `chorus mcp`, for AI agents.
//!
//! JSON-RPC 2.0, one message per line on stdin and stdout (logs never go to stdout). Speaks
//! `initialize` (with protocol version negotiation), `notifications/initialized`, `ping`,
//! `tools/list` and `tools/call`. Every tool is a typed call of [`chorus_client`], so the server
//! holds no palace state and knows no Raft, libp2p or storage. Bad tool arguments, unknown tools
//! and node errors are tool results with `isError: true`, never a protocol error or a crash.
//!
//! One table ([`TOOLS`]) gives each tool its name, description, argument schema and handler:
//! `tools/list` and `tools/call` both read it. See docs/mcp.md.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod schema;
mod server;
mod tools;

pub use schema::{Arg, Kind};
pub use server::{MAX_MESSAGE_BYTES, PROTOCOL_VERSIONS, serve, serve_stdio};
pub use tools::{Args, Handler, Reply, TOOLS, Tool};
