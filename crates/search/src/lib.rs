//! Full-text search over the palace: a tantivy index derived from applied state.
//!
//! This crate owns the index schema, following palace applies through their
//! [`chorus_palace::Change`]s with batched commits, rebuilding from a [`chorus_palace::State`],
//! and BM25 search filtered by wing and room with bounded queries.
//!
//! It does **not** own the palace (it only reads [`chorus_palace::State`]), decide when to
//! rebuild (the node does, see [`Index::open_with`]), or replicate anything: every node derives
//! its own index and can throw it away. Threading is described on [`Index`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod batch;
mod error;
mod index;
mod query;
mod schema;

pub use batch::Batch;
pub use error::Error;
pub use index::{Config, DEFAULT_COMMIT_EVERY, DEFAULT_WRITER_MEMORY_BYTES, Index};
pub use query::{Hit, MAX_QUERY_BYTES, MAX_SEARCH_LIMIT, SNIPPET_CHARS};
