//! Decision records: opaque envelopes by content id, versioned per address key.
//!
//! The palace does not parse or verify envelopes; the `records` crate does that before a put is
//! proposed. Here a record is bytes plus the keys needed to find it again.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::command::ApplyContext;
use crate::limits::{MAX_ADDRESS_KEY_BYTES, MAX_AUTHOR_BYTES, MAX_CID_BYTES, MAX_ENVELOPE_BYTES};
use crate::name::validate_line;
use crate::page::{Page, check_limit, decode_cursor};
use crate::response::Change;

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Content id.
    pub cid: String,
    /// Address key the record is a version of.
    pub address_key: String,
    /// Version under `address_key` (1, 2, …), in log order.
    pub version: u64,
    /// Author as given by the records layer.
    pub author: String,
    /// Creation time claimed by the record, ms.
    pub created_at_ms: u64,
    /// Leader-stamped time it was stored, ms.
    pub stored_at_ms: u64,
    /// Canonical envelope bytes (base64 in JSON).
    #[serde(with = "crate::b64")]
    pub envelope: Vec<u8>,
}

/// A record without its envelope, as lists return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSummary {
    /// Content id.
    pub cid: String,
    /// Address key.
    pub address_key: String,
    /// Version under `address_key`.
    pub version: u64,
    /// Author.
    pub author: String,
    /// Claimed creation time, ms.
    pub created_at_ms: u64,
    /// Envelope size, bytes.
    pub envelope_bytes: u64,
}

impl From<&Record> for RecordSummary {
    fn from(r: &Record) -> Self {
        RecordSummary {
            cid: r.cid.clone(),
            address_key: r.address_key.clone(),
            version: r.version,
            author: r.author.clone(),
            created_at_ms: r.created_at_ms,
            envelope_bytes: r.envelope.len() as u64,
        }
    }
}

/// The fields of a record put.
pub(crate) struct RecordInput {
    pub cid: String,
    pub address_key: String,
    pub author: String,
    pub created_at_ms: u64,
    pub envelope: Vec<u8>,
}

/// Records by cid, with a (address_key, version) index.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Records {
    map: BTreeMap<String, Record>,
    by_address: BTreeMap<(String, u64), String>,
}

impl Records {
    pub(crate) fn from_records(records: Vec<Record>) -> Result<Records, Error> {
        let mut t = Records::default();
        for r in records {
            if t.map.contains_key(&r.cid) {
                return Err(Error::snapshot(format!("duplicate record cid {}", r.cid)));
            }
            let key = (r.address_key.clone(), r.version);
            if t.by_address.insert(key, r.cid.clone()).is_some() {
                return Err(Error::snapshot(format!(
                    "two records share version {} of an address key",
                    r.version
                )));
            }
            t.map.insert(r.cid.clone(), r);
        }
        Ok(t)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Record> {
        self.map.values()
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn get(&self, cid: &str) -> Option<&Record> {
        self.map.get(cid)
    }

    /// Stores a record; returns its version and whether the cid was already stored.
    pub(crate) fn put(
        &mut self,
        ctx: &ApplyContext,
        r: RecordInput,
        changes: &mut Vec<Change>,
    ) -> Result<(u64, bool), Error> {
        validate_line("cid", &r.cid, MAX_CID_BYTES, "MAX_CID_BYTES")?;
        validate_line(
            "address_key",
            &r.address_key,
            MAX_ADDRESS_KEY_BYTES,
            "MAX_ADDRESS_KEY_BYTES",
        )?;
        validate_line("author", &r.author, MAX_AUTHOR_BYTES, "MAX_AUTHOR_BYTES")?;
        if r.envelope.len() > MAX_ENVELOPE_BYTES {
            return Err(Error::too_large(
                "envelope",
                r.envelope.len(),
                MAX_ENVELOPE_BYTES,
                "bytes",
                "MAX_ENVELOPE_BYTES",
            ));
        }
        if let Some(existing) = self.map.get(&r.cid) {
            return Ok((existing.version, true));
        }
        let version = self.last_version(&r.address_key) + 1;
        self.by_address
            .insert((r.address_key.clone(), version), r.cid.clone());
        changes.push(Change::RecordStored { cid: r.cid.clone() });
        self.map.insert(
            r.cid.clone(),
            Record {
                cid: r.cid,
                address_key: r.address_key,
                version,
                author: r.author,
                created_at_ms: r.created_at_ms,
                stored_at_ms: ctx.now_ms,
                envelope: r.envelope,
            },
        );
        Ok((version, false))
    }

    fn last_version(&self, key: &str) -> u64 {
        self.by_address
            .range((key.to_owned(), 0)..=(key.to_owned(), u64::MAX))
            .next_back()
            .map_or(0, |((_, v), _)| *v)
    }

    /// Versions of `address_key`, oldest first.
    pub(crate) fn versions(
        &self,
        address_key: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<RecordSummary>, Error> {
        let limit = check_limit(limit)?;
        validate_line(
            "address_key",
            address_key,
            MAX_ADDRESS_KEY_BYTES,
            "MAX_ADDRESS_KEY_BYTES",
        )?;
        let after: u64 = decode_cursor(cursor)?.unwrap_or(0);
        let found = self
            .by_address
            .range((
                Bound::Excluded((address_key.to_owned(), after)),
                Bound::Unbounded,
            ))
            .take_while(|((k, _), _)| k == address_key)
            .filter_map(|((_, v), cid)| self.map.get(cid).map(|r| (*v, RecordSummary::from(r))))
            .take(limit + 1)
            .collect();
        Ok(Page::from_probe(found, limit))
    }

    /// Records whose address key starts with `prefix`, in (address_key, version) order.
    pub(crate) fn list(
        &self,
        prefix: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<RecordSummary>, Error> {
        let limit = check_limit(limit)?;
        if prefix.len() > MAX_ADDRESS_KEY_BYTES {
            return Err(Error::too_large(
                "prefix",
                prefix.len(),
                MAX_ADDRESS_KEY_BYTES,
                "bytes",
                "MAX_ADDRESS_KEY_BYTES",
            ));
        }
        let after: Option<(String, u64)> = decode_cursor(cursor)?;
        let start = match after {
            Some(k) => Bound::Excluded(k),
            None => Bound::Included((prefix.to_owned(), 0)),
        };
        let found = self
            .by_address
            .range((start, Bound::Unbounded))
            .take_while(|((k, _), _)| k.starts_with(prefix))
            .filter_map(|(key, cid)| {
                self.map
                    .get(cid)
                    .map(|r| (key.clone(), RecordSummary::from(r)))
            })
            .take(limit + 1)
            .collect();
        Ok(Page::from_probe(found, limit))
    }
}
