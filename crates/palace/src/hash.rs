//! Content-derived identifiers.
//!
//! Every identifier is SHA-256 over a domain tag and length-prefixed parts (so `("ab", "c")`
//! and `("a", "bc")` differ), hex-encoded and truncated to [`ID_HEX_CHARS`] characters
//! (128 bits: a collision needs about 2^64 drawers).

use sha2::{Digest, Sha256};

/// Length of a drawer or tunnel id, in hex characters.
pub const ID_HEX_CHARS: usize = 32;

fn digest(tag: &str, parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(tag.as_bytes());
    h.update([0u8]);
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

fn short(d: [u8; 32]) -> String {
    let mut s = hex::encode(d);
    s.truncate(ID_HEX_CHARS);
    s
}

/// The id of a drawer with this wing, room and (full) content. `salt` is 0 except when that
/// id is already taken by a drawer whose content was later updated (see `Drawers::add`).
pub fn drawer_id(wing: &str, room: &str, content: &str, salt: u32) -> String {
    let salt = salt.to_be_bytes();
    let mut parts: Vec<&[u8]> = vec![wing.as_bytes(), room.as_bytes(), content.as_bytes()];
    if salt != [0; 4] {
        parts.push(&salt);
    }
    short(digest("chorus.drawer.v1", &parts))
}

/// The id of chunk `part` (1-based, > 1) of the drawer whose head id is `head`.
pub fn chunk_id(head: &str, part: u32) -> String {
    short(digest(
        "chorus.chunk.v1",
        &[head.as_bytes(), &part.to_be_bytes()],
    ))
}

/// The id of the (undirected) tunnel between two rooms given in canonical order.
pub fn tunnel_id(a_wing: &str, a_room: &str, b_wing: &str, b_room: &str) -> String {
    short(digest(
        "chorus.tunnel.v1",
        &[
            a_wing.as_bytes(),
            a_room.as_bytes(),
            b_wing.as_bytes(),
            b_room.as_bytes(),
        ],
    ))
}

/// Full SHA-256 of `content`, hex (used to find duplicate content).
pub fn content_sha256(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_length_prefixed_and_short() {
        assert_ne!(drawer_id("ab", "c", "x", 0), drawer_id("a", "bc", "x", 0));
        assert_ne!(drawer_id("a", "b", "x", 0), drawer_id("a", "b", "x", 1));
        assert_eq!(drawer_id("a", "b", "x", 0).len(), ID_HEX_CHARS);
        assert_eq!(content_sha256("").len(), 64);
    }
}
