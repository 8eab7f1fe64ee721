//! The follower: one thread that owns index writes, fed over a bounded queue by the node's
//! apply hook, committing when the queue drains.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chorus_palace::{Change, State};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, info, warn};

use crate::batch::Batch;
use crate::error::Error;
use crate::index::Index;

/// Batches of applied changes the follower may hold before the apply hook stops queueing and
/// asks for a rebuild instead. At one batch per Raft apply run (up to a few thousand drawers
/// each), this bounds the memory of pending updates while leaving room for bursts.
pub const FOLLOW_QUEUE: usize = 1024;

/// A function that returns a copy of the current palace state (taken under the state lock, so
/// every change it reflects was handed to the follower before it), or `None` when the node
/// cannot provide one now.
pub type StateSource = Box<dyn Fn() -> Option<State> + Send + Sync>;

type SharedSource = Arc<dyn Fn() -> Option<State> + Send + Sync>;

enum Job {
    Apply(Batch),
    Rebuild(Box<State>),
    Reindex(oneshot::Sender<Result<u64, Error>>),
    Stop,
}

/// Counters of the follower, for status and tests.
#[derive(Debug, Default)]
struct Counters {
    rebuilds: AtomicU64,
    overflows: AtomicU64,
    failures: AtomicU64,
}

/// Keeps an [`Index`] current with the palace: the node's apply hook calls
/// [`Follower::applied`] and [`Follower::restored`] (both quick, never blocking), and a
/// dedicated thread applies the updates, commits whenever its queue drains, and rebuilds after
/// a snapshot install, on [`Follower::reindex`], or when the queue overflowed.
///
/// **Ordering.** The hook runs under the palace state lock, so queued batches arrive in log
/// order. A rebuild from a state at index N makes the thread skip queued batches at or below N
/// (they are already in the rebuilt index).
pub struct Follower {
    index: Arc<Index>,
    tx: mpsc::Sender<Job>,
    indexed: watch::Receiver<u64>,
    needs_rebuild: Arc<AtomicBool>,
    source: Arc<Mutex<Option<SharedSource>>>,
    opened: AtomicBool,
    counters: Arc<Counters>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("location", &self.index.location())
            .field("indexed_index", &self.index.indexed_index())
            .finish_non_exhaustive()
    }
}

/// What the follower reports about itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FollowerStatus {
    /// Log index searches reflect.
    pub indexed_index: u64,
    /// Documents visible to searches (chunk parts count separately).
    pub documents: u64,
    /// Full rebuilds done since start.
    pub rebuilds: u64,
    /// Times the queue was full and a rebuild was scheduled instead.
    pub overflows: u64,
    /// Index operations that failed (each schedules a rebuild).
    pub failures: u64,
}

impl Follower {
    /// Starts the follower thread over `index`.
    pub fn start(index: Index) -> Result<Arc<Follower>, Error> {
        let index = Arc::new(index);
        let (tx, rx) = mpsc::channel(FOLLOW_QUEUE);
        let (indexed_tx, indexed) = watch::channel(index.indexed_index());
        let needs_rebuild = Arc::new(AtomicBool::new(false));
        let source: Arc<Mutex<Option<SharedSource>>> = Arc::new(Mutex::new(None));
        let counters = Arc::new(Counters::default());
        let worker = Worker {
            index: index.clone(),
            rx,
            indexed: indexed_tx,
            needs_rebuild: needs_rebuild.clone(),
            source: source.clone(),
            counters: counters.clone(),
            floor: None,
        };
        let thread = std::thread::Builder::new()
            .name("chorus-search".into())
            .spawn(move || worker.run())
            .map_err(|e| Error::index("start follower", e))?;
        Ok(Arc::new(Follower {
            index,
            tx,
            indexed,
            needs_rebuild,
            source,
            opened: AtomicBool::new(false),
            counters,
            thread: Mutex::new(Some(thread)),
        }))
    }

