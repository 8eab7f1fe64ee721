//! The table of peers the node has seen, bounded so foreign or departed peers cannot grow it.

use std::collections::{HashMap, HashSet, VecDeque};

use libp2p::{Multiaddr, PeerId};

use crate::{PeerInfo, Presence};

/// Peers remembered at most; the oldest disconnected entries are forgotten first.
const MAX_KNOWN_PEERS: usize = 1024;
/// Addresses remembered per peer.
const MAX_ADDRS_PER_PEER: usize = 8;
/// Foreign peers (other clusters) remembered so discovery stops dialling them.
const MAX_FOREIGN: usize = 1024;

#[derive(Debug, Default)]
pub(crate) struct Peer {
    pub addrs: Vec<Multiaddr>,
    pub connections: u32,
    pub member: bool,
    pub agent_version: Option<String>,
    pub presence: Option<Presence>,
}

#[derive(Debug, Default)]
pub(crate) struct Peers {
    peers: HashMap<PeerId, Peer>,
    foreign: HashSet<PeerId>,
    foreign_order: VecDeque<PeerId>,
}

impl Peers {
    pub fn get(&self, id: &PeerId) -> Option<&Peer> {
        self.peers.get(id)
    }

    pub fn entry(&mut self, id: PeerId) -> &mut Peer {
        if !self.peers.contains_key(&id) && self.peers.len() >= MAX_KNOWN_PEERS {
            self.evict_one();
        }
        self.peers.entry(id).or_default()
    }

    fn evict_one(&mut self) {
        let victim = self
            .peers
            .iter()
            .find(|(_, p)| p.connections == 0)
            .map(|(id, _)| *id);
        if let Some(v) = victim {
            self.peers.remove(&v);
        }
    }

    pub fn add_addr(&mut self, id: PeerId, addr: Multiaddr) {
        let p = self.entry(id);
        if !p.addrs.contains(&addr) {
            if p.addrs.len() >= MAX_ADDRS_PER_PEER {
                p.addrs.remove(0);
            }
            p.addrs.push(addr);
        }
    }

    pub fn is_foreign(&self, id: &PeerId) -> bool {
        self.foreign.contains(id)
    }

    pub fn mark_foreign(&mut self, id: PeerId) {
        self.peers.remove(&id);
        if self.foreign.insert(id) {
            self.foreign_order.push_back(id);
            if self.foreign_order.len() > MAX_FOREIGN
                && let Some(old) = self.foreign_order.pop_front()
            {
                self.foreign.remove(&old);
            }
        }
    }

    /// Connected and identified cluster members, sorted for stable output.
    pub fn members(&self) -> Vec<PeerId> {
        let mut v: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| p.member && p.connections > 0)
            .map(|(id, _)| *id)
            .collect();
        v.sort();
        v
    }

    /// Known cluster members that are not connected now, with their addresses.
    pub fn disconnected_members(&self) -> Vec<(PeerId, Vec<Multiaddr>)> {
        self.peers
            .iter()
            .filter(|(_, p)| p.member && p.connections == 0 && !p.addrs.is_empty())
            .map(|(id, p)| (*id, p.addrs.clone()))
            .collect()
    }

    pub fn infos(&self) -> Vec<PeerInfo> {
        let mut v: Vec<PeerInfo> = self
            .peers
            .iter()
            .filter(|(_, p)| p.member)
            .map(|(id, p)| PeerInfo {
                peer_id: id.to_string(),
                addrs: p.addrs.iter().map(|a| a.to_string()).collect(),
                connected: p.connections > 0,
                agent_version: p.agent_version.clone(),
                presence: p.presence.clone(),
            })
            .collect();
        v.sort_by(|a, b| a.peer_id.cmp(&b.peer_id));
        v
    }
}
