//! The palace: Chorus's replicated memory, as a pure, deterministic state machine.
//!
//! This crate owns the data model of DESIGN §6 (wings, rooms and drawers with chunking, the
//! knowledge graph, tunnels, agent diaries, the decision-records table and the role registry),
//! [`State::apply`] for [`Command`]s, bounded reads, and canonical snapshots.
//!
//! It does **not** know Raft, networking, storage, clocks or randomness: time and the log
//! position arrive in the [`ApplyContext`] stamped by the leader, so every replica applying the
//! same log reaches byte-identical state. It does not check *who* may issue a command
//! (authorisation happens before proposing), does not verify decision records (the `records`
//! crate does), and does not search (the `search` crate derives a full-text index from the
//! [`Change`]s each apply returns).
//!
//! Wings and rooms are implicit: a name exists while a drawer uses it (a tunnel may name rooms
//! that hold nothing yet). Names are validated by [`validate_name`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod b64;
pub mod chunk;
mod command;
mod diary;
mod drawer;
mod drawers;
mod error;
mod graph;
pub mod hash;
pub mod limits;
mod name;
mod page;
mod reads;
mod records;
mod response;
mod roles;
mod snapshot;
mod state;
mod tunnels;

pub use command::{ApplyContext, Command, NewDrawer, NewFact, RoomRef};
pub use diary::DiaryEntry;
pub use drawer::{ChunkLink, Drawer};
pub use drawers::RoomCount;
pub use error::{Error, quote};
pub use graph::{Direction, Entity, Fact, KgStats};
pub use limits::Config;
pub use name::{validate_line, validate_name, validate_text};
pub use page::{Page, check_limit};
pub use reads::Status;
pub use records::{Record, RecordSummary};
pub use response::{Applied, Change, DrawerAdded, Response};
pub use roles::Role;
pub use snapshot::{SNAPSHOT_MAGIC, SNAPSHOT_VERSION};
pub use state::State;
pub use tunnels::Tunnel;
