//! The drawers table: primary map plus derived indexes for rooms, lists and duplicates.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::chunk::{count_pieces, split_utf8};
use crate::command::{ApplyContext, NewDrawer};
use crate::drawer::{ChunkLink, Drawer, validate_content, validate_metadata, validate_new};
use crate::hash::{chunk_id, content_sha256, drawer_id};
use crate::limits::{Config, MAX_CHUNKS};
use crate::name::validate_name;
use crate::page::{Page, check_limit, decode_cursor};
use crate::response::{Change, DrawerAdded};

/// How many salted ids an add tries when the plain content id is taken by a drawer whose text
/// was later updated; a second such clash for the same text is astronomically unlikely.
const MAX_ID_SALTS: u32 = 64;

/// Drawer count of one room, as listed by the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomCount {
    /// Wing name.
    pub wing: String,
    /// Room name.
    pub room: String,
    /// Number of drawers (chunked drawers count once).
    pub drawers: u64,
}

/// (wing, room, head id): the order of drawer lists.
type LocationKey = (String, String, String);

/// The drawers and their derived indexes. Only `map` is primary (and snapshotted); the rest is
/// rebuilt from it by [`Drawers::from_drawers`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Drawers {
    map: BTreeMap<String, Drawer>,
    by_location: BTreeSet<LocationKey>,
    by_content: BTreeMap<(String, String, String), String>,
    rooms: BTreeMap<(String, String), u64>,
    wings: BTreeMap<String, u64>,
}

/// Fields shared by all parts of one drawer.
struct Template {
    id: String,
    wing: String,
    room: String,
    added_by: String,
    source: Option<String>,
    hall: Option<String>,
    metadata: BTreeMap<String, String>,
    filed_at_ms: u64,
    filed_index: u64,
    updated_at_ms: Option<u64>,
}

impl Drawers {
    /// Rebuilds the table and its indexes from stored drawers.
    pub(crate) fn from_drawers(drawers: Vec<Drawer>) -> Result<Drawers, Error> {
        let mut t = Drawers::default();
        for d in drawers {
            if t.map.contains_key(&d.id) {
                return Err(Error::snapshot(format!("duplicate drawer id {}", d.id)));
            }
            // Bound chunk positions so later reads and deletes stay bounded too.
            if let Some(c) = &d.chunk
                && (c.part == 0 || c.part > c.parts || c.parts as usize > MAX_CHUNKS)
            {
                return Err(Error::snapshot(format!(
                    "drawer {} claims part {} of {}: expected 1 <= part <= parts <= {MAX_CHUNKS}",
                    d.id, c.part, c.parts
                )));
            }
            t.insert(d);
        }
        Ok(t)
    }

