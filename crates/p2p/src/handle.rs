//! The cloneable handle through which the node talks to the mesh event loop.

use std::{fmt, sync::Arc, time::Duration};

use libp2p::{Multiaddr, PeerId, identity::Keypair};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use crate::{
    Config, DhtError, Error, Event, Inbound, PeerInfo, Presence, Protocol, RequestError, Topic,
    Validation, ValidationToken,
    dns::Resolver,
    event_loop::EventLoop,
    vocab::{Command, now_ms},
};

struct Shared {
    peer_id: PeerId,
    cluster: String,
    commands: mpsc::Sender<Command>,
    events: broadcast::Sender<Event>,
    listen_addrs: watch::Receiver<Vec<Multiaddr>>,
    members: watch::Receiver<Arc<Vec<PeerId>>>,
    command_limit: usize,
    dht_timeout: Duration,
}

/// A cloneable handle to the mesh. Every method is cancel-safe: dropping a call's future
/// abandons waiting for its answer but never corrupts the event loop.
#[derive(Clone)]
pub struct Handle {
    shared: Arc<Shared>,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("peer_id", &self.shared.peer_id)
            .finish()
    }
}

/// Starts the mesh. Returns once every listen address is bound, with the handle and the inbound
/// request queues.
pub async fn start(
    config: Config,
    keypair: Keypair,
    registry: &chorus_telemetry::Registry,
    resolver: Arc<dyn Resolver>,
) -> Result<(Handle, Inbound), Error> {
    let command_limit = config.limits.command_queue;
    let dht_timeout = config.limits.dht_timeout;
    let (cmd_tx, cmd_rx) = mpsc::channel(command_limit);
    let (events_tx, _) = broadcast::channel(config.limits.event_queue);
    let (raft_tx, raft_rx) = mpsc::channel(config.limits.inbound_queue);
    let (write_tx, write_rx) = mpsc::channel(config.limits.inbound_queue);
    let (records_tx, records_rx) = mpsc::channel(config.limits.inbound_queue);
    let peer_id = keypair.public().to_peer_id();
    let cluster = config.cluster.clone();
    let (mut event_loop, listen_rx, members_rx) = EventLoop::new(
        config,
        keypair,
        registry,
        resolver,
        cmd_rx,
        events_tx.clone(),
        [raft_tx, write_tx, records_tx],
    )?;
    event_loop.listen().await?;
    tokio::spawn(event_loop.run());
    let shared = Shared {
        peer_id,
        cluster,
        commands: cmd_tx,
        events: events_tx,
        listen_addrs: listen_rx,
        members: members_rx,
        command_limit,
        dht_timeout,
    };
    let inbound = Inbound {
        raft: raft_rx,
        write: write_rx,
        records: records_rx,
    };
    Ok((
        Handle {
            shared: Arc::new(shared),
        },
        inbound,
    ))
}

impl Handle {
    /// This node's peer id.
    pub fn local_peer_id(&self) -> PeerId {
        self.shared.peer_id
    }

    /// The cluster name.
    pub fn cluster(&self) -> &str {
        &self.shared.cluster
    }

    /// The addresses the node listens on now (real ports, after port 0 was resolved).
    pub fn listen_addrs(&self) -> Vec<Multiaddr> {
        self.shared.listen_addrs.borrow().clone()
    }

    /// Connected and identified peers of our cluster.
    pub fn connected_members(&self) -> Arc<Vec<PeerId>> {
        self.shared.members.borrow().clone()
    }

    /// A watch on the connected members, to await a peer count without polling.
    pub fn watch_members(&self) -> watch::Receiver<Arc<Vec<PeerId>>> {
        self.shared.members.clone()
    }

