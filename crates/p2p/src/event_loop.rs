//! The one task that owns the swarm.

use std::{
    collections::{HashMap, HashSet},
    net::IpAddr,
    num::NonZeroUsize,
    sync::Arc,
    time::Duration,
};

use futures::{StreamExt, future::BoxFuture, stream::FuturesUnordered};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Swarm, allow_block_list, connection_limits, gossipsub,
    identify,
    identity::Keypair,
    kad, mdns,
    multiaddr::Protocol as MaProto,
    ping,
    request_response::{self, OutboundRequestId, ProtocolSupport, ResponseChannel},
    swarm::{SwarmEvent, behaviour::toggle::Toggle, dial_opts::DialOpts},
};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tracing::{debug, info};

use crate::{
    Config, Error, Event, Presence, Protocol, RequestError, Topic, Validation,
    behaviour::{Behaviour, cluster_protocol_version, kad_protocol},
    codec::BytesCodec,
    dns::{DnsTarget, Resolver},
    metrics::Metrics,
    peers::Peers,
    vocab::{Command, InboundRequest, now_ms},
};

/// Minimum spacing between presence announcements triggered by peers subscribing.
const PRESENCE_DEBOUNCE: Duration = Duration::from_millis(300);
/// Dials started per redial tick, so a long list of dead peers cannot flood the transport.
const MAX_DIALS_PER_TICK: usize = 32;

type ReplyTx = oneshot::Sender<Result<Vec<u8>, RequestError>>;

type PendingResponse = BoxFuture<
    'static,
    (
        Protocol,
        ResponseChannel<Vec<u8>>,
        Result<Vec<u8>, oneshot::error::RecvError>,
    ),
>;

pub(crate) struct EventLoop {
    swarm: Swarm<Behaviour>,
    config: Config,
    metrics: Metrics,
    resolver: Arc<dyn Resolver>,
    commands: mpsc::Receiver<Command>,
    events: broadcast::Sender<Event>,
    inbound: [mpsc::Sender<InboundRequest>; 3],
    pending_out: HashMap<(Protocol, OutboundRequestId), ReplyTx>,
    pending_in: FuturesUnordered<PendingResponse>,
    pending_dht: HashMap<kad::QueryId, dht::Pending>,
    peers: Peers,
    /// Remote addresses of open connections we dialled by address, so DNS and bootstrap
    /// redials skip what is already connected.
    connected_addrs: HashMap<Multiaddr, PeerId>,
    listen_tx: watch::Sender<Vec<Multiaddr>>,
    members_tx: watch::Sender<Arc<Vec<PeerId>>>,
    topics: HashMap<gossipsub::TopicHash, Topic>,
    presence: Presence,
    last_presence: tokio::time::Instant,
    presence_due: bool,
    dns_tx: mpsc::Sender<(DnsTarget, Vec<IpAddr>)>,
    dns_rx: mpsc::Receiver<(DnsTarget, Vec<IpAddr>)>,
}

impl EventLoop {
    #[allow(clippy::type_complexity)]
    pub fn new(
        config: Config,
        keypair: Keypair,
        registry: &chorus_telemetry::Registry,
        resolver: Arc<dyn Resolver>,
        commands: mpsc::Receiver<Command>,
        events: broadcast::Sender<Event>,
        inbound: [mpsc::Sender<InboundRequest>; 3],
    ) -> Result<
        (
            Self,
            watch::Receiver<Vec<Multiaddr>>,
            watch::Receiver<Arc<Vec<PeerId>>>,
        ),
        Error,
    > {
        let metrics = Metrics::new(registry)?;
        let swarm = build_swarm(&config, keypair, &metrics)?;
        let mut topics = HashMap::new();
        for t in Topic::ALL {
            let topic = gossipsub::IdentTopic::new(t.topic_string(&config.cluster));
            topics.insert(topic.hash(), t);
        }
        let (listen_tx, listen_rx) = watch::channel(Vec::new());
        let (members_tx, members_rx) = watch::channel(Arc::new(Vec::new()));
        let (dns_tx, dns_rx) = mpsc::channel(64);
        let mut this = Self {
            swarm,
            config,
            metrics,
            resolver,
            commands,
            events,
            inbound,
            pending_out: HashMap::new(),
            pending_in: FuturesUnordered::new(),
            pending_dht: HashMap::new(),
            peers: Peers::default(),
            connected_addrs: HashMap::new(),
            listen_tx,
            members_tx,
            topics,
            presence: Presence::default(),
            last_presence: tokio::time::Instant::now(),
            presence_due: false,
            dns_tx,
            dns_rx,
        };
        for t in Topic::ALL {
            let topic = gossipsub::IdentTopic::new(t.topic_string(&this.config.cluster));
            this.swarm
                .behaviour_mut()
                .gossipsub
                .subscribe(&topic)
                .map_err(|e| Error::Build(format!("subscribe {}: {e}", t.name())))?;
        }
        Ok((this, listen_rx, members_rx))
    }

