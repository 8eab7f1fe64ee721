//! The stored drawer and validation of drawer input.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::command::NewDrawer;
use crate::limits::{
    MAX_CONTENT_BYTES, MAX_METADATA_ENTRIES, MAX_METADATA_KEY_BYTES, MAX_METADATA_VALUE_BYTES,
    MAX_SOURCE_BYTES,
};
use crate::name::{validate_line, validate_name, validate_text};

/// Position of a stored drawer in a chunked drawer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkLink {
    /// Id of the head (part 1), which is the id the add returned.
    pub head: String,
    /// This part, 1-based.
    pub part: u32,
    /// Number of parts.
    pub parts: u32,
    /// Previous part, if any.
    pub prev: Option<String>,
    /// Next part, if any.
    pub next: Option<String>,
}

/// A stored drawer: verbatim text filed in a room of a wing.
///
/// Long text is stored as several drawers linked by [`ChunkLink`]; the head carries the
/// metadata and the hash of the whole text, the other parts carry only their slice of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drawer {
    /// Id: a hash of wing, room and the full content (see [`crate::hash::drawer_id`]);
    /// for parts after the first, derived from the head id and the part number.
    pub id: String,
    /// Wing name.
    pub wing: String,
    /// Room name.
    pub room: String,
    /// This drawer's text (the whole text, or one chunk of it).
    pub content: String,
    /// Who filed it.
    pub added_by: String,
    /// Where the text came from.
    pub source: Option<String>,
    /// Hall, if any.
    pub hall: Option<String>,
    /// Metadata (on the head only, for chunked drawers).
    pub metadata: BTreeMap<String, String>,
    /// Leader-stamped time of filing, ms since the epoch.
    pub filed_at_ms: u64,
    /// Log index of the filing entry.
    pub filed_index: u64,
    /// Leader-stamped time of the last update, if any.
    pub updated_at_ms: Option<u64>,
    /// SHA-256 (hex) of the full text, on heads and unchunked drawers only; used to find
    /// duplicates after an update changed the text under a stable id.
    pub full_sha256: Option<String>,
    /// Chunk position, for chunked drawers.
    pub chunk: Option<ChunkLink>,
}

impl Drawer {
    /// True for an unchunked drawer or the first part of a chunked one: the drawers that lists,
    /// counts and duplicate checks consider.
    pub fn is_head(&self) -> bool {
        self.chunk.as_ref().is_none_or(|c| c.part == 1)
    }
}

/// Validates drawer content (non-empty, bounded, no control characters but `\n\r\t`).
pub(crate) fn validate_content(content: &str) -> Result<(), Error> {
    validate_text(
        "content",
        content,
        MAX_CONTENT_BYTES,
        "MAX_CONTENT_BYTES",
        true,
    )
}

/// Validates a metadata map against its entry, key and value limits.
pub(crate) fn validate_metadata(metadata: &BTreeMap<String, String>) -> Result<(), Error> {
    if metadata.len() > MAX_METADATA_ENTRIES {
        return Err(Error::too_large(
            "metadata",
            metadata.len(),
            MAX_METADATA_ENTRIES,
            "entries",
            "MAX_METADATA_ENTRIES",
        ));
    }
    for (k, v) in metadata {
        validate_line(
            "metadata key",
            k,
            MAX_METADATA_KEY_BYTES,
            "MAX_METADATA_KEY_BYTES",
        )?;
        validate_text(
            &format!("metadata[{}]", crate::error::quote(k)),
            v,
            MAX_METADATA_VALUE_BYTES,
            "MAX_METADATA_VALUE_BYTES",
            false,
        )?;
    }
    Ok(())
}

/// Validates every field of a drawer to add.
pub(crate) fn validate_new(d: &NewDrawer) -> Result<(), Error> {
    validate_name("wing", &d.wing)?;
    validate_name("room", &d.room)?;
    validate_name("added_by", &d.added_by)?;
    if let Some(h) = &d.hall {
        validate_name("hall", h)?;
    }
    if let Some(s) = &d.source {
        validate_line("source", s, MAX_SOURCE_BYTES, "MAX_SOURCE_BYTES")?;
    }
    validate_metadata(&d.metadata)?;
    validate_content(&d.content)
}
