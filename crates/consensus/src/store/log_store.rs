//! The Raft log and vote on sled. A vote or an append is acknowledged only after sled's flush
//! (fsync) completes, so an acknowledged entry survives a crash of the whole machine.

use std::{
    fmt::Debug,
    ops::RangeBounds,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use openraft::{
    AnyError, Entry, LogState, OptionalSend, RaftLogReader, StorageError, StorageIOError, Vote,
    storage::{LogFlushed, RaftLogStorage},
};

use crate::{
    types::{LogId, NodeId, TypeConfig},
    wire,
};

/// Largest stored entry decoded (entries are bounded by the write limit when proposed).
const MAX_ENTRY_BYTES: usize = 64 * 1024 * 1024;

pub(super) const VOTE: &[u8] = b"vote";
pub(super) const COMMITTED: &[u8] = b"committed";
pub(super) const PURGED: &[u8] = b"last_purged";

fn io<E: std::fmt::Display>(e: E) -> AnyError {
    AnyError::error(e.to_string())
}

fn key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

/// The log (tree `log`, keyed by big-endian index) and metadata (tree `meta`).
#[derive(Debug, Clone)]
pub struct LogStore {
    db: sled::Db,
    log: sled::Tree,
    meta: sled::Tree,
    /// The committed index as openraft last reported it, for status and metrics.
    committed: Arc<AtomicU64>,
}

impl LogStore {
    /// Opens the trees in `db`.
    pub fn open(db: &sled::Db, committed: Arc<AtomicU64>) -> Result<Self, sled::Error> {
        Ok(Self {
            db: db.clone(),
            log: db.open_tree("log")?,
            meta: db.open_tree("meta")?,
            committed,
        })
    }

    fn get_meta<T: serde::de::DeserializeOwned>(&self, k: &[u8]) -> Result<Option<T>, AnyError> {
        match self.meta.get(k).map_err(io)? {
            Some(v) => wire::decode(&v, MAX_ENTRY_BYTES).map(Some).map_err(io),
            None => Ok(None),
        }
    }

    fn put_meta<T: serde::Serialize>(&self, k: &[u8], v: &T) -> Result<(), AnyError> {
        let bytes = wire::encode(v).map_err(io)?;
        self.meta.insert(k, bytes).map_err(io)?;
        Ok(())
    }

    async fn flush(&self) -> Result<(), AnyError> {
        self.db.flush_async().await.map_err(io)?;
        Ok(())
    }

    fn last_entry_log_id(&self) -> Result<Option<LogId>, AnyError> {
        match self.log.last().map_err(io)? {
            Some((_, v)) => {
                let e: Entry<TypeConfig> = wire::decode(&v, MAX_ENTRY_BYTES).map_err(io)?;
                Ok(Some(e.log_id))
            }
            None => Ok(None),
        }
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry<TypeConfig>>, StorageError<NodeId>> {
        use std::ops::Bound;
        let start = match range.start_bound() {
            Bound::Included(i) => *i,
            Bound::Excluded(i) => i.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let iter = match range.end_bound() {
            Bound::Included(i) => self.log.range(key(start)..=key(*i)),
            Bound::Excluded(i) => self.log.range(key(start)..key(*i)),
            Bound::Unbounded => self.log.range(key(start)..),
        };
        let mut out = Vec::new();
        for item in iter {
            let (_, v) = item.map_err(|e| StorageIOError::read_logs(io(e)))?;
            let entry =
                wire::decode(&v, MAX_ENTRY_BYTES).map_err(|e| StorageIOError::read_logs(io(e)))?;
            out.push(entry);
        }
        Ok(out)
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError<NodeId>> {
        let purged: Option<LogId> = self.get_meta(PURGED).map_err(StorageIOError::read_logs)?;
        let last = self
            .last_entry_log_id()
            .map_err(StorageIOError::read_logs)?
            .or(purged);
        Ok(LogState {
            last_purged_log_id: purged,
            last_log_id: last,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote<NodeId>) -> Result<(), StorageError<NodeId>> {
        self.put_meta(VOTE, vote)
            .map_err(StorageIOError::write_vote)?;
        self.flush().await.map_err(StorageIOError::write_vote)?;
        Ok(())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote<NodeId>>, StorageError<NodeId>> {
        Ok(self.get_meta(VOTE).map_err(StorageIOError::read_vote)?)
    }

    /// Persisted without a flush: it only speeds up re-applying at restart; losing it is safe.
    async fn save_committed(
        &mut self,
        committed: Option<LogId>,
    ) -> Result<(), StorageError<NodeId>> {
        self.put_meta(COMMITTED, &committed)
            .map_err(StorageIOError::write)?;
        self.committed
            .store(committed.map(|c| c.index).unwrap_or(0), Ordering::Relaxed);
        Ok(())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError<NodeId>> {
        let c = self
            .get_meta::<Option<LogId>>(COMMITTED)
            .map_err(StorageIOError::read)?
            .flatten();
        self.committed
            .store(c.map(|c| c.index).unwrap_or(0), Ordering::Relaxed);
        Ok(c)
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: LogFlushed<TypeConfig>,
    ) -> Result<(), StorageError<NodeId>>
    where
        I: IntoIterator<Item = Entry<TypeConfig>> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut batch = sled::Batch::default();
        for e in entries {
            let bytes = wire::encode(&e).map_err(|x| StorageIOError::write_logs(io(x)))?;
            batch.insert(&key(e.log_id.index), bytes);
        }
        self.log
            .apply_batch(batch)
            .map_err(|e| StorageIOError::write_logs(io(e)))?;
        let flushed = self.db.flush_async().await;
        callback.log_io_completed(flushed.map(|_| ()).map_err(std::io::Error::other));
        Ok(())
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError<NodeId>> {
        let mut batch = sled::Batch::default();
        for item in self.log.range(key(log_id.index)..) {
            let (k, _) = item.map_err(|e| StorageIOError::write_logs(io(e)))?;
            batch.remove(k);
        }
        self.log
            .apply_batch(batch)
            .map_err(|e| StorageIOError::write_logs(io(e)))?;
        self.flush().await.map_err(StorageIOError::write_logs)?;
        Ok(())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError<NodeId>> {
        // Record the purge point first: a crash between the two steps leaves entries that are
        // merely ignored, never a gap that is not accounted for.
        self.put_meta(PURGED, &log_id)
            .map_err(StorageIOError::write_logs)?;
        self.flush().await.map_err(StorageIOError::write_logs)?;
        let mut batch = sled::Batch::default();
        for item in self.log.range(..=key(log_id.index)) {
            let (k, _) = item.map_err(|e| StorageIOError::write_logs(io(e)))?;
            batch.remove(k);
        }
        self.log
            .apply_batch(batch)
            .map_err(|e| StorageIOError::write_logs(io(e)))?;
        Ok(())
    }
}
