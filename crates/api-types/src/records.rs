//! Decision records (`/v1/records…`) and the role registry (`/v1/roles…`).

use serde::{Deserialize, Serialize};

/// `POST /v1/records`: exactly one of `text` and `body_b64`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// UCXL address; its version part is replaced by the next version.
    pub address: String,
    /// Roles that may read it (admin always can).
    pub roles: Vec<String>,
    /// Media type of the body (default: text/plain for `text`, octet-stream for `body_b64`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Body as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Body as base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_b64: Option<String>,
    /// Task the record belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Parent cids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
}

/// `GET /v1/records?…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordQuery {
    /// Only this project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// Only this task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Most items (1..=1000, default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// `GET /v1/records/by-address?address=…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressQuery {
    /// UCXL address (`*^` latest, `*N`, `~~N`).
    pub address: String,
}

/// `POST /v1/roles/{role}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRecipients {
    /// Public age recipients (`age1…`); none removes the role.
    pub recipients: Vec<String>,
}

/// A role set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSet {
    /// The role.
    pub role: String,
    /// Log index of the entry.
    pub index: u64,
    /// Its term.
    pub term: u64,
}
