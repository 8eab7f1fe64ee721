//! An owned batch of index updates, extracted from palace state.

use chorus_palace::{Change, State};

/// The indexed fields of one stored drawer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Doc {
    pub id: String,
    pub wing: String,
    pub room: String,
    pub content: String,
}

impl Doc {
    pub(crate) fn of(d: &chorus_palace::Drawer) -> Doc {
        Doc {
            id: d.id.clone(),
            wing: d.wing.clone(),
            room: d.room.clone(),
            content: d.content.clone(),
        }
    }
}

/// One update to the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    /// Replace (or insert) the document of this drawer.
    Upsert(Doc),
    /// Remove the document with this drawer id.
    Remove(String),
}

/// Index updates for a run of applied commands, owning their data.
///
/// Building a batch only reads the state (cheap clones of the changed drawers), so a caller
/// holding the state under a lock can build it, release the lock, then hand it to
/// [`crate::Index::apply_batch`] where the slower tokenising happens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub(crate) ops: Vec<Op>,
    pub(crate) applied_index: u64,
}

impl Batch {
    /// Updates for `changes` against `state` *as it is now*, marking them as reflecting log
    /// index `applied_index`.
    ///
    /// Changes are taken in order and each upsert reads the drawer's current version, so a
    /// batch may cover several applies: a drawer upserted and later removed ends removed, and
    /// one removed and re-added ends with its current text. Non-drawer changes are ignored.
    pub fn from_changes(state: &State, changes: &[Change], applied_index: u64) -> Batch {
        let ops = changes
            .iter()
            .filter_map(|c| match c {
                Change::DrawerUpserted { id } => Some(match state.drawer(id) {
                    Some(d) => Op::Upsert(Doc::of(d)),
                    None => Op::Remove(id.clone()),
                }),
                Change::DrawerRemoved { id } => Some(Op::Remove(id.clone())),
                _ => None,
            })
            .collect();
        Batch { ops, applied_index }
    }

    /// Number of document updates in the batch.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when the batch updates no document (it still advances the applied index).
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}