    /// All stored drawers in id order (chunks included).
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Drawer> {
        self.map.values()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Drawer> {
        self.map.get(id)
    }

    /// (logical drawers, stored chunks beyond the first part, wings, rooms).
    pub(crate) fn counts(&self) -> (u64, u64, u64, u64) {
        let heads = self.by_location.len() as u64;
        let stored = self.map.len() as u64;
        (
            heads,
            stored.saturating_sub(heads),
            self.wings.len() as u64,
            self.rooms.len() as u64,
        )
    }

    fn insert(&mut self, d: Drawer) {
        if d.is_head() {
            self.by_location
                .insert((d.wing.clone(), d.room.clone(), d.id.clone()));
            if let Some(sha) = &d.full_sha256 {
                self.by_content
                    .insert((d.wing.clone(), d.room.clone(), sha.clone()), d.id.clone());
            }
            *self
                .rooms
                .entry((d.wing.clone(), d.room.clone()))
                .or_default() += 1;
            *self.wings.entry(d.wing.clone()).or_default() += 1;
        }
        self.map.insert(d.id.clone(), d);
    }

    fn remove(&mut self, id: &str) -> Option<Drawer> {
        let d = self.map.remove(id)?;
        if d.is_head() {
            self.by_location
                .remove(&(d.wing.clone(), d.room.clone(), d.id.clone()));
            if let Some(sha) = &d.full_sha256 {
                let key = (d.wing.clone(), d.room.clone(), sha.clone());
                if self.by_content.get(&key) == Some(&d.id) {
                    self.by_content.remove(&key);
                }
            }
            let rk = (d.wing.clone(), d.room.clone());
            if let Some(n) = self.rooms.get_mut(&rk) {
                *n -= 1;
                if *n == 0 {
                    self.rooms.remove(&rk);
                }
            }
            if let Some(n) = self.wings.get_mut(&d.wing) {
                *n -= 1;
                if *n == 0 {
                    self.wings.remove(&d.wing);
                }
            }
        }
        Some(d)
    }

    /// Ids of all stored parts of the drawer whose head is `head` (the head first).
    fn part_ids(head: &Drawer) -> Vec<String> {
        let parts = head.chunk.as_ref().map_or(1, |c| c.parts);
        let mut ids = vec![head.id.clone()];
        ids.extend((2..=parts).map(|p| chunk_id(&head.id, p)));
        ids
    }

    /// Splits `content` into stored drawers sharing `t`.
    /// `sha` is the SHA-256 of `content`, computed once by the caller.
    fn make_parts(
        t: Template,
        content: String,
        sha: String,
        cfg: &Config,
    ) -> Result<Vec<Drawer>, Error> {
        let Some(n) = count_pieces(&content, cfg.chunk_bytes, MAX_CHUNKS) else {
            let need = content.len().div_ceil(cfg.chunk_bytes.max(1));
            return Err(Error::too_large(
                "content",
                need,
                MAX_CHUNKS,
                "chunks",
                "MAX_CHUNKS",
            ));
        };
        if n <= 1 {
            return Ok(vec![Self::part(&t, content, Some(sha), None)]);
        }
        let parts = n as u32;
        let ids: Vec<String> = (1..=parts)
            .map(|p| {
                if p == 1 {
                    t.id.clone()
                } else {
                    chunk_id(&t.id, p)
                }
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for (i, piece) in split_utf8(&content, cfg.chunk_bytes)
            .into_iter()
            .enumerate()
        {
            let link = ChunkLink {
                head: t.id.clone(),
                part: i as u32 + 1,
                parts,
                prev: i.checked_sub(1).map(|j| ids[j].clone()),
                next: ids.get(i + 1).cloned(),
            };
            let mut d = Self::part(&t, piece.to_owned(), None, Some(link));
            d.id = ids[i].clone();
            if i == 0 {
                d.full_sha256 = Some(sha.clone());
            } else {
                d.metadata = BTreeMap::new();
            }
            out.push(d);
        }
        Ok(out)
    }

    fn part(
        t: &Template,
        content: String,
        sha: Option<String>,
        chunk: Option<ChunkLink>,
    ) -> Drawer {
        Drawer {
            id: t.id.clone(),
            wing: t.wing.clone(),
            room: t.room.clone(),
            content,
            added_by: t.added_by.clone(),
            source: t.source.clone(),
            hall: t.hall.clone(),
            metadata: t.metadata.clone(),
            filed_at_ms: t.filed_at_ms,
            filed_index: t.filed_index,
            updated_at_ms: t.updated_at_ms,
            full_sha256: sha,
            chunk,
        }
    }

    /// Adds a drawer, or finds the existing one with the same wing, room and content.
    pub(crate) fn add(
        &mut self,
        cfg: &Config,
        ctx: &ApplyContext,
        nd: NewDrawer,
        changes: &mut Vec<Change>,
    ) -> Result<DrawerAdded, Error> {
        validate_new(&nd)?;
        let sha = content_sha256(&nd.content);
        if let Some(id) = self.by_sha(&nd.wing, &nd.room, &sha) {
            let chunks = self
                .get(id)
                .and_then(|d| d.chunk.as_ref())
                .map_or(1, |c| c.parts);
            return Ok(DrawerAdded {
                id: id.to_owned(),
                already_exists: true,
                chunks,
            });
        }
        let id = (0..MAX_ID_SALTS)
            .map(|salt| drawer_id(&nd.wing, &nd.room, &nd.content, salt))
            .find(|id| !self.map.contains_key(id))
            .ok_or_else(|| {
                Error::conflict("content", &nd.content, "no free drawer id for this content")
            })?;
        let t = Template {
            id: id.clone(),
            wing: nd.wing,
            room: nd.room,
            added_by: nd.added_by,
            source: nd.source,
            hall: nd.hall,
            metadata: nd.metadata,
            filed_at_ms: ctx.now_ms,
            filed_index: ctx.index,
            updated_at_ms: None,
        };
        let parts = Self::make_parts(t, nd.content, sha, cfg)?;
        let chunks = parts.len() as u32;
        for d in parts {
            changes.push(Change::DrawerUpserted { id: d.id.clone() });
            self.insert(d);
        }
        Ok(DrawerAdded {
            id,
            already_exists: false,
            chunks,
        })
    }

    /// Looks up a head drawer by id, rejecting ids of later chunk parts.
    fn head(&self, id: &str) -> Result<&Drawer, Error> {
        let d = self
            .map
            .get(id)
            .ok_or_else(|| Error::not_found("id", id, "the id of an existing drawer"))?;
        match &d.chunk {
            Some(c) if c.part != 1 => Err(Error::conflict(
                "id",
                id,
                &format!(
                    "is part {} of {} of drawer {}; use the head id",
                    c.part, c.parts, c.head
                ),
            )),
            _ => Ok(d),
        }
    }

    /// Replaces content and/or metadata of a drawer, keeping its id.
    pub(crate) fn update(
        &mut self,
        cfg: &Config,
        ctx: &ApplyContext,
        id: &str,
        content: Option<String>,
        metadata: Option<BTreeMap<String, String>>,
        changes: &mut Vec<Change>,
    ) -> Result<u32, Error> {
        let head = self.head(id)?;
        if content.is_none() && metadata.is_none() {
            return Err(Error::invalid(
                "content",
                "",
                "new content, new metadata, or both",
            ));
        }
        if let Some(m) = &metadata {
            validate_metadata(m)?;
        }
        let Some(new_text) = content else {
            // Metadata only: the text and its chunks stay as they are.
            let id = head.id.clone();
            if let (Some(d), Some(m)) = (self.map.get_mut(&id), metadata) {
                d.metadata = m;
                d.updated_at_ms = Some(ctx.now_ms);
            }
            changes.push(Change::DrawerUpserted { id: id.clone() });
            return Ok(self
                .get(&id)
                .and_then(|d| d.chunk.as_ref())
                .map_or(1, |c| c.parts));
        };
        validate_content(&new_text)?;
        let sha = content_sha256(&new_text);
        if let Some(other) = self.by_sha(&head.wing, &head.room, &sha)
            && other != id
        {
            return Err(Error::conflict(
                "content",
                &new_text,
                &format!("the same text is already in this room as drawer {other}"),
            ));
        }
        let t = Template {
            id: head.id.clone(),
            wing: head.wing.clone(),
            room: head.room.clone(),
            added_by: head.added_by.clone(),
            source: head.source.clone(),
            hall: head.hall.clone(),
            metadata: metadata.unwrap_or_else(|| head.metadata.clone()),
            filed_at_ms: head.filed_at_ms,
            filed_index: head.filed_index,
            updated_at_ms: Some(ctx.now_ms),
        };
        let parts = Self::make_parts(t, new_text, sha, cfg)?;
        let old_ids = Self::part_ids(head);
        let new_ids: BTreeSet<&str> = parts.iter().map(|d| d.id.as_str()).collect();
        for old in &old_ids {
            self.remove(old);
            if !new_ids.contains(old.as_str()) {
                changes.push(Change::DrawerRemoved { id: old.clone() });
            }
        }
        let chunks = parts.len() as u32;
        for d in parts {
            changes.push(Change::DrawerUpserted { id: d.id.clone() });
            self.insert(d);
        }
        Ok(chunks)
    }

    /// Deletes a drawer and all its parts; returns the number of stored parts removed.
    pub(crate) fn delete(&mut self, id: &str, changes: &mut Vec<Change>) -> Result<u32, Error> {
        let ids = Self::part_ids(self.head(id)?);
        let mut n = 0;
        for part in ids {
            if self.remove(&part).is_some() {
                n += 1;
                changes.push(Change::DrawerRemoved { id: part });
            }
        }
        Ok(n)
    }

    /// Id of the drawer holding exactly `content` in `wing`/`room`, if any.
    pub(crate) fn find_duplicate(&self, wing: &str, room: &str, content: &str) -> Option<&str> {
        self.by_sha(wing, room, &content_sha256(content))
    }

    fn by_sha(&self, wing: &str, room: &str, sha: &str) -> Option<&str> {
        let key = (wing.to_owned(), room.to_owned(), sha.to_owned());
        self.by_content.get(&key).map(String::as_str)
    }

    /// The full text of a drawer, reassembled from its chunks.
    pub(crate) fn full_content(&self, id: &str) -> Result<String, Error> {
        let head = self.head(id)?;
        let Some(link) = &head.chunk else {
            return Ok(head.content.clone());
        };
        let mut out = head.content.clone();
        for p in 2..=link.parts {
            let cid = chunk_id(&head.id, p);
            let part = self.map.get(&cid).ok_or_else(|| {
                Error::not_found("chunk", &cid, &format!("part {p} of drawer {id}"))
            })?;
            out.push_str(&part.content);
        }
        Ok(out)
    }

    /// Head drawers in (wing, room, id) order, optionally filtered by wing, or wing and room.
    pub(crate) fn list(
        &self,
        wing: Option<&str>,
        room: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Drawer>, Error> {
        let limit = check_limit(limit)?;
        if let Some(w) = wing {
            validate_name("wing", w)?;
        }
        if let Some(r) = room {
            validate_name("room", r)?;
            if wing.is_none() {
                return Err(Error::invalid(
                    "room",
                    r,
                    "a room filter together with a wing",
                ));
            }
        }
        let after: Option<LocationKey> = decode_cursor(cursor)?;
        let start = match (&after, wing) {
            (Some(k), _) => Bound::Excluded(k.clone()),
            (None, Some(w)) => Bound::Included((
                w.to_owned(),
                room.unwrap_or_default().to_owned(),
                String::new(),
            )),
            (None, None) => Bound::Unbounded,
        };
        let mut found = Vec::with_capacity(limit + 1);
        for key in self.by_location.range((start, Bound::Unbounded)) {
            if wing.is_some_and(|w| key.0 != w) || room.is_some_and(|r| key.1 != r) {
                break;
            }
            if let Some(d) = self.map.get(&key.2) {
                found.push((key.clone(), d.clone()));
            }
            if found.len() > limit {
                break;
            }
        }
        Ok(Page::from_probe(found, limit))
    }

    /// Rooms with their drawer counts, in (wing, room) order.
    pub(crate) fn taxonomy(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<RoomCount>, Error> {
        let limit = check_limit(limit)?;
        let after: Option<(String, String)> = decode_cursor(cursor)?;
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let found = self
            .rooms
            .range((start, Bound::Unbounded))
            .take(limit + 1)
            .map(|((w, r), n)| {
                let rc = RoomCount {
                    wing: w.clone(),
                    room: r.clone(),
                    drawers: *n,
                };
                ((w.clone(), r.clone()), rc)
            })
            .collect();
        Ok(Page::from_probe(found, limit))
    }
}
