//! Demo step: start the nodes (node 1 first, the others bootstrapping from it) and wait until
//! every node sees every other.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chorus_client::Client;
use chorus_types::status::Status;

/// One node the demo started.
pub struct DemoNode {
    /// Its name (`node-1`, …).
    pub name: String,
    /// Its data directory.
    pub dir: PathBuf,
    /// The process.
    pub child: Child,
}

impl DemoNode {
    /// Stops the node gracefully (SIGTERM) and waits for it.
    pub fn stop(&mut self) {
        if let Some(pid) = rustix::process::Pid::from_raw(self.child.id() as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        let _ = self.child.wait();
    }
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

async fn wait_for_ports(dir: &Path, deadline: Instant) -> anyhow::Result<serde_json::Value> {
    let path = dir.join(chorus_datadir::PORTS);
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

/// Starts `n` nodes of `cluster` under `root`, each waited for until it wrote its ports.
pub async fn start(
    n: u16,
    root: &Path,
    cluster: &str,
    deadline: Instant,
) -> anyhow::Result<Vec<DemoNode>> {
    let bin = agent_binary()?;
    let mut nodes: Vec<DemoNode> = Vec::new();
    let mut bootstrap = String::new();
    for i in 1..=n {
        let name = format!("node-{i}");
        let dir = root.join(&name);
        let mut cmd = Command::new(&bin);
        cmd.args([
            "--cluster",
            cluster,
            "--node-name",
            &name,
            "--p2p-port",
            "0",
        ])
        .args([
            "--health-port",
            "0",
            "--listen-addrs",
            "/ip4/127.0.0.1/tcp/0",
        ])
        .args(["--http-bind", "127.0.0.1", "--no-mdns", "--log", "warn"])
        .args(["--bootstrap-expect", &n.to_string()])
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
    Ok(nodes)
}

/// Waits until every node sees the other `clients.len() - 1`; returns their status documents.
pub async fn wait_for_mesh(clients: &[Client], deadline: Instant) -> anyhow::Result<Vec<Status>> {
    let want = clients.len().saturating_sub(1);
    loop {
        let mut all = Vec::new();
        for c in clients {
            if let Ok(s) = c.status().await {
                all.push(s);
            }
        }
        if all.len() == clients.len() && all.iter().all(|s| s.peers_connected >= want) {
            return Ok(all);
        }
        if Instant::now() > deadline {
            bail!("the mesh did not form within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
