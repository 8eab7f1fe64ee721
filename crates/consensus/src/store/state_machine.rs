//! The replicated state machine: the palace plus the tables consensus itself needs
//! (idempotency keys, fencing tokens), applied deterministically from the log.
//!
//! The state lives in memory behind a lock; snapshots (the canonical palace bytes plus the
//! tables) are persisted on sled, and the log after the last snapshot is re-applied at start.

// openraft's `StorageError` (about 200 bytes) is the error type its storage API requires; the
// blocking helpers return it as is rather than boxing and unboxing it at every call.
#![allow(clippy::result_large_err)]

use std::{
    collections::BTreeSet,
    io::Cursor,
    sync::{Arc, RwLock},
};

use chorus_palace::{ApplyContext, State as Palace};
use chorus_types::fencing::{FenceGuard, FencingToken};
use openraft::{
    AnyError, Entry, EntryPayload, OptionalSend, RaftSnapshotBuilder, Snapshot, SnapshotMeta,
    StorageError, StorageIOError, storage::RaftStateMachine,
};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::{
    Hooks,
    dedup::Dedup,
    types::{LogId, Member, NodeId, Op, Outcome, Reply, StoredMembership, TypeConfig},
    wire,
};

/// Largest snapshot decoded (the whole palace).
pub const MAX_SNAPSHOT_BYTES: usize = 4 * 1024 * 1024 * 1024 - 1;

fn any<E: std::fmt::Display>(e: E) -> AnyError {
    AnyError::error(e.to_string())
}

/// Everything the log determines.
#[derive(Debug)]
pub struct SmData {
    /// The palace.
    pub palace: Palace,
    /// The last entry applied.
    pub last_applied: Option<LogId>,
    /// The membership as of the last applied membership entry.
    pub membership: StoredMembership,
    /// Recent idempotency keys.
    pub dedup: Dedup,
    /// Current fencing token per resource.
    pub fences: FenceGuard,
    /// Nodes an operator removed; the leader does not re-add them on its own.
    pub excluded: BTreeSet<NodeId>,
}

impl SmData {
    fn new() -> Result<Self, String> {
        Ok(Self {
            palace: Palace::new(chorus_palace::Config::default()).map_err(|e| e.to_string())?,
            last_applied: None,
            membership: StoredMembership::default(),
            dedup: Dedup::default(),
            fences: FenceGuard::new(FenceGuard::DEFAULT_CAPACITY),
            excluded: BTreeSet::new(),
        })
    }

    /// The index of the last applied entry (0 before any).
    pub fn applied_index(&self) -> u64 {
        self.last_applied.map(|l| l.index).unwrap_or(0)
    }

    fn execute(
        &mut self,
        log_id: &LogId,
        stamped_at_ms: u64,
        op: Op,
        changes: &mut Vec<chorus_palace::Change>,
    ) -> Outcome {
        let ctx = ApplyContext {
            index: log_id.index,
            term: log_id.leader_id.term,
            now_ms: stamped_at_ms,
        };
        match op {
            Op::Palace(cmd) => {
                let applied = self.palace.apply(&ctx, cmd);
                changes.extend(applied.changes);
                Outcome::Palace(applied.result)
            }
            Op::Fence { resource } => {
                let token = FencingToken {
                    term: ctx.term,
                    index: ctx.index,
                };
                // The newest entry always carries the highest token, so this cannot fail.
                let _ = self.fences.check(&resource, token);
                Outcome::Fenced(token)
            }
            Op::Fenced {
                resource,
                token,
                command,
            } => match self.fences.current(&resource) {
                Some(current) if current == token => {
                    // Hooks see a fenced command's changes like any other's (a record
                    // published under a fence is a stored record).
                    let applied = self.palace.apply(&ctx, command);
                    changes.extend(applied.changes);
                    Outcome::Palace(applied.result)
                }
                current => Outcome::StaleToken {
                    presented: token,
                    current: current.unwrap_or(FencingToken { term: 0, index: 0 }),
                },
            },
            Op::Exclude { node, excluded } => {
                if excluded {
                    self.excluded.insert(node);
                } else {
                    self.excluded.remove(&node);
                }
                Outcome::None
            }
        }
    }

