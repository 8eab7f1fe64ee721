//! The vocabulary the handle and the event loop share: protocols, topics, what arrives from
//! peers, and the commands the handle sends the loop. Neither side imports the other for it.

use std::{
    fmt,
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use libp2p::{Multiaddr, PeerId, gossipsub::MessageId};
use tokio::sync::{mpsc, oneshot};

use crate::{DhtError, Error, Presence, RequestError};

/// A request-response protocol of the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// `/chorus/<cluster>/raft/1`: Raft RPCs between members.
    Raft,
    /// `/chorus/<cluster>/write/1`: writes forwarded to the leader.
    Write,
    /// `/chorus/<cluster>/records/1`: decision records fetched from a peer.
    Records,
}

impl Protocol {
    /// Every protocol.
    pub const ALL: [Protocol; 3] = [Protocol::Raft, Protocol::Write, Protocol::Records];

    /// Short name, used in protocol ids and as a metric label.
    pub fn name(self) -> &'static str {
        match self {
            Self::Raft => "raft",
            Self::Write => "write",
            Self::Records => "records",
        }
    }

    /// The protocol id for `cluster`.
    pub fn id(self, cluster: &str) -> String {
        format!("/chorus/{cluster}/{}/1", self.name())
    }
}

/// A gossip topic of the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// `chorus/<cluster>/presence/1`: node self-descriptions.
    Presence,
    /// `chorus/<cluster>/decisions/1`: decision record announcements.
    Decisions,
    /// `chorus/<cluster>/hmmm/1`: discussion threads.
    Hmmm,
    /// `chorus/<cluster>/tasks/1`: task events.
    Tasks,
}

impl Topic {
    /// Every topic, all subscribed at start.
    pub const ALL: [Topic; 4] = [Topic::Presence, Topic::Decisions, Topic::Hmmm, Topic::Tasks];

    /// Short name, used in topic names and as a metric label.
    pub fn name(self) -> &'static str {
        match self {
            Self::Presence => "presence",
            Self::Decisions => "decisions",
            Self::Hmmm => "hmmm",
            Self::Tasks => "tasks",
        }
    }

    /// The gossipsub topic string for `cluster`.
    pub fn topic_string(self, cluster: &str) -> String {
        format!("chorus/{cluster}/{}/1", self.name())
    }
}

/// Identifies a received gossip message whose forwarding waits for the application's verdict.
#[derive(Debug, Clone)]
pub struct ValidationToken {
    pub(crate) id: MessageId,
    pub(crate) source: PeerId,
}

/// The application's verdict on a gossip message of a validated topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Keep and forward it.
    Accept,
    /// Drop it and penalise the sender.
    Reject,
    /// Drop it without penalty.
    Ignore,
}

/// A gossip message delivered to the application.
#[derive(Debug, Clone)]
pub struct GossipMessage {
    /// Its topic.
    pub topic: Topic,
    /// The peer that signed it.
    pub source: Option<PeerId>,
    /// The peer that forwarded it to us.
    pub propagated_by: PeerId,
    /// The payload.
    pub data: Arc<Vec<u8>>,
    /// Present when the topic is application-validated: report a verdict with
    /// [`crate::Handle::report_validation`] before the message is forwarded.
    pub validation: Option<ValidationToken>,
}

/// What the mesh tells the rest of the node.
#[derive(Debug, Clone)]
pub enum Event {
    /// A peer of our cluster is connected and identified.
    PeerConnected(PeerId),
    /// The last connection to a cluster peer closed.
    PeerDisconnected(PeerId),
    /// A gossip message arrived.
    Gossip(Box<GossipMessage>),
}

/// A request from a peer, to be answered through `reply`. Dropping `reply` refuses the request.
pub struct InboundRequest {
    /// Who asked.
    pub peer: PeerId,
    /// The payload.
    pub data: Vec<u8>,
    /// Where the answer goes.
    pub reply: oneshot::Sender<Vec<u8>>,
}

impl fmt::Debug for InboundRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InboundRequest")
            .field("peer", &self.peer)
            .field("bytes", &self.data.len())
            .finish()
    }
}

/// What the node knows about a peer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeerInfo {
    /// The peer's id.
    pub peer_id: String,
    /// Known addresses.
    pub addrs: Vec<String>,
    /// Whether a connection is open now.
    pub connected: bool,
    /// The agent string it announced through identify.
    pub agent_version: Option<String>,
    /// Its latest presence announcement.
    pub presence: Option<Presence>,
}

/// Inbound request queues, one per protocol. Whoever serves a protocol takes its receiver;
/// requests on a protocol nobody serves are refused once its queue is full.
#[derive(Debug)]
pub struct Inbound {
    /// Raft RPCs.
    pub raft: mpsc::Receiver<InboundRequest>,
    /// Forwarded writes.
    pub write: mpsc::Receiver<InboundRequest>,
    /// Record fetches.
    pub records: mpsc::Receiver<InboundRequest>,
}

/// What the handle asks of the event loop, each with the channel its answer goes back on.
pub(crate) enum Command {
    Publish {
        topic: Topic,
        data: Vec<u8>,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    Request {
        peer: PeerId,
        protocol: Protocol,
        data: Vec<u8>,
        reply: oneshot::Sender<Result<Vec<u8>, RequestError>>,
    },
    Peers {
        reply: oneshot::Sender<Vec<PeerInfo>>,
    },
    Dial {
        addr: Multiaddr,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    SetPresence {
        presence: Presence,
        reply: oneshot::Sender<()>,
    },
    UpdatePresence {
        update: Box<dyn FnOnce(&mut Presence) + Send>,
        reply: oneshot::Sender<()>,
    },
    Validate {
        token: ValidationToken,
        verdict: Validation,
        reply: oneshot::Sender<()>,
    },
    Block {
        peer: PeerId,
        blocked: bool,
        reply: oneshot::Sender<()>,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
    DhtPut {
        value: Vec<u8>,
        reply: oneshot::Sender<Result<[u8; 32], DhtError>>,
    },
    DhtGet {
        hash: [u8; 32],
        reply: oneshot::Sender<Result<Vec<u8>, DhtError>>,
    },
    DhtLocal {
        reply: oneshot::Sender<Vec<Vec<u8>>>,
    },
}

/// Wall time in ms since the Unix epoch (presence announcements carry it).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