    /// Gives the follower a way to copy the current state (for rebuilds it decides on itself:
    /// after an overflow, or on [`Follower::reindex`]). Set once, after consensus started.
    pub fn set_state_source(&self, source: StateSource) {
        if let Ok(mut slot) = self.source.lock() {
            if slot.is_some() {
                warn!("search follower: state source replaced");
            }
            *slot = Some(Arc::from(source));
        }
    }

    /// The index, for searches.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The log index searches reflect now.
    pub fn indexed_index(&self) -> u64 {
        *self.indexed.borrow()
    }

    /// Counters and the indexed position.
    pub fn status(&self) -> FollowerStatus {
        FollowerStatus {
            indexed_index: self.indexed_index(),
            documents: self.index.num_docs(),
            rebuilds: self.counters.rebuilds.load(Ordering::Relaxed),
            overflows: self.counters.overflows.load(Ordering::Relaxed),
            failures: self.counters.failures.load(Ordering::Relaxed),
        }
    }

    fn queue(&self, job: Job) {
        match self.tx.try_send(job) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                // Dropping the batch is safe only because the thread now rebuilds from a fresh
                // copy of the state, which includes it.
                self.counters.overflows.fetch_add(1, Ordering::Relaxed);
                self.needs_rebuild.store(true, Ordering::Release);
                warn!(
                    limit = FOLLOW_QUEUE,
                    "search queue full: a rebuild is scheduled"
                );
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                debug!("search follower stopped; update ignored");
            }
        }
    }

    /// Hook: a run of entries applied. Builds the batch (cheap copies of the changed drawers)
    /// and queues it; never blocks.
    pub fn applied(&self, state: &State, changes: &[Change], index: u64) {
        self.queue(Job::Apply(Batch::from_changes(state, changes, index)));
    }

    /// Hook: the whole state was replaced. The first call (the state loaded at start) rebuilds
    /// only when the index on disk is behind the loaded state, or holds documents of a palace
    /// that is now empty; later calls (a snapshot installed from the leader) always rebuild.
    pub fn restored(&self, state: &State, index: u64) {
        let first = !self.opened.swap(true, Ordering::AcqRel);
        let on_disk = self.index.indexed_index();
        if first && on_disk >= index && !(index == 0 && on_disk > 0) {
            info!(
                indexed_index = on_disk,
                applied_index = index,
                "search index current with the loaded state"
            );
            return;
        }
        self.queue(Job::Rebuild(Box::new(state.clone())));
    }

    /// Waits until searches reflect log index `min_index`, at most `wait`. Returns the indexed
    /// index reached. Cancel-safe.
    pub async fn wait_indexed(&self, min_index: u64, wait: Duration) -> Result<u64, Error> {
        let mut rx = self.indexed.clone();
        let reached = tokio::time::timeout(wait, rx.wait_for(|i| *i >= min_index))
            .await
            .ok()
            .and_then(|r| r.ok().map(|i| *i));
        reached.ok_or_else(|| Error::Behind {
            want: min_index,
            have: self.indexed_index(),
            waited: wait,
        })
    }

    /// Rebuilds the index from scratch from the current state; returns the log index it
    /// reflects. Waits for updates queued before it. Cancel-safe (the rebuild still happens).
    pub async fn reindex(&self, wait: Duration) -> Result<u64, Error> {
        let (tx, rx) = oneshot::channel();
        let work = async {
            self.tx
                .send(Job::Reindex(tx))
                .await
                .map_err(|_| Error::index("reindex", "the search follower has stopped"))?;
            rx.await
                .map_err(|_| Error::index("reindex", "the search follower has stopped"))?
        };
        tokio::time::timeout(wait, work)
            .await
            .map_err(|_| Error::index("reindex", format!("not done within {wait:?}")))?
    }

    /// Stops the thread after it applied what is queued and committed, then releases the index
    /// writer (so the directory can be reopened in this process) and the state source (which
    /// usually refers back to the consensus that holds this follower). Bounded by `wait`.
    pub async fn shutdown(&self, wait: Duration) {
        let _ = tokio::time::timeout(wait, self.tx.send(Job::Stop)).await;
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            let joined = tokio::task::spawn_blocking(move || h.join());
            if tokio::time::timeout(wait, joined).await.is_err() {
                warn!("search follower did not stop within {wait:?}");
            }
        }
        if let Err(e) = self.index.close() {
            warn!(error = %e, "search index close failed");
        }
        if let Some(slot) = self.source.lock().ok().as_mut() {
            slot.take();
        }
    }
}

