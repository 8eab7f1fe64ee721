//! Errors of the mesh.

use std::time::Duration;

/// Starting or commanding the mesh failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A listen address could not be bound.
    #[error("p2p.listen_addrs = {addr:?}: could not listen: {reason}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        reason: String,
    },
    /// The transport or a behaviour could not be built.
    #[error("p2p: could not build the swarm: {0}")]
    Build(String),
    /// Metrics could not be registered.
    #[error(transparent)]
    Metrics(#[from] chorus_telemetry::MetricError),
    /// The event loop has stopped (the node is shutting down).
    #[error("p2p: the mesh event loop has stopped")]
    Stopped,
    /// The command queue to the event loop is full.
    #[error("p2p: the command queue is full ({limit} commands); the mesh is overloaded")]
    QueueFull {
        /// The queue's capacity.
        limit: usize,
    },
    /// A gossip message is larger than the configured limit.
    #[error("gossip message of {size} bytes exceeds the limit of {limit} bytes")]
    MessageTooLarge {
        /// The message size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Gossipsub refused to publish (for example: no peer subscribed yet).
    #[error("gossip publish on {topic}: {reason}")]
    Publish {
        /// The topic.
        topic: String,
        /// Why.
        reason: String,
    },
}

/// A request to a peer failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RequestError {
    /// The request is larger than the protocol's limit.
    #[error("{protocol} request of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The protocol.
        protocol: &'static str,
        /// The request size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The peer could not be reached.
    #[error("{protocol} request to {peer}: could not reach the peer")]
    Unreachable {
        /// The protocol.
        protocol: &'static str,
        /// The peer.
        peer: String,
    },
    /// No response within the deadline; the peer may or may not have processed the request.
    #[error("{protocol} request to {peer}: no response within {timeout:?}")]
    Timeout {
        /// The protocol.
        protocol: &'static str,
        /// The peer.
        peer: String,
        /// The deadline.
        timeout: Duration,
    },
    /// The connection closed or the stream failed; the peer may have processed the request.
    #[error("{protocol} request to {peer}: {reason}")]
    Failed {
        /// The protocol.
        protocol: &'static str,
        /// The peer.
        peer: String,
        /// Why.
        reason: String,
    },
    /// The mesh is stopping or overloaded.
    #[error("{0}")]
    Local(String),
}

impl RequestError {
    /// Whether the peer certainly did not process the request (safe to retry anywhere).
    pub fn certainly_not_delivered(&self) -> bool {
        matches!(
            self,
            Self::TooLarge { .. } | Self::Unreachable { .. } | Self::Local(_)
        )
    }
}
