//! Flags and argument forms several commands share.

use std::collections::BTreeMap;

use anyhow::Context;
use chorus_client::types::{ReadParams, query::PageQuery};
use clap::Args;

/// Flags every read takes.
#[derive(Args, Debug, Clone, Default)]
pub struct ReadFlags {
    /// Wait until the node has applied this index (read-your-writes).
    #[arg(long)]
    pub min_index: Option<u64>,
    /// Confirm with the leader first (linearizable).
    #[arg(long)]
    pub linearizable: bool,
}

impl ReadFlags {
    /// As the API's read parameters.
    pub fn params(&self) -> ReadParams {
        ReadParams::new(self.min_index, self.linearizable)
    }

    /// The `consistency` query value.
    pub fn consistency(&self) -> Option<String> {
        self.params().consistency
    }
}

/// Flags every paged read takes: the page and the read flags.
#[derive(Args, Debug, Clone, Default)]
pub struct PageFlags {
    /// Page size (1..=1000, default 50).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Cursor of the previous page.
    #[arg(long)]
    pub cursor: Option<String>,
    #[command(flatten)]
    pub read: ReadFlags,
}

impl PageFlags {
    /// As the API's page query.
    pub fn query(&self) -> PageQuery {
        PageQuery {
            limit: self.limit,
            cursor: self.cursor.clone(),
            min_index: self.read.min_index,
            consistency: self.read.consistency(),
        }
    }
}

/// Reads `text`, or standard input when it is `-`.
pub fn text_arg(text: String) -> anyhow::Result<String> {
    if text == "-" {
        Ok(std::io::read_to_string(std::io::stdin())?)
    } else {
        Ok(text)
    }
}

/// Parses `key=value` pairs.
pub fn metadata(pairs: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .with_context(|| format!("--metadata {p:?}: expected key=value"))
        })
        .collect()
}
