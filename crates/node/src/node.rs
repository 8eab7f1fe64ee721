//! Starting and stopping a node.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Instant};

use chorus_p2p::{Presence, Resolver, SystemResolver};
use serde::{Deserialize, Serialize};
use tracing::{info, warn};

use crate::{
    DataDir, DataDirError, NodeConfig,
    running::{Part, Running},
};

/// Starting a node failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory.
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    /// The mesh.
    #[error(transparent)]
    P2p(#[from] chorus_p2p::Error),
    /// An HTTP listener.
    #[error(transparent)]
    Api(#[from] chorus_api::server_error::BindError),
    /// Consensus.
    #[error(transparent)]
    Consensus(#[from] chorus_consensus::StartError),
    /// The search index.
    #[error("search index: {0}")]
    Search(#[from] chorus_search::Error),
    /// The records service.
    #[error("records: {0}")]
    Records(String),
}

/// The ports a node bound, written to `<data>/run/ports.json` so scripts and tests can find a
/// node started with port 0.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Ports {
    /// The node's peer id.
    pub peer_id: String,
    /// Mesh listen addresses.
    pub p2p: Vec<String>,
    /// Health port address.
    pub health: SocketAddr,
    /// TCP API address, when on.
    pub api: Option<SocketAddr>,
    /// Unix socket path.
    pub socket: PathBuf,
}

/// Entry point.
#[derive(Debug)]
pub struct Node;

/// A running node.
pub struct NodeHandle {
    /// The mesh handle.
    pub p2p: chorus_p2p::Handle,
    /// Consensus and the palace.
    pub consensus: chorus_consensus::Consensus,
    /// The metrics registry.
    pub registry: chorus_telemetry::Registry,
    /// The search index follower.
    pub search: Arc<chorus_search::Follower>,
    /// Decision records: publish, receive, fetch.
    pub records: chorus_decisions::Service,
    ports: Ports,
    /// Everything started, stopped in reverse at shutdown.
    running: Running,
    data_dir: Option<DataDir>,
}

impl std::fmt::Debug for NodeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeHandle")
            .field("ports", &self.ports)
            .finish_non_exhaustive()
    }
}

impl Node {
    /// Starts a node with the system resolver.
    pub async fn start(config: NodeConfig) -> Result<NodeHandle, StartError> {
        Self::start_with(
            config,
            chorus_telemetry::Registry::new(),
            Arc::new(SystemResolver),
        )
        .await
    }

    /// Starts a node with a given registry and DNS resolver (tests pass a static resolver).
    /// Returns once the data directory is locked and every port is bound.
    pub async fn start_with(
        config: NodeConfig,
        registry: chorus_telemetry::Registry,
        resolver: Arc<dyn Resolver>,
    ) -> Result<NodeHandle, StartError> {
        let started = Instant::now();
        let data_dir = DataDir::open(&config.data_dir).map_err(DataDirError::from)?;
        chorus_backup::restore::finish_interrupted(data_dir.root()).map_err(|e| {
            DataDirError::Io {
                path: data_dir.path("raft.restoring"),
                source: std::io::Error::other(e.to_string()),
            }
        })?;
        let keypair = crate::datadir::node_key(&data_dir)?;
        let signer = crate::records::signer(&keypair).map_err(StartError::Records)?;
        let gate = chorus_decisions::RoleGate::default();
        let mut running = Running::default();
        let (p2p, inbound) =
            chorus_p2p::start(config.p2p.clone(), keypair, &registry, resolver).await?;
        running.push(Part::Mesh(p2p.clone()));
        let search = running
            .check(crate::search::open_follower(&data_dir.path("index")))
            .await?;
        running.push(Part::Search(search.clone()));
        let hooks: Vec<Arc<dyn chorus_consensus::Hooks>> = vec![
            Arc::new(crate::search::SearchHook(Arc::downgrade(&search))),
            Arc::new(gate.clone()),
        ];
        let consensus = chorus_consensus::Consensus::start(
            config.consensus.clone(),
            p2p.clone(),
            inbound.raft,
            inbound.write,
            &data_dir.path("raft"),
            &registry,
            hooks,
        )
        .await;
        let consensus = running.check(consensus).await?;
        running.push(Part::Consensus(consensus.clone()));
        crate::search::connect(&search, consensus.clone());
        let records = crate::records::start(
            &data_dir,
            p2p.clone(),
            consensus.clone(),
            signer,
            gate,
            inbound.records,
            &registry,
        );
        let records = running.check(records).await?;
        running.push(Part::Records(records.clone()));
        let presence = Presence {
            node_name: config.node_name.clone(),
            role: config.role.to_string(),
            version: chorus_telemetry::VERSION.to_string(),
            ..Presence::default()
        };
        if let Err(e) = p2p.set_presence(presence).await {
            warn!(error = %e, "presence not set");
        }
        let services = chorus_api::Services {
            p2p: p2p.clone(),
            registry: registry.clone(),
            consensus: consensus.clone(),
            search: Some(search.clone()),
            records: records.clone(),
            info: chorus_api::NodeInfo {
                node_name: config.node_name.clone(),
                role: config.role.to_string(),
                cluster: config.cluster().to_string(),
                bootstrap_expect: config.consensus.bootstrap_expect,
            },
            started,
        };
        let api = running
            .check(chorus_api::start(config.api.clone(), services).await)
            .await?;
        let ports = Ports {
            peer_id: p2p.local_peer_id().to_string(),
            p2p: p2p.listen_addrs().iter().map(|a| a.to_string()).collect(),
            health: api.health_addr(),
            api: api.api_addr(),
            socket: api.socket_path().clone(),
        };
        running.push(Part::Api(api));
        let json = serde_json::to_vec_pretty(&ports).unwrap_or_default();
        running
            .check(
                data_dir
                    .write_run_file("ports.json", &json)
                    .map_err(DataDirError::from),
            )
            .await?;
        info!(peer_id = %ports.peer_id, p2p = ?ports.p2p, health = %ports.health, api = ?ports.api, "node started");
        Ok(NodeHandle {
            p2p,
            consensus,
            registry,
            search,
            records,
            ports,
            running,
            data_dir: Some(data_dir),
        })
    }
}

impl NodeHandle {
    /// The ports this node bound.
    pub fn ports(&self) -> &Ports {
        &self.ports
    }

    /// Stops the node in reverse start order: the API stops taking requests, then the records
    /// service, consensus, the search follower and the mesh; the data directory lock is
    /// released last. Each step is bounded by 5 s.
    pub async fn shutdown(mut self) {
        std::mem::take(&mut self.running).stop().await;
        drop(self.data_dir.take());
        info!("node stopped");
    }
}
