//! Drawers: verbatim text filed in a room of a wing (`/v1/palace/drawers…`, duplicate check,
//! taxonomy).

use std::collections::BTreeMap;

use chorus_types::status::ErrorDetail;
use serde::{Deserialize, Serialize};

use crate::query::read_query;

/// `POST /v1/palace/drawers` (and one item of a batch).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDrawer {
    /// Wing: an agent, person or project.
    pub wing: String,
    /// Room: a topic in the wing.
    pub room: String,
    /// The verbatim text; long text is split into linked chunks.
    pub content: String,
    /// Who files it (default: the node's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
    /// Where the text came from (a path or URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Hall: a kind of memory, such as facts or events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall: Option<String>,
    /// Free-form string metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// `PATCH /v1/palace/drawers/{id}`: what to replace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawerUpdate {
    /// New text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// New metadata (replaces the whole map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// `POST /v1/palace/drawers/batch`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawerBatch {
    /// The drawers, filed in one entry; each is accepted or refused on its own.
    pub drawers: Vec<NewDrawer>,
}

read_query! {
    /// `POST /v1/palace/duplicate` (a POST because the text may be long; it writes nothing).
    pub struct DuplicateCheck {
        /// Wing.
        wing: String,
        /// Room.
        room: String,
        /// The exact text.
        content: String,
        ;
    }
}

read_query! {
    /// `GET /v1/palace/drawers?…`: a page of drawer heads in (wing, room, id) order.
    pub struct DrawerQuery {
        ;
        /// Only this wing.
        wing: String,
        /// Only this room (needs `wing`).
        room: String,
    } paged
}

/// A drawer filed (or found already filed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawerAdded {
    /// Its id (the head's, when chunked).
    pub id: String,
    /// True when the same text was already in that room; nothing changed.
    pub already_exists: bool,
    /// Stored chunks.
    pub chunks: u32,
}

/// A drawer updated or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawerChanged {
    /// Its id.
    pub id: String,
    /// Chunks stored after an update, or removed by a delete.
    pub chunks: u32,
}

/// One item of a batch: filed, or refused with the error naming `drawers[i].field`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BatchItem {
    /// Filed or found.
    Added(DrawerAdded),
    /// Refused.
    Failed {
        /// Why.
        error: ErrorDetail,
    },
}

/// A batch's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchAdded {
    /// Drawers filed.
    pub added: u64,
    /// Drawers that were already filed.
    pub already_existed: u64,
    /// Items refused.
    pub failed: u64,
    /// One result per item, in order.
    pub results: Vec<BatchItem>,
}

/// Whether exactly this text is filed in the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// True when it is.
    pub duplicate: bool,
    /// The drawer holding it.
    pub id: Option<String>,
}
