//! The envelope around a header, and its verification.
use chorus_crypto::Signature;
use chorus_types::ucxl::Address;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cid::Cid;
use crate::codec::{DecodeError, Reader, Writer};
use crate::header::Header;
use crate::rejection::Rejection;

/// The first bytes of every record.
pub const MAGIC: [u8; 4] = *b"CHRD";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Default limit on a whole record in bytes. Large enough for a task result with logs; small
/// enough that a hostile peer cannot make a node buffer much (DESIGN §12.6). Bodies beyond it
/// belong in the palace as chunked drawers, referenced from the record.
pub const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;
/// Limit on the encoded header. The schema's own limits keep a valid header under 8 KiB.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Domain separation: a signature over a record can never be mistaken for, or replayed as, a
/// signature the node key makes in another protocol (libp2p signs with its own prefixes).
const SIGNING_CONTEXT: &[u8] = b"chorus/record/v1/signature\n";
/// Every age v1 file starts with this line; checking it rejects obvious garbage early.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";
/// Bytes around the header and ciphertext: magic, version, two lengths, signature.
const FRAME_BYTES: usize = MAGIC.len() + 1 + 4 + 64 + 4;

/// Limits applied when verifying or building records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest whole record accepted or built, in bytes. Default [`MAX_RECORD_BYTES`].
    pub max_record_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_record_bytes: MAX_RECORD_BYTES,
        }
    }
}

/// A record whose encoding, schema, signature and author were all checked: produced only by
/// [`verify`], [`verify_with`] and [`crate::build`]. Holds the canonical bytes, which are what
/// to store, put in the DHT or export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRecord {
    header: Header,
    signature: Signature,
    bytes: Vec<u8>,
    ciphertext_at: usize,
    cid: Cid,
}

/// What a node announces on the `decisions/1` topic after publishing a record (DESIGN §7).
/// Receivers fetch the record by cid and [`verify`] it before trusting any of this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    /// The record's content id.
    pub cid: Cid,
    /// The record's address.
    pub address: Address,
    /// The author's PeerId.
    pub author: String,
}

impl VerifiedRecord {
    /// The checked header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The content id: SHA-256 of [`VerifiedRecord::as_bytes`].
    pub fn cid(&self) -> Cid {
        self.cid
    }

    /// The author's signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The age ciphertext of the body.
    pub fn ciphertext(&self) -> &[u8] {
        &self.bytes[self.ciphertext_at..]
    }

    /// The canonical encoding of the whole record.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The canonical encoding, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The gossip announcement for this record.
    pub fn announcement(&self) -> Announcement {
        Announcement {
            cid: self.cid,
            address: self.header.address.clone(),
            author: self.header.author_peer_id.clone(),
        }
    }
}

/// The bytes the author signs: a context string, the canonical header and the SHA-256 of the
/// ciphertext. Signing the digest rather than the ciphertext keeps the signed message small and
/// lets a verifier hash a large body once.
pub(crate) fn signing_message(header: &[u8], ciphertext: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(SIGNING_CONTEXT.len() + header.len() + 32);
    msg.extend_from_slice(SIGNING_CONTEXT);
    msg.extend_from_slice(header);
    msg.extend_from_slice(&Sha256::digest(ciphertext));
    msg
}

/// The encoded length of a record with these parts.
pub(crate) fn encoded_len(header: &[u8], ciphertext: &[u8]) -> usize {
    FRAME_BYTES + header.len() + ciphertext.len()
}

/// Lays out the envelope. Callers have checked both lengths against the limits, which are far
/// below `u32::MAX`.
pub(crate) fn assemble(
    header: Header,
    header_bytes: &[u8],
    signature: Signature,
    ciphertext: &[u8],
) -> VerifiedRecord {
    let mut w = Writer::with_capacity(encoded_len(header_bytes, ciphertext));
    w.bytes(&MAGIC);
    w.u8(FORMAT_VERSION);
    w.u32(header_bytes.len() as u32);
    w.bytes(header_bytes);
    w.bytes(signature.as_bytes());
    w.u32(ciphertext.len() as u32);
    let ciphertext_at = w.len();
    w.bytes(ciphertext);
    let bytes = w.into_vec();
    VerifiedRecord {
        header,
        signature,
        cid: Cid::of(&bytes),
        bytes,
        ciphertext_at,
    }
}

/// Verifies a record with the default [`Limits`]. See [`verify_with`].
pub fn verify(bytes: &[u8]) -> Result<VerifiedRecord, Rejection> {
    verify_with(bytes, &Limits::default())
}

/// Verifies a record: checks, in this order, its size against `limits`, its magic and format
/// version, its decoding and schema, the signature under the header's author key, and that the
/// claimed author PeerId is the one of that key. Never panics, and allocates at most a copy of
/// the input, whatever the input.
pub fn verify_with(bytes: &[u8], limits: &Limits) -> Result<VerifiedRecord, Rejection> {
    if bytes.len() > limits.max_record_bytes {
        return Err(Rejection::TooLarge {
            len: bytes.len(),
            max: limits.max_record_bytes,
        });
    }
    let mut r = Reader::new(bytes);
    if r.take("magic", MAGIC.len()).ok() != Some(&MAGIC[..]) {
        return Err(DecodeError::new("magic", "expected a Chorus record (CHRD)").into());
    }
    let version = r.u8("version")?;
    if version != FORMAT_VERSION {
        return Err(Rejection::UnsupportedVersion {
            version,
            expected: FORMAT_VERSION,
        });
    }
    let header_len = r.u32("header")? as usize;
    if header_len > MAX_HEADER_BYTES {
        return Err(DecodeError::new(
            "header",
            format!("{header_len} bytes: expected at most {MAX_HEADER_BYTES}"),
        )
        .into());
    }
    let header_bytes = r.take("header", header_len)?;
    let header = Header::decode(header_bytes)?;
    let signature = Signature::from_bytes(r.array("signature")?);
    let ciphertext_len = r.u32("ciphertext")? as usize;
    let ciphertext_at = r.pos();
    let ciphertext = r.take("ciphertext", ciphertext_len)?;
    if !r.rest().is_empty() {
        return Err(DecodeError::new("ciphertext", "bytes after the ciphertext").into());
    }
    if !ciphertext.starts_with(AGE_MAGIC) {
        return Err(DecodeError::new("ciphertext", "expected an age v1 file").into());
    }
    header
        .author_key
        .verify(&signing_message(header_bytes, ciphertext), &signature)
        .map_err(|_| Rejection::BadSignature {
            key: header.author_key.to_string(),
        })?;
    let derived = header.author_key.peer_id();
    if derived != header.author_peer_id {
        return Err(Rejection::AuthorMismatch {
            claimed: header.author_peer_id.clone(),
            derived,
        });
    }
    Ok(VerifiedRecord {
        header,
        signature,
        cid: Cid::of(bytes),
        bytes: bytes.to_vec(),
        ciphertext_at,
    })
}
