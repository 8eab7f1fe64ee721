//! The consensus handle: starting Raft, writing (locally or forwarded to the leader), reading,
//! fencing, membership and status.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use chorus_p2p::{InboundRequest, PeerId, Protocol};
use chorus_types::fencing::{FenceGuard, FencingToken, StaleToken};
use openraft::{ChangeMembers, ServerState, error::ClientWriteError, error::RaftError};
use serde::Serialize;
use tokio::{sync::mpsc, task::JoinHandle};
use tracing::info;

use crate::{
    Config, ReadError, WriteError,
    dedup::MAX_KEY_LEN,
    metrics::Metrics,
    network::{self, Network},
    store::{LogStore, SmData, StateMachine},
    types::{Member, NodeId, Op, Outcome, Raft, Reply, Request, raft_id},
    wire::{self, MemberOp, WriteRpc, WriteRpcReply},
};

/// Starting consensus failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The sled database.
    #[error("raft storage {path}: {reason}")]
    Storage {
        /// Where.
        path: String,
        /// Why.
        reason: String,
    },
    /// openraft refused the configuration.
    #[error("raft configuration: {0}")]
    Config(String),
    /// Metrics.
    #[error(transparent)]
    Metrics(#[from] chorus_telemetry::MetricError),
}

/// How fresh a read must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    /// Whatever this node has applied.
    Local,
    /// Wait (bounded) until this node has applied at least this index: read-your-writes after
    /// a write returned it.
    MinIndex(u64),
    /// Confirm the leader's leadership with a quorum, then wait until this node has applied
    /// the leader's commit index.
    Linearizable,
}

/// Raft facts for `/status`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RaftStatus {
    /// This node's Raft id.
    pub raft_id: NodeId,
    /// Whether it leads.
    pub is_leader: bool,
    /// The leader's Raft id.
    pub leader_id: Option<NodeId>,
    /// The leader's peer id.
    pub leader_peer_id: Option<String>,
    /// Current term.
    pub term: u64,
    /// Highest committed index known.
    pub commit_index: u64,
    /// Highest applied index.
    pub applied_index: u64,
    /// Voters' peer ids.
    pub voters: Vec<String>,
    /// Learners' peer ids.
    pub learners: Vec<String>,
}

/// A member as `chorus members list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberInfo {
    /// Raft id.
    pub raft_id: NodeId,
    /// Peer id.
    pub peer_id: String,
    /// Name it joined with.
    pub name: String,
    /// `voter` or `learner`.
    pub role: &'static str,
    /// Whether it leads.
    pub leader: bool,
    /// Highest index known replicated to it (known on the leader only).
    pub matched_index: Option<u64>,
}

pub(crate) struct Inner {
    pub id: NodeId,
    pub raft: Raft,
    pub sm: StateMachine,
    pub p2p: chorus_p2p::Handle,
    pub config: Config,
    pub metrics: Metrics,
    pub committed: Arc<AtomicU64>,
    pub hooks: Vec<Arc<dyn crate::Hooks>>,
    guard: Mutex<FenceGuard>,
    key_seq: AtomicU64,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

/// The cloneable consensus handle.
#[derive(Clone)]
pub struct Consensus {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Consensus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consensus")
            .field("raft_id", &self.inner.id)
            .finish()
    }
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Opens the sled database, waiting a little for a previous holder of its file lock (a node
/// of this process that is still stopping, or a process being reaped) to let go.
async fn open_sled(dir: &Path) -> Result<sled::Db, sled::Error> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match sled::Config::new().path(dir).open() {
            // sled reports a held lock as an `Other` error naming it.
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            r => return r,
        }
    }
}