/// The thread's side.
struct Worker {
    index: Arc<Index>,
    rx: mpsc::Receiver<Job>,
    indexed: watch::Sender<u64>,
    needs_rebuild: Arc<AtomicBool>,
    source: Arc<Mutex<Option<SharedSource>>>,
    counters: Arc<Counters>,
    /// Log index of the last rebuild: queued batches at or below it are already indexed.
    floor: Option<u64>,
}

impl Worker {
    fn run(mut self) {
        while let Some(job) = self.rx.blocking_recv() {
            if !self.handle(job) {
                break;
            }
            let mut stop = false;
            while let Ok(job) = self.rx.try_recv() {
                if !self.handle(job) {
                    stop = true;
                    break;
                }
            }
            if self.needs_rebuild.swap(false, Ordering::AcqRel)
                && let Err(e) = self.rebuild_from_source()
            {
                warn!(error = %e, "search rebuild failed");
                if !self.has_source() {
                    // Try again after the next job, once the node gave us the state.
                    self.needs_rebuild.store(true, Ordering::Release);
                }
            }
            self.commit();
            if stop {
                break;
            }
        }
        self.commit();
        debug!("search follower stopped");
    }

    /// Handles one job; false on `Stop`.
    fn handle(&mut self, job: Job) -> bool {
        match job {
            Job::Apply(batch) => {
                if self.floor.is_some_and(|f| batch.applied_index <= f) {
                    return true;
                }
                if let Err(e) = self.index.apply_batch(batch) {
                    self.fail(&e);
                }
            }
            Job::Rebuild(state) => self.rebuild(&state),
            Job::Reindex(reply) => {
                let r = self.rebuild_from_source();
                let _ = reply.send(r);
            }
            Job::Stop => return false,
        }
        true
    }

    fn fail(&self, e: &Error) {
        self.counters.failures.fetch_add(1, Ordering::Relaxed);
        self.needs_rebuild.store(true, Ordering::Release);
        warn!(error = %e, "search index update failed: a rebuild is scheduled");
    }

    fn rebuild(&mut self, state: &State) {
        match self.index.rebuild(state) {
            Ok(()) => {
                self.counters.rebuilds.fetch_add(1, Ordering::Relaxed);
                self.floor = Some(state.applied_index());
                info!(
                    applied_index = state.applied_index(),
                    documents = self.index.num_docs(),
                    "search index rebuilt"
                );
                self.publish();
            }
            Err(e) => {
                self.counters.failures.fetch_add(1, Ordering::Relaxed);
                warn!(error = %e, "search rebuild failed");
            }
        }
    }

    fn rebuild_from_source(&mut self) -> Result<u64, Error> {
        // Cloned out, so the slot's lock is not held while the state is copied.
        let source = self
            .source
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let state = source
            .and_then(|f| f())
            .ok_or_else(|| Error::index("rebuild", "the palace state is not available"))?;
        self.index.rebuild(&state)?;
        self.counters.rebuilds.fetch_add(1, Ordering::Relaxed);
        self.floor = Some(state.applied_index());
        self.publish();
        info!(
            applied_index = state.applied_index(),
            "search index rebuilt from scratch"
        );
        Ok(state.applied_index())
    }

    fn has_source(&self) -> bool {
        self.source.lock().map(|s| s.is_some()).unwrap_or(false)
    }

    fn commit(&self) {
        match self.index.commit() {
            Ok(_) => self.publish(),
            Err(e) => self.fail(&e),
        }
    }

    fn publish(&self) {
        self.indexed.send_replace(self.index.indexed_index());
    }
}
