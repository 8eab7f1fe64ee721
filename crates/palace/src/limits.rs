//! Named limits of the palace and the state-machine [`Config`].
//!
//! Every input that reaches [`crate::State::apply`] is bounded by one of these constants, so a
//! single command can never grow a node's memory or a Raft entry without bound. Errors that
//! enforce them carry the constant's name (see [`crate::Error::TooLarge`]).

use serde::{Deserialize, Serialize};

use crate::Error;

/// Longest wing, room, agent, hall, topic or role name, in characters.
pub const MAX_NAME_CHARS: usize = 128;

/// Largest drawer content accepted in one add or update, in bytes (before chunking).
///
/// 4 MiB keeps one Raft entry well below what followers must buffer while still letting a
/// long document be filed in one call (as 64 chunks at the default chunk size).
pub const MAX_CONTENT_BYTES: usize = 4 * 1024 * 1024;

/// Default largest content of a single stored drawer, in bytes; longer text is chunked.
pub const DEFAULT_CHUNK_BYTES: usize = 64 * 1024;

/// Smallest chunk size a [`Config`] may choose (room for any UTF-8 character, with margin).
pub const MIN_CHUNK_BYTES: usize = 16;

/// Most chunks one drawer may be split into.
pub const MAX_CHUNKS: usize = 4096;

/// Most drawers in one batch add.
pub const MAX_BATCH_ITEMS: usize = 1000;

/// Largest total content of one batch add, in bytes.
pub const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// Most metadata entries on one drawer.
pub const MAX_METADATA_ENTRIES: usize = 64;

/// Longest metadata key, in bytes.
pub const MAX_METADATA_KEY_BYTES: usize = 128;

/// Longest metadata value, in bytes.
pub const MAX_METADATA_VALUE_BYTES: usize = 4096;

/// Longest drawer `source` (a path or URL), in bytes.
pub const MAX_SOURCE_BYTES: usize = 1024;

/// Longest knowledge-graph string (entity name, predicate, kind), in bytes.
pub const MAX_KG_STRING_BYTES: usize = 512;

/// Longest diary entry, in bytes.
pub const MAX_DIARY_ENTRY_BYTES: usize = 16 * 1024;

/// Longest tunnel label, in bytes.
pub const MAX_LABEL_BYTES: usize = 512;

/// Longest decision-record content id, in bytes.
pub const MAX_CID_BYTES: usize = 128;

/// Longest decision-record address key, in bytes.
pub const MAX_ADDRESS_KEY_BYTES: usize = 1024;

/// Longest decision-record author, in bytes.
pub const MAX_AUTHOR_BYTES: usize = 256;

/// Largest decision-record envelope, in bytes.
pub const MAX_ENVELOPE_BYTES: usize = 1024 * 1024;

/// Most recipients of one role.
pub const MAX_RECIPIENTS: usize = 64;

/// Longest role recipient (an age recipient string), in bytes.
pub const MAX_RECIPIENT_BYTES: usize = 512;

/// Largest `limit` of any list read.
pub const MAX_PAGE_LIMIT: usize = 1000;

/// Longest cursor accepted by a list read, in bytes.
pub const MAX_CURSOR_BYTES: usize = 4096;

/// Replicated configuration of the state machine.
///
/// It is part of the state (and of every snapshot) because every replica must chunk content
/// identically; changing it on one node only would make replicas diverge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Largest content of one stored drawer, in bytes; longer text is split into linked
    /// chunks. Default [`DEFAULT_CHUNK_BYTES`].
    pub chunk_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            chunk_bytes: DEFAULT_CHUNK_BYTES,
        }
    }
}

impl Config {
    /// Checks that `chunk_bytes` lies within [`MIN_CHUNK_BYTES`]..=[`MAX_CONTENT_BYTES`].
    pub fn validate(&self) -> Result<(), Error> {
        if !(MIN_CHUNK_BYTES..=MAX_CONTENT_BYTES).contains(&self.chunk_bytes) {
            return Err(Error::invalid(
                "chunk_bytes",
                &self.chunk_bytes.to_string(),
                &format!("a size from {MIN_CHUNK_BYTES} to {MAX_CONTENT_BYTES} bytes"),
            ));
        }
        Ok(())
    }
}
