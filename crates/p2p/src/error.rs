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

/// A DHT put or get failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DhtError {
    /// The node runs without the DHT (`dht = false`).
    #[error("dht: disabled on this node (dht = false)")]
    Disabled,
    /// The value is larger than the limit.
    #[error("dht value of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The value size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The local store refused the value (full).
    #[error("dht: the local store refused the value: {0}")]
    Store(String),
    /// No peer stored the value (it is kept locally only).
    #[error("dht put {key}: no peer stored the value ({reason}); kept on this node only")]
    NotReplicated {
        /// The key, hex.
        key: String,
        /// Why.
        reason: String,
    },
    /// No node had the value.
    #[error("dht get {key}: not found")]
    NotFound {
        /// The key, hex.
        key: String,
    },
    /// The query did not finish in time.
    #[error("dht {op} {key}: no result within {timeout:?}")]
    Timeout {
        /// `put` or `get`.
        op: &'static str,
        /// The key, hex.
        key: String,
        /// The deadline.
        timeout: Duration,
    },
    /// Too many queries in flight.
    #[error("dht: {limit} queries already in flight (limit)")]
    Busy {
        /// The limit.
        limit: usize,
    },
    /// The mesh is stopping or overloaded.
    #[error("{0}")]
    Local(String),
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
