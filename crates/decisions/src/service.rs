//! The records service: shared state, start and stop.

use std::{
    collections::{HashSet, VecDeque},
    path::Path,
    sync::{Arc, Mutex},
};

use chorus_consensus::{Consensus, Consistency, store::SmData};
use chorus_crypto::{NodeSigner, RoleIdentity};
use chorus_p2p::InboundRequest;
use chorus_records::{Announcement, Cid, Fencing, VerifiedRecord};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::{
    sync::{Semaphore, mpsc},
    task::JoinSet,
};
use tracing::warn;

use crate::{Config, Error, RoleGate, metrics::Metrics};

/// How many verified cids are remembered, so a repeated announcement is not fetched again.
const SEEN_CAPACITY: usize = 4096;

/// What the API shows of a record: its public header, never its body.
#[derive(Debug, Clone, Serialize)]
pub struct RecordInfo {
    /// Content id.
    pub cid: String,
    /// The address with the version the author gave it (`*N`).
    pub address: String,
    /// The version-less key grouping all versions.
    pub address_key: String,
    /// Version under the key, when the palace holds the record.
    pub version: Option<u64>,
    /// Author PeerId.
    pub author: String,
    /// Author agent name.
    pub author_agent: String,
    /// Role the author published as.
    pub role: String,
    /// Creation time, ms since the epoch.
    pub created_at_ms: u64,
    /// Task, if any.
    pub task: Option<String>,
    /// The fencing token that authorised the record.
    pub fencing: Option<Fencing>,
    /// Parent cids.
    pub parents: Vec<String>,
    /// Roles that can decrypt the body.
    pub recipient_roles: Vec<String>,
    /// Media type of the body.
    pub content_type: String,
    /// Size of the whole envelope.
    pub envelope_bytes: usize,
    /// Whether the signature, author key and schema were checked (always true: unverified
    /// records are never shown).
    pub verified: bool,
}

impl RecordInfo {
    /// The public facts of a verified record.
    pub fn of(record: &VerifiedRecord, version: Option<u64>) -> Self {
        let h = record.header();
        Self {
            cid: record.cid().to_string(),
            address: h.address.to_string(),
            address_key: h.address.key(),
            version,
            author: h.author_peer_id.clone(),
            author_agent: h.author_agent.clone(),
            role: h.role.clone(),
            created_at_ms: h.created_at_ms,
            task: h.task.clone(),
            fencing: h.fencing,
            parents: h.parents.iter().map(ToString::to_string).collect(),
            recipient_roles: h.recipient_roles.clone(),
            content_type: h.content_type.clone(),
            envelope_bytes: record.as_bytes().len(),
            verified: true,
        }
    }
}

pub(crate) struct Inner {
    pub config: Config,
    pub p2p: chorus_p2p::Handle,
    pub consensus: Consensus,
    pub signer: NodeSigner,
    pub metrics: Metrics,
    pub gate: RoleGate,
    pub limits: chorus_records::Limits,
    pub receipts: Semaphore,
    pub serving: Semaphore,
    seen: Mutex<Seen>,
    /// Announced records verified so far, for callers that await a receipt without polling.
    pub verified: tokio::sync::watch::Sender<u64>,
    /// Every task that holds a clone of the service (and so keeps consensus, and its sled
    /// files, open): aborted and awaited on shutdown.
    tasks: Mutex<JoinSet<()>>,
}

#[derive(Default)]
struct Seen {
    set: HashSet<(Cid, [u8; 32])>,
    order: VecDeque<(Cid, [u8; 32])>,
}

/// The records service of one node. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("peer_id", &self.inner.signer.peer_id())
            .finish_non_exhaustive()
    }
}

