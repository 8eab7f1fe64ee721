//! A thread-safe recorder of client operations.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crate::history::{ClientId, Entry, History, OpId, Stamp};
use crate::op::{Op, Outcome, Reply};

/// Gives every recorder its own number so that a [`Pending`] cannot be completed on another recorder.
static NEXT_RECORDER: AtomicU64 = AtomicU64::new(0);

/// Records the operations of many concurrent clients into one [`History`].
///
/// Cheap to clone: clones share one log, so each tokio task can hold its own. Call
/// [`invoke`](Recorder::invoke) right before sending a request and [`complete`](Recorder::complete)
/// right after its outcome is known, so that the recorded interval contains the real one.
///
/// Events are ordered by a counter taken under the recorder's lock, not by clock readings, so two
/// events recorded one after the other are never seen as simultaneous. `std::time::Instant` is read only
/// to label events for people; it never orders anything and nothing waits on it.
#[derive(Debug, Clone)]
pub struct Recorder {
    id: u64,
    log: Arc<Mutex<Log>>,
}

#[derive(Debug)]
struct Log {
    start: Instant,
    next_seq: u64,
    entries: Vec<Entry>,
}

impl Log {
    fn stamp(&mut self) -> Stamp {
        let seq = self.next_seq;
        self.next_seq += 1;
        Stamp {
            seq,
            elapsed: self.start.elapsed(),
        }
    }
}

/// An invoked operation awaiting its outcome. Hand it back to [`Recorder::complete`]; dropping it
/// leaves the operation [`Outcome::Unknown`], which is what a cancelled client task means.
#[derive(Debug)]
#[must_use = "complete the operation with Recorder::complete, or it is recorded as Unknown"]
pub struct Pending {
    recorder: u64,
    id: OpId,
}

impl Pending {
    /// The id the operation has in the history.
    pub fn id(&self) -> OpId {
        self.id
    }
}

/// Why [`Recorder::complete`] refused an outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The pending operation came from another recorder.
    #[error("{op} was invoked on recorder {invoked_on}, not on recorder {completed_on}")]
    ForeignOp {
        /// The operation's id on the recorder that invoked it.
        op: OpId,
        /// The recorder that invoked it.
        invoked_on: u64,
        /// The recorder asked to complete it.
        completed_on: u64,
    },
    /// The reply does not fit the operation (a read answered `Written`, say).
    #[error("{op} ({invoked}) cannot complete with reply {reply:?}; it stays Unknown")]
    ReplyMismatch {
        /// The operation.
        op: OpId,
        /// What it asked.
        invoked: Op,
        /// The reply given.
        reply: Reply,
    },
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// An empty recorder whose clock starts now.
    pub fn new() -> Self {
        Recorder {
            id: NEXT_RECORDER.fetch_add(1, Ordering::Relaxed),
            log: Arc::new(Mutex::new(Log {
                start: Instant::now(),
                next_seq: 0,
                entries: Vec::new(),
            })),
        }
    }

    /// Records that `client` is invoking `op` now.
    pub fn invoke(&self, client: impl Into<ClientId>, op: Op) -> Pending {
        let mut log = self.lock();
        let id = OpId(log.entries.len());
        let invoked = log.stamp();
        log.entries.push(Entry {
            id,
            client: client.into(),
            op,
            invoked,
            completed: None,
            outcome: Outcome::Unknown,
        });
        Pending {
            recorder: self.id,
            id,
        }
    }

    /// Records that the operation ended now with `outcome`.
    ///
    /// # Errors
    /// [`RecordError::ForeignOp`] if `op` came from another recorder; [`RecordError::ReplyMismatch`] if
    /// the reply does not fit the operation. Either way nothing is recorded and the operation stays
    /// `Unknown`.
    pub fn complete(&self, op: Pending, outcome: Outcome) -> Result<(), RecordError> {
        if op.recorder != self.id {
            return Err(RecordError::ForeignOp {
                op: op.id,
                invoked_on: op.recorder,
                completed_on: self.id,
            });
        }
        let mut log = self.lock();
        let done = log.stamp();
        // A Pending is only made by `invoke` on this log, which never removes entries.
        let Some(entry) = log.entries.get_mut(op.id.0) else {
            unreachable!("{} was handed out by this recorder", op.id)
        };
        if let Outcome::Ok(reply) = outcome
            && !entry.op.accepts(&reply)
        {
            return Err(RecordError::ReplyMismatch {
                op: op.id,
                invoked: entry.op.clone(),
                reply,
            });
        }
        entry.completed = Some(done);
        entry.outcome = outcome;
        Ok(())
    }

    /// The history so far. Operations not completed yet are reported as [`Outcome::Unknown`].
    pub fn history(&self) -> History {
        History::from_entries(self.lock().entries.clone())
    }

    /// How many operations were invoked.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no operation was invoked yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        // The log is append-only and every critical section leaves it consistent, so the data behind a
        // poisoned lock (a panicking test task) is still good.
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn events_are_ordered_and_pending_ops_are_unknown() {
        let rec = Recorder::new();
        let w = rec.invoke(1, Op::write("k", 1));
        let r = rec.invoke(2, Op::read("k"));
        rec.complete(w, Outcome::written()).unwrap();
        let h = rec.history();
        assert_eq!(h.len(), 2);
        let (we, re) = (&h.entries()[0], &h.entries()[1]);
        assert_eq!(we.outcome, Outcome::written());
        assert!(we.invoked.seq < re.invoked.seq);
        assert!(re.invoked.seq < we.completed.unwrap().seq);
        assert_eq!(re.outcome, Outcome::Unknown);
        assert_eq!(re.completed, None);
        drop(r);
    }

    #[test]
    fn mismatched_reply_is_refused() {
        let rec = Recorder::new();
        let r = rec.invoke(1, Op::read("k"));
        let err = rec.complete(r, Outcome::written()).unwrap_err();
        assert!(
            matches!(err, RecordError::ReplyMismatch { op: OpId(0), .. }),
            "{err}"
        );
        assert_eq!(rec.history().entries()[0].outcome, Outcome::Unknown);
    }

    #[test]
    fn op_from_another_recorder_is_refused() {
        let a = Recorder::new();
        let b = Recorder::new();
        let op = a.invoke(1, Op::read("k"));
        assert!(matches!(
            b.complete(op, Outcome::read(None)),
            Err(RecordError::ForeignOp { .. })
        ));
        assert!(b.is_empty());
    }

    #[test]
    fn clones_share_one_log_across_threads() {
        let rec = Recorder::new();
        let handles: Vec<_> = (0..4u64)
            .map(|client| {
                let rec = rec.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let op = rec.invoke(client, Op::write("k", client * 100 + i));
                        rec.complete(op, Outcome::written()).unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let h = rec.history();
        assert_eq!(h.len(), 200);
        let mut seqs: Vec<u64> = h
            .entries()
            .iter()
            .flat_map(|e| [e.invoked.seq, e.completed.unwrap().seq])
            .collect();
        seqs.sort_unstable();
        seqs.dedup();
        assert_eq!(seqs.len(), 400, "every event has its own sequence number");
    }
}