    /// Binds every listen address and waits until each has reported a real address.
    pub async fn listen(&mut self) -> Result<(), Error> {
        let mut waiting = HashSet::new();
        for addr in self.config.listen_addrs.clone() {
            let id = self
                .swarm
                .listen_on(addr.clone())
                .map_err(|e| Error::Listen {
                    addr: addr.to_string(),
                    reason: e.to_string(),
                })?;
            waiting.insert(id);
        }
        let deadline = tokio::time::sleep(Duration::from_secs(10));
        tokio::pin!(deadline);
        while !waiting.is_empty() {
            tokio::select! {
                ev = self.swarm.select_next_some() => {
                    match &ev {
                        SwarmEvent::NewListenAddr { listener_id, .. } => { waiting.remove(listener_id); }
                        SwarmEvent::ListenerClosed { addresses, reason, .. } => {
                            return Err(Error::Listen {
                                addr: format!("{addresses:?}"),
                                reason: format!("{reason:?}"),
                            });
                        }
                        _ => {}
                    }
                    self.on_swarm_event(ev);
                }
                _ = &mut deadline => {
                    return Err(Error::Listen { addr: format!("{:?}", self.config.listen_addrs), reason: "no address reported within 10 s".into() });
                }
            }
        }
        Ok(())
    }

    pub async fn run(mut self) {
        self.bootstrap();
        let mut redial = tokio::time::interval(self.config.redial_interval);
        redial.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut presence = tokio::time::interval(self.config.presence_interval);
        let mut dns = tokio::time::interval(self.config.dns_interval);
        dns.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut debounce = tokio::time::interval(PRESENCE_DEBOUNCE);
        loop {
            tokio::select! {
                ev = self.swarm.select_next_some() => self.on_swarm_event(ev),
                cmd = self.commands.recv() => match cmd {
                    Some(Command::Shutdown { reply }) => { let _ = reply.send(()); break; }
                    Some(cmd) => self.on_command(cmd),
                    None => break,
                },
                Some((protocol, channel, res)) = self.pending_in.next(), if !self.pending_in.is_empty() => {
                    self.send_response(protocol, channel, res);
                }
                Some((target, ips)) = self.dns_rx.recv() => self.on_dns(target, ips),
                _ = redial.tick() => self.redial(),
                _ = presence.tick() => self.presence_due = true,
                _ = dns.tick() => self.resolve_dns(),
                _ = debounce.tick() => {}
            }
            if self.presence_due && self.last_presence.elapsed() >= PRESENCE_DEBOUNCE {
                self.announce_presence();
            }
        }
        info!(peer = %self.swarm.local_peer_id(), "mesh event loop stopped");
    }

    fn bootstrap(&mut self) {
        for addr in self.config.bootstrap_peers.clone() {
            self.dial_addr(addr);
        }
        self.resolve_dns();
    }

    fn dial_addr(&mut self, addr: Multiaddr) {
        if self.connected_addrs.contains_key(&addr) || self.is_own_addr(&addr) {
            return;
        }
        if let Some(MaProto::P2p(peer)) = addr.iter().last()
            && (self.peers.get(&peer).is_some_and(|p| p.connections > 0)
                || peer == *self.swarm.local_peer_id())
        {
            return;
        }
        if let Err(e) = self.swarm.dial(addr.clone()) {
            debug!(%addr, error = %e, "dial not started");
        }
    }

