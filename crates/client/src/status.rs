//! Status, peers, metrics and palace counts.

use chorus_api_types::{ReadParams, paths, query::with_query, search::PalaceStatus};
use chorus_types::status::{Readiness, Status};
use serde_json::Value;

use crate::{Client, Error};

impl Client {
    /// The node's status document.
    pub async fn status(&self) -> Result<Status, Error> {
        self.get(paths::STATUS).await
    }

    /// Readiness, on a health-port client (`/readyz` answers 503 while not ready).
    pub async fn readiness(&self) -> Result<Readiness, Error> {
        self.get(paths::READYZ).await
    }

    /// The cluster peers the node knows: `peer_id`, `addrs`, `connected`, `agent_version`,
    /// `presence`.
    pub async fn peers(&self) -> Result<Vec<Value>, Error> {
        self.get(paths::PEERS).await
    }

    /// The Prometheus text, on a health-port client.
    pub async fn metrics(&self) -> Result<String, Error> {
        self.get_text(paths::METRICS).await
    }

    /// Palace counts and the state of the node's search index.
    pub async fn palace_status(&self, read: &ReadParams) -> Result<PalaceStatus, Error> {
        self.get(&with_query(paths::PALACE_STATUS, read)).await
    }
}
