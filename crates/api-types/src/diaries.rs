//! Agent diaries (`/v1/palace/diaries/{agent}`); reads take a [`crate::query::PageQuery`].

use serde::{Deserialize, Serialize};

/// `POST /v1/palace/diaries/{agent}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDiaryEntry {
    /// Entry text.
    pub text: String,
    /// Topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

/// An entry appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiaryAppended {
    /// The agent.
    pub agent: String,
    /// The entry's sequence number in the agent's diary (1, 2, …).
    pub seq: u64,
}
