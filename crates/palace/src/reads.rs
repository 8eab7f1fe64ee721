//! Reads of the palace. Every list is bounded by a `limit` (1..=[`MAX_PAGE_LIMIT`]) and paged
//! with the opaque `cursor` of the previous [`Page`].
//!
//! [`MAX_PAGE_LIMIT`]: crate::limits::MAX_PAGE_LIMIT

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::diary::DiaryEntry;
use crate::drawer::Drawer;
use crate::drawers::RoomCount;
use crate::graph::{Direction, Entity, Fact, KgStats};
use crate::limits::{Config, MAX_CONTENT_BYTES};
use crate::name::{validate_name, validate_text};
use crate::page::Page;
use crate::records::{Record, RecordSummary};
use crate::roles::Role;
use crate::state::State;
use crate::tunnels::Tunnel;

/// Counts of everything in the palace, and the log position they reflect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Index of the last applied entry.
    pub applied_index: u64,
    /// Term of the last applied entry.
    pub applied_term: u64,
    /// Drawers (a chunked drawer counts once).
    pub drawers: u64,
    /// Stored chunks beyond the first part of chunked drawers.
    pub chunks: u64,
    /// Wings holding at least one drawer.
    pub wings: u64,
    /// Rooms holding at least one drawer.
    pub rooms: u64,
    /// Knowledge-graph entities.
    pub entities: u64,
    /// Knowledge-graph facts.
    pub facts: u64,
    /// Tunnels.
    pub tunnels: u64,
    /// Diary entries, all agents.
    pub diary_entries: u64,
    /// Decision records.
    pub records: u64,
    /// Roles.
    pub roles: u64,
}

impl State {
    /// The replicated configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Index of the last applied entry (0 before any).
    pub fn applied_index(&self) -> u64 {
        self.applied_index
    }

    /// Term of the last applied entry.
    pub fn applied_term(&self) -> u64 {
        self.applied_term
    }

    /// Counts.
    pub fn status(&self) -> Status {
        let (drawers, chunks, wings, rooms) = self.drawers.counts();
        let kg = self.graph.stats();
        Status {
            applied_index: self.applied_index,
            applied_term: self.applied_term,
            drawers,
            chunks,
            wings,
            rooms,
            entities: kg.entities,
            facts: kg.facts,
            tunnels: self.tunnels.len() as u64,
            diary_entries: self.diaries.len() as u64,
            records: self.records.len() as u64,
            roles: self.roles.len() as u64,
        }
    }

    /// A stored drawer (a head or any chunk part) by id.
    pub fn drawer(&self, id: &str) -> Option<&Drawer> {
        self.drawers.get(id)
    }

    /// Every stored drawer, chunk parts included, in id order (for rebuilding derived indexes).
    pub fn all_drawers(&self) -> impl Iterator<Item = &Drawer> {
        self.drawers.iter()
    }

    /// The full text of drawer `id` (a head), reassembled from its chunks.
    pub fn drawer_content(&self, id: &str) -> Result<String, Error> {
        self.drawers.full_content(id)
    }

    /// Drawers (heads) in (wing, room, id) order; `room` requires `wing`.
    pub fn drawers(
        &self,
        wing: Option<&str>,
        room: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Drawer>, Error> {
        self.drawers.list(wing, room, limit, cursor)
    }

    /// Rooms and their drawer counts in (wing, room) order.
    pub fn taxonomy(&self, limit: usize, cursor: Option<&str>) -> Result<Page<RoomCount>, Error> {
        self.drawers.taxonomy(limit, cursor)
    }

    /// The id of the drawer holding exactly `content` in `wing`/`room`, if any.
    pub fn find_duplicate(
        &self,
        wing: &str,
        room: &str,
        content: &str,
    ) -> Result<Option<String>, Error> {
        validate_name("wing", wing)?;
        validate_name("room", room)?;
        validate_text(
            "content",
            content,
            MAX_CONTENT_BYTES,
            "MAX_CONTENT_BYTES",
            false,
        )?;
        Ok(self
            .drawers
            .find_duplicate(wing, room, content)
            .map(str::to_owned))
    }

    /// An entity by name.
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.graph.entity(name)
    }

    /// A fact by id.
    pub fn fact(&self, id: u64) -> Option<&Fact> {
        self.graph.fact(id)
    }

    /// Facts about `entity` in id order; with `as_of`, only those valid at that time (ms).
    /// An unknown entity gives an empty page.
    pub fn kg_query(
        &self,
        entity: &str,
        as_of: Option<u64>,
        direction: Direction,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Fact>, Error> {
        self.graph.query(entity, as_of, direction, limit, cursor)
    }

    /// Facts about `entity` ordered by `valid_from` (unknown first), then id.
    pub fn kg_timeline(
        &self,
        entity: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Fact>, Error> {
        self.graph.timeline(entity, limit, cursor)
    }

    /// Knowledge-graph counts.
    pub fn kg_stats(&self) -> KgStats {
        self.graph.stats()
    }

    /// A tunnel by id.
    pub fn tunnel(&self, id: &str) -> Option<&Tunnel> {
        self.tunnels.get(id)
    }

    /// Tunnels in id order, or only those with an end in `wing`.
    pub fn tunnels(
        &self,
        wing: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Tunnel>, Error> {
        self.tunnels.list(wing, limit, cursor)
    }

    /// The last `limit` diary entries of `agent`, newest first; the cursor pages back in time.
    pub fn diary(
        &self,
        agent: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<DiaryEntry>, Error> {
        self.diaries.read_last(agent, limit, cursor)
    }

    /// A decision record by content id.
    pub fn record(&self, cid: &str) -> Option<&Record> {
        self.records.get(cid)
    }

    /// Versions of `address_key`, oldest (version 1) first.
    pub fn record_versions(
        &self,
        address_key: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<RecordSummary>, Error> {
        self.records.versions(address_key, limit, cursor)
    }

    /// Records whose address key starts with `prefix` (empty: all), in (address key, version)
    /// order. Project or task filtering is the caller's choice of prefix.
    pub fn records(
        &self,
        prefix: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<RecordSummary>, Error> {
        self.records.list(prefix, limit, cursor)
    }

    /// A role by name.
    pub fn role(&self, role: &str) -> Option<&Role> {
        self.roles.get(role)
    }

    /// Roles in name order.
    pub fn roles(&self, limit: usize, cursor: Option<&str>) -> Result<Page<Role>, Error> {
        self.roles.list(limit, cursor)
    }
}
