//! UCXL addresses: `ucxl://<agent>:<role>@<project>:<task>/<version>/<path>`.
//!
//! A UCXL address names one version of a decision record. Parsing ([`std::str::FromStr`]) and
//! printing ([`std::fmt::Display`]) round-trip exactly: every valid address has exactly one
//! spelling, so two addresses are equal if and only if their strings are equal.
//!
//! # Grammar
//!
//! | part      | rule                                                                            |
//! |-----------|---------------------------------------------------------------------------------|
//! | scheme    | exactly `ucxl://` (lower case)                                                  |
//! | `agent`   | 1–64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit                    |
//! | `role`    | 1–32 of `a-z 0-9 _ -`, starting with a letter or digit (role names become key file names, so they are lower case and file-name safe) |
//! | `project` | like `agent`                                                                    |
//! | `task`    | like `agent`                                                                    |
//! | `version` | `*^` (latest), `*N` (the Nth version) or `~~N` (N versions before the latest), N a decimal `u64` ≥ 1 without leading zeros |
//! | `path`    | 1–32 segments joined by `/`, each 1+ of `A-Z a-z 0-9 . _ ~ -`, never `.` or `..`; at most 512 bytes in total |
//!
//! The whole address is at most [`MAX_ADDRESS_LEN`] bytes; longer input is refused before it is
//! examined further, so parsing costs are bounded whatever the input.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Upper bound of an address in bytes. The per-part limits add up to less than this, so the
/// check only stops oversized input early and cheaply.
pub const MAX_ADDRESS_LEN: usize = 1024;
/// Maximum length of the agent, project and task names in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Maximum length of a role name in bytes.
pub const MAX_ROLE_LEN: usize = 32;
/// Maximum length of the path in bytes.
pub const MAX_PATH_LEN: usize = 512;
/// Maximum number of path segments.
pub const MAX_PATH_SEGMENTS: usize = 32;

const SCHEME: &str = "ucxl://";
/// Longest value echoed back in an error: enough to recognise it, never a flood of bytes.
const MAX_ECHO: usize = 80;

const NAME_RULE: &str = "1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit";
const ROLE_RULE: &str = "1-32 of a-z 0-9 _ -, starting with a letter or digit";
const VERSION_RULE: &str = "`*^` (latest), `*N` (Nth version) or `~~N` (N before latest), \
                            N >= 1 without leading zeros";
const PATH_RULE: &str = "1-32 segments of A-Z a-z 0-9 . _ ~ - joined by `/`, no empty, `.` or \
                         `..` segment, at most 512 bytes";

/// The parts of an address, as named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The whole address (only for its total length).
    Address,
    /// The `ucxl://` prefix.
    Scheme,
    /// The agent name.
    Agent,
    /// The role name.
    Role,
    /// The project name.
    Project,
    /// The task name.
    Task,
    /// The version selector.
    Version,
    /// The path after the version.
    Path,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Address => "address",
            Part::Scheme => "scheme",
            Part::Agent => "agent",
            Part::Role => "role",
            Part::Project => "project",
            Part::Task => "task",
            Part::Version => "version",
            Part::Path => "path",
        })
    }
}

/// A UCXL address or one of its parts is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ucxl {part} = {value:?}: expected {expected}")]
pub struct UcxlError {
    part: Part,
    value: String,
    expected: &'static str,
}

impl UcxlError {
    fn new(part: Part, value: &str, expected: &'static str) -> Self {
        let value = match value.char_indices().nth(MAX_ECHO) {
            Some((cut, _)) => format!("{}…", &value[..cut]),
            None => value.to_owned(),
        };
        Self {
            part,
            value,
            expected,
        }
    }

    /// Which part of the address is wrong.
    pub fn part(&self) -> Part {
        self.part
    }

    /// The offending value (shortened to 80 characters).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What the part should have looked like.
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

/// Which version of a record an address selects.
///
/// The derived order (latest, then Nth, then before-latest) only makes the type usable as a map
/// key; it says nothing about which version is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Version {
    /// `*^`: the latest version.
    Latest,
    /// `*N`: the Nth version, counting from 1.
    Nth(u64),
    /// `~~N`: N versions before the latest (`~~1` is the one before the latest).
    BeforeLatest(u64),
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("*^"),
            Version::Nth(n) => write!(f, "*{n}"),
            Version::BeforeLatest(n) => write!(f, "~~{n}"),
        }
    }
}