    /// Applies one entry, collecting the palace changes it made.
    pub fn apply_entry(
        &mut self,
        entry: Entry<TypeConfig>,
        changes: &mut Vec<chorus_palace::Change>,
    ) -> Reply {
        let log_id = entry.log_id;
        self.last_applied = Some(log_id);
        let (index, term) = (log_id.index, log_id.leader_id.term);
        let none = Reply {
            outcome: Outcome::None,
            index,
            term,
            deduplicated: false,
        };
        match entry.payload {
            EntryPayload::Blank => none,
            EntryPayload::Membership(m) => {
                self.membership = StoredMembership::new(Some(log_id), m);
                none
            }
            EntryPayload::Normal(req) => {
                if let Some(key) = &req.idempotency_key
                    && let Some(first) = self.dedup.get(key)
                {
                    return Reply {
                        deduplicated: true,
                        ..first.clone()
                    };
                }
                let outcome = self.execute(&log_id, req.stamped_at_ms, req.op, changes);
                let reply = Reply {
                    outcome,
                    index,
                    term,
                    deduplicated: false,
                };
                if let Some(key) = req.idempotency_key {
                    self.dedup.insert(key, reply.clone());
                }
                reply
            }
        }
    }
}

/// What a snapshot holds besides its meta.
#[derive(Serialize, Deserialize)]
pub(super) struct SnapshotBody {
    pub(super) palace: Vec<u8>,
    pub(super) dedup: Dedup,
    pub(super) fences: FenceGuard,
    pub(super) excluded: BTreeSet<NodeId>,
}

/// The persisted snapshot: openraft's meta and the encoded [`SnapshotBody`].
#[derive(Serialize, Deserialize)]
pub(super) struct StoredSnapshot {
    pub(super) meta: SnapshotMeta<NodeId, Member>,
    pub(super) data: Vec<u8>,
}

/// Key of the persisted snapshot in the `snapshot` tree.
pub(super) const CURRENT_KEY: &[u8] = b"current";

/// The state machine handed to openraft; clones share the same state.
#[derive(Clone)]
pub struct StateMachine {
    data: Arc<RwLock<SmData>>,
    snapshots: sled::Tree,
    applied_tx: Arc<watch::Sender<u64>>,
    hooks: Arc<Vec<Arc<dyn Hooks>>>,
}

impl StateMachine {
    /// Opens the state machine, restoring the last persisted snapshot if any.
    pub fn open(db: &sled::Db, hooks: Vec<Arc<dyn Hooks>>) -> Result<Self, String> {
        let snapshots = db.open_tree("snapshot").map_err(|e| e.to_string())?;
        let mut data = SmData::new()?;
        if let Some(bytes) = snapshots.get(CURRENT_KEY).map_err(|e| e.to_string())? {
            let stored: StoredSnapshot = wire::decode(&bytes, MAX_SNAPSHOT_BYTES)?;
            restore(&mut data, &stored.meta, &stored.data)?;
        }
        let applied = data.applied_index();
        for h in &hooks {
            h.restored(&data.palace, applied);
        }
        let (tx, _) = watch::channel(applied);
        Ok(Self {
            data: Arc::new(RwLock::new(data)),
            snapshots,
            applied_tx: Arc::new(tx),
            hooks: Arc::new(hooks),
        })
    }

    /// Shared access to the state for reads.
    pub fn data(&self) -> Arc<RwLock<SmData>> {
        self.data.clone()
    }

    /// A watch on the applied index, for reads that wait for an index.
    pub fn watch_applied(&self) -> watch::Receiver<u64> {
        self.applied_tx.subscribe()
    }

    async fn persist(&self, stored: &StoredSnapshot) -> Result<(), AnyError> {
        let bytes = wire::encode(stored).map_err(any)?;
        self.snapshots.insert(CURRENT_KEY, bytes).map_err(any)?;
        self.snapshots.flush_async().await.map_err(any)?;
        Ok(())
    }

    fn read_stored(&self) -> Result<Option<StoredSnapshot>, AnyError> {
        match self.snapshots.get(CURRENT_KEY).map_err(any)? {
            Some(b) => wire::decode(&b, MAX_SNAPSHOT_BYTES).map(Some).map_err(any),
            None => Ok(None),
        }
    }
}

fn restore(
    data: &mut SmData,
    meta: &SnapshotMeta<NodeId, Member>,
    bytes: &[u8],
) -> Result<(), String> {
    let body: SnapshotBody = wire::decode(bytes, MAX_SNAPSHOT_BYTES)?;
    data.palace = Palace::from_snapshot_bytes(&body.palace).map_err(|e| e.to_string())?;
    data.dedup = body.dedup;
    data.fences = body.fences;
    data.excluded = body.excluded;
    data.last_applied = meta.last_log_id;
    data.membership = meta.last_membership.clone();
    Ok(())
}

fn lock_err() -> AnyError {
    AnyError::error("state machine lock poisoned")
}

