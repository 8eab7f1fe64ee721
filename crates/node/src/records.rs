//! Wiring of the records service: the node key as record signer, role keys from the data
//! directory.

use chorus_crypto::NodeSigner;
use chorus_p2p::{InboundRequest, Keypair};
use tokio::sync::mpsc;

use crate::{DataDir, node::StartError};

/// The record signer: the same ed25519 key the node's PeerId derives from (DESIGN §3).
pub(crate) fn signer(keypair: &Keypair) -> Result<NodeSigner, String> {
    let ed = keypair
        .clone()
        .try_into_ed25519()
        .map_err(|e| format!("keys/node.key: expected an ed25519 key: {e}"))?;
    NodeSigner::from_seed_slice(ed.secret().as_ref()).map_err(|e| e.to_string())
}

/// Starts the records service with role identities from `<data>/keys/roles`.
pub(crate) fn start(
    data_dir: &DataDir,
    p2p: chorus_p2p::Handle,
    consensus: chorus_consensus::Consensus,
    signer: NodeSigner,
    gate: chorus_decisions::RoleGate,
    inbound: mpsc::Receiver<InboundRequest>,
    registry: &chorus_telemetry::Registry,
) -> Result<chorus_decisions::Service, StartError> {
    let config = chorus_decisions::Config {
        roles_dir: data_dir.path("keys/roles"),
        ..chorus_decisions::Config::default()
    };
    chorus_decisions::Service::start(config, p2p, consensus, signer, gate, inbound, registry)
        .map_err(|e| StartError::Records(e.to_string()))
}