impl FromStr for Version {
    type Err = UcxlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || UcxlError::new(Part::Version, s, VERSION_RULE);
        if s == "*^" {
            return Ok(Version::Latest);
        }
        let (make, digits): (fn(u64) -> Version, &str) = if let Some(d) = s.strip_prefix("~~") {
            (Version::BeforeLatest, d)
        } else if let Some(d) = s.strip_prefix('*') {
            (Version::Nth, d)
        } else {
            return Err(bad());
        };
        // Leading zeros and zero itself are refused so each version has one spelling.
        if digits.is_empty()
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        digits.parse::<u64>().map(make).map_err(|_| bad())
    }
}

impl TryFrom<String> for Version {
    type Error = UcxlError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Version> for String {
    fn from(v: Version) -> String {
        v.to_string()
    }
}

/// A validated UCXL address. See the [module documentation](self) for the grammar.
///
/// The derived order compares parts in turn, for use as a map key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Address {
    agent: String,
    role: String,
    project: String,
    task: String,
    version: Version,
    path: String,
}

impl Address {
    /// Builds an address from its parts, validating each one.
    pub fn new(
        agent: &str,
        role: &str,
        project: &str,
        task: &str,
        version: Version,
        path: &str,
    ) -> Result<Self, UcxlError> {
        validate_name(Part::Agent, agent)?;
        validate_role(role)?;
        validate_name(Part::Project, project)?;
        validate_name(Part::Task, task)?;
        if let Version::Nth(0) | Version::BeforeLatest(0) = version {
            return Err(UcxlError::new(
                Part::Version,
                &version.to_string(),
                VERSION_RULE,
            ));
        }
        validate_path(path)?;
        Ok(Self {
            agent: agent.to_owned(),
            role: role.to_owned(),
            project: project.to_owned(),
            task: task.to_owned(),
            version,
            path: path.to_owned(),
        })
    }

    /// The agent name.
    pub fn agent(&self) -> &str {
        &self.agent
    }

    /// The role name.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// The project name.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The task name.
    pub fn task(&self) -> &str {
        &self.task
    }

    /// The version selector.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The path after the version, without a leading `/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The same address with another version selector.
    pub fn with_version(&self, version: Version) -> Result<Self, UcxlError> {
        Self::new(
            &self.agent,
            &self.role,
            &self.project,
            &self.task,
            version,
            &self.path,
        )
    }

    /// The version-less key that groups all versions of one document:
    /// `ucxl://<agent>:<role>@<project>:<task>/<path>`.
    ///
    /// Two addresses have the same key exactly when they differ at most in their version. The
    /// key is not itself an address (it has no version part) and is meant as a storage or index
    /// key.
    pub fn key(&self) -> String {
        format!(
            "{SCHEME}{}:{}@{}:{}/{}",
            self.agent, self.role, self.project, self.task, self.path
        )
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{SCHEME}{}:{}@{}:{}/{}/{}",
            self.agent, self.role, self.project, self.task, self.version, self.path
        )
    }
}

impl FromStr for Address {
    type Err = UcxlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > MAX_ADDRESS_LEN {
            return Err(UcxlError::new(
                Part::Address,
                s,
                "at most 1024 bytes in total",
            ));
        }
        let Some(rest) = s.strip_prefix(SCHEME) else {
            let shown = s.find("://").map_or(s, |end| &s[..end + 3]);
            return Err(UcxlError::new(Part::Scheme, shown, "`ucxl://`"));
        };
        let (authority, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let (agent_role, project_task) = authority.split_once('@').ok_or_else(|| {
            UcxlError::new(Part::Project, "", "`@<project>:<task>` after the role")
        })?;
        let (agent, role) = agent_role
            .split_once(':')
            .ok_or_else(|| UcxlError::new(Part::Role, "", "`:<role>` after the agent"))?;
        let (project, task) = project_task
            .split_once(':')
            .ok_or_else(|| UcxlError::new(Part::Task, "", "`:<task>` after the project"))?;
        validate_name(Part::Agent, agent)?;
        validate_role(role)?;
        validate_name(Part::Project, project)?;
        validate_name(Part::Task, task)?;
        let (version, path) = rest.split_once('/').unwrap_or((rest, ""));
        let version: Version = version.parse()?;
        validate_path(path)?;
        Ok(Self {
            agent: agent.to_owned(),
            role: role.to_owned(),
            project: project.to_owned(),
            task: task.to_owned(),
            version,
            path: path.to_owned(),
        })
    }
}

impl TryFrom<String> for Address {
    type Error = UcxlError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.to_string()
    }
}

