//! Drawers, the duplicate check and the taxonomy.

use chorus_api_types::{
    Read, ReadParams, Written,
    drawers::{
        BatchAdded, DrawerAdded, DrawerBatch, DrawerChanged, DrawerQuery, DrawerUpdate, Duplicate,
        DuplicateCheck, NewDrawer,
    },
    paths::{self, fill},
    query::{PageQuery, with_query},
};
use chorus_palace::{Drawer, Page, RoomCount};

use crate::{Client, Error, client::key_header};

impl Client {
    /// Files a drawer; a retry with the same `key` applies once.
    pub async fn add_drawer(
        &self,
        drawer: &NewDrawer,
        key: Option<&str>,
    ) -> Result<Written<DrawerAdded>, Error> {
        self.post(paths::DRAWERS, drawer, &key_header(key)).await
    }

    /// Files many drawers in one entry; each is accepted or refused on its own.
    pub async fn add_drawers(
        &self,
        batch: &DrawerBatch,
        key: Option<&str>,
    ) -> Result<Written<BatchAdded>, Error> {
        self.post(paths::DRAWERS_BATCH, batch, &key_header(key))
            .await
    }

    /// One drawer with its whole text.
    pub async fn drawer(&self, id: &str, read: &ReadParams) -> Result<Read<Drawer>, Error> {
        self.get(&with_query(&fill(paths::DRAWER, id), read)).await
    }

    /// A page of drawer heads in (wing, room, id) order.
    pub async fn drawers(&self, query: &DrawerQuery) -> Result<Read<Page<Drawer>>, Error> {
        self.get(&with_query(paths::DRAWERS, query)).await
    }

    /// Replaces a drawer's text and/or metadata.
    pub async fn update_drawer(
        &self,
        id: &str,
        update: &DrawerUpdate,
        key: Option<&str>,
    ) -> Result<Written<DrawerChanged>, Error> {
        self.patch(&fill(paths::DRAWER, id), update, &key_header(key))
            .await
    }

    /// Deletes a drawer and its chunks.
    pub async fn delete_drawer(
        &self,
        id: &str,
        key: Option<&str>,
    ) -> Result<Written<DrawerChanged>, Error> {
        self.delete_with(&fill(paths::DRAWER, id), &key_header(key))
            .await
    }

    /// Whether exactly this text is filed in the room.
    pub async fn check_duplicate(&self, check: &DuplicateCheck) -> Result<Read<Duplicate>, Error> {
        self.post(paths::DUPLICATE, check, &[]).await
    }

    /// Wings, rooms and their drawer counts.
    pub async fn taxonomy(&self, query: &PageQuery) -> Result<Read<Page<RoomCount>>, Error> {
        self.get(&with_query(paths::TAXONOMY, query)).await
    }
}
