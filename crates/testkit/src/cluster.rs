//! Clusters on loopback: as `chorus-agent` processes (to kill, pause and restart) or in-process.

use std::time::Duration;

use chorus_types::status::Status;

use crate::{AgentProcess, LocalNode, NodeOptions, free_port, wait_for};

/// What every node of a cluster reports once one leader is agreed.
#[derive(Debug, Clone)]
pub struct Agreement {
    /// Index (in the cluster's node list) of the leader.
    pub leader: usize,
    /// Its peer id.
    pub leader_peer_id: String,
    /// The term.
    pub term: u64,
}

/// Checks that the statuses agree on one leader among them; returns its position.
pub fn agreed_leader(statuses: &[(usize, Status)]) -> Result<Agreement, String> {
    let leaders: Vec<usize> = statuses
        .iter()
        .filter(|(_, s)| s.is_leader == Some(true))
        .map(|(i, _)| *i)
        .collect();
    let named: Vec<Option<String>> = statuses
        .iter()
        .map(|(_, s)| s.leader_peer_id.clone())
        .collect();
    let summary = || format!("leaders {leaders:?}, named {named:?}");
    if leaders.len() != 1 {
        return Err(summary());
    }
    let (_, ls) = statuses
        .iter()
        .find(|(i, _)| *i == leaders[0])
        .ok_or_else(summary)?;
    if named
        .iter()
        .any(|n| n.as_deref() != Some(ls.peer_id.as_str()))
    {
        return Err(summary());
    }
    if statuses.iter().any(|(_, s)| s.term != ls.term) {
        return Err(format!(
            "terms differ: {:?}",
            statuses.iter().map(|(_, s)| s.term).collect::<Vec<_>>()
        ));
    }
    Ok(Agreement {
        leader: leaders[0],
        leader_peer_id: ls.peer_id.clone(),
        term: ls.term.unwrap_or(0),
    })
}

/// A cluster of `chorus-agent` processes on 127.0.0.1 with fixed ports, so a restarted node is
/// found at the same address.
pub struct ProcessCluster {
    /// The nodes; `None` where a test removed one.
    pub nodes: Vec<AgentProcess>,
    /// The cluster name.
    pub cluster: String,
    _tmp: tempfile::TempDir,
}

impl ProcessCluster {
    /// Starts `n` agents expecting `n` voters, each bootstrapping from all the others.
    pub async fn start(
        name: &str,
        n: usize,
        extra_args: &[&str],
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let tmp = tempfile::Builder::new().prefix("chorus-pc-").tempdir()?;
        let cluster = format!("{name}-{}", std::process::id());
        let ports: Vec<u16> = (0..n).map(|_| free_port()).collect::<Result<_, _>>()?;
        // The same roomier election window as in-process test nodes (see `test_config`); the
        // caller's variables come later and win.
        let mut env_all: Vec<(String, String)> = vec![
            ("CHORUS_RAFT_ELECTION_MIN".into(), "300ms".into()),
            ("CHORUS_RAFT_ELECTION_MAX".into(), "600ms".into()),
        ];
        env_all.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let env = env_all;
        let mut nodes = Vec::new();
        for (i, port) in ports.iter().enumerate() {
            let others: Vec<String> = ports
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| format!("/ip4/127.0.0.1/tcp/{p}"))
                .collect();
            let mut args: Vec<String> = vec![
                "--cluster".into(),
                cluster.clone(),
                "--node-name".into(),
                format!("n{i}"),
                "--listen-addrs".into(),
                format!("/ip4/127.0.0.1/tcp/{port}"),
                "--health-port".into(),
                "0".into(),
                "--http-bind".into(),
                "127.0.0.1".into(),
                "--no-mdns".into(),
                "--bootstrap-expect".into(),
                n.to_string(),
                "--log".into(),
                std::env::var("CHORUS_TEST_LOG").unwrap_or_else(|_| "info".into()),
            ];
            if !others.is_empty() {
                args.push("--bootstrap-peers".into());
                args.push(others.join(","));
            }
            args.extend(extra_args.iter().map(|s| s.to_string()));
            nodes.push(AgentProcess::start(&tmp.path().join(format!("n{i}")), &args, &env).await?);
        }
        Ok(Self {
            nodes,
            cluster,
            _tmp: tmp,
        })
    }

    /// Statuses of the running nodes (index, status); unreachable nodes are left out.
    pub async fn statuses(&self) -> Vec<(usize, Status)> {
        let mut out = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.pid().is_none() {
                continue;
            }
            if let Ok(s) = n
                .client()
                .with_timeout(Duration::from_secs(2))
                .get::<Status>("/v1/status")
                .await
            {
                out.push((i, s));
            }
        }
        out
    }

    /// Waits until the nodes at `among` agree on one leader among them (the others may be
    /// paused or partitioned away).
    pub async fn wait_leader_among(
        &self,
        among: &[usize],
        timeout: Duration,
    ) -> anyhow::Result<Agreement> {
        wait_for(
            "the chosen nodes to agree on one leader",
            timeout,
            || async {
                let mut st = Vec::new();
                for i in among {
                    let c = self.nodes[*i].client().with_timeout(Duration::from_secs(2));
                    match c.get::<Status>("/v1/status").await {
                        Ok(s) => st.push((*i, s)),
                        Err(e) => return Err(format!("node {i}: {e}")),
                    }
                }
                agreed_leader(&st)
            },
        )
        .await
    }

    /// Waits until every running node agrees on one leader.
    pub async fn wait_leader(&self, timeout: Duration) -> anyhow::Result<Agreement> {
        let running = self.nodes.iter().filter(|n| n.pid().is_some()).count();
        wait_for(
            "every running node to agree on one leader",
            timeout,
            || async {
                let st = self.statuses().await;
                if st.len() < running {
                    return Err(format!("{} of {running} nodes answered", st.len()));
                }
                agreed_leader(&st)
            },
        )
        .await
    }
}

/// A cluster of in-process nodes (faster; for partition tests and protocol checks).
pub struct LocalCluster {
    /// The nodes.
    pub nodes: Vec<LocalNode>,
}

impl LocalCluster {
    /// Starts `n` nodes expecting `n` voters, bootstrapping from the first node; `env` applies
    /// to every node.
    pub async fn start(name: &str, n: usize, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let cluster = format!("{name}-{}", std::process::id());
        let mut nodes: Vec<LocalNode> = Vec::new();
        for i in 0..n {
            let mut o = NodeOptions::new(&cluster, &format!("n{i}"))
                .env("CHORUS_BOOTSTRAP_EXPECT", n.to_string());
            for (k, v) in env {
                o = o.env(k, *v);
            }
            if let Some(first) = nodes.first() {
                o = o.env("CHORUS_BOOTSTRAP_PEERS", first.bootstrap_addr().to_string());
            }
            nodes.push(LocalNode::start(o).await?);
        }
        Ok(Self { nodes })
    }

    /// Shuts every node down, one after another.
    pub async fn stop(self) {
        for n in self.nodes {
            n.stop().await;
        }
    }

    /// Statuses of all nodes.
    pub fn statuses(&self) -> Vec<(usize, Status)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (i, n.status()))
            .collect()
    }

    /// Waits until every node agrees on one leader.
    pub async fn wait_leader(&self, timeout: Duration) -> anyhow::Result<Agreement> {
        wait_for("every node to agree on one leader", timeout, || async {
            agreed_leader(&self.statuses())
        })
        .await
    }
}
