//! Public age X25519 recipients of a role.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Longest recipient text echoed in an error (a recipient is public; the cap bounds the message).
const MAX_ECHO: usize = 100;

/// The public age X25519 key of a role (`age1…`). Anything encrypted to it can be read by the
/// nodes holding the matching [`RoleIdentity`](crate::RoleIdentity). Serialized as its string.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleRecipient(age::x25519::Recipient);

/// A recipient string is not an age X25519 recipient.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role recipient {value:?}: expected an age X25519 recipient like age1… ({reason})")]
pub struct RecipientError {
    value: String,
    reason: &'static str,
}

impl RoleRecipient {
    pub(crate) fn from_age(inner: age::x25519::Recipient) -> Self {
        Self(inner)
    }

    /// The underlying age recipient, for encrypting.
    pub fn as_age(&self) -> &age::x25519::Recipient {
        &self.0
    }
}

impl FromStr for RoleRecipient {
    type Err = RecipientError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let fail = |reason| RecipientError {
            value: text.chars().take(MAX_ECHO).collect(),
            reason,
        };
        if !text.starts_with("age1") {
            return Err(fail("missing age1 prefix"));
        }
        text.parse::<age::x25519::Recipient>()
            .map(Self)
            .map_err(fail)
    }
}

impl fmt::Display for RoleRecipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for RoleRecipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoleRecipient({})", self.0)
    }
}

impl TryFrom<String> for RoleRecipient {
    type Error = RecipientError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<RoleRecipient> for String {
    fn from(r: RoleRecipient) -> String {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::RoleIdentity;

    #[test]
    fn parses_prints_and_rejects_clearly() {
        let r = RoleIdentity::generate().recipient().clone();
        let text = r.to_string();
        assert!(text.starts_with("age1"));
        assert_eq!(text.parse::<RoleRecipient>().unwrap(), r);
        assert_eq!(format!(" {text}\n").parse::<RoleRecipient>().unwrap(), r);
        assert_eq!(String::from(r.clone()), text);

        let err = "ssh-ed25519 AAAA".parse::<RoleRecipient>().unwrap_err();
        assert!(
            err.to_string().contains("expected an age X25519 recipient"),
            "{err}"
        );
        assert!(err.to_string().contains("ssh-ed25519"), "{err}");
        let mut broken = text.clone();
        broken.pop();
        broken.push(if text.ends_with('q') { 'p' } else { 'q' });
        assert!(broken.parse::<RoleRecipient>().is_err());
    }
}
