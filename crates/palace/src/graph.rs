//! The knowledge graph: entities and time-bounded facts (triples).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::command::{ApplyContext, NewFact};
use crate::hash::ID_HEX_CHARS;
use crate::limits::MAX_KG_STRING_BYTES;
use crate::name::validate_line;
use crate::page::{Page, check_limit, decode_cursor};
use crate::response::Change;

/// A named thing facts are about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Name (unique).
    pub name: String,
    /// Kind, such as `person`, if set.
    pub kind: Option<String>,
    /// Leader-stamped creation time, ms.
    pub created_at_ms: u64,
}

/// A triple valid during `[valid_from, valid_to)`; open ends are unbounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// Sequential id (1, 2, …) in log order.
    pub id: u64,
    /// Subject entity.
    pub subject: String,
    /// Predicate.
    pub predicate: String,
    /// Object entity.
    pub object: String,
    /// Start of validity (inclusive), ms; `None` means since always.
    pub valid_from: Option<u64>,
    /// End of validity (exclusive), ms; `None` means still valid.
    pub valid_to: Option<u64>,
    /// Confidence in 0.0..=1.0.
    pub confidence: f64,
    /// Drawer the fact came from, if any.
    pub source_drawer: Option<String>,
    /// Leader-stamped time the fact was added, ms.
    pub created_at_ms: u64,
}

impl Fact {
    /// True when the fact holds at time `t` (ms).
    pub fn valid_at(&self, t: u64) -> bool {
        self.valid_from.is_none_or(|f| f <= t) && self.valid_to.is_none_or(|to| t < to)
    }
}

/// Which facts of an entity a query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Facts whose subject is the entity.
    Out,
    /// Facts whose object is the entity.
    In,
    /// Both.
    Both,
}

/// Knowledge-graph counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KgStats {
    /// Entities.
    pub entities: u64,
    /// Facts, open and closed.
    pub facts: u64,
    /// Facts without `valid_to`.
    pub open_facts: u64,
    /// Distinct predicates.
    pub predicates: u64,
}

/// Entities, facts and derived lookup indexes. Primary: `entities`, `facts`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Graph {
    entities: BTreeMap<String, Entity>,
    facts: BTreeMap<u64, Fact>,
    by_subject: BTreeSet<(String, u64)>,
    by_object: BTreeSet<(String, u64)>,
    /// (entity, valid_from, fact id), for timelines.
    timeline: BTreeSet<(String, Option<u64>, u64)>,
    /// Open facts by (subject, predicate, object).
    open: BTreeMap<(String, String, String), u64>,
    predicates: BTreeMap<String, u64>,
}

fn check_kg(field: &str, v: &str) -> Result<(), Error> {
    validate_line(field, v, MAX_KG_STRING_BYTES, "MAX_KG_STRING_BYTES")
}

impl Graph {
    /// Rebuilds the graph and its indexes from stored entities and facts.
    pub(crate) fn from_parts(entities: Vec<Entity>, facts: Vec<Fact>) -> Result<Graph, Error> {
        let mut g = Graph::default();
        for e in entities {
            g.entities.insert(e.name.clone(), e);
        }
        for f in facts {
            if g.facts.contains_key(&f.id) {
                return Err(Error::snapshot(format!("duplicate fact id {}", f.id)));
            }
            g.index(&f);
            g.facts.insert(f.id, f);
        }
        Ok(g)
    }

    pub(crate) fn entities(&self) -> impl Iterator<Item = &Entity> {
        self.entities.values()
    }

    pub(crate) fn facts(&self) -> impl Iterator<Item = &Fact> {
        self.facts.values()
    }

