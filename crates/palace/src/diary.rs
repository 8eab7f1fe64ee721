//! Agent diaries: append-only, per-agent sequences of entries.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::command::ApplyContext;
use crate::limits::MAX_DIARY_ENTRY_BYTES;
use crate::name::{validate_name, validate_text};
use crate::page::{Page, check_limit, decode_cursor};
use crate::response::Change;

/// One diary entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiaryEntry {
    /// Agent name.
    pub agent: String,
    /// Sequence number in the agent's diary (1, 2, …).
    pub seq: u64,
    /// Text.
    pub text: String,
    /// Topic, if any.
    pub topic: Option<String>,
    /// Leader-stamped time, ms.
    pub written_at_ms: u64,
}

/// Entries by (agent, seq).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Diaries {
    map: BTreeMap<(String, u64), DiaryEntry>,
}

impl Diaries {
    pub(crate) fn from_entries(entries: Vec<DiaryEntry>) -> Diaries {
        Diaries {
            map: entries
                .into_iter()
                .map(|e| ((e.agent.clone(), e.seq), e))
                .collect(),
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &DiaryEntry> {
        self.map.values()
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Appends an entry; returns its sequence number.
    pub(crate) fn append(
        &mut self,
        ctx: &ApplyContext,
        agent: String,
        text: String,
        topic: Option<String>,
        changes: &mut Vec<Change>,
    ) -> Result<u64, Error> {
        validate_name("agent", &agent)?;
        validate_text(
            "text",
            &text,
            MAX_DIARY_ENTRY_BYTES,
            "MAX_DIARY_ENTRY_BYTES",
            true,
        )?;
        if let Some(t) = &topic {
            validate_name("topic", t)?;
        }
        let seq = self
            .map
            .range((agent.clone(), 0)..=(agent.clone(), u64::MAX))
            .next_back()
            .map_or(1, |((_, s), _)| s + 1);
        changes.push(Change::DiaryAppended {
            agent: agent.clone(),
            seq,
        });
        self.map.insert(
            (agent.clone(), seq),
            DiaryEntry {
                agent,
                seq,
                text,
                topic,
                written_at_ms: ctx.now_ms,
            },
        );
        Ok(seq)
    }

    /// The last `limit` entries of `agent` before `cursor` (all when `None`), newest first;
    /// the cursor pages further back in time.
    pub(crate) fn read_last(
        &self,
        agent: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<DiaryEntry>, Error> {
        let limit = check_limit(limit)?;
        validate_name("agent", agent)?;
        let before: u64 = decode_cursor(cursor)?.unwrap_or(u64::MAX);
        let found = self
            .map
            .range((
                Bound::Included((agent.to_owned(), 0)),
                Bound::Excluded((agent.to_owned(), before)),
            ))
            .rev()
            .take(limit + 1)
            .map(|((_, s), e)| (*s, e.clone()))
            .collect();
        Ok(Page::from_probe(found, limit))
    }
}
