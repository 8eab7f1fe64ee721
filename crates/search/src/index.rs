//! The index: a tantivy index following palace applies, with batched commits.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use chorus_palace::{Change, State};
use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tracing::debug;

use crate::batch::{Batch, Doc, Op};
use crate::error::Error;
use crate::schema::{FORMAT_VERSION, Fields, document, schema};

/// Default number of document updates buffered before [`Index::apply`] commits by itself.
pub const DEFAULT_COMMIT_EVERY: usize = 10_000;

/// Default indexing memory budget, bytes (tantivy's minimum per thread is 15 MB).
pub const DEFAULT_WRITER_MEMORY_BYTES: usize = 64 * 1024 * 1024;

/// Index configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Document updates buffered before `apply` commits (and makes them searchable).
    /// Default [`DEFAULT_COMMIT_EVERY`]; committing on every apply is too slow for bulk ingest.
    pub commit_every: usize,
    /// Indexing memory budget in bytes. Default [`DEFAULT_WRITER_MEMORY_BYTES`].
    pub writer_memory_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            commit_every: DEFAULT_COMMIT_EVERY,
            writer_memory_bytes: DEFAULT_WRITER_MEMORY_BYTES,
        }
    }
}

/// What a commit records next to the segments.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    format: u64,
    indexed_index: u64,
}

/// Writer-side state, behind the mutex.
struct Writer {
    inner: IndexWriter<TantivyDocument>,
    /// Document updates since the last commit.
    pending: usize,
    /// Log index the buffered updates reflect.
    pending_index: u64,
}

/// A full-text index of drawer content, derived from palace state and rebuildable at any time.
///
/// **Threads.** Every method takes `&self`; share the index as `Arc<Index>`. Searches run on
/// tantivy's reader without locks and see the last commit; `apply`, `commit` and `rebuild`
/// serialise on an internal writer mutex. A search never sees a half-applied batch.
///
/// **Following the palace.** After each `State::apply` (or after a run of them), pass the
/// returned changes to [`Index::apply`] with the last applied log index. Updates become
/// searchable at the next commit: automatically every [`Config::commit_every`] updates, or when
/// [`Index::commit`] is called. [`Index::indexed_index`] says which log index searches reflect.
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    pub(crate) fields: Fields,
    /// `None` after [`Index::close`].
    writer: Mutex<Option<Writer>>,
    indexed: AtomicU64,
    config: Config,
    /// Directory shown in errors (`memory` for in-memory indexes).
    location: String,
}

impl Index {
    /// A fresh in-memory index with the default configuration.
    pub fn in_memory() -> Result<Index, Error> {
        Index::in_memory_with(Config::default())
    }

    /// A fresh in-memory index.
    pub fn in_memory_with(config: Config) -> Result<Index, Error> {
        let (schema, fields) = schema();
        Index::from_tantivy(
            tantivy::Index::create_in_ram(schema),
            fields,
            config,
            "memory",
        )
    }

    /// Opens the index in `dir` (creating the directory and an empty index when absent) with
    /// the default configuration.
    pub fn open(dir: &Path) -> Result<Index, Error> {
        Index::open_with(dir, Config::default())
    }

    /// Opens or creates the index in `dir`. An index with another schema or format version is
    /// [`Error::Incompatible`]: the caller deletes the directory and calls [`Index::rebuild`].
    ///
    /// After loading palace state from a snapshot at index S, a caller compares
    /// [`Index::indexed_index`]: below S the index missed changes and must be rebuilt; at or
    /// above S, re-applying the log after S brings it up to date (upserts are idempotent).
    pub fn open_with(dir: &Path, config: Config) -> Result<Index, Error> {
        let shown = dir.display().to_string();
        std::fs::create_dir_all(dir).map_err(|e| Error::index("open", format!("{shown}: {e}")))?;
        let mmap = MmapDirectory::open(dir).map_err(|e| Error::index("open", e))?;
        let (schema, fields) = schema();
        let index =
            tantivy::Index::open_or_create(mmap, schema).map_err(|e| Error::Incompatible {
                dir: shown.clone(),
                reason: e.to_string(),
            })?;
        Index::from_tantivy(index, fields, config, &shown)
    }

