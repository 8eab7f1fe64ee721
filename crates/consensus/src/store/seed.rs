//! Storage seeded with a palace that did not arrive through this cluster's log: a backup being
//! restored, or (quorum-loss recovery) a survivor's state forced into a new cluster.
//!
//! The seed is written offline (no node runs on the directory) and carries the log position the
//! palace was taken at. It is a plain file, `raft/SEED` (format in `chorus_backup::seed`), so
//! whoever writes it links no storage engine; releases before 0.2 and the first 0.2 builds left
//! it in a sled database instead, under the `snapshot` tree's `seed` or `seed-v2` key, and those
//! are still read. The node that starts on it turns the seed into ordinary Raft storage before
//! Raft opens it (`convert`): a snapshot *at that same position* whose membership holds only
//! this node, the log purged up to it, and a vote of that term. Raft then elects the node at the
//! next term and its first new entry follows the restored index, so `applied_index` never moves
//! backwards across a restore, and every node that joins installs the palace as a snapshot (the
//! log before it is gone).

use std::collections::{BTreeMap, BTreeSet};

use chorus_palace::State as Palace;
use openraft::{CommittedLeaderId, Membership, SnapshotMeta, Vote};
use serde::{Deserialize, Serialize};

use super::{
    log_store,
    state_machine::{SnapshotBody, StoredSnapshot},
};
use crate::{
    dedup::Dedup,
    types::{LogId, Member, NodeId, StoredMembership},
    wire,
};
use chorus_types::fencing::FenceGuard;

/// Key of a seed in the `snapshot` tree, as the first 0.2 builds wrote it.
const SEED_KEY: &[u8] = b"seed-v2";
/// Key of a seed written by releases before 0.2: the raw palace snapshot bytes, no position.
const LEGACY_SEED_KEY: &[u8] = b"seed";

/// A palace, the tables beside it, and the log position it reflects.
#[derive(Debug, Serialize, Deserialize)]
pub struct Seed {
    /// Term of the entry the palace was taken at.
    pub term: u64,
    /// Index of that entry: the restored node's first new entry comes after it.
    pub index: u64,
    /// The palace snapshot bytes.
    pub palace: Vec<u8>,
    /// Recent idempotency keys (empty for a backup, which does not carry them).
    pub dedup: Dedup,
    /// Fencing tokens per resource (empty for a backup).
    pub fences: FenceGuard,
    /// Members an operator removed (empty for a backup).
    pub excluded: BTreeSet<NodeId>,
}

impl Seed {
    /// A seed holding only a palace, as a backup file carries it.
    pub fn from_palace(palace: Vec<u8>, term: u64, index: u64) -> Self {
        Self {
            term,
            index,
            palace,
            dedup: Dedup::default(),
            fences: FenceGuard::new(FenceGuard::DEFAULT_CAPACITY),
            excluded: BTreeSet::new(),
        }
    }
}

/// The tables a seed carries beside the palace, in the seed file's `tables` part.
#[derive(Serialize, Deserialize)]
struct Tables {
    dedup: Dedup,
    fences: FenceGuard,
    excluded: BTreeSet<NodeId>,
}

/// Creates the Raft folder `dir` (which must not exist) holding only `seed`, as a seed file:
/// no log, no vote, no membership. A node started on it forms a new single-voter cluster that
/// continues the log after `seed.index` (see the module documentation).
pub fn write(dir: &std::path::Path, seed: &Seed) -> Result<(), String> {
    Palace::from_snapshot_bytes(&seed.palace).map_err(|e| e.to_string())?;
    if dir.exists() {
        return Err(format!("{} already exists", dir.display()));
    }
    let tables = Tables {
        dedup: seed.dedup.clone(),
        fences: seed.fences.clone(),
        excluded: seed.excluded.clone(),
    };
    let file = chorus_backup::seed::Seed {
        term: seed.term,
        index: seed.index,
        palace: seed.palace.clone(),
        tables: wire::encode(&tables)?,
    };
    chorus_backup::seed::write(dir, &file).map_err(|e| e.to_string())
}

