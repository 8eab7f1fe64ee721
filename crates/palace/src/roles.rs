//! The role registry: public age recipients per role.
//!
//! Authorisation (only `admin` holders may change it, DESIGN §3) is checked outside the
//! palace, before a command is proposed; the state machine applies what reaches the log.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::limits::{MAX_RECIPIENT_BYTES, MAX_RECIPIENTS};
use crate::name::{validate_line, validate_name};
use crate::page::{Page, check_limit, decode_cursor};
use crate::response::Change;

/// A role and its recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Role name.
    pub role: String,
    /// Public recipients, sorted and deduplicated.
    pub recipients: Vec<String>,
}

/// Roles by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Roles {
    map: BTreeMap<String, Role>,
}

impl Roles {
    pub(crate) fn from_roles(roles: Vec<Role>) -> Roles {
        Roles {
            map: roles.into_iter().map(|r| (r.role.clone(), r)).collect(),
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Role> {
        self.map.values()
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn get(&self, role: &str) -> Option<&Role> {
        self.map.get(role)
    }

    /// Sets a role's recipients (empty removes the role); returns the count stored.
    pub(crate) fn set(
        &mut self,
        role: String,
        mut recipients: Vec<String>,
        changes: &mut Vec<Change>,
    ) -> Result<u32, Error> {
        validate_name("role", &role)?;
        if recipients.len() > MAX_RECIPIENTS {
            return Err(Error::too_large(
                "recipients",
                recipients.len(),
                MAX_RECIPIENTS,
                "entries",
                "MAX_RECIPIENTS",
            ));
        }
        for (i, r) in recipients.iter().enumerate() {
            validate_line(
                &format!("recipients[{i}]"),
                r,
                MAX_RECIPIENT_BYTES,
                "MAX_RECIPIENT_BYTES",
            )?;
        }
        recipients.sort();
        recipients.dedup();
        let n = recipients.len() as u32;
        let changed = if recipients.is_empty() {
            self.map.remove(&role).is_some()
        } else {
            let new = Role {
                role: role.clone(),
                recipients,
            };
            self.map.insert(role.clone(), new.clone()) != Some(new)
        };
        if changed {
            changes.push(Change::RoleChanged { role });
        }
        Ok(n)
    }

    /// Roles in name order.
    pub(crate) fn list(&self, limit: usize, cursor: Option<&str>) -> Result<Page<Role>, Error> {
        let limit = check_limit(limit)?;
        let after: Option<String> = decode_cursor(cursor)?;
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let found = self
            .map
            .range::<String, _>((start, Bound::Unbounded))
            .take(limit + 1)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Page::from_probe(found, limit))
    }
}
