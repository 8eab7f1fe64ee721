//! Agent suite: the `chorus-agent` and `chorus` binaries as users run them: configuration errors,
//! the data-directory lock, the CLI, health endpoints, graceful shutdown, and a failed start that
//! leaves nothing behind.

mod t10_config;
mod t20_datadir;
mod t30_cli;
mod t40_start;

use std::process::{Command, Output};

/// Runs `chorus-agent` with `args` and `env` (nothing else inherited but PATH and HOME) to
/// completion.
pub fn run_agent(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Output> {
    let mut cmd = Command::new(chorus_testkit::bin_path("chorus-agent")?);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("HOME", std::env::temp_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Ok(cmd.output()?)
}

/// Runs `chorus` with `args` to completion.
pub fn run_cli(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Output> {
    let mut cmd = Command::new(chorus_testkit::bin_path("chorus")?);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Ok(cmd.output()?)
}

/// Common arguments for a quiet loopback agent with every port picked at start.
pub fn loopback_args() -> Vec<String> {
    [
        "--p2p-port",
        "0",
        "--listen-addrs",
        "/ip4/127.0.0.1/tcp/0",
        "--health-port",
        "0",
        "--http-bind",
        "127.0.0.1",
        "--no-mdns",
        "--log",
        "warn",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}
