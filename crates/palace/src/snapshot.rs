//! Canonical snapshots of the palace.
//!
//! Format: the 4 magic bytes `CPAL`, one format-version byte ([`SNAPSHOT_VERSION`]), then a
//! JSON object (serde_json) holding the configuration, the applied position and every primary
//! table as an array in key order. Derived indexes are not stored; they are rebuilt on load.
//! Because every table is a `BTreeMap` and struct fields serialise in declaration order, equal
//! states give byte-identical snapshots. JSON was chosen over a binary format for being
//! inspectable in backups and needing no extra dependency; envelopes are base64 inside it.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::diary::{Diaries, DiaryEntry};
use crate::drawer::Drawer;
use crate::drawers::Drawers;
use crate::graph::{Entity, Fact, Graph};
use crate::limits::Config;
use crate::records::{Record, Records};
use crate::roles::{Role, Roles};
use crate::state::State;
use crate::tunnels::{Tunnel, Tunnels};

/// Magic bytes opening every snapshot.
pub const SNAPSHOT_MAGIC: &[u8; 4] = b"CPAL";

/// The snapshot format version this build writes and reads.
pub const SNAPSHOT_VERSION: u8 = 1;

/// Borrowed view, serialised; field order is the format.
#[derive(Serialize)]
struct SnapshotOut<'a> {
    config: &'a Config,
    applied_index: u64,
    applied_term: u64,
    drawers: Vec<&'a Drawer>,
    entities: Vec<&'a Entity>,
    facts: Vec<&'a Fact>,
    tunnels: Vec<&'a Tunnel>,
    diary: Vec<&'a DiaryEntry>,
    records: Vec<&'a Record>,
    roles: Vec<&'a Role>,
}

/// Owned form, deserialised; must mirror [`SnapshotOut`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotIn {
    config: Config,
    applied_index: u64,
    applied_term: u64,
    drawers: Vec<Drawer>,
    entities: Vec<Entity>,
    facts: Vec<Fact>,
    tunnels: Vec<Tunnel>,
    diary: Vec<DiaryEntry>,
    records: Vec<Record>,
    roles: Vec<Role>,
}

impl State {
    /// The canonical bytes of this state: equal states give equal bytes.
    pub fn snapshot_bytes(&self) -> Vec<u8> {
        let out = SnapshotOut {
            config: &self.config,
            applied_index: self.applied_index,
            applied_term: self.applied_term,
            drawers: self.drawers.iter().collect(),
            entities: self.graph.entities().collect(),
            facts: self.graph.facts().collect(),
            tunnels: self.tunnels.iter().collect(),
            diary: self.diaries.iter().collect(),
            records: self.records.iter().collect(),
            roles: self.roles.iter().collect(),
        };
        let mut bytes = Vec::with_capacity(1024);
        bytes.extend_from_slice(SNAPSHOT_MAGIC);
        bytes.push(SNAPSHOT_VERSION);
        // serde_json fails to write only maps with non-string keys or failing writers; the
        // format has neither (all maps are string-keyed, the writer is a Vec).
        #[allow(clippy::expect_used)]
        serde_json::to_writer(&mut bytes, &out).expect("snapshot format has only string keys");
        bytes
    }

    /// Decodes a snapshot made by [`State::snapshot_bytes`]. Any byte string is handled: bad
    /// magic, an unknown version or malformed content is an [`Error::Snapshot`], never a panic.
    pub fn from_snapshot_bytes(bytes: &[u8]) -> Result<State, Error> {
        if bytes.len() < 5 || &bytes[..4] != SNAPSHOT_MAGIC {
            return Err(Error::snapshot(
                "expected the magic bytes CPAL at the start of a palace snapshot",
            ));
        }
        if bytes[4] != SNAPSHOT_VERSION {
            return Err(Error::snapshot(format!(
                "format version {} is not supported: expected version {SNAPSHOT_VERSION}",
                bytes[4]
            )));
        }
        let s: SnapshotIn = serde_json::from_slice(&bytes[5..])
            .map_err(|e| Error::snapshot(format!("malformed snapshot body: {e}")))?;
        s.config.validate()?;
        Ok(State {
            config: s.config,
            applied_index: s.applied_index,
            applied_term: s.applied_term,
            drawers: Drawers::from_drawers(s.drawers)?,
            graph: Graph::from_parts(s.entities, s.facts)?,
            tunnels: Tunnels::from_tunnels(s.tunnels),
            diaries: Diaries::from_entries(s.diary),
            records: Records::from_records(s.records)?,
            roles: Roles::from_roles(s.roles),
        })
    }
}
