//! `chorus-agent`: the node daemon. Parses flags, loads configuration, starts the node, waits for
//! SIGTERM or SIGINT, and shuts down in order. Exits 64 on a bad flag or setting.
//!
//! The flags are built from the settings table (`chorus_node::settings::SETTINGS`), so each
//! setting's flag, help, variable and default are written once; see docs/configuration.md.

mod flags;

use std::{collections::HashMap, path::PathBuf, process::ExitCode};

use chorus_node::{Node, NodeConfig};
use chorus_types::exit;

fn main() -> ExitCode {
    let matches = match flags::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let env: HashMap<String, String> = std::env::vars().collect();
    let file = matches.get_one::<PathBuf>("config").map(PathBuf::as_path);
    let config = match NodeConfig::load(&env, file, &flags::overrides(&matches)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    chorus_telemetry::init_tracing(&config.log, config.log_format);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("chorus-agent: cannot start the runtime: {e}");
            return ExitCode::from(exit::OS);
        }
    };
    match rt.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chorus-agent: {e:#}");
            ExitCode::from(exit::UNAVAILABLE)
        }
    }
}

async fn run(config: NodeConfig) -> anyhow::Result<()> {
    let node = Node::start(config).await?;
    let p = node.ports();
    println!(
        "chorus-agent ready: peer_id={} p2p={} health={} api={} socket={}",
        p.peer_id,
        p.p2p.join(","),
        p.health,
        p.api.map(|a| a.to_string()).unwrap_or_else(|| "off".into()),
        p.socket.display()
    );
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("signal received; shutting down");
    node.shutdown().await;
    Ok(())
}