impl Consensus {
    /// Opens storage under `dir`, starts Raft and its servers, and begins forming or joining the
    /// cluster in the background. Returns once Raft runs (not once a leader is known).
    pub async fn start(
        config: Config,
        p2p: chorus_p2p::Handle,
        raft_inbound: mpsc::Receiver<InboundRequest>,
        write_inbound: mpsc::Receiver<InboundRequest>,
        dir: &Path,
        registry: &chorus_telemetry::Registry,
        hooks: Vec<Arc<dyn crate::Hooks>>,
    ) -> Result<Self, StartError> {
        let storage = |e: &dyn std::fmt::Display| StartError::Storage {
            path: dir.display().to_string(),
            reason: e.to_string(),
        };
        let db = open_sled(dir).await.map_err(|e| storage(&e))?;
        let id = raft_id(&p2p.local_peer_id());
        let me = Member {
            peer_id: p2p.local_peer_id().to_string(),
            name: config.node_name.clone(),
        };
        if let Some(at) = crate::store::seed::convert(&db, dir, id, me).map_err(|e| storage(&e))? {
            info!(
                term = at.leader_id.term,
                index = at.index,
                "seeded storage (a restored backup or a recovered survivor): this node is the \
                 only voter of a new cluster that continues the log after the seed"
            );
        }
        let committed = Arc::new(AtomicU64::new(0));
        let log = LogStore::open(&db, committed.clone()).map_err(|e| storage(&e))?;
        let sm = StateMachine::open(&db, hooks.clone()).map_err(|e| storage(&e))?;
        let raft_config = Arc::new(config.raft_config().map_err(StartError::Config)?);
        let network = Network {
            p2p: p2p.clone(),
            max_bytes: config.max_raft_bytes,
        };
        let raft = Raft::new(id, raft_config, network, log, sm.clone())
            .await
            .map_err(|e| StartError::Config(e.to_string()))?;
        let metrics = Metrics::new(registry)?;
        let inner = Arc::new(Inner {
            id,
            raft: raft.clone(),
            sm,
            p2p: p2p.clone(),
            config: config.clone(),
            metrics: metrics.clone(),
            committed,
            hooks,
            guard: Mutex::new(FenceGuard::new(FenceGuard::DEFAULT_CAPACITY)),
            key_seq: AtomicU64::new(0),
            tasks: Mutex::new(Vec::new()),
        });
        let this = Self { inner };
        let mut tasks = vec![
            tokio::spawn(network::serve(
                raft,
                raft_inbound,
                config.max_raft_bytes,
                metrics,
            )),
            tokio::spawn(crate::serve::serve_writes(this.clone(), write_inbound)),
        ];
        tasks.extend(crate::background::spawn_all(&this));
        if let Ok(mut t) = this.inner.tasks.lock() {
            t.extend(tasks);
        }
        info!(raft_id = id, "consensus started");
        Ok(this)
    }

    /// This node's Raft id.
    pub fn raft_id(&self) -> NodeId {
        self.inner.id
    }

    /// The Raft instance (for tests and tools).
    pub fn raft(&self) -> &Raft {
        &self.inner.raft
    }

    pub(crate) fn peer_of(&self, id: NodeId) -> Option<PeerId> {
        let m = self.inner.raft.metrics();
        let b = m.borrow();
        b.membership_config
            .membership()
            .get_node(&id)
            .and_then(|n| n.peer_id.parse().ok())
    }

    pub(crate) fn leader(&self) -> Option<NodeId> {
        self.inner.raft.metrics().borrow().current_leader
    }

    fn next_key(&self) -> String {
        let n = self.inner.key_seq.fetch_add(1, Ordering::Relaxed);
        format!("auto-{:016x}-{:x}-{n}", self.inner.id, now_ms())
    }

    fn check_write(&self, op: &Op, key: &Option<String>) -> Result<(), WriteError> {
        let size = wire::encode(op).map(|b| b.len()).unwrap_or(usize::MAX);
        let limit = self.inner.config.max_command_bytes;
        if size > limit {
            return Err(WriteError::TooLarge { size, limit });
        }
        if let Some(k) = key
            && (k.is_empty() || k.len() > MAX_KEY_LEN || !k.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(WriteError::BadKey {
                len: k.len(),
                max: MAX_KEY_LEN,
            });
        }
        Ok(())
    }

