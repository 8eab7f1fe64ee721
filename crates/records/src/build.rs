//! Building a record: validate, encrypt, sign, encode.
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use chorus_crypto::{NodeSigner, RoleRecipient};
use chorus_types::ucxl::Address;

use crate::cid::Cid;
use crate::header::{ADMIN_ROLE, Fencing, Header};
use crate::record::{Limits, VerifiedRecord, assemble, encoded_len, signing_message};

/// The public recipients of each role, as the palace's role registry lists them.
pub type RoleRecipients = BTreeMap<String, Vec<RoleRecipient>>;

/// What an author wants to publish. The author's agent and role are those of `address`; the
/// author's PeerId and key come from the signer.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    /// Where the record lives.
    pub address: Address,
    /// Creation time in milliseconds since the Unix epoch, passed in so building stays pure.
    pub created_at_ms: u64,
    /// The task the record belongs to, if any.
    pub task: Option<String>,
    /// The fencing token that authorised the record, if any.
    pub fencing: Option<Fencing>,
    /// Records this one follows from.
    pub parents: Vec<Cid>,
    /// Roles that may read the body, in any order, duplicates allowed; `admin` is always added.
    pub recipient_roles: Vec<String>,
    /// The media type of `body`, such as `text/markdown`.
    pub content_type: String,
    /// The plaintext. It appears only inside the age ciphertext.
    pub body: &'a [u8],
}

/// A record could not be built. Never contains the body.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A field breaks the schema that receivers enforce.
    #[error("record {field}: {reason}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What was wrong, and what was expected.
        reason: String,
    },
    /// A listed role (or `admin`) has no recipient, so its holders could not read the record.
    #[error(
        "record recipient role {role:?}: no recipient known: expected at least one age recipient \
         for every listed role and for admin"
    )]
    NoRecipients {
        /// The role without recipients.
        role: String,
    },
    /// The encoded record would exceed the limit receivers apply.
    #[error(
        "record would be {len} bytes: expected at most {max} (store large bodies in the palace)"
    )]
    TooLarge {
        /// The encoded length (or, for an oversized body, the body's length).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// age encryption failed.
    #[error("record encryption failed: {0}")]
    Encrypt(String),
}

/// Builds a record: validates the draft, encrypts the body to every recipient of every listed
/// role and of `admin`, signs the header and ciphertext digest with the node key, and encodes
/// the envelope. The result passes [`crate::verify_with`] under the same `limits`.
pub fn build(
    draft: &Draft<'_>,
    signer: &NodeSigner,
    recipients: &RoleRecipients,
    limits: &Limits,
) -> Result<VerifiedRecord, BuildError> {
    // Reject an oversized body before spending time encrypting it.
    if draft.body.len() > limits.max_record_bytes {
        return Err(BuildError::TooLarge {
            len: draft.body.len(),
            max: limits.max_record_bytes,
        });
    }
    let roles: BTreeSet<String> = draft
        .recipient_roles
        .iter()
        .cloned()
        .chain([ADMIN_ROLE.to_owned()])
        .collect();
    let header = Header {
        address: draft.address.clone(),
        author_peer_id: signer.peer_id().to_owned(),
        author_agent: draft.address.agent().to_owned(),
        author_key: signer.public_key(),
        role: draft.address.role().to_owned(),
        created_at_ms: draft.created_at_ms,
        task: draft.task.clone(),
        fencing: draft.fencing,
        parents: draft.parents.clone(),
        recipient_roles: roles.into_iter().collect(),
        content_type: draft.content_type.clone(),
    };
    header.validate().map_err(|e| BuildError::Invalid {
        field: e.field,
        reason: e.reason,
    })?;
    let ciphertext = encrypt(draft.body, &header.recipient_roles, recipients)?;
    let header_bytes = header.encode();
    let len = encoded_len(&header_bytes, &ciphertext);
    if len > limits.max_record_bytes {
        return Err(BuildError::TooLarge {
            len,
            max: limits.max_record_bytes,
        });
    }
    let signature = signer.sign(&signing_message(&header_bytes, &ciphertext));
    Ok(assemble(header, &header_bytes, signature, &ciphertext))
}

/// Encrypts `body` to the union of the recipients of `roles`, each recipient once.
fn encrypt(
    body: &[u8],
    roles: &[String],
    recipients: &RoleRecipients,
) -> Result<Vec<u8>, BuildError> {
    let mut chosen: BTreeMap<String, &RoleRecipient> = BTreeMap::new();
    for role in roles {
        let listed = recipients.get(role).map(Vec::as_slice).unwrap_or_default();
        if listed.is_empty() {
            return Err(BuildError::NoRecipients { role: role.clone() });
        }
        for r in listed {
            chosen.insert(r.to_string(), r);
        }
    }
    let encryptor =
        age::Encryptor::with_recipients(chosen.values().map(|r| r.as_age() as &dyn age::Recipient))
            .map_err(|e| BuildError::Encrypt(e.to_string()))?;
    // age adds a header of about 100 bytes per recipient and 16 bytes per 64 KiB chunk.
    let capacity = body.len() + body.len() / 4096 + 128 * chosen.len() + 256;
    let mut out = Vec::with_capacity(capacity);
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| BuildError::Encrypt(e.to_string()))?;
    let encrypt_err = |e: std::io::Error| BuildError::Encrypt(e.to_string());
    writer.write_all(body).map_err(encrypt_err)?;
    writer.finish().map_err(encrypt_err)?;
    Ok(out)
}