/// The seed file in `dir`, if any, with its tables decoded (none: empty tables).
fn read_file(dir: &std::path::Path) -> Result<Option<Seed>, String> {
    let Some(file) = chorus_backup::seed::read(dir).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let mut seed = Seed::from_palace(file.palace, file.term, file.index);
    if !file.tables.is_empty() {
        let t: Tables = wire::decode(&file.tables, super::MAX_SNAPSHOT_BYTES)?;
        seed.dedup = t.dedup;
        seed.fences = t.fences;
        seed.excluded = t.excluded;
    }
    Ok(Some(seed))
}

/// Turns a seed left in `dir` (the seed file) or in `db` (its sled keys, from earlier builds)
/// into Raft storage whose only voter is this node (`id`, `me`): a snapshot at the seed's
/// position, the log purged up to it, a vote of its term. Does nothing without a seed. Returns
/// the position when it converted one.
///
/// Idempotent up to its last step (removing the seed), so a crash part-way is finished at the
/// next start.
pub(crate) fn convert(
    db: &sled::Db,
    dir: &std::path::Path,
    id: NodeId,
    me: Member,
) -> Result<Option<LogId>, String> {
    let snapshots = db.open_tree("snapshot").map_err(|e| e.to_string())?;
    let meta = db.open_tree("meta").map_err(|e| e.to_string())?;
    let seed = if let Some(seed) = read_file(dir)? {
        seed
    } else if let Some(bytes) = snapshots.get(SEED_KEY).map_err(|e| e.to_string())? {
        wire::decode::<Seed>(&bytes, super::MAX_SNAPSHOT_BYTES)?
    } else if let Some(bytes) = snapshots.get(LEGACY_SEED_KEY).map_err(|e| e.to_string())? {
        if meta
            .contains_key(log_store::VOTE)
            .map_err(|e| e.to_string())?
        {
            return Err(
                "this data directory was restored by an older release and has been \
                 started since, before its restore finished: restore the backup again with \
                 this release"
                    .to_string(),
            );
        }
        // The older format kept no position: start right after the first index.
        Seed::from_palace(bytes.to_vec(), 1, 1)
    } else {
        return Ok(None);
    };
    Palace::from_snapshot_bytes(&seed.palace).map_err(|e| e.to_string())?;

    let (term, index) = (seed.term.max(1), seed.index.max(1));
    let log_id = LogId::new(CommittedLeaderId::new(term, id), index);
    let membership = Membership::new(vec![BTreeSet::from([id])], BTreeMap::from([(id, me)]));
    let body = SnapshotBody {
        palace: seed.palace,
        dedup: seed.dedup,
        fences: seed.fences,
        excluded: seed.excluded,
    };
    let stored = StoredSnapshot {
        meta: SnapshotMeta {
            last_log_id: Some(log_id),
            last_membership: StoredMembership::new(Some(log_id), membership),
            snapshot_id: format!("{term}-{index}-seed"),
        },
        data: wire::encode(&body)?,
    };
    let log = db.open_tree("log").map_err(|e| e.to_string())?;
    log.clear().map_err(|e| e.to_string())?;
    let put = |k: &[u8], v: Vec<u8>| meta.insert(k, v).map(|_| ()).map_err(|e| e.to_string());
    put(log_store::VOTE, wire::encode(&Vote::new(term, id))?)?;
    put(log_store::PURGED, wire::encode(&log_id)?)?;
    put(log_store::COMMITTED, wire::encode(&Some(log_id))?)?;
    snapshots
        .insert(super::state_machine::CURRENT_KEY, wire::encode(&stored)?)
        .map_err(|e| e.to_string())?;
    db.flush().map_err(|e| e.to_string())?;
    snapshots.remove(SEED_KEY).map_err(|e| e.to_string())?;
    snapshots
        .remove(LEGACY_SEED_KEY)
        .map_err(|e| e.to_string())?;
    db.flush().map_err(|e| e.to_string())?;
    chorus_backup::seed::remove(dir).map_err(|e| e.to_string())?;
    Ok(Some(log_id))
}