    /// Proposes `op` at this node if it leads, and reports the result. Leader-side only: never
    /// forwards.
    pub(crate) async fn propose_local(
        &self,
        op: Op,
        key: Option<String>,
        timeout: Duration,
    ) -> WriteRpcReply {
        for h in &self.inner.hooks {
            if let Err(why) = h.admit(&op) {
                return WriteRpcReply::Refused(why);
            }
        }
        let req = Request {
            op,
            idempotency_key: key,
            stamped_at_ms: now_ms(),
        };
        match tokio::time::timeout(timeout, self.inner.raft.client_write(req)).await {
            Ok(Ok(resp)) => WriteRpcReply::Done(resp.data),
            Ok(Err(RaftError::APIError(ClientWriteError::ForwardToLeader(f)))) => {
                // Not leader when the request reached Raft: it was not proposed here.
                WriteRpcReply::NotLeader(f.leader_node.map(|n| n.peer_id))
            }
            Ok(Err(e)) => WriteRpcReply::Failed {
                message: e.to_string(),
                may_have_applied: true,
            },
            Err(_) => WriteRpcReply::Failed {
                message: format!("not committed within {timeout:?}"),
                may_have_applied: true,
            },
        }
    }

    /// Writes `op` through the leader, wherever it is, and returns once it is committed and
    /// applied. Retries across leader changes with the same idempotency key until the deadline,
    /// so the operation applies at most once. Cancel-safe: dropping the future may leave the
    /// write applied, exactly as a timeout would.
    pub async fn write(&self, op: Op, key: Option<String>) -> Result<Reply, WriteError> {
        let label = op.label();
        let started = tokio::time::Instant::now();
        let res = self.write_inner(op, key).await;
        let outcome = match &res {
            Ok((r, _)) => match &r.outcome {
                Outcome::Palace(Err(_)) => "rejected",
                Outcome::StaleToken { .. } => "stale_token",
                _ => "ok",
            },
            Err(e) => e.label(),
        };
        self.inner
            .metrics
            .writes
            .with_label_values(&[label, outcome])
            .inc();
        res.map(|(reply, local)| {
            let path = if local { "local" } else { "forwarded" };
            self.inner
                .metrics
                .write_seconds
                .with_label_values(&[path])
                .observe(started.elapsed().as_secs_f64());
            reply
        })
    }

