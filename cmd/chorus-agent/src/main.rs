//! `chorus-agent`: the node daemon. Parses flags, loads configuration, starts the node, waits for
//! SIGTERM or SIGINT, and shuts down in order. Exits 64 on bad configuration.

use std::{collections::HashMap, path::PathBuf, process::ExitCode};

use chorus_node::{Node, NodeConfig};
use clap::Parser;

/// Flags mirror the `CHORUS_*` variables; see docs/configuration.md.
#[derive(Parser, Debug)]
#[command(name = "chorus-agent", version, about = "Chorus node daemon")]
struct Flags {
    /// TOML configuration file (also CHORUS_CONFIG).
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long)]
    cluster: Option<String>,
    #[arg(long)]
    node_name: Option<String>,
    #[arg(long)]
    role: Option<String>,
    #[arg(long)]
    data_dir: Option<String>,
    #[arg(long)]
    p2p_port: Option<String>,
    #[arg(long)]
    listen_addrs: Option<String>,
    #[arg(long)]
    health_port: Option<String>,
    #[arg(long)]
    api_port: Option<String>,
    #[arg(long)]
    http_bind: Option<String>,
    #[arg(long)]
    api_token_file: Option<String>,
    #[arg(long)]
    cluster_secret_file: Option<String>,
    #[arg(long)]
    bootstrap_peers: Option<String>,
    #[arg(long)]
    bootstrap_dns: Option<String>,
    #[arg(long)]
    bootstrap_expect: Option<String>,
    /// Turn multicast DNS discovery off.
    #[arg(long)]
    no_mdns: bool,
    #[arg(long)]
    log: Option<String>,
    #[arg(long)]
    log_format: Option<String>,
}

impl Flags {
    fn overrides(&self) -> Vec<(&'static str, String)> {
        let pairs: [(&'static str, &Option<String>); 17] = [
            ("cluster", &self.cluster),
            ("node_name", &self.node_name),
            ("role", &self.role),
            ("data_dir", &self.data_dir),
            ("p2p_port", &self.p2p_port),
            ("listen_addrs", &self.listen_addrs),
            ("health_port", &self.health_port),
            ("api_port", &self.api_port),
            ("http_bind", &self.http_bind),
            ("api_token_file", &self.api_token_file),
            ("cluster_secret_file", &self.cluster_secret_file),
            ("bootstrap_peers", &self.bootstrap_peers),
            ("bootstrap_dns", &self.bootstrap_dns),
            ("bootstrap_expect", &self.bootstrap_expect),
            ("log", &self.log),
            ("log_format", &self.log_format),
            ("mdns", &self.no_mdns.then(|| "false".to_string())),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
            .collect()
    }
}

fn main() -> ExitCode {
    let flags = Flags::parse();
    let env: HashMap<String, String> = std::env::vars().collect();
    let config = match NodeConfig::load(&env, flags.config.as_deref(), &flags.overrides()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(64);
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
            return ExitCode::from(71);
        }
    };
    match rt.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chorus-agent: {e:#}");
            ExitCode::from(69)
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
