//! Tunnels: explicit, undirected links between rooms of different wings.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::command::{ApplyContext, RoomRef};
use crate::hash::tunnel_id;
use crate::limits::MAX_LABEL_BYTES;
use crate::name::{validate_line, validate_name};
use crate::page::{Page, check_limit, decode_cursor};
use crate::response::Change;

/// A link between two rooms of different wings. The ends are stored in canonical order
/// (`a < b`), so a tunnel and its reverse are the same tunnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tunnel {
    /// Id: a hash of both ends in canonical order.
    pub id: String,
    /// The lesser end.
    pub a: RoomRef,
    /// The greater end.
    pub b: RoomRef,
    /// Why the rooms are linked.
    pub label: Option<String>,
    /// Who created it.
    pub created_by: String,
    /// Leader-stamped creation time, ms.
    pub created_at_ms: u64,
}

/// Tunnels by id, with an index by wing. Rooms need not hold drawers: wings and rooms are
/// implicit names, and a tunnel may be made before anything is filed at either end.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tunnels {
    map: BTreeMap<String, Tunnel>,
    by_wing: BTreeSet<(String, String)>,
}

fn check_end(field: &str, r: &RoomRef) -> Result<(), Error> {
    validate_name(&format!("{field}.wing"), &r.wing)?;
    validate_name(&format!("{field}.room"), &r.room)
}

impl Tunnels {
    pub(crate) fn from_tunnels(tunnels: Vec<Tunnel>) -> Tunnels {
        let mut t = Tunnels::default();
        for x in tunnels {
            t.insert(x);
        }
        t
    }

    fn insert(&mut self, x: Tunnel) {
        self.by_wing.insert((x.a.wing.clone(), x.id.clone()));
        self.by_wing.insert((x.b.wing.clone(), x.id.clone()));
        self.map.insert(x.id.clone(), x);
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Tunnel> {
        self.map.values()
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Tunnel> {
        self.map.get(id)
    }

    /// Creates a tunnel; returns its id and whether it existed.
    pub(crate) fn create(
        &mut self,
        ctx: &ApplyContext,
        a: RoomRef,
        b: RoomRef,
        label: Option<String>,
        created_by: String,
        changes: &mut Vec<Change>,
    ) -> Result<(String, bool), Error> {
        check_end("a", &a)?;
        check_end("b", &b)?;
        validate_name("created_by", &created_by)?;
        if let Some(l) = &label {
            validate_line("label", l, MAX_LABEL_BYTES, "MAX_LABEL_BYTES")?;
        }
        if a.wing == b.wing {
            return Err(Error::invalid(
                "b.wing",
                &b.wing,
                "a wing other than a.wing: tunnels link rooms of different wings",
            ));
        }
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let id = tunnel_id(&a.wing, &a.room, &b.wing, &b.room);
        if self.map.contains_key(&id) {
            return Ok((id, true));
        }
        self.insert(Tunnel {
            id: id.clone(),
            a,
            b,
            label,
            created_by,
            created_at_ms: ctx.now_ms,
        });
        changes.push(Change::TunnelUpserted { id: id.clone() });
        Ok((id, false))
    }

    /// Deletes a tunnel by id.
    pub(crate) fn delete(&mut self, id: &str, changes: &mut Vec<Change>) -> Result<(), Error> {
        let x = self
            .map
            .remove(id)
            .ok_or_else(|| Error::not_found("id", id, "the id of an existing tunnel"))?;
        self.by_wing.remove(&(x.a.wing.clone(), x.id.clone()));
        self.by_wing.remove(&(x.b.wing, x.id));
        changes.push(Change::TunnelRemoved { id: id.to_owned() });
        Ok(())
    }

    /// Tunnels in id order, or those touching `wing` in id order.
    pub(crate) fn list(
        &self,
        wing: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<Tunnel>, Error> {
        let limit = check_limit(limit)?;
        let after: Option<String> = decode_cursor(cursor)?;
        let found: Vec<(String, Tunnel)> = match wing {
            None => {
                let start = after.map_or(Bound::Unbounded, Bound::Excluded);
                self.map
                    .range::<String, _>((start, Bound::Unbounded))
                    .take(limit + 1)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            }
            Some(w) => {
                validate_name("wing", w)?;
                let start = (w.to_owned(), after.unwrap_or_default());
                self.by_wing
                    .range((Bound::Excluded(start), Bound::Unbounded))
                    .take_while(|(tw, _)| tw == w)
                    .filter_map(|(_, id)| self.map.get(id).map(|t| (id.clone(), t.clone())))
                    .take(limit + 1)
                    .collect()
            }
        };
        Ok(Page::from_probe(found, limit))
    }
}