    fn from_tantivy(
        index: tantivy::Index,
        fields: Fields,
        config: Config,
        location: &str,
    ) -> Result<Index, Error> {
        let metas = index.load_metas().map_err(|e| Error::index("open", e))?;
        let indexed = match metas.payload.as_deref() {
            None => 0,
            Some(p) => match serde_json::from_str::<Payload>(p) {
                Ok(p) if p.format == FORMAT_VERSION => p.indexed_index,
                _ => {
                    return Err(Error::Incompatible {
                        dir: location.to_owned(),
                        reason: format!("commit payload {p:?} is not format {FORMAT_VERSION}"),
                    });
                }
            },
        };
        let inner = index
            .writer_with_num_threads(1, config.writer_memory_bytes.max(15_000_000))
            .map_err(|e| Error::index("open writer", e))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::index("open reader", e))?;
        Ok(Index {
            index,
            reader,
            fields,
            writer: Mutex::new(Some(Writer {
                inner,
                pending: 0,
                pending_index: indexed,
            })),
            indexed: AtomicU64::new(indexed),
            config,
            location: location.to_owned(),
        })
    }

    pub(crate) fn tantivy(&self) -> &tantivy::Index {
        &self.index
    }

    pub(crate) fn reader(&self) -> &IndexReader {
        &self.reader
    }

    fn lock(&self) -> MutexGuard<'_, Option<Writer>> {
        // A panic while holding the lock cannot leave the writer half-updated in a way a later
        // commit would expose wrongly: tantivy rolls back uncommitted work on error. So a
        // poisoned lock is recovered rather than propagated.
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The log index that searches currently reflect (the last commit's).
    pub fn indexed_index(&self) -> u64 {
        self.indexed.load(Ordering::Acquire)
    }

    /// Where the index lives (`memory` or its directory).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Number of documents visible to searches (chunk parts count separately).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Follows one or more palace applies: `changes` against `state` as it is now, reflecting
    /// log index `applied_index`. Commits when enough updates are buffered.
    pub fn apply(
        &self,
        state: &State,
        changes: &[Change],
        applied_index: u64,
    ) -> Result<(), Error> {
        self.apply_batch(Batch::from_changes(state, changes, applied_index))
    }

    /// Like [`Index::apply`] with a batch built earlier by [`Batch::from_changes`].
    pub fn apply_batch(&self, batch: Batch) -> Result<(), Error> {
        let mut guard = self.lock();
        let w = guard.as_mut().ok_or_else(closed)?;
        for op in batch.ops {
            match op {
                Op::Upsert(d) => {
                    w.inner
                        .delete_term(Term::from_field_text(self.fields.id, &d.id));
                    w.inner
                        .add_document(document(&self.fields, &d))
                        .map_err(|e| Error::index("add document", e))?;
                }
                Op::Remove(id) => {
                    w.inner
                        .delete_term(Term::from_field_text(self.fields.id, &id));
                }
            }
            w.pending += 1;
        }
        w.pending_index = w.pending_index.max(batch.applied_index);
        if w.pending >= self.config.commit_every {
            self.commit_locked(w)?;
        }
        Ok(())
    }

    /// Commits buffered updates and makes them searchable; returns the log index searches now
    /// reflect. Cheap when nothing is pending.
    pub fn commit(&self) -> Result<u64, Error> {
        let mut guard = self.lock();
        let w = guard.as_mut().ok_or_else(closed)?;
        self.commit_locked(w)
    }

    /// Commits what is buffered and releases the writer (and its lock on the directory), so
    /// the directory can be opened again in this process. Later writes fail; searches still
    /// see the last commit.
    pub fn close(&self) -> Result<u64, Error> {
        let mut guard = self.lock();
        let committed = match guard.as_mut() {
            Some(w) => self.commit_locked(w),
            None => return Ok(self.indexed_index()),
        };
        if let Some(w) = guard.take() {
            // Waits for merges to finish, then drops the directory lock.
            let _ = w.inner.wait_merging_threads();
        }
        committed
    }

    fn commit_locked(&self, w: &mut Writer) -> Result<u64, Error> {
        if w.pending == 0 && w.pending_index == self.indexed_index() {
            return Ok(w.pending_index);
        }
        let payload = serde_json::to_string(&Payload {
            format: FORMAT_VERSION,
            indexed_index: w.pending_index,
        })
        .map_err(|e| Error::index("commit", e))?;
        let mut prepared = w
            .inner
            .prepare_commit()
            .map_err(|e| Error::index("commit", e))?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(|e| Error::index("commit", e))?;
        self.reader
            .reload()
            .map_err(|e| Error::index("reload reader", e))?;
        debug!(
            indexed_index = w.pending_index,
            docs = w.pending,
            "search index committed"
        );
        w.pending = 0;
        self.indexed.store(w.pending_index, Ordering::Release);
        Ok(w.pending_index)
    }

    /// Replaces the whole index with the drawers of `state` and commits, reflecting
    /// `state.applied_index()`.
    pub fn rebuild(&self, state: &State) -> Result<(), Error> {
        let mut guard = self.lock();
        let w = guard.as_mut().ok_or_else(closed)?;
        w.inner
            .delete_all_documents()
            .map_err(|e| Error::index("rebuild", e))?;
        for d in state.all_drawers() {
            w.inner
                .add_document(document(&self.fields, &Doc::of(d)))
                .map_err(|e| Error::index("rebuild", e))?;
        }
        // Count the wipe as an update so the commit happens even for an empty state.
        w.pending += 1;
        w.pending_index = state.applied_index();
        self.commit_locked(w).map(|_| ())
    }
}

fn closed() -> Error {
    Error::index("write", "the index was closed")
}
