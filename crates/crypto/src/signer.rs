//! The node's signing key.
use std::fmt;

use ed25519_dalek::{Signer as _, SigningKey};

use crate::public_key::{KeyError, PublicKey};
use crate::signature::Signature;

/// Signs with the node's ed25519 key.
///
/// Built from the 32-byte secret seed of the node's libp2p ed25519 keypair (as
/// `libp2p::identity::ed25519::Keypair::secret()` gives it), so signatures verify under the same
/// public key the node's PeerId is derived from. The key is zeroed when the signer is dropped,
/// and `Debug` shows only the PeerId.
pub struct NodeSigner {
    key: SigningKey,
    public: PublicKey,
    peer_id: String,
}

impl NodeSigner {
    /// A signer from the 32-byte secret seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let public = PublicKey::from_dalek(key.verifying_key());
        let peer_id = public.peer_id();
        Self {
            key,
            public,
            peer_id,
        }
    }

    /// A signer from a seed given as a slice, which must be exactly 32 bytes. The error gives
    /// the length only, never the bytes.
    pub fn from_seed_slice(seed: &[u8]) -> Result<Self, KeyError> {
        let seed = <&[u8; 32]>::try_from(seed).map_err(|_| KeyError::Length { len: seed.len() })?;
        Ok(Self::from_seed(seed))
    }

    /// The public key that verifies this signer's signatures.
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// The libp2p PeerId (base58) of the node.
    pub fn peer_id(&self) -> &str {
        &self.peer_id
    }

    /// Signs `msg` (deterministic ed25519, RFC 8032).
    pub fn sign(&self, msg: &[u8]) -> Signature {
        Signature::from_bytes(self.key.sign(msg).to_bytes())
    }
}

impl fmt::Debug for NodeSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeSigner")
            .field("peer_id", &self.peer_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::verify;

    const SEED: [u8; 32] = [7; 32];

    #[test]
    fn signature_verifies_and_tampering_fails() {
        let signer = NodeSigner::from_seed(&SEED);
        let sig = signer.sign(b"hello");
        let key = signer.public_key().to_bytes();
        verify(&key, b"hello", sig.as_bytes()).unwrap();
        assert!(verify(&key, b"hellO", sig.as_bytes()).is_err());
        let mut bad = sig.to_bytes();
        bad[3] ^= 1;
        assert!(verify(&key, b"hello", &bad).is_err());
        let other = NodeSigner::from_seed(&[8; 32]).public_key().to_bytes();
        assert!(verify(&other, b"hello", sig.as_bytes()).is_err());
        assert!(verify(&key[..31], b"hello", sig.as_bytes()).is_err());
        assert!(verify(&key, b"hello", &sig.as_bytes()[..63]).is_err());
    }

    #[test]
    fn matches_libp2p_keypair_from_same_seed() {
        let mut seed = SEED;
        let kp = libp2p_identity::Keypair::ed25519_from_bytes(&mut seed).unwrap();
        let signer = NodeSigner::from_seed(&SEED);
        assert_eq!(signer.peer_id(), kp.public().to_peer_id().to_base58());
        // ed25519 is deterministic: both libraries give the same signature for the same key.
        let theirs = kp.sign(b"msg").unwrap();
        assert_eq!(theirs.as_slice(), signer.sign(b"msg").as_bytes());
        assert!(kp.public().verify(b"msg", signer.sign(b"msg").as_bytes()));
    }

    #[test]
    fn seed_slice_length_is_checked_and_debug_hides_key() {
        assert_eq!(
            NodeSigner::from_seed_slice(&[1; 31]).unwrap_err(),
            KeyError::Length { len: 31 }
        );
        let signer = NodeSigner::from_seed_slice(&SEED).unwrap();
        let shown = format!("{signer:?}");
        assert!(shown.contains(signer.peer_id()));
        assert!(!shown.contains(&hex::encode(SEED)));
    }
}