impl Service {
    /// Starts receiving announcements and serving `/records/1` requests (`records_inbound`).
    /// `gate` must be the same [`RoleGate`] registered as a consensus hook. Returns at once.
    pub fn start(
        config: Config,
        p2p: chorus_p2p::Handle,
        consensus: Consensus,
        signer: NodeSigner,
        gate: RoleGate,
        records_inbound: mpsc::Receiver<InboundRequest>,
        registry: &chorus_telemetry::Registry,
    ) -> Result<Service, chorus_telemetry::MetricError> {
        let inner = Inner {
            limits: chorus_records::Limits {
                max_record_bytes: config.max_record_bytes,
            },
            receipts: Semaphore::new(config.max_concurrent_receipts),
            serving: Semaphore::new(config.max_concurrent_receipts),
            config,
            p2p,
            consensus,
            signer,
            metrics: Metrics::new(registry)?,
            gate,
            seen: Mutex::new(Seen::default()),
            verified: tokio::sync::watch::channel(0).0,
            tasks: Mutex::new(JoinSet::new()),
        };
        let service = Service {
            inner: Arc::new(inner),
        };
        let events = service.inner.p2p.subscribe();
        service.spawn(service.clone().receive_loop(events));
        service.spawn(service.clone().serve_loop(records_inbound));
        Ok(service)
    }

    /// Runs `fut` as a task of the service, reaping finished ones.
    pub(crate) fn spawn(&self, fut: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut set = self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner());
        while set.try_join_next().is_some() {}
        set.spawn(fut);
    }

    /// Stops receiving and serving, and waits (at most 5 s) until every task of the service has
    /// ended, so none keeps consensus open after the node stops. Cancel-safe.
    pub async fn shutdown(&self) {
        let mut set = {
            let mut t = self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *t)
        };
        set.abort_all();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while set.join_next().await.is_some() {}
        })
        .await;
    }

    /// A watch on how many announced records this node has fetched and verified (duplicates
    /// not counted), to await a receipt without polling metrics.
    pub fn watch_verified(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.verified.subscribe()
    }

    /// The limits records are verified and built under.
    pub fn limits(&self) -> chorus_records::Limits {
        self.inner.limits
    }

    /// This node's PeerId, the author of what it publishes.
    pub fn peer_id(&self) -> &str {
        self.inner.signer.peer_id()
    }

    /// The role identities this node holds now, read from the roles directory (so a key added
    /// with `chorus keys gen-role` is used without a restart).
    pub fn identities(&self) -> Result<Vec<(String, RoleIdentity)>, Error> {
        load_identities(&self.inner.config.roles_dir)
    }

    /// Reads the local palace.
    pub(crate) async fn read<T>(&self, f: impl FnOnce(&SmData) -> T) -> Result<T, Error> {
        Ok(self.inner.consensus.read(Consistency::Local, f).await?.0)
    }

    /// Whether this exact announcement (cid, address and author) was verified before.
    pub(crate) fn seen(&self, a: &Announcement) -> bool {
        let key = (a.cid, announcement_digest(a));
        self.inner
            .seen
            .lock()
            .map(|s| s.set.contains(&key))
            .unwrap_or(false)
    }

    /// Remembers a verified announcement (bounded; the oldest is forgotten first).
    pub(crate) fn remember(&self, a: &Announcement) {
        let key = (a.cid, announcement_digest(a));
        if let Ok(mut s) = self.inner.seen.lock()
            && s.set.insert(key)
        {
            s.order.push_back(key);
            if s.order.len() > SEEN_CAPACITY
                && let Some(old) = s.order.pop_front()
            {
                s.set.remove(&old);
            }
        }
    }
}

/// Binds the address and author to the cid in the seen set, so a repeated cid announced with
/// another address or author is fetched and checked again, never accepted on trust.
fn announcement_digest(a: &Announcement) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(a.address.to_string().as_bytes());
    h.update([0u8]);
    h.update(a.author.as_bytes());
    h.finalize().into()
}

fn load_identities(dir: &Path) -> Result<Vec<(String, RoleIdentity)>, Error> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    RoleIdentity::load_dir(dir).map_err(|e| {
        warn!(error = %e, "role identities not loaded");
        Error::Unavailable(e.to_string())
    })
}
