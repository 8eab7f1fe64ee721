//! Extension points for the rest of the node: admission of operations on the leader, and
//! notification of applied changes (to keep derived indexes such as search current).

use chorus_palace::{Change, State};

use crate::types::Op;

/// Called by consensus. Every method has a default that does nothing.
pub trait Hooks: Send + Sync + 'static {
    /// On the leader, before an operation is proposed. An error refuses it (it certainly does
    /// not apply) and is returned to the writer as the reason. Every path into the log passes
    /// here: local writes and writes forwarded by other nodes.
    fn admit(&self, _op: &Op) -> Result<(), String> {
        Ok(())
    }

    /// After a batch of entries applied, under the state lock: `changes` are the palace changes
    /// of the batch in order, `index` the last applied index. Must be quick (hand work to a
    /// task over a bounded queue).
    fn applied(&self, _state: &State, _changes: &[Change], _index: u64) {}

    /// After the whole state was replaced: restored from the local snapshot at start, or
    /// installed from the leader's snapshot.
    fn restored(&self, _state: &State, _index: u64) {}
}
