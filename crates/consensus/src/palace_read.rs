//! Reading the palace from outside consensus (the API, tools, tests): a `&palace::State` and the
//! log position it reflects, never the state machine's own tables (idempotency keys, fences,
//! membership), which stay free to change shape.

use crate::{Consensus, Consistency, ReadError};

/// The log position a read reflects: the last entry this node applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogPosition {
    /// Its index (0 before any entry).
    pub index: u64,
    /// Its term (0 before any entry).
    pub term: u64,
}

impl Consensus {
    /// Reads the palace at `consistency`. `f` sees it at one applied index, under the state lock
    /// (keep `f` short: applies wait for it). Returns what `f` computed and the position it
    /// reflects. Cancel-safe: it only waits, and dropping it leaves nothing half done.
    pub async fn read_palace<T>(
        &self,
        consistency: Consistency,
        f: impl FnOnce(&chorus_palace::State) -> T,
    ) -> Result<(T, LogPosition), ReadError> {
        let ((out, term), index) = self
            .read(consistency, |d| {
                let term = d.last_applied.map(|l| l.leader_id.term).unwrap_or(0);
                (f(&d.palace), term)
            })
            .await?;
        Ok((out, LogPosition { index, term }))
    }
}