    pub(crate) fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.get(name)
    }

    pub(crate) fn fact(&self, id: u64) -> Option<&Fact> {
        self.facts.get(&id)
    }

    fn index(&mut self, f: &Fact) {
        self.by_subject.insert((f.subject.clone(), f.id));
        self.by_object.insert((f.object.clone(), f.id));
        self.timeline
            .insert((f.subject.clone(), f.valid_from, f.id));
        self.timeline.insert((f.object.clone(), f.valid_from, f.id));
        if f.valid_to.is_none() {
            let key = (f.subject.clone(), f.predicate.clone(), f.object.clone());
            self.open.insert(key, f.id);
        }
        *self.predicates.entry(f.predicate.clone()).or_default() += 1;
    }

    fn ensure_entity(&mut self, name: &str, now_ms: u64, changes: &mut Vec<Change>) {
        if !self.entities.contains_key(name) {
            self.entities.insert(
                name.to_owned(),
                Entity {
                    name: name.to_owned(),
                    kind: None,
                    created_at_ms: now_ms,
                },
            );
            changes.push(Change::EntityUpserted {
                name: name.to_owned(),
            });
        }
    }

    /// Creates an entity or sets its kind; returns whether it existed.
    pub(crate) fn add_entity(
        &mut self,
        ctx: &ApplyContext,
        name: &str,
        kind: Option<String>,
        changes: &mut Vec<Change>,
    ) -> Result<bool, Error> {
        check_kg("name", name)?;
        if let Some(k) = &kind {
            check_kg("kind", k)?;
        }
        let existed = self.entities.contains_key(name);
        self.ensure_entity(name, ctx.now_ms, changes);
        if let Some(e) = self.entities.get_mut(name)
            && kind.is_some()
            && e.kind != kind
        {
            e.kind = kind;
            if existed {
                changes.push(Change::EntityUpserted {
                    name: name.to_owned(),
                });
            }
        }
        Ok(existed)
    }

    /// Adds a fact; returns its id and whether an identical open fact already existed.
    pub(crate) fn add_fact(
        &mut self,
        ctx: &ApplyContext,
        nf: NewFact,
        changes: &mut Vec<Change>,
    ) -> Result<(u64, bool), Error> {
        check_kg("subject", &nf.subject)?;
        check_kg("predicate", &nf.predicate)?;
        check_kg("object", &nf.object)?;
        if let Some(d) = &nf.source_drawer {
            validate_line("source_drawer", d, ID_HEX_CHARS * 2, "ID_HEX_CHARS")?;
        }
        let confidence = nf.confidence.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&confidence) {
            return Err(Error::invalid(
                "confidence",
                &confidence.to_string(),
                "a number from 0.0 to 1.0",
            ));
        }
        if let (Some(f), Some(t)) = (nf.valid_from, nf.valid_to)
            && t <= f
        {
            return Err(Error::invalid(
                "valid_to",
                &t.to_string(),
                &format!("a time after valid_from ({f})"),
            ));
        }
        let key = (nf.subject.clone(), nf.predicate.clone(), nf.object.clone());
        if nf.valid_to.is_none()
            && let Some(id) = self.open.get(&key)
        {
            return Ok((*id, true));
        }
        let id = self.facts.last_key_value().map_or(1, |(k, _)| k + 1);
        self.ensure_entity(&nf.subject, ctx.now_ms, changes);
        self.ensure_entity(&nf.object, ctx.now_ms, changes);
        let fact = Fact {
            id,
            subject: nf.subject,
            predicate: nf.predicate,
            object: nf.object,
            valid_from: nf.valid_from,
            valid_to: nf.valid_to,
            confidence,
            source_drawer: nf.source_drawer,
            created_at_ms: ctx.now_ms,
        };
        self.index(&fact);
        self.facts.insert(id, fact);
        changes.push(Change::FactUpserted { id });
        Ok((id, false))
    }

    /// Closes the open fact `(subject, predicate, object)` at `ended` (ms).
    pub(crate) fn invalidate(
        &mut self,
        subject: &str,
        predicate: &str,
        object: &str,
        ended: u64,
        changes: &mut Vec<Change>,
    ) -> Result<Vec<u64>, Error> {
        check_kg("subject", subject)?;
        check_kg("predicate", predicate)?;
        check_kg("object", object)?;
        let key = (subject.to_owned(), predicate.to_owned(), object.to_owned());
        let Some(&id) = self.open.get(&key) else {
            return Err(Error::not_found(
                "fact",
                &format!("{subject} {predicate} {object}"),
                "an open fact with this subject, predicate and object",
            ));
        };
        let Some(fact) = self.facts.get_mut(&id) else {
            return Err(Error::not_found("fact", &id.to_string(), "a stored fact"));
        };
        if let Some(f) = fact.valid_from
            && ended <= f
        {
            return Err(Error::invalid(
                "ended_at_ms",
                &ended.to_string(),
                &format!("a time after the fact's valid_from ({f})"),
            ));
        }
        fact.valid_to = Some(ended);
        self.open.remove(&key);
        changes.push(Change::FactUpserted { id });
        Ok(vec![id])
    }

    fn ids_after<'a>(
        set: &'a BTreeSet<(String, u64)>,
        entity: &'a str,
        after: u64,
    ) -> impl Iterator<Item = u64> + 'a {
        set.range((
            Bound::Excluded((entity.to_owned(), after)),
            Bound::Unbounded,
        ))
        .take_while(move |(e, _)| e == entity)
        .map(|(_, id)| *id)
    }

    /// Facts about `entity` in id order, those valid at `as_of` only when given.
    ///
    /// Work per call is bounded by the entity's number of facts.
    pub(crate) fn query(
        &self,
        entity: &str,
        as_of: Option<u64>,
        direction: Direction,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Fact>, Error> {
        let limit = check_limit(limit)?;
        check_kg("entity", entity)?;
        let after: u64 = decode_cursor(cursor)?.unwrap_or(0);
        let mut outs = Self::ids_after(&self.by_subject, entity, after).peekable();
        let mut ins = Self::ids_after(&self.by_object, entity, after).peekable();
        let (use_out, use_in) = match direction {
            Direction::Out => (true, false),
            Direction::In => (false, true),
            Direction::Both => (true, true),
        };
        let mut found = Vec::with_capacity(limit + 1);
        loop {
            let a = if use_out { outs.peek().copied() } else { None };
            let b = if use_in { ins.peek().copied() } else { None };
            let next = match (a, b) {
                (None, None) => break,
                (Some(x), None) => x,
                (None, Some(y)) => y,
                (Some(x), Some(y)) => x.min(y),
            };
            if a == Some(next) {
                outs.next();
            }
            if b == Some(next) {
                ins.next();
            }
            let Some(f) = self.facts.get(&next) else {
                continue;
            };
            if as_of.is_none_or(|t| f.valid_at(t)) {
                found.push((next, f.clone()));
                if found.len() > limit {
                    break;
                }
            }
        }
        Ok(Page::from_probe(found, limit))
    }

    /// Facts about `entity` ordered by `valid_from` (unknown first), then id.
    pub(crate) fn timeline(
        &self,
        entity: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Fact>, Error> {
        let limit = check_limit(limit)?;
        check_kg("entity", entity)?;
        let after: Option<(Option<u64>, u64)> = decode_cursor(cursor)?;
        let start = match after {
            Some((from, id)) => Bound::Excluded((entity.to_owned(), from, id)),
            None => Bound::Included((entity.to_owned(), None, 0)),
        };
        let mut found = Vec::with_capacity(limit + 1);
        for (e, from, id) in self.timeline.range((start, Bound::Unbounded)) {
            if e != entity || found.len() > limit {
                break;
            }
            if let Some(f) = self.facts.get(id) {
                found.push(((*from, *id), f.clone()));
            }
        }
        Ok(Page::from_probe(found, limit))
    }

    /// Counts.
    pub(crate) fn stats(&self) -> KgStats {
        KgStats {
            entities: self.entities.len() as u64,
            facts: self.facts.len() as u64,
            open_facts: self.open.len() as u64,
            predicates: self.predicates.len() as u64,
        }
    }
}