fn validate_name(part: Part, value: &str) -> Result<(), UcxlError> {
    let ok = (1..=MAX_NAME_LEN).contains(&value.len())
        && value.as_bytes()[0].is_ascii_alphanumeric()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(UcxlError::new(part, value, NAME_RULE))
    }
}

/// Checks a role name against the role rule of the [module documentation](self).
///
/// Role names also name key files (`<data>/keys/roles/<role>.age`), which is why the rule is
/// strict: lower case, no dots, no separators.
pub fn validate_role(value: &str) -> Result<(), UcxlError> {
    let lower_or_digit = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let ok = (1..=MAX_ROLE_LEN).contains(&value.len())
        && lower_or_digit(value.as_bytes()[0])
        && value
            .bytes()
            .all(|b| lower_or_digit(b) || matches!(b, b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(UcxlError::new(Part::Role, value, ROLE_RULE))
    }
}

fn validate_path(value: &str) -> Result<(), UcxlError> {
    let segment_ok = |seg: &str| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-'))
    };
    let ok = !value.is_empty()
        && value.len() <= MAX_PATH_LEN
        && value.split('/').count() <= MAX_PATH_SEGMENTS
        && value.split('/').all(segment_ok);
    if ok {
        Ok(())
    } else {
        Err(UcxlError::new(Part::Path, value, PATH_RULE))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_every_version_form() {
        for (text, version) in [
            ("*^", Version::Latest),
            ("*1", Version::Nth(1)),
            ("*42", Version::Nth(42)),
            ("~~1", Version::BeforeLatest(1)),
            ("~~18446744073709551615", Version::BeforeLatest(u64::MAX)),
        ] {
            let s = format!("ucxl://alice:dev@chorus:t-1/{text}/decisions/auth.md");
            let a: Address = s.parse().unwrap();
            assert_eq!(a.version(), version);
            assert_eq!(a.agent(), "alice");
            assert_eq!(a.role(), "dev");
            assert_eq!(a.project(), "chorus");
            assert_eq!(a.task(), "t-1");
            assert_eq!(a.path(), "decisions/auth.md");
            assert_eq!(a.to_string(), s);
        }
    }

    #[test]
    fn key_drops_only_the_version() {
        let a: Address = "ucxl://alice:dev@chorus:t1/*3/a/b".parse().unwrap();
        let b = a.with_version(Version::Latest).unwrap();
        assert_eq!(a.key(), "ucxl://alice:dev@chorus:t1/a/b");
        assert_eq!(a.key(), b.key());
        let c: Address = "ucxl://alice:dev@chorus:t1/*3/a/c".parse().unwrap();
        assert_ne!(a.key(), c.key());
    }

    #[test]
    fn serde_uses_the_string_form() {
        let a: Address = "ucxl://alice:dev@chorus:t1/~~2/x".parse().unwrap();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, "\"ucxl://alice:dev@chorus:t1/~~2/x\"");
        assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), a);
        let err = serde_json::from_str::<Address>("\"ucxl://alice:dev@chorus:t1/*0/x\"");
        assert!(err.unwrap_err().to_string().contains("ucxl version"));
        assert_eq!(serde_json::to_string(&Version::Nth(7)).unwrap(), "\"*7\"");
    }

    #[test]
    fn malformed_addresses_name_the_wrong_part() {
        let long_path = format!("ucxl://a:r@p:t/*^/{}", "x".repeat(600));
        let too_long = format!("ucxl://a:r@p:t/*^/{}", "x/".repeat(600));
        let deep = format!("ucxl://a:r@p:t/*^/{}x", "x/".repeat(MAX_PATH_SEGMENTS));
        let long_agent = format!("ucxl://{}:r@p:t/*^/x", "a".repeat(65));
        let table: &[(&str, Part)] = &[
            ("", Part::Scheme),
            ("http://a:r@p:t/*^/x", Part::Scheme),
            ("UCXL://a:r@p:t/*^/x", Part::Scheme),
            ("ucxl:/a:r@p:t/*^/x", Part::Scheme),
            ("ucxl://:r@p:t/*^/x", Part::Agent),
            ("ucxl://-a:r@p:t/*^/x", Part::Agent),
            ("ucxl://a b:r@p:t/*^/x", Part::Agent),
            ("ucxl://é:r@p:t/*^/x", Part::Agent),
            (&long_agent, Part::Agent),
            ("ucxl://a@p:t/*^/x", Part::Role),
            ("ucxl://a:@p:t/*^/x", Part::Role),
            ("ucxl://a:Admin@p:t/*^/x", Part::Role),
            ("ucxl://a:r.x@p:t/*^/x", Part::Role),
            ("ucxl://a:r:s@p:t/*^/x", Part::Role),
            ("ucxl://a:r/*^/x", Part::Project),
            ("ucxl://a:r@:t/*^/x", Part::Project),
            ("ucxl://a:r@p/*^/x", Part::Task),
            ("ucxl://a:r@p:/*^/x", Part::Task),
            ("ucxl://a:r@p:t@u/*^/x", Part::Task),
            ("ucxl://a:r@p:t", Part::Version),
            ("ucxl://a:r@p:t/", Part::Version),
            ("ucxl://a:r@p:t//x", Part::Version),
            ("ucxl://a:r@p:t/latest/x", Part::Version),
            ("ucxl://a:r@p:t/*/x", Part::Version),
            ("ucxl://a:r@p:t/*0/x", Part::Version),
            ("ucxl://a:r@p:t/*01/x", Part::Version),
            ("ucxl://a:r@p:t/~~0/x", Part::Version),
            ("ucxl://a:r@p:t/~1/x", Part::Version),
            ("ucxl://a:r@p:t/*-1/x", Part::Version),
            ("ucxl://a:r@p:t/*99999999999999999999/x", Part::Version),
            ("ucxl://a:r@p:t/*^", Part::Path),
            ("ucxl://a:r@p:t/*^/", Part::Path),
            ("ucxl://a:r@p:t/*^/x/", Part::Path),
            ("ucxl://a:r@p:t/*^/x//y", Part::Path),
            ("ucxl://a:r@p:t/*^/../etc", Part::Path),
            ("ucxl://a:r@p:t/*^/./x", Part::Path),
            ("ucxl://a:r@p:t/*^/x y", Part::Path),
            ("ucxl://a:r@p:t/*^/x?q=1", Part::Path),
            (&long_path, Part::Path),
            (&deep, Part::Path),
            (&too_long, Part::Address),
        ];
        for (text, part) in table {
            let err = text.parse::<Address>().unwrap_err();
            assert_eq!(err.part(), *part, "{text:?} gave {err}");
            assert!(err.value().chars().count() <= MAX_ECHO + 1, "{err}");
            assert!(err.to_string().contains("expected"), "{err}");
        }
    }

    #[test]
    fn error_names_part_value_and_expectation() {
        let err = "ucxl://a:Admin@p:t/*^/x".parse::<Address>().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("ucxl role = \"Admin\": expected {ROLE_RULE}")
        );
    }

    #[test]
    fn new_validates_like_parse() {
        assert!(Address::new("a", "r", "p", "t", Version::Nth(0), "x").is_err());
        assert_eq!(
            Address::new("a", "r", "p", "t", Version::Latest, "/x")
                .unwrap_err()
                .part(),
            Part::Path
        );
        let a = Address::new("a", "r", "p", "t", Version::Nth(2), "x/y").unwrap();
        assert_eq!(a.to_string().parse::<Address>().unwrap(), a);
    }

    fn name() -> impl Strategy<Value = String> {
        "[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
    }

    fn version() -> impl Strategy<Value = Version> {
        prop_oneof![
            Just(Version::Latest),
            (1..=u64::MAX).prop_map(Version::Nth),
            (1..=u64::MAX).prop_map(Version::BeforeLatest),
        ]
    }

    fn path() -> impl Strategy<Value = String> {
        prop::collection::vec("[A-Za-z0-9._~-]{1,15}", 1..=MAX_PATH_SEGMENTS)
            .prop_filter("no dot segments", |segs| {
                segs.iter().all(|s| s != "." && s != "..")
            })
            .prop_map(|segs| segs.join("/"))
    }

    proptest! {
        #[test]
        fn print_then_parse_is_identity(
            agent in name(),
            role in "[a-z0-9][a-z0-9_-]{0,31}",
            project in name(),
            task in name(),
            version in version(),
            path in path(),
        ) {
            let a = Address::new(&agent, &role, &project, &task, version, &path).unwrap();
            let text = a.to_string();
            let parsed: Address = text.parse().unwrap();
            prop_assert_eq!(&parsed, &a);
            prop_assert_eq!(parsed.to_string(), text);
            prop_assert_eq!(version.to_string().parse::<Version>().unwrap(), version);
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
            let _ = s.parse::<Address>();
        }
    }
}
