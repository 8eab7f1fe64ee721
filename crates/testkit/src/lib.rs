//! Test support for Chorus (unpublished).
//!
//! Owns: starting nodes in-process on loopback with temporary data directories, starting
//! `chorus-agent` processes (so tests can SIGKILL, SIGSTOP and restart them), waiting on
//! observable state with a deadline and a reason, and free-port helpers. Tests use real parts:
//! TCP + Noise on loopback, real data directories, real binaries.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cluster;
mod local;
mod process;
mod wait;

pub use cluster::{Agreement, LocalCluster, ProcessCluster, agreed_leader};
pub use local::{LocalNode, NodeOptions, free_port, metric_value, test_config};
pub use process::{AgentProcess, bin_path};
pub use wait::{wait_for, wait_until};

/// Installs a tracing subscriber for tests once (`CHORUS_TEST_LOG` sets the filter, default
/// `warn`). Output goes to the test harness's captured stderr.
pub fn init_tracing() {
    let filter = std::env::var("CHORUS_TEST_LOG").unwrap_or_else(|_| "warn".into());
    chorus_telemetry::init_tracing(&filter, chorus_telemetry::LogFormat::Text);
}
