//! Full-text search over the palace: a tantivy index derived from applied state.
//!
//! This crate owns the index schema, following palace applies through their
//! [`chorus_palace::Change`]s with batched commits, rebuilding from a [`chorus_palace::State`],
//! and BM25 search filtered by wing and room with bounded queries.
//!
//! It does **not** own the palace (it only reads [`chorus_palace::State`]), decide when to
//! rebuild (the node does, see [`Index::open_with`]), or replicate anything: every node derives
//! its own index and can throw it away. Threading is described on [`Index`].
//!
//! # Wiring
//!
//! [`Follower`] does all of the following on its own thread: the node gives it the index, calls
//! [`Follower::applied`] and [`Follower::restored`] from its consensus hook, and hands it a
//! [`StateSource`] for rebuilds it decides on. The steps, for other embedders:
//!
//! 1. At start, open the index (`Index::open(<data>/index)`) after loading the palace state.
//!    If it is [`Error::Incompatible`], delete the directory and open again. If
//!    [`Index::indexed_index`] is below the index of the snapshot the state was loaded from,
//!    call [`Index::rebuild`] (the index missed changes that are no longer in the log).
//! 2. After every `State::apply` (or a run of them, in log order), call
//!    [`Index::apply`]`(&state, &applied.changes, entry_index)`; or build a [`Batch`] while
//!    holding the state lock and call [`Index::apply_batch`] after releasing it. Entry indexes
//!    must not go backwards between calls.
//! 3. Updates become searchable at the next commit: automatically every
//!    [`Config::commit_every`] updates, or on [`Index::commit`]. Commit when the apply queue
//!    drains (or on a short timer) so searches lag little; a read with `min_index = N` waits
//!    until [`Index::indexed_index`] reaches N, calling `commit` if it is behind.
//! 4. After installing a Raft snapshot, call [`Index::rebuild`] with the new state.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod batch;
mod error;
mod follow;
mod index;
mod query;
mod schema;

pub use batch::Batch;
pub use error::Error;
pub use follow::{FOLLOW_QUEUE, Follower, FollowerStatus, StateSource};
pub use index::{Config, DEFAULT_COMMIT_EVERY, DEFAULT_WRITER_MEMORY_BYTES, Index};
pub use query::{Hit, MAX_QUERY_BYTES, MAX_QUERY_DEPTH, MAX_SEARCH_LIMIT, SNIPPET_CHARS};
