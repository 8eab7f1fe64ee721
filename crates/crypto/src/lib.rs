//! Keys of a Chorus node: its ed25519 identity, age X25519 role keys and secret key files.
//!
//! This crate owns:
//! - [`NodeSigner`], [`PublicKey`], [`Signature`] and [`verify`]: ed25519 signatures with the
//!   node key (the 32-byte seed of the node's libp2p ed25519 keypair), verified strictly, and the
//!   libp2p PeerId of a public key ([`PublicKey::peer_id`]) so a claimed author can be checked
//!   against the key that signed;
//! - [`RoleIdentity`] and [`RoleRecipient`]: age X25519 identities held by the nodes of a role,
//!   and their public recipients;
//! - [`keyfile`]: reading secret files that refuse loose permissions, and writing them with mode
//!   0600 atomically.
//!
//! It does not own where keys live (the node's data directory), how role recipients are
//! distributed (the palace's role registry), nor record formats (`chorus-records`). It performs
//! file IO only in [`keyfile`] and the role-key file helpers, never network IO, and is Unix-only
//! (file modes).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod keyfile;
mod public_key;
mod recipient;
mod role;
mod signature;
mod signer;

pub use keyfile::KeyFileError;
pub use public_key::{KeyError, PublicKey, verify};
pub use recipient::{RecipientError, RoleRecipient};
pub use role::{MAX_ROLE_FILES, RoleIdentity, RoleKeyError, role_key_path};
pub use signature::{Signature, SignatureError};
pub use signer::NodeSigner;

/// The `secrecy` crate used for secrets this crate returns (`ExposeSecret`, `SecretString`, …).
pub use age::secrecy;
