//! The signed, public header of a record, its schema and its canonical encoding.
//!
//! See [`Header`] for the encoding.
use std::collections::BTreeSet;

use chorus_crypto::PublicKey;
use chorus_types::ucxl::{Address, validate_role};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cid::Cid;
use crate::codec::{DecodeError, Reader, Writer};

/// The role every record is also encrypted to.
pub const ADMIN_ROLE: &str = "admin";
/// Most parents a record may name.
pub const MAX_PARENTS: usize = 64;
/// Most recipient roles a record may name (including `admin`).
pub const MAX_RECIPIENT_ROLES: usize = 32;
/// Longest task id, in bytes.
pub const MAX_TASK_ID_LEN: usize = 128;
/// Longest content type, in bytes.
pub const MAX_CONTENT_TYPE_LEN: usize = 128;
/// Longest author PeerId, in bytes (an ed25519 PeerId is 52).
pub const MAX_PEER_ID_LEN: usize = 128;

/// The fencing token `(term, index)` of the committed entry that authorised a record, for
/// records published as a side effect of a task (DESIGN §5). Ordered by term, then index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fencing {
    /// The Raft term of the entry.
    pub term: u64,
    /// The log index of the entry.
    pub index: u64,
}

/// The public header of a record. Only [`crate::VerifiedRecord`] guarantees that a header was
/// signed by its author; a `Header` on its own is just data.
///
/// Header encoding, v1 (see the crate documentation for the envelope around it). Integers are
/// big-endian; `str8`/`str16` is a `u8`/`u16` byte length followed by that many bytes of UTF-8:
///
/// ```text
/// str16  address            UCXL address, its canonical string
/// str8   author_peer_id     libp2p PeerId, base58
/// str8   author_agent       equal to the address's agent
/// [32]   author_key         ed25519 public key
/// str8   role               equal to the address's role
/// u64    created_at_ms      milliseconds since the Unix epoch, stamped by the author
/// u8     task?              0, or 1 followed by str8 task id
/// u8     fencing?           0, or 1 followed by u64 term, u64 index
/// u16    parent count       then that many 32-byte cids, no duplicates
/// u8     role count         then that many str8 role names, strictly ascending, with `admin`
/// str8   content_type
/// ```
///
/// The header is plaintext: anyone holding the record can read it. It must never carry a secret
/// (DESIGN §12.8); secrets go in the encrypted body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Where the record lives; its agent and role equal `author_agent` and `role`.
    pub address: Address,
    /// The libp2p PeerId of the author node; must derive from `author_key`.
    pub author_peer_id: String,
    /// The agent name of the author.
    pub author_agent: String,
    /// The author node's ed25519 public key, which signed the record (hex in JSON).
    #[serde(serialize_with = "key_to_hex", deserialize_with = "key_from_hex")]
    pub author_key: PublicKey,
    /// The role the author published as.
    pub role: String,
    /// When the author created the record, in milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    /// The task the record belongs to, if any.
    pub task: Option<String>,
    /// The fencing token of the entry that authorised the record, if any.
    pub fencing: Option<Fencing>,
    /// Records this one follows from.
    pub parents: Vec<Cid>,
    /// Roles whose holders can decrypt the body: sorted, unique, always including `admin`.
    pub recipient_roles: Vec<String>,
    /// The media type of the plaintext body, such as `text/markdown`.
    pub content_type: String,
}

fn key_to_hex<S: Serializer>(key: &PublicKey, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&key.to_string())
}

fn key_from_hex<'de, D: Deserializer<'de>>(d: D) -> Result<PublicKey, D::Error> {
    let text = String::deserialize(d)?;
    let bytes = hex::decode(&text).map_err(serde::de::Error::custom)?;
    PublicKey::from_bytes(&bytes).map_err(serde::de::Error::custom)
}

