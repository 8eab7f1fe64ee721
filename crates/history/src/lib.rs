//! Linearizability checking for tests of the replicated store (DESIGN §12, invariants 1–3).
//!
//! This crate owns three things: a history model for a key–value register ([`Op`], [`Outcome`],
//! [`History`]), a thread-safe [`Recorder`] that concurrent client tasks record their operations into,
//! and a [`Checker`] that decides whether a history is linearizable and, when it is not, explains why
//! with a small failing set of operations ([`Violation`]).
//!
//! It does not run clients, inject faults or talk to a cluster; tests do that and record what they saw.
//! It has no async code and spawns nothing.
//!
//! ```
//! use chorus_history::{Op, Outcome, Recorder, check};
//!
//! let rec = Recorder::new(); // clone it into every client task
//! let w = rec.invoke(1, Op::write("k", 1));
//! rec.complete(w, Outcome::written())?;
//! let r = rec.invoke(2, Op::read("k"));
//! rec.complete(r, Outcome::read(Some(1)))?;
//! check(&rec.history())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Recording a run
//!
//! Call [`Recorder::invoke`] right before a client sends a request and [`Recorder::complete`] right
//! after it knows the outcome: [`Outcome::Ok`] with the reply, [`Outcome::Failed`] when the request
//! certainly did not take effect (a 4xx, a 503 before forwarding), [`Outcome::Unknown`] when it may
//! have (a timeout after forwarding, a reset connection). A [`Pending`] that is dropped (a cancelled
//! task) stays `Unknown`. Values are `u64`; give each write a value unique to its key.
//!
//! # Checking
//!
//! [`check`] (or a configured [`Checker`]) runs the Wing & Gong search with Lowe's memoization on
//! each key separately (P-compositionality: a key–value store is a product of independent
//! registers). `Unknown` operations may take effect at any point after their invocation, or never;
//! `Failed` ones are left out. A quick pass first looks for the usual shapes of a replication bug (a
//! value read after it was certainly overwritten, or before it was written). The search is bounded by a step budget and reports
//! [`Error::Inconclusive`] when it runs out instead of running forever. A violation is shrunk to a
//! small set of operations that on its own admits no linearization and prints like this:
//!
//! ```text
//! history of key "k0" is not linearizable: op 1428 (client 8, read "k0" -> 295) cannot take effect at any point of its interval
//!   failing set: 3 of the key's 390 operations (minimal: leaving out any one operation makes it linearizable):
//!      op 525  client 5   t1036 (+7.938ms)     .. t1052 (+7.974ms)     write "k0" := 295 -> ok
//!      op 1414 client 1   t2801 (+19.056ms)    .. t2806 (+19.082ms)    write "k0" := 761 -> ok
//!   => op 1428 client 8   t2830 (+19.143ms)    .. t2835 (+19.172ms)    read "k0" -> 295
//!   longest order found: op 525, op 1414; value then: 761; after it op 1428 has no place
//! ```
//!
//! `t1036` is the event's position in the recorder's order and `+7.938ms` its time since the
//! recorder was created, to line up with logs. [`Violation::history`] gives the failing set as a
//! history of its own; [`History`] serialises with serde, so a failing run can be saved and checked
//! again.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod checker;
mod error;
mod history;
mod links;
mod memo;
mod model;
mod op;
#[cfg(test)]
mod oracle_test;
mod partition;
mod quick;
mod recorder;
mod search;
mod shrink;
mod violation;

pub use checker::{Checker, Report, check};
pub use error::{Error, Inconclusive};
pub use history::{ClientId, Entry, History, OpId, Stamp};
pub use op::{Key, Op, Outcome, Reply, Value};
pub use recorder::{Pending, RecordError, Recorder};
pub use violation::{Cause, Violation};