    async fn write_inner(&self, op: Op, key: Option<String>) -> Result<(Reply, bool), WriteError> {
        self.check_write(&op, &key)?;
        let key = key.unwrap_or_else(|| self.next_key());
        let timeout = self.inner.config.write_timeout;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut handed_over = false;
        let mut backoff = Duration::from_millis(5);
        loop {
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(if handed_over {
                    WriteError::Timeout {
                        waited: timeout,
                        key,
                    }
                } else {
                    WriteError::NoLeader { waited: timeout }
                });
            }
            let remaining = deadline - now;
            let leader = self.leader();
            let reply = match leader {
                None => {
                    self.wait_for_leader(backoff.min(remaining)).await;
                    backoff = (backoff * 2).min(Duration::from_millis(100));
                    continue;
                }
                Some(id) if id == self.inner.id => {
                    let r = self
                        .propose_local(op.clone(), Some(key.clone()), remaining)
                        .await;
                    (r, true)
                }
                Some(id) => match self.peer_of(id) {
                    None => {
                        self.wait_for_leader(backoff.min(remaining)).await;
                        continue;
                    }
                    Some(peer) => {
                        let rpc = WriteRpc::Write {
                            op: op.clone(),
                            idempotency_key: Some(key.clone()),
                        };
                        let bytes = wire::encode(&rpc).map_err(|_| WriteError::TooLarge {
                            size: usize::MAX,
                            limit: self.inner.config.max_write_bytes,
                        })?;
                        match tokio::time::timeout(
                            remaining,
                            self.inner.p2p.request(peer, Protocol::Write, bytes),
                        )
                        .await
                        {
                            Err(_) => {
                                handed_over = true;
                                continue;
                            }
                            Ok(Err(e)) => {
                                handed_over |= !e.certainly_not_delivered();
                                tokio::time::sleep(backoff.min(remaining)).await;
                                backoff = (backoff * 2).min(Duration::from_millis(100));
                                continue;
                            }
                            Ok(Ok(b)) => match wire::decode::<WriteRpcReply>(
                                &b,
                                self.inner.config.max_write_bytes,
                            ) {
                                Ok(r) => (r, false),
                                Err(_) => {
                                    handed_over = true;
                                    continue;
                                }
                            },
                        }
                    }
                },
            };
            match reply {
                (WriteRpcReply::Done(r), local) => return Ok((r, local)),
                (WriteRpcReply::Refused(why), _) => return Err(WriteError::Refused(why)),
                (WriteRpcReply::NotLeader(_), _) => {
                    self.wait_for_leader_change(leader, backoff.min(remaining))
                        .await;
                    backoff = (backoff * 2).min(Duration::from_millis(100));
                }
                (
                    WriteRpcReply::Failed {
                        may_have_applied, ..
                    },
                    _,
                ) => {
                    handed_over |= may_have_applied;
                    self.wait_for_leader_change(leader, backoff.min(remaining))
                        .await;
                    backoff = (backoff * 2).min(Duration::from_millis(100));
                }
                (WriteRpcReply::ReadIndex(_) | WriteRpcReply::MemberDone, _) => {
                    handed_over = true;
                }
            }
        }
    }

    async fn wait_for_leader(&self, max: Duration) {
        let mut rx = self.inner.raft.metrics();
        let _ = tokio::time::timeout(max, rx.wait_for(|m| m.current_leader.is_some())).await;
    }

    async fn wait_for_leader_change(&self, prev: Option<NodeId>, max: Duration) {
        let mut rx = self.inner.raft.metrics();
        let _ = tokio::time::timeout(
            max,
            rx.wait_for(|m| m.current_leader != prev && m.current_leader.is_some()),
        )
        .await;
    }

    /// Reads from the local palace at the requested consistency. Returns what `f` computed and
    /// the applied index it reflects.
    pub async fn read<T>(
        &self,
        consistency: Consistency,
        f: impl FnOnce(&SmData) -> T,
    ) -> Result<(T, u64), ReadError> {
        let wait = self.inner.config.read_timeout;
        let want = match consistency {
            Consistency::Local => 0,
            Consistency::MinIndex(n) => n,
            Consistency::Linearizable => self.read_index(wait).await?,
        };
        let mut rx = self.inner.sm.watch_applied();
        if *rx.borrow() < want {
            let reached = matches!(
                tokio::time::timeout(wait, rx.wait_for(|a| *a >= want)).await,
                Ok(Ok(_))
            );
            if !reached {
                return Err(ReadError::NotCaughtUp {
                    want,
                    have: *rx.borrow(),
                    waited: wait,
                });
            }
        }
        let data = self.inner.sm.data();
        let d = data.read().map_err(|_| ReadError::Stopped)?;
        let applied = d.applied_index();
        Ok((f(&d), applied))
    }

    /// The index a linearizable read must wait for, confirmed by the leader with a quorum.
    async fn read_index(&self, wait: Duration) -> Result<u64, ReadError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            if remaining.is_zero() {
                return Err(ReadError::NoLeader { waited: wait });
            }
            match self.leader() {
                Some(id) if id == self.inner.id => {
                    if let Ok(Ok((read, _))) =
                        tokio::time::timeout(remaining, self.inner.raft.get_read_log_id()).await
                    {
                        return Ok(read.map(|l| l.index).unwrap_or(0));
                    }
                }
                Some(id) => {
                    if let Some(peer) = self.peer_of(id)
                        && let Ok(bytes) = wire::encode(&WriteRpc::ReadIndex)
                        && let Ok(Ok(b)) = tokio::time::timeout(
                            remaining,
                            self.inner.p2p.request(peer, Protocol::Write, bytes),
                        )
                        .await
                        && let Ok(WriteRpcReply::ReadIndex(i)) = wire::decode(&b, 1024)
                    {
                        return Ok(i);
                    }
                }
                None => {}
            }
            self.wait_for_leader(Duration::from_millis(50).min(remaining))
                .await;
        }
    }

    /// Authorises a side effect on `resource` (leader only): commits a fence entry and returns
    /// its `(term, index)`. A holder carries the token; receivers check it with
    /// [`Consensus::check_fence`] or the state machine checks it on fenced writes.
    pub async fn authorize(&self, resource: &str) -> Result<FencingToken, WriteError> {
        if self.leader() != Some(self.inner.id) {
            return Err(WriteError::NotLeader {
                leader: self
                    .leader()
                    .and_then(|l| self.peer_of(l))
                    .map(|p| p.to_string()),
            });
        }
        let op = Op::Fence {
            resource: resource.to_string(),
        };
        match self
            .propose_local(op, Some(self.next_key()), self.inner.config.write_timeout)
            .await
        {
            WriteRpcReply::Done(Reply {
                outcome: Outcome::Fenced(t),
                ..
            }) => Ok(t),
            WriteRpcReply::NotLeader(leader) => Err(WriteError::NotLeader { leader }),
            WriteRpcReply::Refused(why) => Err(WriteError::Refused(why)),
            _ => Err(WriteError::Timeout {
                waited: self.inner.config.write_timeout,
                key: String::new(),
            }),
        }
    }

    /// Receiver-side check of a side effect's token: accepted unless a higher token for the same
    /// resource was accepted here before.
    pub fn check_fence(&self, resource: &str, token: FencingToken) -> Result<(), StaleToken> {
        let mut g = self.inner.guard.lock().unwrap_or_else(|e| e.into_inner());
        g.check(resource, token)
    }

    /// Changes the membership through the leader.
    pub async fn member_op(&self, op: MemberOp) -> Result<(), WriteError> {
        let deadline = tokio::time::Instant::now() + self.inner.config.write_timeout;
        loop {
            if tokio::time::Instant::now() >= deadline {
                return Err(WriteError::NoLeader {
                    waited: self.inner.config.write_timeout,
                });
            }
            match self.leader() {
                Some(id) if id == self.inner.id => match self.member_op_local(op.clone()).await {
                    // Deposed while changing the membership: retry with the new leader.
                    Err(WriteError::NotLeader { .. }) => {
                        self.wait_for_leader_change(Some(id), Duration::from_millis(100))
                            .await
                    }
                    r => return r,
                },
                Some(id) => {
                    let peer = self
                        .peer_of(id)
                        .ok_or(WriteError::NotLeader { leader: None })?;
                    let bytes = wire::encode(&WriteRpc::Member(op.clone()))
                        .map_err(WriteError::Membership)?;
                    match self.inner.p2p.request(peer, Protocol::Write, bytes).await {
                        Ok(b) => match wire::decode::<WriteRpcReply>(&b, 64 * 1024) {
                            Ok(WriteRpcReply::MemberDone) => return Ok(()),
                            Ok(WriteRpcReply::Failed { message, .. }) => {
                                return Err(WriteError::Membership(message));
                            }
                            _ => {
                                self.wait_for_leader_change(Some(id), Duration::from_millis(100))
                                    .await
                            }
                        },
                        Err(_) => {
                            self.wait_for_leader_change(Some(id), Duration::from_millis(100))
                                .await
                        }
                    }
                }
                None => self.wait_for_leader(Duration::from_millis(100)).await,
            }
        }
    }

    pub(crate) async fn member_op_local(&self, op: MemberOp) -> Result<(), WriteError> {
        let raft = &self.inner.raft;
        let membership = raft
            .metrics()
            .borrow()
            .membership_config
            .membership()
            .clone();
        type ChangeError = openraft::error::RaftError<
            NodeId,
            openraft::error::ClientWriteError<NodeId, crate::types::Member>,
        >;
        let err = |e: &ChangeError| match e.forward_to_leader::<crate::types::Member>() {
            Some(_) => WriteError::NotLeader { leader: None },
            None => WriteError::Membership(e.to_string()),
        };
        match op {
            MemberOp::Promote(id) => {
                self.exclude(id, false).await?;
                if membership.get_node(&id).is_none() {
                    // A removed (or never admitted) node: admit it as a learner first, which
                    // needs it connected so we know who it is.
                    let member = crate::background::connected_member(self, id)
                        .await
                        .ok_or_else(|| {
                            WriteError::Membership(format!(
                                "node {id} is neither a member nor connected to the leader"
                            ))
                        })?;
                    raft.add_learner(id, member, true)
                        .await
                        .map_err(|e| err(&e))?;
                }
                raft.change_membership(ChangeMembers::AddVoterIds([id].into()), true)
                    .await
                    .map_err(|e| err(&e))?;
            }
            MemberOp::Remove(id) => {
                if id == self.inner.id {
                    return Err(WriteError::Membership("the leader cannot remove itself; remove it from another node after a new leader is elected, or stop it first".into()));
                }
                if membership.get_node(&id).is_none() {
                    return Err(WriteError::Membership(format!("node {id} is not a member")));
                }
                self.exclude(id, true).await?;
                if membership.voter_ids().any(|v| v == id) {
                    raft.change_membership(ChangeMembers::RemoveVoters([id].into()), false)
                        .await
                        .map_err(|e| err(&e))?;
                } else {
                    raft.change_membership(ChangeMembers::RemoveNodes([id].into()), false)
                        .await
                        .map_err(|e| err(&e))?;
                }
            }
        }
        Ok(())
    }

    async fn exclude(&self, node: NodeId, excluded: bool) -> Result<(), WriteError> {
        match self
            .propose_local(
                Op::Exclude { node, excluded },
                None,
                self.inner.config.write_timeout,
            )
            .await
        {
            WriteRpcReply::Done(_) => Ok(()),
            WriteRpcReply::NotLeader(leader) => Err(WriteError::NotLeader { leader }),
            WriteRpcReply::Failed { message, .. } => Err(WriteError::Membership(message)),
            _ => Err(WriteError::Membership("unexpected reply".into())),
        }
    }

    /// Members as this node knows them.
    pub fn members(&self) -> Vec<MemberInfo> {
        let m = self.inner.raft.metrics().borrow().clone();
        let membership = m.membership_config.membership();
        let voters: std::collections::BTreeSet<NodeId> = membership.voter_ids().collect();
        let matched: BTreeMap<NodeId, Option<u64>> = m
            .replication
            .as_ref()
            .map(|r| r.iter().map(|(k, v)| (*k, v.map(|l| l.index))).collect())
            .unwrap_or_default();
        membership
            .nodes()
            .map(|(id, n)| MemberInfo {
                raft_id: *id,
                peer_id: n.peer_id.clone(),
                name: n.name.clone(),
                role: if voters.contains(id) {
                    "voter"
                } else {
                    "learner"
                },
                leader: m.current_leader == Some(*id),
                matched_index: matched.get(id).copied().flatten(),
            })
            .collect()
    }

    /// Raft facts for `/status`.
    pub fn status(&self) -> RaftStatus {
        let m = self.inner.raft.metrics().borrow().clone();
        let membership = m.membership_config.membership();
        let peer = |id: &NodeId| membership.get_node(id).map(|n: &Member| n.peer_id.clone());
        let applied = self.inner.sm.watch_applied().borrow().to_owned();
        RaftStatus {
            raft_id: self.inner.id,
            is_leader: m.state == ServerState::Leader,
            leader_id: m.current_leader,
            leader_peer_id: m.current_leader.as_ref().and_then(peer),
            term: m.current_term,
            commit_index: self.inner.committed.load(Ordering::Relaxed).max(applied),
            applied_index: applied,
            voters: membership.voter_ids().filter_map(|id| peer(&id)).collect(),
            learners: membership
                .learner_ids()
                .filter_map(|id| peer(&id))
                .collect(),
        }
    }

    /// A watch on the applied index.
    pub fn watch_applied(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.sm.watch_applied()
    }

    /// Stops Raft and the background tasks.
    pub async fn shutdown(&self) {
        let tasks: Vec<JoinHandle<()>> = self
            .inner
            .tasks
            .lock()
            .map(|mut t| t.drain(..).collect())
            .unwrap_or_default();
        for t in &tasks {
            t.abort();
        }
        // Wait until the aborted tasks are gone, so the storage they hold is released when
        // this returns (a node restarted in the same process reopens it at once).
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
        let _ = self.inner.raft.shutdown().await;
    }
}
