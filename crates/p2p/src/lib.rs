//! The Chorus mesh.
//!
//! Owns the libp2p swarm: one event loop task drives it, and the rest of the node talks to it
//! through a cloneable [`Handle`] over bounded channels (commands with oneshot replies). It knows
//! the cluster's protocols by name (Kademlia, gossip topics, request-response protocols) but
//! nothing of what travels on them: payloads are bytes. It knows no Raft and no palace.
//!
//! Transport: TCP, optionally wrapped in a private-network layer keyed by the cluster secret,
//! then Noise and Yamux. Behaviours: identify (used to check a peer belongs to our cluster),
//! ping, mDNS, Kademlia in server mode, gossipsub (signed, strict validation) and one
//! request-response behaviour per protocol, each with bounded message sizes.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod behaviour;
mod codec;
mod config;
mod dns;
mod error;
mod event_loop;
mod handle;
mod metrics;
mod peers;
mod presence;
mod transport;
mod vocab;

pub use codec::BytesCodec;
pub use config::{Config, ConfigError, Limits, default_listen, validate_cluster_name};
pub use dns::{DnsTarget, Resolver, StaticResolver, SystemResolver};
pub use error::{DhtError, Error, RequestError};
pub use handle::{Handle, start};
pub use libp2p::{Multiaddr, PeerId, identity::Keypair};
pub use presence::Presence;
pub use transport::psk_from_secret;
pub use vocab::{
    Event, GossipMessage, Inbound, InboundRequest, PeerInfo, Protocol, Topic, Validation,
    ValidationToken,
};

/// The multiaddr component `/p2p/<peer>`, to append to a listen address.
pub fn multiaddr_p2p(peer: PeerId) -> libp2p::multiaddr::Protocol<'static> {
    libp2p::multiaddr::Protocol::P2p(peer)
}
