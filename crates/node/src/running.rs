//! The subsystems a node has started, kept in start order so that stopping them (at shutdown,
//! or when a later start step fails) is one reverse walk, each step bounded.

use std::{future::Future, sync::Arc, time::Duration};

use tracing::warn;

use crate::StartError;

/// How long shutdown waits for each subsystem before moving on.
pub(crate) const SHUTDOWN_STEP: Duration = Duration::from_secs(5);

/// One started subsystem.
pub(crate) enum Part {
    /// The mesh.
    Mesh(chorus_p2p::Handle),
    /// The search follower.
    Search(Arc<chorus_search::Follower>),
    /// Consensus.
    Consensus(chorus_consensus::Consensus),
    /// The records service.
    Records(chorus_decisions::Service),
    /// The HTTP listeners.
    Api(chorus_api::Server),
}

impl Part {
    fn name(&self) -> &'static str {
        match self {
            Self::Mesh(_) => "mesh",
            Self::Search(_) => "search",
            Self::Consensus(_) => "consensus",
            Self::Records(_) => "records",
            Self::Api(_) => "API",
        }
    }

    async fn stop(self) {
        let name = self.name();
        let stopped = match self {
            Self::Mesh(p2p) => bounded(async move { p2p.shutdown().await }).await,
            // The follower bounds its own wait.
            Self::Search(search) => {
                search.shutdown(SHUTDOWN_STEP).await;
                true
            }
            Self::Consensus(c) => bounded(async move { c.shutdown().await }).await,
            Self::Records(r) => bounded(async move { r.shutdown().await }).await,
            Self::Api(api) => bounded(api.shutdown()).await,
        };
        if !stopped {
            warn!(part = name, "did not stop within {SHUTDOWN_STEP:?}");
        }
    }
}

async fn bounded(f: impl Future<Output = ()>) -> bool {
    tokio::time::timeout(SHUTDOWN_STEP, f).await.is_ok()
}

/// The subsystems started so far, in start order.
#[derive(Default)]
pub(crate) struct Running {
    parts: Vec<Part>,
}

impl Running {
    /// Records a started subsystem.
    pub(crate) fn push(&mut self, part: Part) {
        self.parts.push(part);
    }

    /// Passes `result` through; on an error, first stops everything started so far, so a
    /// failed start leaves no task, port or file lock behind.
    pub(crate) async fn check<T, E>(&mut self, result: Result<T, E>) -> Result<T, StartError>
    where
        StartError: From<E>,
    {
        match result {
            Ok(v) => Ok(v),
            Err(e) => {
                std::mem::take(self).stop().await;
                Err(e.into())
            }
        }
    }

    /// Stops every subsystem in reverse start order, each within [`SHUTDOWN_STEP`].
    pub(crate) async fn stop(self) {
        for part in self.parts.into_iter().rev() {
            part.stop().await;
        }
    }
}
