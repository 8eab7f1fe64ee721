//! The knowledge graph.

use chorus_api_types::{
    Created, Read, ReadParams, Written,
    kg::{EntityAdded, Invalidate, Invalidated, KgQuery, NewEntity, NewFact},
    paths::{self, fill},
    query::with_query,
};
use chorus_palace::{Entity, Fact, KgStats, Page};

use crate::{Client, Error, client::key_header};

impl Client {
    /// Adds a fact (200 with the open identical fact's id when there is one).
    pub async fn add_fact(
        &self,
        fact: &NewFact,
        key: Option<&str>,
    ) -> Result<Written<Created<u64>>, Error> {
        self.post(paths::KG_FACTS, fact, &key_header(key)).await
    }

    /// Creates an entity or sets its kind.
    pub async fn add_entity(
        &self,
        entity: &NewEntity,
        key: Option<&str>,
    ) -> Result<Written<EntityAdded>, Error> {
        self.post(paths::KG_ENTITIES, entity, &key_header(key))
            .await
    }

    /// One entity.
    pub async fn entity(&self, name: &str, read: &ReadParams) -> Result<Read<Entity>, Error> {
        self.get(&with_query(&fill(paths::KG_ENTITY, name), read))
            .await
    }

    /// Closes the open facts `subject predicate object`.
    pub async fn invalidate(
        &self,
        what: &Invalidate,
        key: Option<&str>,
    ) -> Result<Written<Invalidated>, Error> {
        self.post(paths::KG_INVALIDATE, what, &key_header(key))
            .await
    }

    /// Facts about an entity.
    pub async fn kg_query(&self, query: &KgQuery) -> Result<Read<Page<Fact>>, Error> {
        self.get(&with_query(paths::KG_QUERY, query)).await
    }

    /// Facts about an entity in the order they became valid (`as_of` and `direction` unset).
    pub async fn kg_timeline(&self, query: &KgQuery) -> Result<Read<Page<Fact>>, Error> {
        self.get(&with_query(paths::KG_TIMELINE, query)).await
    }

    /// Entity and fact counts.
    pub async fn kg_stats(&self, read: &ReadParams) -> Result<Read<KgStats>, Error> {
        self.get(&with_query(paths::KG_STATS, read)).await
    }
}
