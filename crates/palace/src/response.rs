//! What applying a command returns: a result for the client and changes for derived indexes.

use serde::{Deserialize, Serialize};

use crate::Error;

/// Outcome of one drawer add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawerAdded {
    /// Id of the drawer (its head, when chunked).
    pub id: String,
    /// True when the same content already existed in that wing and room; nothing changed.
    pub already_exists: bool,
    /// Number of stored chunks (1 for short text).
    pub chunks: u32,
}

/// Successful result of a command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// A drawer add.
    DrawerAdded(DrawerAdded),
    /// A batch add: one result per item, in order (errors name `drawers[i].field`).
    DrawersAdded {
        /// Per-item results.
        results: Vec<Result<DrawerAdded, Error>>,
    },
    /// A drawer update.
    DrawerUpdated {
        /// Id of the drawer.
        id: String,
        /// Number of stored chunks after the update.
        chunks: u32,
    },
    /// A drawer delete.
    DrawerDeleted {
        /// Id of the drawer.
        id: String,
        /// Number of stored chunks removed.
        chunks: u32,
    },
    /// An entity add.
    EntityAdded {
        /// Entity name.
        name: String,
        /// True when the entity existed (its kind may have been updated).
        already_exists: bool,
    },
    /// A fact add.
    FactAdded {
        /// Fact id.
        id: u64,
        /// True when an identical open fact existed; nothing changed.
        already_exists: bool,
    },
    /// A fact invalidation.
    FactsInvalidated {
        /// Ids of the facts closed.
        ids: Vec<u64>,
    },
    /// A tunnel create.
    TunnelCreated {
        /// Tunnel id.
        id: String,
        /// True when the tunnel existed; nothing changed.
        already_exists: bool,
    },
    /// A tunnel delete.
    TunnelDeleted {
        /// Tunnel id.
        id: String,
    },
    /// A diary append.
    DiaryAppended {
        /// Agent name.
        agent: String,
        /// Sequence number of the entry in the agent's diary (1, 2, …).
        seq: u64,
    },
    /// A record put.
    RecordStored {
        /// Content id.
        cid: String,
        /// Version of the record under its address key (1, 2, …).
        version: u64,
        /// True when the cid was already stored; nothing changed.
        already_exists: bool,
    },
    /// A role set.
    RoleSet {
        /// Role name.
        role: String,
        /// Number of recipients now stored; 0 means the role was removed.
        recipients: u32,
    },
}

/// One change made by a command, for derived indexes such as search.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A stored drawer (or chunk) was created or its content/metadata changed.
    DrawerUpserted {
        /// Drawer id.
        id: String,
    },
    /// A stored drawer (or chunk) was removed.
    DrawerRemoved {
        /// Drawer id.
        id: String,
    },
    /// An entity was created or changed.
    EntityUpserted {
        /// Entity name.
        name: String,
    },
    /// A fact was created or changed.
    FactUpserted {
        /// Fact id.
        id: u64,
    },
    /// A tunnel was created.
    TunnelUpserted {
        /// Tunnel id.
        id: String,
    },
    /// A tunnel was removed.
    TunnelRemoved {
        /// Tunnel id.
        id: String,
    },
    /// A diary entry was appended.
    DiaryAppended {
        /// Agent name.
        agent: String,
        /// Sequence number.
        seq: u64,
    },
    /// A decision record was stored.
    RecordStored {
        /// Content id.
        cid: String,
    },
    /// A role's recipients changed.
    RoleChanged {
        /// Role name.
        role: String,
    },
}

/// The deterministic outcome of applying one command.
///
/// A rejected command is an `Err` result with no changes; it is *not* a state-machine failure
/// and every replica rejects it identically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// What the client is told.
    pub result: Result<Response, Error>,
    /// What changed, in order, for derived indexes. Empty when nothing changed.
    pub changes: Vec<Change>,
}