    fn is_own_addr(&self, addr: &Multiaddr) -> bool {
        let strip = |a: &Multiaddr| -> Multiaddr {
            a.iter().filter(|p| !matches!(p, MaProto::P2p(_))).collect()
        };
        let a = strip(addr);
        self.swarm.listeners().any(|l| strip(l) == a)
    }

    fn redial(&mut self) {
        for (peer, addrs) in self
            .peers
            .disconnected_members()
            .into_iter()
            .take(MAX_DIALS_PER_TICK)
        {
            if self.swarm.is_connected(&peer) {
                continue;
            }
            let opts = DialOpts::peer_id(peer).addresses(addrs).build();
            if let Err(e) = self.swarm.dial(opts) {
                debug!(%peer, error = %e, "redial not started");
            }
        }
        for addr in self.config.bootstrap_peers.clone() {
            self.dial_addr(addr);
        }
    }

    fn resolve_dns(&mut self) {
        for target in self.config.bootstrap_dns.clone() {
            let fut = self.resolver.resolve(&target.host);
            let tx = self.dns_tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(Duration::from_secs(10), fut).await {
                    Ok(Ok(ips)) => {
                        let _ = tx.send((target, ips)).await;
                    }
                    Ok(Err(e)) => debug!(%target, error = %e, "bootstrap name did not resolve"),
                    Err(_) => debug!(%target, "bootstrap name resolution timed out"),
                }
            });
        }
    }

    fn on_dns(&mut self, target: DnsTarget, ips: Vec<IpAddr>) {
        debug!(%target, count = ips.len(), "bootstrap name resolved");
        for ip in ips {
            let addr = Multiaddr::empty()
                .with(ip.into())
                .with(MaProto::Tcp(target.port));
            self.dial_addr(addr);
        }
    }

    fn publish_members(&mut self) {
        let members = self.peers.members();
        self.metrics.peers_connected.set(members.len() as i64);
        self.members_tx.send_if_modified(|cur| {
            if cur.as_slice() == members.as_slice() {
                false
            } else {
                *cur = Arc::new(members);
                true
            }
        });
    }

    fn announce_presence(&mut self) {
        self.presence_due = false;
        self.last_presence = tokio::time::Instant::now();
        let mut p = self.presence.clone();
        p.sent_at_ms = now_ms();
        let Ok(data) = serde_json::to_vec(&p) else {
            return;
        };
        let topic = gossipsub::IdentTopic::new(Topic::Presence.topic_string(&self.config.cluster));
        match self.swarm.behaviour_mut().gossipsub.publish(topic, data) {
            Ok(_) => self
                .metrics
                .gossip_messages
                .with_label_values(&["presence", "out"])
                .inc(),
            Err(e) => debug!(error = %e, "presence not published"),
        }
    }

    fn on_command(&mut self, cmd: Command) {
        match cmd {
            Command::Publish { topic, data, reply } => {
                let _ = reply.send(self.publish(topic, data));
            }
            Command::Request {
                peer,
                protocol,
                data,
                reply,
            } => self.request(peer, protocol, data, reply),
            Command::Peers { reply } => {
                let _ = reply.send(self.peers.infos());
            }
            Command::Dial { addr, reply } => {
                let res = self
                    .swarm
                    .dial(addr.clone())
                    .map_err(|e| Error::Build(format!("dial {addr}: {e}")));
                let _ = reply.send(res);
            }
            Command::SetPresence { presence, reply } => {
                self.presence = presence;
                self.presence_due = true;
                let _ = reply.send(());
            }
            Command::Validate {
                token,
                verdict,
                reply,
            } => {
                let acceptance = match verdict {
                    Validation::Accept => gossipsub::MessageAcceptance::Accept,
                    Validation::Reject => gossipsub::MessageAcceptance::Reject,
                    Validation::Ignore => gossipsub::MessageAcceptance::Ignore,
                };
                self.swarm
                    .behaviour_mut()
                    .gossipsub
                    .report_message_validation_result(&token.id, &token.source, acceptance);
                let _ = reply.send(());
            }
            Command::Block {
                peer,
                blocked,
                reply,
            } => {
                let b = &mut self.swarm.behaviour_mut().blocked;
                if blocked {
                    b.block_peer(peer);
                } else {
                    b.unblock_peer(peer);
                }
                let _ = reply.send(());
            }
            Command::UpdatePresence { update, reply } => {
                let before = self.presence.clone();
                update(&mut self.presence);
                if self.presence != before {
                    self.presence_due = true;
                }
                let _ = reply.send(());
            }
            Command::Shutdown { reply } => {
                let _ = reply.send(());
            }
            Command::DhtPut { value, reply } => self.dht_put(value, reply),
            Command::DhtGet { hash, reply } => self.dht_get(hash, reply),
            Command::DhtLocal { reply } => {
                let _ = reply.send(self.dht_local_values());
            }
        }
    }

    fn publish(&mut self, topic: Topic, data: Vec<u8>) -> Result<(), Error> {
        let limit = self.config.limits.max_gossip_bytes;
        if data.len() > limit {
            return Err(Error::MessageTooLarge {
                size: data.len(),
                limit,
            });
        }
        let t = gossipsub::IdentTopic::new(topic.topic_string(&self.config.cluster));
        self.swarm
            .behaviour_mut()
            .gossipsub
            .publish(t, data)
            .map_err(|e| Error::Publish {
                topic: topic.name().into(),
                reason: e.to_string(),
            })?;
        self.metrics
            .gossip_messages
            .with_label_values(&[topic.name(), "out"])
            .inc();
        Ok(())
    }

    fn request(
        &mut self,
        peer: PeerId,
        protocol: Protocol,
        data: Vec<u8>,
        reply: oneshot::Sender<Result<Vec<u8>, RequestError>>,
    ) {
        let limit = self.request_limit(protocol);
        if data.len() > limit {
            let _ = reply.send(Err(RequestError::TooLarge {
                protocol: protocol.name(),
                size: data.len(),
                limit,
            }));
            return;
        }
        if self.pending_out.len() >= self.config.limits.max_pending_requests {
            let _ = reply.send(Err(RequestError::Local(format!(
                "p2p: {} requests already in flight (limit)",
                self.config.limits.max_pending_requests
            ))));
            return;
        }
        let b = self.swarm.behaviour_mut();
        let id = match protocol {
            Protocol::Raft => b.raft.send_request(&peer, data),
            Protocol::Write => b.write.send_request(&peer, data),
            Protocol::Records => b.records.send_request(&peer, data),
        };
        self.pending_out.insert((protocol, id), reply);
    }

    fn request_limit(&self, protocol: Protocol) -> usize {
        let l = &self.config.limits;
        match protocol {
            Protocol::Raft => l.max_raft_bytes,
            Protocol::Write => l.max_write_bytes,
            Protocol::Records => l.max_records_bytes,
        }
    }

    fn send_response(
        &mut self,
        protocol: Protocol,
        channel: ResponseChannel<Vec<u8>>,
        res: Result<Vec<u8>, oneshot::error::RecvError>,
    ) {
        let Ok(data) = res else {
            self.metrics
                .requests
                .with_label_values(&[protocol.name(), "in", "refused"])
                .inc();
            return;
        };
        let b = self.swarm.behaviour_mut();
        let sent = match protocol {
            Protocol::Raft => b.raft.send_response(channel, data),
            Protocol::Write => b.write.send_response(channel, data),
            Protocol::Records => b.records.send_response(channel, data),
        };
        let outcome = if sent.is_ok() { "ok" } else { "closed" };
        self.metrics
            .requests
            .with_label_values(&[protocol.name(), "in", outcome])
            .inc();
    }
}

