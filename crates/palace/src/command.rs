//! Commands: everything that can change the palace, as proposed through the log.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Leader-stamped context of one log entry.
///
/// Everything time-like reaches the state machine here: `apply` never reads a clock or a random
/// source, so every replica reaches the same state from the same log (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyContext {
    /// Log index of the entry.
    pub index: u64,
    /// Term of the entry.
    pub term: u64,
    /// Wall time stamped by the leader, in milliseconds since the Unix epoch.
    pub now_ms: u64,
}

/// A drawer to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDrawer {
    /// Wing name (an agent, a person or a project); created implicitly.
    pub wing: String,
    /// Room name (a topic in the wing); created implicitly.
    pub room: String,
    /// Verbatim text; longer than the configured chunk size, it is split into linked chunks.
    pub content: String,
    /// Agent or person filing the drawer (a name).
    pub added_by: String,
    /// Where the text came from (a path or URL), if known.
    #[serde(default)]
    pub source: Option<String>,
    /// Hall (a kind of memory, such as `facts` or `events`), if any (a name).
    #[serde(default)]
    pub hall: Option<String>,
    /// Free-form metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// One end of a tunnel: a room in a wing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoomRef {
    /// Wing name.
    pub wing: String,
    /// Room name.
    pub room: String,
}

/// A knowledge-graph fact to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFact {
    /// Subject entity name (created implicitly).
    pub subject: String,
    /// Predicate, such as `works_on`.
    pub predicate: String,
    /// Object entity name (created implicitly).
    pub object: String,
    /// Start of validity in ms since the epoch; `None` means "since always".
    #[serde(default)]
    pub valid_from: Option<u64>,
    /// End of validity (exclusive) in ms; `None` means "still valid".
    #[serde(default)]
    pub valid_to: Option<u64>,
    /// Confidence in 0.0..=1.0; `None` means 1.0.
    #[serde(default)]
    pub confidence: Option<f64>,
    /// Drawer the fact was extracted from, if any (not required to exist).
    #[serde(default)]
    pub source_drawer: Option<String>,
}

/// Every change to the palace.
///
/// Serde uses the default external tagging (`{"drawer_delete":{"id":"…"}}`) so commands also
/// travel in formats that are not self-describing, such as bincode or postcard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Adds a drawer (idempotent on wing, room and content).
    DrawerAdd(NewDrawer),
    /// Adds many drawers in one entry, for bulk ingest; each item gets its own result.
    DrawerAddBatch {
        /// At most [`crate::limits::MAX_BATCH_ITEMS`] drawers.
        drawers: Vec<NewDrawer>,
    },
    /// Replaces a drawer's content and/or its whole metadata map; the id stays.
    DrawerUpdate {
        /// Id of a drawer (the head, for chunked drawers).
        id: String,
        /// New content, if it changes.
        #[serde(default)]
        content: Option<String>,
        /// New metadata (replaces the whole map), if it changes.
        #[serde(default)]
        metadata: Option<BTreeMap<String, String>>,
    },
    /// Deletes a drawer and all its chunks.
    DrawerDelete {
        /// Id of a drawer (the head, for chunked drawers).
        id: String,
    },
    /// Creates an entity or sets its kind.
    KgEntityAdd {
        /// Entity name.
        name: String,
        /// Kind, such as `person` or `project`.
        #[serde(default)]
        kind: Option<String>,
    },
    /// Adds a fact (idempotent while an identical fact is open).
    KgFactAdd(NewFact),
    /// Closes every open fact `(subject, predicate, object)` at `ended_at_ms`.
    KgInvalidate {
        /// Subject entity name.
        subject: String,
        /// Predicate.
        predicate: String,
        /// Object entity name.
        object: String,
        /// End of validity in ms; `None` means the entry's leader-stamped time.
        #[serde(default)]
        ended_at_ms: Option<u64>,
    },
    /// Creates a tunnel between rooms of two different wings (idempotent, undirected).
    TunnelCreate {
        /// One end.
        a: RoomRef,
        /// The other end, in another wing.
        b: RoomRef,
        /// Why the rooms are linked.
        #[serde(default)]
        label: Option<String>,
        /// Agent or person creating it (a name).
        created_by: String,
    },
    /// Deletes a tunnel.
    TunnelDelete {
        /// Tunnel id.
        id: String,
    },
    /// Appends an entry to an agent's diary.
    DiaryAppend {
        /// Agent name.
        agent: String,
        /// Entry text.
        text: String,
        /// Topic (a name), if any.
        #[serde(default)]
        topic: Option<String>,
    },
    /// Stores a decision-record envelope (opaque here; idempotent on `cid`).
    RecordPut {
        /// Content id of the envelope.
        cid: String,
        /// Key of the address the record is a version of.
        address_key: String,
        /// Author as given by the records layer.
        author: String,
        /// Creation time claimed by the record, in ms.
        created_at_ms: u64,
        /// Canonical envelope bytes (base64 in JSON).
        #[serde(with = "crate::b64")]
        envelope: Vec<u8>,
    },
    /// Sets the recipients of a role; an empty list removes the role.
    ///
    /// Who may do this (only `admin` holders, DESIGN §3) is checked *outside* the palace, before
    /// the command is proposed; the state machine applies whatever reaches the log.
    RoleSet {
        /// Role name.
        role: String,
        /// Public age recipients (opaque strings here); stored sorted and deduplicated.
        recipients: Vec<String>,
    },
}
