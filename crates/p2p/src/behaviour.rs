//! The composed network behaviour and the names of the cluster's protocols and topics.

use libp2p::{
    StreamProtocol, allow_block_list, connection_limits, gossipsub, identify, kad, mdns, ping,
    request_response, swarm::NetworkBehaviour, swarm::behaviour::toggle::Toggle,
};

use crate::codec::BytesCodec;

/// Every behaviour the node runs, polled in field order.
#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    pub limits: connection_limits::Behaviour,
    pub blocked: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    pub identify: identify::Behaviour,
    pub ping: ping::Behaviour,
    pub mdns: Toggle<mdns::tokio::Behaviour>,
    pub kad: Toggle<kad::Behaviour<kad::store::MemoryStore>>,
    pub gossipsub: gossipsub::Behaviour,
    pub raft: request_response::Behaviour<BytesCodec>,
    pub write: request_response::Behaviour<BytesCodec>,
    pub records: request_response::Behaviour<BytesCodec>,
}

/// The identify protocol version that marks a peer as a member of `cluster`.
pub(crate) fn cluster_protocol_version(cluster: &str) -> String {
    format!("/chorus/{cluster}/1.0.0")
}

/// `/chorus/<cluster>/kad/1.0.0`: a Kademlia table per cluster.
pub(crate) fn kad_protocol(cluster: &str) -> Result<StreamProtocol, String> {
    StreamProtocol::try_from_owned(format!("/chorus/{cluster}/kad/1.0.0"))
        .map_err(|e| e.to_string())
}
