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
//! The checker is the Wing & Gong search with Lowe's memoization, run on each key separately
//! (P-compositionality: a key–value store is a product of independent registers). Operations with
//! [`Outcome::Unknown`] may take effect at any point after their invocation, or never;
//! [`Outcome::Failed`] operations are left out. The search is bounded by a step budget and reports
//! [`Error::Inconclusive`] when it runs out instead of running forever.
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
