//! Bounded, cursor-paged reads.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::limits::{MAX_CURSOR_BYTES, MAX_PAGE_LIMIT};

/// One page of a list read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page, in the list's documented order.
    pub items: Vec<T>,
    /// Pass this back as `cursor` to get the next page; `None` when the list is exhausted.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` collected `(key, item)` pairs: when more than
    /// `limit` were found, the last kept item's key becomes the cursor.
    pub(crate) fn from_probe<K: Serialize>(mut found: Vec<(K, T)>, limit: usize) -> Page<T> {
        let more = found.len() > limit;
        found.truncate(limit);
        let next_cursor = if more {
            found.last().map(|(k, _)| encode_cursor(k))
        } else {
            None
        };
        Page {
            items: found.into_iter().map(|(_, v)| v).collect(),
            next_cursor,
        }
    }
}

/// Checks that a list `limit` lies within 1..=[`MAX_PAGE_LIMIT`].
pub fn check_limit(limit: usize) -> Result<usize, Error> {
    if limit == 0 {
        return Err(Error::invalid(
            "limit",
            "0",
            &format!("a limit from 1 to {MAX_PAGE_LIMIT}"),
        ));
    }
    if limit > MAX_PAGE_LIMIT {
        return Err(Error::too_large(
            "limit",
            limit,
            MAX_PAGE_LIMIT,
            "items",
            "MAX_PAGE_LIMIT",
        ));
    }
    Ok(limit)
}

/// Encodes a position as an opaque cursor (hex of its JSON form).
pub(crate) fn encode_cursor<K: Serialize>(key: &K) -> String {
    // Serialising plain tuples of strings and integers cannot fail; an empty cursor would only
    // restart the list, never skip items.
    hex::encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Decodes a cursor made by [`encode_cursor`]; `None` input means "from the start".
pub(crate) fn decode_cursor<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>, Error> {
    let Some(c) = cursor else { return Ok(None) };
    if c.len() > MAX_CURSOR_BYTES {
        return Err(Error::too_large(
            "cursor",
            c.len(),
            MAX_CURSOR_BYTES,
            "bytes",
            "MAX_CURSOR_BYTES",
        ));
    }
    let bad = || Error::invalid("cursor", c, "a next_cursor returned by the same list read");
    let bytes = hex::decode(c).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map(Some).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = encode_cursor(&("w".to_string(), 7u64));
        let back: Option<(String, u64)> = decode_cursor(Some(&c)).expect("decodes");
        assert_eq!(back, Some(("w".to_string(), 7)));
        let e = decode_cursor::<(String, u64)>(Some("zz")).expect_err("garbage");
        assert_eq!(e.field(), "cursor");
    }

    #[test]
    fn limit_bounds() {
        assert!(check_limit(0).is_err());
        assert!(check_limit(MAX_PAGE_LIMIT + 1).is_err());
        assert_eq!(check_limit(5), Ok(5));
    }
}