impl RaftSnapshotBuilder<TypeConfig> for StateMachine {
    /// Serializing the whole palace is long, synchronous work: it runs on the blocking pool so
    /// heartbeats and replication keep flowing meanwhile. The blocking task holds only the
    /// in-memory state, never a sled handle: a runtime shutting down waits for blocking tasks,
    /// and the last sled handle dropped there would flush a database being torn down.
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError<NodeId>> {
        let data = self.data.clone();
        let stored = tokio::task::spawn_blocking(move || snapshot_of(&data))
            .await
            .map_err(|e| StorageIOError::read_state_machine(any(e)))??;
        self.persist(&stored)
            .await
            .map_err(|e| StorageIOError::write_snapshot(None, e))?;
        Ok(Snapshot {
            meta: stored.meta,
            snapshot: Box::new(Cursor::new(stored.data)),
        })
    }
}

/// The current state as a snapshot (blocking: encodes the whole palace).
fn snapshot_of(data: &RwLock<SmData>) -> Result<StoredSnapshot, StorageError<NodeId>> {
    let d = data
        .read()
        .map_err(|_| StorageIOError::read_state_machine(lock_err()))?;
    let body = SnapshotBody {
        palace: d.palace.snapshot_bytes(),
        dedup: d.dedup.clone(),
        fences: d.fences.clone(),
        excluded: d.excluded.clone(),
    };
    let data = wire::encode(&body).map_err(|e| StorageIOError::read_state_machine(any(e)))?;
    let id = match d.last_applied {
        Some(l) => format!("{}-{}", l.leader_id.term, l.index),
        None => "empty".to_string(),
    };
    let meta = SnapshotMeta {
        last_log_id: d.last_applied,
        last_membership: d.membership.clone(),
        snapshot_id: id,
    };
    Ok(StoredSnapshot { meta, data })
}

/// Replaces the state with a received snapshot and tells the hooks (blocking: decodes the
/// whole palace). Returns the applied index.
fn install_into(
    data: &RwLock<SmData>,
    hooks: &[Arc<dyn Hooks>],
    meta: &SnapshotMeta<NodeId, Member>,
    bytes: &[u8],
) -> Result<u64, StorageError<NodeId>> {
    let mut fresh = SmData::new().map_err(|e| StorageIOError::write_state_machine(any(e)))?;
    restore(&mut fresh, meta, bytes)
        .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), any(e)))?;
    let mut d = data
        .write()
        .map_err(|_| StorageIOError::write_state_machine(lock_err()))?;
    *d = fresh;
    let applied = d.applied_index();
    for h in hooks {
        h.restored(&d.palace, applied);
    }
    Ok(applied)
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = StateMachine;

    async fn applied_state(
        &mut self,
    ) -> Result<(Option<LogId>, StoredMembership), StorageError<NodeId>> {
        let d = self
            .data
            .read()
            .map_err(|_| StorageIOError::read_state_machine(lock_err()))?;
        Ok((d.last_applied, d.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<Reply>, StorageError<NodeId>>
    where
        I: IntoIterator<Item = Entry<TypeConfig>> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let (replies, applied) = {
            let mut d = self
                .data
                .write()
                .map_err(|_| StorageIOError::write_state_machine(lock_err()))?;
            let mut changes = Vec::new();
            let replies: Vec<Reply> = entries
                .into_iter()
                .map(|e| d.apply_entry(e, &mut changes))
                .collect();
            let applied = d.applied_index();
            for h in self.hooks.iter() {
                h.applied(&d.palace, &changes, applied);
            }
            (replies, applied)
        };
        self.applied_tx.send_replace(applied);
        Ok(replies)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.clone()
    }

    async fn begin_receiving_snapshot(
        &mut self,
    ) -> Result<Box<Cursor<Vec<u8>>>, StorageError<NodeId>> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<NodeId, Member>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError<NodeId>> {
        // Decoding a whole palace is long, synchronous work: blocking pool (which is given no
        // sled handle, see `build_snapshot`).
        let (data, hooks, m) = (self.data.clone(), self.hooks.clone(), meta.clone());
        let bytes = snapshot.into_inner();
        let (applied, bytes) = tokio::task::spawn_blocking(move || {
            install_into(&data, &hooks, &m, &bytes).map(|a| (a, bytes))
        })
        .await
        .map_err(|e| StorageIOError::write_state_machine(any(e)))??;
        let stored = StoredSnapshot {
            meta: meta.clone(),
            data: bytes,
        };
        self.persist(&stored)
            .await
            .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), e))?;
        self.applied_tx.send_replace(applied);
        Ok(())
    }

    async fn get_current_snapshot(
        &mut self,
    ) -> Result<Option<Snapshot<TypeConfig>>, StorageError<NodeId>> {
        let stored = self
            .read_stored()
            .map_err(|e| StorageIOError::read_snapshot(None, e))?;
        Ok(stored.map(|s| Snapshot {
            meta: s.meta,
            snapshot: Box::new(Cursor::new(s.data)),
        }))
    }
}
