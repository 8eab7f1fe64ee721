//! Tracing setup, the Prometheus registry wrapper and metric helpers for Chorus.
//!
//! Owns: how logs are formatted (`text` or `json`), the build information every node reports, and
//! small helpers that register metrics on a registry the binary created (there is no global
//! registry). Does not own any particular subsystem's metrics: each crate registers its own, with
//! names prefixed `chorus_`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod log;
mod registry;

pub use log::{LogFormat, LogFormatError, init_tracing};
pub use registry::{
    BUILD_SHA, MetricError, Registry, VERSION, counter_vec, gauge, gauge_vec, histogram_vec,
    int_counter, int_counter_vec, int_gauge,
};