mod dht;
mod swarm_events;

fn build_swarm(
    config: &Config,
    keypair: Keypair,
    metrics: &Metrics,
) -> Result<Swarm<Behaviour>, Error> {
    let cluster = config.cluster.clone();
    let limits = config.limits.clone();
    let psk = config.psk;
    let refused = metrics.connection_errors.clone();
    let rejected = metrics.requests_rejected.clone();
    let mdns_on = config.mdns;
    let dht_on = config.dht;
    let agent = config.agent_version.clone();
    let swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_other_transport(|key| {
            crate::transport::build(key, psk, refused)
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })
        })
        .map_err(|e| Error::Build(e.to_string()))?
        .with_behaviour(|key| -> Result<Behaviour, Box<dyn std::error::Error + Send + Sync>> {
            let peer_id = key.public().to_peer_id();
            let conn_limits = connection_limits::ConnectionLimits::default()
                .with_max_established(Some(limits.max_connections))
                .with_max_established_per_peer(Some(limits.max_connections_per_peer))
                .with_max_pending_incoming(Some(limits.max_pending_incoming));
            let identify = identify::Behaviour::new(
                identify::Config::new(cluster_protocol_version(&cluster), key.public())
                    .with_agent_version(agent)
                    .with_push_listen_addr_updates(true),
            );
            let mdns = if mdns_on {
                Some(mdns::tokio::Behaviour::new(mdns::Config::default(), peer_id)?)
            } else {
                None
            };
            let kad = if dht_on {
                let mut cfg = kad::Config::new(kad_protocol(&cluster)?);
                cfg.set_periodic_bootstrap_interval(Some(Duration::from_secs(60)));
                // Values from peers are checked (content address, size) before they are stored.
                cfg.set_record_filtering(kad::StoreInserts::FilterBoth);
                cfg.set_query_timeout(limits.dht_timeout);
                // A response carries one value plus up to 20 peer entries.
                cfg.set_max_packet_size(limits.max_dht_value_bytes + 16 * 1024);
                let store_cfg = kad::store::MemoryStoreConfig {
                    max_records: limits.max_dht_records,
                    max_value_bytes: limits.max_dht_value_bytes,
                    ..kad::store::MemoryStoreConfig::default()
                };
                let store = kad::store::MemoryStore::with_config(peer_id, store_cfg);
                let mut k = kad::Behaviour::with_config(peer_id, store, cfg);
                k.set_mode(Some(kad::Mode::Server));
                Some(k)
            } else {
                None
            };
            let gossip_cfg = gossipsub::ConfigBuilder::default()
                .heartbeat_interval(Duration::from_millis(500))
                .validation_mode(gossipsub::ValidationMode::Strict)
                .validate_messages()
                .max_transmit_size(limits.max_gossip_bytes)
                .build()?;
            let gossipsub = gossipsub::Behaviour::new(
                gossipsub::MessageAuthenticity::Signed(key.clone()),
                gossip_cfg,
            )?;
            let rr = |p: Protocol, max: usize| -> Result<request_response::Behaviour<BytesCodec>, String> {
                let proto = StreamProtocol::try_from_owned(p.id(&cluster)).map_err(|e| e.to_string())?;
                let codec = BytesCodec::new(p.name(), max, max).with_rejections(rejected.clone());
                Ok(request_response::Behaviour::with_codec(
                    codec,
                    [(proto, ProtocolSupport::Full)],
                    request_response::Config::default()
                        .with_request_timeout(limits.request_timeout)
                        .with_max_concurrent_streams(256),
                ))
            };
            Ok(Behaviour {
                limits: connection_limits::Behaviour::new(conn_limits),
                blocked: allow_block_list::Behaviour::default(),
                identify,
                ping: ping::Behaviour::new(ping::Config::new()),
                mdns: Toggle::from(mdns),
                kad: Toggle::from(kad),
                gossipsub,
                raft: rr(Protocol::Raft, limits.max_raft_bytes)?,
                write: rr(Protocol::Write, limits.max_write_bytes)?,
                records: rr(Protocol::Records, limits.max_records_bytes)?,
            })
        })
        .map_err(|e| Error::Build(e.to_string()))?
        .with_swarm_config(|c| {
            c.with_idle_connection_timeout(limits.idle_timeout)
                .with_notify_handler_buffer_size(NonZeroUsize::new(64).unwrap_or(NonZeroUsize::MIN))
        })
        .build();
    Ok(swarm)
}
