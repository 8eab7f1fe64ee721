//! `chorus-demo` (what `chorus demo` runs): starts a few `chorus-agent` processes on loopback,
//! shows them find each other, elect one palace writer, replicate writes, and use the palace and
//! decision records, then stops them. Everything it does is printed, with timings. Each feature
//! has its own step module. A program of its own so the CLI stays argument parsing and output.

mod consensus;
mod mesh;
mod palace;
mod records;

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::Context;
use chorus_client::Client;
use mesh::DemoNode;

/// Options of `chorus demo`.
#[derive(clap::Parser, Debug)]
#[command(
    name = "chorus demo",
    version,
    about = "Start a small mesh of local nodes on loopback and show what they do"
)]
pub struct DemoArgs {
    /// How many nodes to start.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(2..=20))]
    nodes: u16,
    /// Keep the nodes running until Ctrl-C instead of stopping them at the end.
    #[arg(long)]
    keep: bool,
    /// Where the nodes keep their data (default: a new temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// What every demo step gets: the nodes and a client per node (same order).
pub struct Ctx<'a> {
    /// The nodes.
    pub nodes: &'a mut Vec<DemoNode>,
    /// A client on each node's Unix socket.
    pub clients: &'a [Client],
}

fn main() -> std::process::ExitCode {
    use clap::Parser;
    let args = DemoArgs::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("chorus demo: cannot start the runtime: {e}");
            return std::process::ExitCode::from(chorus_types::exit::OS);
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chorus demo: {e:#}");
            std::process::ExitCode::from(chorus_types::exit::SOFTWARE)
        }
    }
}

/// Runs the demo.
async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let root = match args.dir {
        Some(d) => d,
        None => std::env::temp_dir().join(format!("chorus-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    let cluster = format!("demo-{}", std::process::id());
    println!(
        "chorus demo: starting {} nodes of cluster {cluster} under {}",
        args.nodes,
        root.display()
    );
    println!(
        "  each node: mesh on 127.0.0.1 (port picked at start), mDNS off, bootstrap from node 1 only;"
    );
    println!("  the others are found through the DHT.");
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(30);
    let mut nodes = mesh::start(args.nodes, &root, &cluster, deadline).await?;
    let clients: Vec<Client> = nodes
        .iter()
        .map(|n| Client::unix(n.dir.join(chorus_datadir::SOCKET)))
        .collect();
    let statuses = mesh::wait_for_mesh(&clients, deadline).await?;
    println!(
        "full mesh after {:.0} ms: every node sees the other {}",
        t0.elapsed().as_secs_f64() * 1000.0,
        nodes.len() - 1
    );
    for (n, s) in nodes.iter().zip(&statuses) {
        println!(
            "  {:<8} peers={} listening={}",
            n.name,
            s.peers_connected,
            s.listen_addrs.join(",")
        );
    }
    let peers = clients[0].peers().await?;
    let named: Vec<&str> = peers
        .iter()
        .filter_map(|p| p["presence"]["node_name"].as_str())
        .collect();
    println!(
        "node-1 heard presence from: {}",
        if named.is_empty() {
            "(nobody yet)".into()
        } else {
            named.join(", ")
        }
    );
    let mut ctx = Ctx {
        nodes: &mut nodes,
        clients: &clients,
    };
    consensus::run(&mut ctx).await?;
    palace::run(&mut ctx).await?;
    records::run(&mut ctx).await?;
    if args.keep {
        println!(
            "nodes keep running; try: chorus --data-dir {} status   (Ctrl-C stops them)",
            nodes[0].dir.display()
        );
        tokio::signal::ctrl_c().await?;
    }
    println!("stopping the nodes (SIGTERM, graceful shutdown)");
    for n in nodes.iter_mut() {
        n.stop();
    }
    println!(
        "done in {:.1} s; data left in {}",
        t0.elapsed().as_secs_f64(),
        root.display()
    );
    Ok(())
}
