//! The temporal knowledge graph (`/v1/palace/kg/…`).

use chorus_palace::Direction;
use serde::{Deserialize, Serialize};

use crate::query::read_query;

/// `POST /v1/palace/kg/facts`: a fact, times in ms since the epoch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFact {
    /// Subject entity.
    pub subject: String,
    /// Predicate, such as `works_on`.
    pub predicate: String,
    /// Object entity.
    pub object: String,
    /// Start of validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<u64>,
    /// End of validity (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<u64>,
    /// Confidence in 0..=1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Drawer the fact came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_drawer: Option<String>,
}

/// `POST /v1/palace/kg/entities`: create an entity or set its kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEntity {
    /// Entity name.
    pub name: String,
    /// Kind, such as person or project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// `POST /v1/palace/kg/invalidate`: close the open facts `subject predicate object`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invalidate {
    /// Subject entity.
    pub subject: String,
    /// Predicate.
    pub predicate: String,
    /// Object entity.
    pub object: String,
    /// End of validity (default: the leader's time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at_ms: Option<u64>,
}

read_query! {
    /// `GET /v1/palace/kg/query?…` and `GET /v1/palace/kg/timeline?…` (which refuses `as_of`
    /// and `direction`).
    pub struct KgQuery {
        /// Entity name.
        entity: String,
        ;
        /// Only facts valid at this time (ms since the epoch).
        as_of: u64,
        /// `out` (entity is subject), `in` (entity is object) or `both` (default).
        direction: Direction,
    } paged
}

/// An entity created or updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityAdded {
    /// Its name.
    pub name: String,
    /// True when it existed (its kind may have been set).
    pub already_exists: bool,
}

/// Facts closed by an invalidation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invalidated {
    /// Their ids.
    pub invalidated: Vec<u64>,
}