impl Header {
    /// Checks every field against the schema; the error names the field.
    pub(crate) fn validate(&self) -> Result<(), DecodeError> {
        if self.author_agent != self.address.agent() {
            return Err(DecodeError::new(
                "author_agent",
                "expected the agent of the address",
            ));
        }
        if self.role != self.address.role() {
            return Err(DecodeError::new("role", "expected the role of the address"));
        }
        let peer_ok = (1..=MAX_PEER_ID_LEN).contains(&self.author_peer_id.len())
            && self
                .author_peer_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric());
        if !peer_ok {
            return Err(DecodeError::new(
                "author_peer_id",
                "expected a base58 libp2p PeerId",
            ));
        }
        if let Some(task) = &self.task {
            let ok = (1..=MAX_TASK_ID_LEN).contains(&task.len())
                && task.bytes().all(|b| b.is_ascii_graphic());
            if !ok {
                return Err(DecodeError::new(
                    "task",
                    "expected 1-128 printable ASCII characters",
                ));
            }
        }
        if self.parents.len() > MAX_PARENTS {
            return Err(DecodeError::new(
                "parents",
                format!("expected at most {MAX_PARENTS}"),
            ));
        }
        if self.parents.iter().collect::<BTreeSet<_>>().len() != self.parents.len() {
            return Err(DecodeError::new("parents", "expected no duplicate cids"));
        }
        self.validate_roles()?;
        let ct = &self.content_type;
        let ok = (1..=MAX_CONTENT_TYPE_LEN).contains(&ct.len())
            && ct.contains('/')
            && ct.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
            && ct.trim() == ct;
        if !ok {
            return Err(DecodeError::new(
                "content_type",
                "expected a media type such as text/markdown (1-128 printable ASCII)",
            ));
        }
        Ok(())
    }

    fn validate_roles(&self) -> Result<(), DecodeError> {
        let roles = &self.recipient_roles;
        if roles.len() > MAX_RECIPIENT_ROLES {
            return Err(DecodeError::new(
                "recipient_roles",
                format!(
                    "{} roles: expected at most {MAX_RECIPIENT_ROLES}",
                    roles.len()
                ),
            ));
        }
        for role in roles {
            validate_role(role).map_err(|e| DecodeError::new("recipient_roles", e.to_string()))?;
        }
        if !roles.windows(2).all(|w| w[0] < w[1]) {
            return Err(DecodeError::new(
                "recipient_roles",
                "expected sorted, unique role names",
            ));
        }
        if !roles.iter().any(|r| r == ADMIN_ROLE) {
            return Err(DecodeError::new(
                "recipient_roles",
                "expected `admin` among them",
            ));
        }
        Ok(())
    }

    /// The canonical encoding. Call only on a header that passed [`Header::validate`].
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(512);
        w.str16(&self.address.to_string());
        w.str8(&self.author_peer_id);
        w.str8(&self.author_agent);
        w.bytes(&self.author_key.to_bytes());
        w.str8(&self.role);
        w.u64(self.created_at_ms);
        match &self.task {
            Some(task) => {
                w.u8(1);
                w.str8(task);
            }
            None => w.u8(0),
        }
        match self.fencing {
            Some(Fencing { term, index }) => {
                w.u8(1);
                w.u64(term);
                w.u64(index);
            }
            None => w.u8(0),
        }
        // Validation bounds both counts far below the width of their prefixes.
        w.u16(self.parents.len() as u16);
        for parent in &self.parents {
            w.bytes(parent.as_bytes());
        }
        w.u8(self.recipient_roles.len() as u8);
        for role in &self.recipient_roles {
            w.str8(role);
        }
        w.str8(&self.content_type);
        w.into_vec()
    }

    /// Decodes and validates a header that must span all of `bytes`, and be canonical.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let address = r
            .str16("address")?
            .parse::<Address>()
            .map_err(|e| DecodeError::new("address", e.to_string()))?;
        let author_peer_id = r.str8("author_peer_id")?.to_owned();
        let author_agent = r.str8("author_agent")?.to_owned();
        let author_key = PublicKey::from_bytes(r.take("author_key", 32)?)
            .map_err(|e| DecodeError::new("author_key", e.to_string()))?;
        let role = r.str8("role")?.to_owned();
        let created_at_ms = r.u64("created_at_ms")?;
        let task = match r.flag("task")? {
            true => Some(r.str8("task")?.to_owned()),
            false => None,
        };
        let fencing = match r.flag("fencing")? {
            true => Some(Fencing {
                term: r.u64("fencing")?,
                index: r.u64("fencing")?,
            }),
            false => None,
        };
        let parent_count = usize::from(r.u16("parents")?);
        if parent_count > MAX_PARENTS {
            return Err(DecodeError::new(
                "parents",
                format!("{parent_count} parents: expected at most {MAX_PARENTS}"),
            ));
        }
        let mut parents = Vec::with_capacity(parent_count);
        for _ in 0..parent_count {
            parents.push(Cid::from_bytes(r.array("parents")?));
        }
        let role_count = usize::from(r.u8("recipient_roles")?);
        let mut recipient_roles = Vec::with_capacity(role_count.min(MAX_RECIPIENT_ROLES));
        for _ in 0..role_count {
            recipient_roles.push(r.str8("recipient_roles")?.to_owned());
        }
        let content_type = r.str8("content_type")?.to_owned();
        if r.remaining() != 0 {
            return Err(DecodeError::new(
                "header",
                format!("{} bytes after the last field", r.remaining()),
            ));
        }
        let header = Header {
            address,
            author_peer_id,
            author_agent,
            author_key,
            role,
            created_at_ms,
            task,
            fencing,
            parents,
            recipient_roles,
            content_type,
        };
        header.validate()?;
        // Every field is read strictly, so this only guards the rule itself: one header, one
        // encoding, hence one cid per signed content.
        if header.encode() != bytes {
            return Err(DecodeError::new("header", "not in canonical encoding"));
        }
        Ok(header)
    }
}
