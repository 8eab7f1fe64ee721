//! `chorus-demo` (what `chorus demo` runs): starts a few `chorus-agent` processes on loopback,
//! shows them find each other, elect one palace writer, replicate writes, and use the palace and
//! decision records, then stops them. Everything it does is printed, with timings. Each feature
//! has its own step module. A program of its own so the CLI stays argument parsing and output.

mod consensus;
mod palace;
mod records;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chorus_client::Client;

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

/// One node the demo started.
pub struct DemoNode {
    /// Its name (`node-1`, …).
    pub name: String,
    /// Its data directory.
    pub dir: PathBuf,
    /// The process.
    pub child: Child,
}

/// What every demo step gets: the nodes and a client per node (same order).
pub struct Ctx<'a> {
    /// The nodes.
    pub nodes: &'a mut Vec<DemoNode>,
    /// A client on each node's Unix socket.
    pub clients: &'a [Client],
}

impl Drop for DemoNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent_binary() -> anyhow::Result<PathBuf> {
    if let Ok(p) = std::env::var("CHORUS_AGENT_BIN") {
        return Ok(PathBuf::from(p));
    }
    let me = std::env::current_exe().context("cannot find the chorus binary's path")?;
    let p = me.with_file_name("chorus-agent");
    if !p.exists() {
        bail!(
            "{} not found; build it (cargo build --bins) or set CHORUS_AGENT_BIN",
            p.display()
        );
    }
    Ok(p)
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

async fn wait_for_ports(dir: &Path, deadline: Instant) -> anyhow::Result<serde_json::Value> {
    let path = dir.join("run/ports.json");
    loop {
        if let Ok(text) = std::fs::read_to_string(&path)
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        {
            return Ok(v);
        }
        if Instant::now() > deadline {
            bail!("{} did not appear: the node did not start", path.display());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs the demo.
async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let bin = agent_binary()?;
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
    let mut nodes: Vec<DemoNode> = Vec::new();
    let mut bootstrap = String::new();
    for i in 1..=args.nodes {
        let name = format!("node-{i}");
        let dir = root.join(&name);
        let mut cmd = Command::new(&bin);
        cmd.args([
            "--cluster",
            &cluster,
            "--node-name",
            &name,
            "--p2p-port",
            "0",
            "--health-port",
            "0",
        ])
        .args([
            "--listen-addrs",
            "/ip4/127.0.0.1/tcp/0",
            "--http-bind",
            "127.0.0.1",
            "--no-mdns",
            "--log",
            "warn",
            "--bootstrap-expect",
            &args.nodes.to_string(),
        ])
        .arg("--data-dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        if !bootstrap.is_empty() {
            cmd.args(["--bootstrap-peers", &bootstrap]);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        nodes.push(DemoNode {
            name: name.clone(),
            dir: dir.clone(),
            child,
        });
        let ports = wait_for_ports(&dir, deadline).await?;
        let addr = ports["p2p"][0].as_str().unwrap_or_default();
        let peer = ports["peer_id"].as_str().unwrap_or_default();
        println!(
            "  started {name}: peer {peer} on {addr}, health http://{}",
            ports["health"].as_str().unwrap_or("?")
        );
        if i == 1 {
            bootstrap = format!("{addr}/p2p/{peer}");
        }
    }
    let want = usize::from(args.nodes) - 1;
    let clients: Vec<Client> = nodes
        .iter()
        .map(|n| Client::unix(n.dir.join("sockets/api.sock")))
        .collect();
    let statuses = loop {
        let mut all = Vec::new();
        for c in &clients {
            if let Ok(s) = c.status().await {
                all.push(s);
            }
        }
        if all.len() == clients.len() && all.iter().all(|s| s.peers_connected >= want) {
            break all;
        }
        if Instant::now() > deadline {
            bail!("the mesh did not form within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    println!(
        "full mesh after {:.0} ms: every node sees the other {want}",
        t0.elapsed().as_secs_f64() * 1000.0
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
        let pid = rustix::process::Pid::from_raw(n.child.id() as i32);
        if let Some(pid) = pid {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        let _ = n.child.wait();
    }
    println!(
        "done in {:.1} s; data left in {}",
        t0.elapsed().as_secs_f64(),
        root.display()
    );
    Ok(())
}
