//! Background duties: forming and growing the cluster, metrics, presence, and a quick election
//! when the leader's connection drops.

use std::{
    collections::{BTreeMap, BTreeSet},
    time::Duration,
};

use chorus_p2p::Event;
use openraft::{ChangeMembers, ServerState};
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

use crate::{
    Consensus,
    formation::{self, Action, Formation},
    types::{Member, NodeId, raft_id},
};

/// How often formation and membership are reconsidered.
const MEMBERSHIP_TICK: Duration = Duration::from_millis(250);
/// A learner within this many entries of the leader's log counts as caught up.
const CAUGHT_UP_LAG: u64 = 64;
/// No node initialises a cluster in its first second: long enough for bootstrap peers and
/// mDNS to connect and for presence to say whether a cluster already exists, so nodes started
/// together with `bootstrap_expect = 1` form one cluster, not one each.
const FORMATION_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

pub(crate) fn spawn_all(c: &Consensus) -> Vec<JoinHandle<()>> {
    vec![
        tokio::spawn(membership_loop(c.clone())),
        tokio::spawn(metrics_loop(c.clone())),
        tokio::spawn(quick_election_loop(c.clone())),
        tokio::spawn(election_guard_loop(c.clone())),
    ]
}

/// Whether this node may start an election now: it must reach a majority of the voters (itself
/// included) over the mesh, and have been up for a grace period (two election timeouts), long
/// enough for a live leader to reach a restarted node before it campaigns.
///
/// openraft 0.9 has no pre-vote. Without this guard, a node cut off from the majority (or a
/// restarted one the leader has not reached yet) campaigns again and again, inflating its term;
/// when it comes back, that term deposes a healthy leader. A node that cannot reach a majority
/// could never win anyway, so holding its elections back costs no availability.
fn may_elect(
    c: &Consensus,
    m: &openraft::RaftMetrics<NodeId, Member>,
    since_start: Duration,
) -> bool {
    let voters: Vec<NodeId> = m.membership_config.membership().voter_ids().collect();
    if voters.len() <= 1 {
        return true;
    }
    let connected: BTreeSet<NodeId> = c
        .inner
        .p2p
        .connected_members()
        .iter()
        .map(raft_id)
        .collect();
    let reachable = voters
        .iter()
        .filter(|v| **v == c.inner.id || connected.contains(v))
        .count();
    let grace = (c.inner.config.election_max * 2).max(FORMATION_GRACE);
    reachable > voters.len() / 2 && since_start >= grace
}

async fn election_guard_loop(c: Consensus) {
    let started = tokio::time::Instant::now();
    let mut allowed = None;
    let mut tick = tokio::time::interval(c.inner.config.heartbeat / 2);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let m = c.inner.raft.metrics().borrow().clone();
        let allow = may_elect(&c, &m, started.elapsed());
        if allowed != Some(allow) {
            debug!(
                allow,
                "elections {}",
                if allow { "allowed" } else { "held back" }
            );
            c.inner.raft.runtime_config().elect(allow);
            allowed = Some(allow);
        }
    }
}

/// Connected cluster peers as (raft id → (member, may vote)).
async fn connected(c: &Consensus) -> (BTreeMap<NodeId, (Member, bool)>, bool) {
    let peers = c.inner.p2p.peers().await.unwrap_or_default();
    let mut out = BTreeMap::new();
    let mut cluster_exists = false;
    for p in peers.into_iter().filter(|p| p.connected) {
        let Ok(peer) = p.peer_id.parse::<chorus_p2p::PeerId>() else {
            continue;
        };
        let (name, voter) = match &p.presence {
            Some(pr) => {
                cluster_exists |= pr.leader.is_some();
                (pr.node_name.clone(), pr.role != "portal")
            }
            None => (p.peer_id.clone(), true),
        };
        out.insert(
            raft_id(&peer),
            (
                Member {
                    peer_id: p.peer_id.clone(),
                    name,
                },
                voter,
            ),
        );
    }
    (out, cluster_exists)
}

/// The member description of a connected node, if it is connected now.
pub(crate) async fn connected_member(c: &Consensus, id: NodeId) -> Option<Member> {
    connected(c).await.0.remove(&id).map(|(m, _)| m)
}

async fn membership_loop(c: Consensus) {
    let started = tokio::time::Instant::now();
    let mut tick = tokio::time::interval(MEMBERSHIP_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let m = c.inner.raft.metrics().borrow().clone();
        let membership = m.membership_config.membership().clone();
        let voters: BTreeSet<NodeId> = membership.voter_ids().collect();
        if voters.is_empty() {
            if started.elapsed() >= FORMATION_GRACE {
                form(&c).await;
            }
        } else if m.state == ServerState::Leader {
            grow(&c, &m, &voters, &membership.learner_ids().collect()).await;
        }
    }
}

async fn form(c: &Consensus) {
    let (peers, cluster_exists) = connected(c).await;
    let eligible: BTreeSet<NodeId> = peers
        .iter()
        .filter(|(_, (_, v))| *v)
        .map(|(id, _)| *id)
        .collect();
    let cfg = &c.inner.config;
    match formation::formation(
        c.inner.id,
        cfg.voter,
        &eligible,
        cluster_exists,
        cfg.bootstrap_expect,
    ) {
        Formation::Initialize(ids) => {
            let me = Member {
                peer_id: c.inner.p2p.local_peer_id().to_string(),
                name: cfg.node_name.clone(),
            };
            let nodes: BTreeMap<NodeId, Member> = ids
                .iter()
                .map(|id| {
                    (
                        *id,
                        if *id == c.inner.id {
                            me.clone()
                        } else {
                            peers[id].0.clone()
                        },
                    )
                })
                .collect();
            info!(voters = ?ids, "initialising the cluster");
            if let Err(e) = c.inner.raft.initialize(nodes).await {
                debug!(error = %e, "initialise refused");
            }
        }
        Formation::Wait { seen, need } => debug!(seen, need, "waiting for bootstrap_expect nodes"),
        Formation::WaitToBeContacted => {}
    }
}

