//! What a node is for, as it announces itself in presence.

use std::{fmt, str::FromStr};

/// The name a human portal announces; portals never vote.
pub const PORTAL: &str = "portal";
/// The role of a node that says nothing more specific.
pub const AGENT: &str = "agent";

/// A node's role: a human portal (a non-voting member), or an agent node named after what its
/// agent does (`agent`, `developer`, `reviewer`, …). Announced in presence as its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeRole {
    /// An AI agent's node; it may vote.
    Agent(String),
    /// A human portal; it never votes.
    Portal,
}

impl NodeRole {
    /// Whether the node may be a voter.
    pub fn votes(&self) -> bool {
        matches!(self, Self::Agent(_))
    }

    /// The name announced in presence.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Agent(name) => name,
            Self::Portal => PORTAL,
        }
    }
}

impl Default for NodeRole {
    fn default() -> Self {
        Self::Agent(AGENT.to_string())
    }
}

impl fmt::Display for NodeRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that cannot be announced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "role {0:?}: expected `portal` or an agent role of 1 to 64 letters, digits, '-', '_' and '.', not starting with '.'"
)]
pub struct BadRole(pub String);

impl FromStr for NodeRole {
    type Err = BadRole;

    fn from_str(s: &str) -> Result<Self, BadRole> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && !s.starts_with('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        match s {
            PORTAL => Ok(Self::Portal),
            _ if ok => Ok(Self::Agent(s.to_string())),
            _ => Err(BadRole(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portals_never_vote_and_agents_keep_their_name() {
        assert_eq!("portal".parse::<NodeRole>(), Ok(NodeRole::Portal));
        assert!(!NodeRole::Portal.votes());
        let dev: NodeRole = "developer".parse().unwrap();
        assert!(dev.votes());
        assert_eq!(dev.to_string(), "developer");
        assert_eq!(NodeRole::default().to_string(), "agent");
        for bad in ["", ".x", "a b", "a/b", &"x".repeat(65)] {
            assert!(bad.parse::<NodeRole>().is_err(), "{bad:?}");
        }
    }
}
