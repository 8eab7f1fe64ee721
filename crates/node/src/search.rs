//! Wiring of the search index: opens `<data>/index` and feeds it from consensus applies.

use std::path::Path;
use std::sync::{Arc, Weak};

use chorus_consensus::{Consensus, Consistency, Hooks};
use chorus_palace::{Change, State};
use chorus_search::{Error, Follower, Index};
use tracing::{info, warn};

/// Opens the index in `dir`; an index of another format is deleted and recreated (it is derived
/// data: the follower rebuilds it from the palace).
pub(crate) fn open_follower(dir: &Path) -> Result<Arc<Follower>, Error> {
    let index = match Index::open(dir) {
        Ok(i) => i,
        Err(Error::Incompatible { reason, .. }) => {
            warn!(dir = %dir.display(), %reason, "search index incompatible: recreating it");
            std::fs::remove_dir_all(dir).map_err(|e| Error::Index {
                op: "recreate".into(),
                message: format!("{}: {e}", dir.display()),
            })?;
            Index::open(dir)?
        }
        Err(e) => return Err(e),
    };
    info!(dir = %dir.display(), indexed_index = index.indexed_index(), "search index opened");
    Follower::start(index)
}

/// The consensus hook that hands applies to the follower. It holds the follower weakly: the
/// follower holds consensus (its state source), and a strong reference back would keep both,
/// with the index writer's lock, alive after the node stops.
pub(crate) struct SearchHook(pub(crate) Weak<Follower>);

impl Hooks for SearchHook {
    fn applied(&self, state: &State, changes: &[Change], index: u64) {
        if let Some(f) = self.0.upgrade() {
            f.applied(state, changes, index);
        }
    }

    fn restored(&self, state: &State, index: u64) {
        if let Some(f) = self.0.upgrade() {
            f.restored(state, index);
        }
    }
}

/// Lets the follower copy the state for rebuilds it decides on (reindex, queue overflow). The
/// follower thread is not a runtime thread, so it may block on the runtime's handle.
pub(crate) fn connect(follower: &Follower, consensus: Consensus) {
    let rt = tokio::runtime::Handle::current();
    follower.set_state_source(Box::new(move || {
        rt.block_on(consensus.read(Consistency::Local, |d| d.palace.clone()))
            .ok()
            .map(|(state, _)| state)
    }));
}