    /// Subscribes to mesh events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.shared.events.subscribe()
    }

    async fn call<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T, Error> {
        let (tx, rx) = oneshot::channel();
        self.shared
            .commands
            .try_send(make(tx))
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => Error::QueueFull {
                    limit: self.shared.command_limit,
                },
                mpsc::error::TrySendError::Closed(_) => Error::Stopped,
            })?;
        rx.await.map_err(|_| Error::Stopped)
    }

    /// Publishes `data` on `topic`.
    pub async fn publish(&self, topic: Topic, data: Vec<u8>) -> Result<(), Error> {
        self.call(|reply| Command::Publish { topic, data, reply })
            .await?
    }

    /// Sends a request to `peer` and waits for its response (bounded by the request timeout).
    pub async fn request(
        &self,
        peer: PeerId,
        protocol: Protocol,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, RequestError> {
        self.call(|reply| Command::Request {
            peer,
            protocol,
            data,
            reply,
        })
        .await
        .map_err(|e| RequestError::Local(e.to_string()))?
    }

    /// Stores `value` in the cluster's DHT under its SHA-256 (returned), on this node and on at
    /// least one peer closest to the key. [`DhtError::NotReplicated`] means it is kept on this
    /// node only. Bounded by `max_dht_value_bytes` and `dht_timeout`.
    pub async fn dht_put(&self, value: Vec<u8>) -> Result<[u8; 32], DhtError> {
        let wait = self.shared.dht_timeout + Duration::from_secs(1);
        let call = self.call(|reply| Command::DhtPut { value, reply });
        match tokio::time::timeout(wait, call).await {
            Ok(r) => r.map_err(|e| DhtError::Local(e.to_string()))?,
            Err(_) => Err(DhtError::Local(format!(
                "dht put: no answer within {wait:?}"
            ))),
        }
    }

    /// Fetches the value whose SHA-256 is `hash` from this node's store or the cluster's DHT.
    /// The first value that hashes to `hash` answers (quorum one); values that do not are
    /// refused and counted. Bounded by `dht_timeout`.
    pub async fn dht_get(&self, hash: [u8; 32]) -> Result<Vec<u8>, DhtError> {
        let wait = self.shared.dht_timeout + Duration::from_secs(1);
        let call = self.call(|reply| Command::DhtGet { hash, reply });
        match tokio::time::timeout(wait, call).await {
            Ok(r) => r.map_err(|e| DhtError::Local(e.to_string()))?,
            Err(_) => Err(DhtError::Local(format!(
                "dht get: no answer within {wait:?}"
            ))),
        }
    }

    /// Every value this node's DHT store holds now (at most `max_dht_records`), for inspection
    /// by operators and tests.
    pub async fn dht_local_values(&self) -> Result<Vec<Vec<u8>>, Error> {
        self.call(|reply| Command::DhtLocal { reply }).await
    }

    /// Everything known about peers of the cluster.
    pub async fn peers(&self) -> Result<Vec<PeerInfo>, Error> {
        self.call(|reply| Command::Peers { reply }).await
    }

    /// Dials an address now.
    pub async fn dial(&self, addr: Multiaddr) -> Result<(), Error> {
        self.call(|reply| Command::Dial { addr, reply }).await?
    }

    /// Replaces the presence this node announces, and announces it now.
    pub async fn set_presence(&self, mut presence: Presence) -> Result<(), Error> {
        presence.sent_at_ms = now_ms();
        self.call(|reply| Command::SetPresence { presence, reply })
            .await
    }

    /// Changes part of the presence this node announces; announces it if anything changed.
    pub async fn update_presence(
        &self,
        update: impl FnOnce(&mut Presence) + Send + 'static,
    ) -> Result<(), Error> {
        self.call(|reply| Command::UpdatePresence {
            update: Box::new(update),
            reply,
        })
        .await
    }

    /// Reports the verdict on an application-validated gossip message.
    pub async fn report_validation(
        &self,
        token: ValidationToken,
        verdict: Validation,
    ) -> Result<(), Error> {
        self.call(|reply| Command::Validate {
            token,
            verdict,
            reply,
        })
        .await
    }

    /// Test hook for partitions: while `blocked`, every connection to `peer` is closed and
    /// refused, so no traffic flows between the two nodes.
    pub async fn set_blocked(&self, peer: PeerId, blocked: bool) -> Result<(), Error> {
        self.call(|reply| Command::Block {
            peer,
            blocked,
            reply,
        })
        .await
    }

    /// Stops the event loop and closes every connection. Waits for the loop to finish.
    pub async fn shutdown(&self) {
        let _ = self.call(|reply| Command::Shutdown { reply }).await;
    }
}
