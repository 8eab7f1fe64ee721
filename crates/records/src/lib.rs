//! Decision records (DESIGN §7): canonical bytes, signing, age encryption, verification.
//!
//! This crate owns the record envelope and every check a receiver makes on one. It is pure: it
//! never publishes, stores, logs or reads a clock. The palace stores records, the node publishes
//! them (palace, DHT, `decisions/1` gossip), p2p carries them; all of them call [`verify`] (or
//! [`verify_with`]) on bytes from anywhere before keeping or forwarding them, and count
//! rejections by [`Rejection::reason`]. Only [`verify_file`] and [`decrypt_file`] read files,
//! for the offline CLI.
//!
//! # Envelope, format version 1
//!
//! All integers big-endian; `header` is laid out as documented on [`Header`]:
//!
//! ```text
//! "CHRD"          4 bytes  magic
//! 0x01            u8       format version
//! header_len      u32      at most MAX_HEADER_BYTES
//! header          header_len bytes, canonical
//! signature       64 bytes ed25519 by header.author_key over
//!                          "chorus/record/v1/signature\n" || header || SHA-256(ciphertext)
//! ciphertext_len  u32
//! ciphertext      an age v1 file (binary) encrypting the body to every recipient of every
//!                 recipient role; nothing may follow it
//! ```
//!
//! The encoding is canonical: a decoder accepts exactly the bytes the encoder produces (flags are
//! 0 or 1, roles sorted and unique, no trailing bytes, re-encoding checked), so a record has one
//! encoding and its content id, [`Cid`] = SHA-256 of the whole envelope, is stable. The signature
//! covers the header and the ciphertext; together with strict ed25519 verification this leaves no
//! byte of a record that can change without the record being rejected.
//!
//! # Checks on receipt
//!
//! [`verify_with`] checks in order: size ([`Limits::max_record_bytes`], default
//! [`MAX_RECORD_BYTES`], before anything else is read), magic and version, decoding and schema,
//! signature, and that `author_peer_id` is the PeerId of `author_key`. Only then is a
//! [`VerifiedRecord`] returned, with its [`Cid`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod build;
mod cid;
mod codec;
mod decrypt;
mod export;
mod header;
mod record;
mod rejection;

pub use build::{BuildError, Draft, RoleRecipients, build};
pub use cid::{Cid, CidError};
pub use decrypt::{DecryptError, decrypt};
pub use export::{
    ARMOR_BEGIN, ARMOR_END, FileError, armor, decrypt_file, verify_export, verify_file,
};
pub use header::{
    ADMIN_ROLE, Fencing, Header, MAX_CONTENT_TYPE_LEN, MAX_PARENTS, MAX_PEER_ID_LEN,
    MAX_RECIPIENT_ROLES, MAX_TASK_ID_LEN,
};
pub use record::{
    Announcement, FORMAT_VERSION, Limits, MAGIC, MAX_HEADER_BYTES, MAX_RECORD_BYTES,
    VerifiedRecord, verify, verify_with,
};
pub use rejection::Rejection;
