//! `chorus-agent` processes, for tests that kill, pause and restart nodes.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::Context;
use chorus_client::Client;

use crate::wait_for;

/// The path of a workspace binary (`chorus-agent`, `chorus`), next to the test executable's
/// target directory. `CHORUS_BIN_DIR` overrides. The test command builds the binaries first.
pub fn bin_path(name: &str) -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("CHORUS_BIN_DIR") {
        return Ok(Path::new(&dir).join(name));
    }
    let exe = std::env::current_exe()?;
    // target/<profile>/deps/<test-binary>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .context("test executable has no target dir")?;
    let p = dir.join(name);
    anyhow::ensure!(
        p.exists(),
        "{} not found: run `cargo build --bins` first",
        p.display()
    );
    Ok(p)
}

/// A running `chorus-agent` child process. Killed (SIGKILL) when dropped.
pub struct AgentProcess {
    /// Its data directory.
    pub data_dir: PathBuf,
    /// Arguments it was started with (to restart it identically).
    pub args: Vec<String>,
    /// Environment it was started with.
    pub env: Vec<(String, String)>,
    child: Option<Child>,
    /// Its `run/ports.json` after start.
    pub ports: serde_json::Value,
}

impl AgentProcess {
    /// Starts `chorus-agent` with `args` and `env` on `data_dir` and waits for its ports file.
    /// Stderr goes to `<data_dir>/../<name>.log` for post-mortems.
    pub async fn start(
        data_dir: &Path,
        args: &[String],
        env: &[(String, String)],
    ) -> anyhow::Result<Self> {
        let mut p = Self {
            data_dir: data_dir.into(),
            args: args.to_vec(),
            env: env.to_vec(),
            child: None,
            ports: serde_json::Value::Null,
        };
        p.spawn().await?;
        Ok(p)
    }

    async fn spawn(&mut self) -> anyhow::Result<()> {
        let ports_file = self.data_dir.join("run/ports.json");
        let _ = std::fs::remove_file(&ports_file);
        std::fs::create_dir_all(&self.data_dir)?;
        let log_path = self.data_dir.with_extension("log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)?;
        let mut cmd = Command::new(bin_path("chorus-agent")?);
        cmd.arg("--data-dir")
            .arg(&self.data_dir)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(log);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().context("spawn chorus-agent")?;
        self.child = Some(child);
        let pid = self.pid();
        self.ports = wait_for("the agent's ports.json", Duration::from_secs(20), || {
            let f = ports_file.clone();
            async move {
                let t = std::fs::read_to_string(&f).map_err(|e| format!("pid {pid:?}: {e}"))?;
                serde_json::from_str(&t).map_err(|e| e.to_string())
            }
        })
        .await?;
        Ok(())
    }

    /// The process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// A client on the node's Unix socket.
    pub fn client(&self) -> Client {
        Client::unix(self.data_dir.join("sockets/api.sock"))
    }

    /// The health port URL (`http://127.0.0.1:port`).
    pub fn health_url(&self) -> String {
        format!(
            "http://{}",
            self.ports["health"].as_str().unwrap_or_default()
        )
    }

    /// The first mesh address with `/p2p/<peer id>`.
    pub fn bootstrap_addr(&self) -> String {
        format!(
            "{}/p2p/{}",
            self.ports["p2p"][0].as_str().unwrap_or_default(),
            self.ports["peer_id"].as_str().unwrap_or_default()
        )
    }

    fn signal(&self, sig: rustix::process::Signal) -> anyhow::Result<()> {
        let pid = self.pid().context("process not running")?;
        let pid = rustix::process::Pid::from_raw(pid as i32).context("bad pid")?;
        rustix::process::kill_process(pid, sig)?;
        Ok(())
    }

    /// SIGKILL and reap.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut c) = self.child.take() {
            c.kill()?;
            c.wait()?;
        }
        Ok(())
    }

    /// SIGTERM and wait for a clean exit; returns the exit status code.
    pub async fn terminate(&mut self) -> anyhow::Result<Option<i32>> {
        self.signal(rustix::process::Signal::TERM)?;
        let mut child = self.child.take().context("not running")?;
        let status = tokio::task::spawn_blocking(move || child.wait()).await??;
        Ok(status.code())
    }

    /// SIGSTOP: the process freezes, its sockets stay open.
    pub fn pause(&self) -> anyhow::Result<()> {
        self.signal(rustix::process::Signal::STOP)
    }

    /// SIGCONT.
    pub fn resume(&self) -> anyhow::Result<()> {
        self.signal(rustix::process::Signal::CONT)
    }

    /// Starts the process again on the same data directory with the same arguments.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill()?;
        self.spawn().await
    }
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        let _ = self.resume();
        let _ = self.kill();
    }
}
