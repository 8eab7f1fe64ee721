//! Reactions to swarm events: connections, identification, discovery, gossip and requests.

use std::sync::Arc;

use libp2p::{
    PeerId, gossipsub, identify, kad, mdns,
    request_response::{self, Message},
    swarm::SwarmEvent,
};
use tokio::sync::oneshot;
use tracing::{debug, info, warn};

use super::EventLoop;
use crate::{
    Event, GossipMessage, Presence, Protocol, RequestError, Topic, ValidationToken,
    behaviour::{BehaviourEvent, cluster_protocol_version},
    vocab::InboundRequest,
};

impl EventLoop {
    pub(super) fn on_swarm_event(&mut self, ev: SwarmEvent<BehaviourEvent>) {
        match ev {
            SwarmEvent::NewListenAddr { address, .. } => {
                info!(%address, "listening");
                self.listen_tx.send_modify(|v| {
                    if !v.contains(&address) {
                        v.push(address)
                    }
                });
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                self.listen_tx.send_modify(|v| v.retain(|a| a != &address));
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } => {
                self.metrics.connections_established.inc();
                debug!(peer = %peer_id, addr = %endpoint.get_remote_address(), "connection established");
                if endpoint.is_dialer() {
                    self.connected_addrs
                        .insert(endpoint.get_remote_address().clone(), peer_id);
                }
                let p = self.peers.entry(peer_id);
                p.connections = num_established.get();
                if p.member {
                    self.publish_members();
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                endpoint,
                num_established,
                cause,
                ..
            } => {
                debug!(peer = %peer_id, ?cause, "connection closed");
                self.connected_addrs.remove(endpoint.get_remote_address());
                let was_member = self.peers.get(&peer_id).is_some_and(|p| p.member);
                if self.peers.get(&peer_id).is_some() {
                    self.peers.entry(peer_id).connections = num_established;
                }
                if was_member && num_established == 0 {
                    let _ = self.events.send(Event::PeerDisconnected(peer_id));
                    self.publish_members();
                }
            }
            SwarmEvent::IncomingConnectionError {
                error,
                send_back_addr,
                ..
            } => {
                let text = format!("{error:?}");
                self.count_connection_error("inbound", &text);
                debug!(addr = %send_back_addr, error = %error, "incoming connection failed");
            }
            SwarmEvent::OutgoingConnectionError { error, peer_id, .. } => {
                let text = format!("{error:?}");
                self.count_connection_error("outbound", &text);
                debug!(peer = ?peer_id, error = %error, "outgoing connection failed");
            }
            SwarmEvent::Behaviour(ev) => self.on_behaviour_event(ev),
            _ => {}
        }
    }

    /// Counts a failed connection by reason. Refusals for a wrong cluster secret were counted
    /// by the transport already, where the reason is known for certain.
    fn count_connection_error(&self, direction: &str, text: &str) {
        let reason = if text.contains("cluster secret") || text.contains("pnet:") {
            return;
        } else if text.contains("Denied") {
            "denied"
        } else if text.contains("LocalPeerId") {
            "self"
        } else if text.contains("WrongPeerId") {
            "wrong_peer"
        } else if text.contains("Aborted")
            || text.contains("NoAddresses")
            || text.contains("DialPeerConditionFalse")
        {
            "aborted"
        } else if text.contains("Transport") {
            "handshake"
        } else {
            "other"
        };
        self.metrics
            .connection_errors
            .with_label_values(&[direction, reason])
            .inc();
    }

    fn on_behaviour_event(&mut self, ev: BehaviourEvent) {
        match ev {
            BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. }) => {
                self.on_identified(peer_id, info)
            }
            BehaviourEvent::Mdns(mdns::Event::Discovered(list)) => {
                for (peer, addr) in list {
                    if self.peers.is_foreign(&peer) || self.swarm.is_connected(&peer) {
                        continue;
                    }
                    debug!(%peer, %addr, "discovered by mDNS");
                    let opts = libp2p::swarm::dial_opts::DialOpts::peer_id(peer)
                        .addresses(vec![addr])
                        .build();
                    let _ = self.swarm.dial(opts);
                }
            }
            BehaviourEvent::Kad(kad::Event::RoutingUpdated {
                peer, addresses, ..
            }) if !self.peers.is_foreign(&peer) && !self.swarm.is_connected(&peer) => {
                debug!(%peer, "discovered through the DHT");
                let opts = libp2p::swarm::dial_opts::DialOpts::peer_id(peer)
                    .addresses(addresses.into_vec())
                    .build();
                let _ = self.swarm.dial(opts);
            }
            BehaviourEvent::Kad(ev) => self.on_kad(ev),
            BehaviourEvent::Gossipsub(ev) => self.on_gossip(ev),
            BehaviourEvent::Raft(ev) => self.on_request_event(Protocol::Raft, ev),
            BehaviourEvent::Write(ev) => self.on_request_event(Protocol::Write, ev),
            BehaviourEvent::Records(ev) => self.on_request_event(Protocol::Records, ev),
            _ => {}
        }
    }

    fn on_identified(&mut self, peer_id: PeerId, info: identify::Info) {
        if info.protocol_version != cluster_protocol_version(&self.config.cluster) {
            info!(peer = %peer_id, theirs = %info.protocol_version, "peer of another cluster; disconnecting");
            self.metrics
                .connection_errors
                .with_label_values(&["any", "foreign_cluster"])
                .inc();
            self.peers.mark_foreign(peer_id);
            let _ = self.swarm.disconnect_peer_id(peer_id);
            return;
        }
        let newly_member = {
            let p = self.peers.entry(peer_id);
            let was = p.member;
            p.member = true;
            p.agent_version = Some(info.agent_version.clone());
            !was
        };
        for addr in info.listen_addrs.iter().take(8) {
            self.peers.add_addr(peer_id, addr.clone());
            if let Some(kad) = self.swarm.behaviour_mut().kad.as_mut() {
                kad.add_address(&peer_id, addr.clone());
            }
        }
        if newly_member || self.peers.get(&peer_id).is_some_and(|p| p.connections > 0) {
            let before = self.members_tx.borrow().contains(&peer_id);
            self.publish_members();
            if !before {
                info!(peer = %peer_id, "cluster peer connected");
                let _ = self.events.send(Event::PeerConnected(peer_id));
            }
        }
    }

    fn on_gossip(&mut self, ev: gossipsub::Event) {
        match ev {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => {
                let Some(topic) = self.topics.get(&message.topic).copied() else {
                    let _ = self
                        .swarm
                        .behaviour_mut()
                        .gossipsub
                        .report_message_validation_result(
                            &message_id,
                            &propagation_source,
                            gossipsub::MessageAcceptance::Reject,
                        );
                    return;
                };
                self.metrics
                    .gossip_messages
                    .with_label_values(&[topic.name(), "in"])
                    .inc();
                if topic == Topic::Presence {
                    self.on_presence(propagation_source, message_id, message);
                    return;
                }
                let validated = topic == Topic::Decisions;
                let validation = validated.then(|| ValidationToken {
                    id: message_id.clone(),
                    source: propagation_source,
                });
                let msg = GossipMessage {
                    topic,
                    source: message.source,
                    propagated_by: propagation_source,
                    data: Arc::new(message.data),
                    validation,
                };
                if self.events.send(Event::Gossip(Box::new(msg))).is_err() && validated {
                    // Nobody listens: nobody can vouch for it, so do not forward it.
                    let _ = self
                        .swarm
                        .behaviour_mut()
                        .gossipsub
                        .report_message_validation_result(
                            &message_id,
                            &propagation_source,
                            gossipsub::MessageAcceptance::Ignore,
                        );
                }
                if !validated {
                    let _ = self
                        .swarm
                        .behaviour_mut()
                        .gossipsub
                        .report_message_validation_result(
                            &message_id,
                            &propagation_source,
                            gossipsub::MessageAcceptance::Accept,
                        );
                }
            }
            gossipsub::Event::Subscribed { topic, .. }
                if self.topics.get(&topic) == Some(&Topic::Presence) =>
            {
                self.presence_due = true;
            }
            gossipsub::Event::SlowPeer { peer_id, .. } => {
                warn!(peer = %peer_id, "peer is too slow to take gossip");
            }
            _ => {}
        }
    }

    fn on_presence(&mut self, via: PeerId, id: gossipsub::MessageId, message: gossipsub::Message) {
        let decoded = serde_json::from_slice::<Presence>(&message.data).ok();
        let verdict = match (&decoded, message.source) {
            (Some(p), Some(src)) if p.node_name.len() <= 256 && p.capabilities.len() <= 64 => {
                if !self.peers.is_foreign(&src) {
                    self.peers.entry(src).presence = Some(p.clone());
                }
                gossipsub::MessageAcceptance::Accept
            }
            _ => {
                self.metrics
                    .gossip_rejected
                    .with_label_values(&["presence", "malformed"])
                    .inc();
                gossipsub::MessageAcceptance::Reject
            }
        };
        let _ = self
            .swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(&id, &via, verdict);
        if let (Some(_), Some(src)) = (decoded, message.source) {
            let msg = GossipMessage {
                topic: Topic::Presence,
                source: Some(src),
                propagated_by: via,
                data: Arc::new(message.data),
                validation: None,
            };
            let _ = self.events.send(Event::Gossip(Box::new(msg)));
        }
    }

    fn on_request_event(
        &mut self,
        protocol: Protocol,
        ev: request_response::Event<Vec<u8>, Vec<u8>>,
    ) {
        match ev {
            request_response::Event::Message { peer, message, .. } => match message {
                Message::Request {
                    request, channel, ..
                } => {
                    let (tx, rx) = oneshot::channel();
                    let req = InboundRequest {
                        peer,
                        data: request,
                        reply: tx,
                    };
                    let idx = match protocol {
                        Protocol::Raft => 0,
                        Protocol::Write => 1,
                        Protocol::Records => 2,
                    };
                    if self.inbound[idx].try_send(req).is_err() {
                        self.metrics
                            .requests_rejected
                            .with_label_values(&[protocol.name(), "queue_full"])
                            .inc();
                        warn!(%peer, protocol = protocol.name(), "inbound queue full; request refused");
                        return;
                    }
                    self.pending_in
                        .push(Box::pin(async move { (protocol, channel, rx.await) }));
                }
                Message::Response {
                    request_id,
                    response,
                } => {
                    self.metrics
                        .requests
                        .with_label_values(&[protocol.name(), "out", "ok"])
                        .inc();
                    if let Some(reply) = self.pending_out.remove(&(protocol, request_id)) {
                        let _ = reply.send(Ok(response));
                    }
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                let name = protocol.name();
                let p = peer.to_string();
                let (outcome, err) = match error {
                    request_response::OutboundFailure::DialFailure
                    | request_response::OutboundFailure::UnsupportedProtocols => (
                        "unreachable",
                        RequestError::Unreachable {
                            protocol: name,
                            peer: p,
                        },
                    ),
                    request_response::OutboundFailure::Timeout => (
                        "timeout",
                        RequestError::Timeout {
                            protocol: name,
                            peer: p,
                            timeout: self.config.limits.request_timeout,
                        },
                    ),
                    other => (
                        "failed",
                        RequestError::Failed {
                            protocol: name,
                            peer: p,
                            reason: other.to_string(),
                        },
                    ),
                };
                self.metrics
                    .requests
                    .with_label_values(&[name, "out", outcome])
                    .inc();
                if let Some(reply) = self.pending_out.remove(&(protocol, request_id)) {
                    let _ = reply.send(Err(err));
                }
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                debug!(%peer, protocol = protocol.name(), %error, "inbound request failed");
                let reason = if error.to_string().contains("limit") {
                    "too_large"
                } else {
                    "failed"
                };
                if reason == "failed" {
                    self.metrics
                        .requests_rejected
                        .with_label_values(&[protocol.name(), reason])
                        .inc();
                }
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }
}