async fn grow(
    c: &Consensus,
    m: &openraft::RaftMetrics<NodeId, Member>,
    voters: &BTreeSet<NodeId>,
    learners: &BTreeSet<NodeId>,
) {
    let (peers, _) = connected(c).await;
    let excluded = c
        .read(crate::Consistency::Local, |d| d.excluded.clone())
        .await
        .map(|(e, _)| e)
        .unwrap_or_default();
    let membership = m.membership_config.membership();
    let mut candidates = BTreeMap::new();
    for (id, (member, voter)) in &peers {
        if excluded.contains(id) {
            continue;
        }
        if let Some(existing) = membership.get_node(id)
            && existing.peer_id != member.peer_id
        {
            warn!(raft_id = id, existing = %existing.peer_id, newcomer = %member.peer_id, "raft id collision; refusing the newcomer");
            continue;
        }
        candidates.insert(*id, *voter);
    }
    let last = m.last_log_index.unwrap_or(0);
    let caught_up: BTreeSet<NodeId> = m
        .replication
        .as_ref()
        .map(|r| {
            r.iter()
                .filter(|(_, l)| l.map(|l| l.index + CAUGHT_UP_LAG >= last).unwrap_or(false))
                .map(|(id, _)| *id)
                .collect()
        })
        .unwrap_or_default();
    let cfg = &c.inner.config;
    for action in formation::plan(
        voters,
        learners,
        &candidates,
        &caught_up,
        cfg.max_voters,
        cfg.max_learners,
    ) {
        match action {
            Action::AddLearner(id) => {
                let member = peers[&id].0.clone();
                info!(raft_id = id, peer = %member.peer_id, "adding learner");
                if let Err(e) = c.inner.raft.add_learner(id, member, false).await {
                    debug!(error = %e, "add learner failed");
                }
            }
            Action::Promote(ids) => {
                info!(voters = ?ids, "promoting caught-up learners");
                if let Err(e) = c
                    .inner
                    .raft
                    .change_membership(ChangeMembers::AddVoterIds(ids), true)
                    .await
                {
                    debug!(error = %e, "promotion failed");
                }
            }
        }
    }
}

async fn metrics_loop(c: Consensus) {
    let mut rx = c.inner.raft.metrics();
    let mut applied = c.inner.sm.watch_applied();
    let mut last_leader: Option<NodeId> = None;
    loop {
        let (leader, state, term, membership) = {
            let m = rx.borrow_and_update();
            (
                m.current_leader,
                m.state,
                m.current_term,
                m.membership_config.membership().clone(),
            )
        };
        let mt = &c.inner.metrics;
        mt.term.set(term as i64);
        mt.is_leader.set(i64::from(state == ServerState::Leader));
        mt.voters.set(membership.voter_ids().count() as i64);
        mt.learners.set(membership.learner_ids().count() as i64);
        mt.applied_index.set(*applied.borrow_and_update() as i64);
        mt.commit_index
            .set(c.inner.committed.load(std::sync::atomic::Ordering::Relaxed) as i64);
        if leader != last_leader {
            if leader.is_some() {
                mt.leader_changes.inc();
            }
            last_leader = leader;
            let peer = leader.and_then(|l| membership.get_node(&l).map(|n| n.peer_id.clone()));
            let id = c.inner.id;
            let _ = c
                .inner
                .p2p
                .update_presence(move |p| {
                    p.leader = peer;
                    p.raft_id = Some(id);
                })
                .await;
        }
        tokio::select! {
            r = rx.changed() => if r.is_err() { break },
            r = applied.changed() => if r.is_err() { break },
        }
    }
}

/// When the leader's connection closes (its process died, or the network between us broke),
/// start an election as soon as every follower's leader lease has run out, instead of waiting
/// for the randomized election timer on top. Followers are staggered by rank so they do not
/// split the vote.
async fn quick_election_loop(c: Consensus) {
    let mut events = c.inner.p2p.subscribe();
    loop {
        let ev = match events.recv().await {
            Ok(ev) => ev,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(_) => break,
        };
        let Event::PeerDisconnected(peer) = ev else {
            continue;
        };
        let gone = raft_id(&peer);
        let m = c.inner.raft.metrics().borrow().clone();
        if m.current_leader != Some(gone) || !c.inner.config.voter {
            continue;
        }
        let mut others: Vec<NodeId> = m
            .membership_config
            .membership()
            .voter_ids()
            .filter(|v| *v != gone)
            .collect();
        others.sort();
        let Some(rank) = others.iter().position(|v| *v == c.inner.id) else {
            continue;
        };
        if !may_elect(&c, &m, Duration::MAX) {
            continue;
        }
        let cfg = &c.inner.config;
        let delay =
            cfg.election_max + Duration::from_millis(10) + (cfg.heartbeat / 2) * rank as u32;
        let c2 = c.clone();
        let term = m.current_term;
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let m = c2.inner.raft.metrics().borrow().clone();
            let leader_back = c2.inner.p2p.connected_members().contains(&peer);
            // A newer term means another node is already campaigning (or won): leave it to the
            // normal timers rather than compete with it.
            if m.current_term == term
                && m.current_leader == Some(gone)
                && !leader_back
                && m.state != ServerState::Leader
            {
                info!(gone, rank, "leader connection lost; starting an election");
                let _ = c2.inner.raft.trigger().elect().await;
            }
        });
    }
}
