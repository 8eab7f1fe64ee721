//! Raft RPCs over the mesh: the outbound client openraft uses, and the inbound server.

use std::{sync::Arc, time::Duration};

use chorus_p2p::{InboundRequest, PeerId, Protocol, RequestError};
use openraft::{
    error::{
        InstallSnapshotError, NetworkError, PayloadTooLarge, RPCError, RaftError, RemoteError,
        Unreachable,
    },
    network::{RPCOption, RaftNetwork, RaftNetworkFactory},
    raft::{
        AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest,
        InstallSnapshotResponse, VoteRequest, VoteResponse,
    },
};
use tokio::sync::{Semaphore, mpsc};
use tracing::debug;

use crate::{
    metrics::Metrics,
    types::{Member, NodeId, Raft, TypeConfig, raft_id},
    wire::{self, RaftRpc, RaftRpcReply},
};

/// Raft RPCs handled at once; more wait in the inbound queue (bounded by the mesh).
const MAX_INFLIGHT_INBOUND: usize = 64;
/// Byte budget of one AppendEntries batch. openraft gives each AppendEntries one heartbeat
/// interval (100 ms) to be sent, stored and flushed by the follower; a bigger batch would time
/// out again and again and replication would never progress. A larger batch is refused locally
/// with a hint to send fewer entries (a single larger entry still goes alone).
const APPEND_BUDGET_BYTES: usize = 1024 * 1024;

type RpcErr<E = openraft::error::Infallible> = RPCError<NodeId, Member, RaftError<NodeId, E>>;

/// Creates a client per target, all sharing the mesh handle.
#[derive(Clone)]
pub struct Network {
    pub(crate) p2p: chorus_p2p::Handle,
    pub(crate) max_bytes: usize,
}

/// One target.
pub struct Client {
    p2p: chorus_p2p::Handle,
    target: NodeId,
    peer: Option<PeerId>,
    max_bytes: usize,
}

impl RaftNetworkFactory<TypeConfig> for Network {
    type Network = Client;

    async fn new_client(&mut self, target: NodeId, node: &Member) -> Client {
        Client {
            p2p: self.p2p.clone(),
            target,
            peer: node.peer_id.parse().ok(),
            max_bytes: self.max_bytes,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Msg(String);

impl Client {
    async fn call<E: std::error::Error>(
        &self,
        rpc: &RaftRpc,
        ttl: Duration,
    ) -> Result<RaftRpcReply, RPCError<NodeId, Member, E>> {
        let peer = self.peer.ok_or_else(|| {
            RPCError::Unreachable(Unreachable::new(&Msg(format!(
                "node {} has no valid peer id",
                self.target
            ))))
        })?;
        let bytes = wire::encode(rpc).map_err(|e| RPCError::Network(NetworkError::new(&Msg(e))))?;
        if let RaftRpc::Append(a) = rpc
            && a.entries.len() > 1
            && bytes.len() > APPEND_BUDGET_BYTES.min(self.max_bytes)
        {
            let n = a.entries.len() as u64;
            let hint = (n * APPEND_BUDGET_BYTES as u64 / bytes.len() as u64).clamp(1, n - 1);
            return Err(RPCError::PayloadTooLarge(
                PayloadTooLarge::new_entries_hint(hint),
            ));
        }
        if bytes.len() > self.max_bytes {
            return Err(RPCError::Unreachable(Unreachable::new(&Msg(format!(
                "raft message of {} bytes exceeds the limit of {} bytes",
                bytes.len(),
                self.max_bytes
            )))));
        }
        let res = tokio::time::timeout(ttl, self.p2p.request(peer, Protocol::Raft, bytes)).await;
        let reply = match res {
            Err(_) => {
                return Err(RPCError::Network(NetworkError::new(&Msg(format!(
                    "no answer within {ttl:?}"
                )))));
            }
            Ok(Err(e @ (RequestError::Unreachable { .. } | RequestError::TooLarge { .. }))) => {
                return Err(RPCError::Unreachable(Unreachable::new(&e)));
            }
            Ok(Err(e)) => return Err(RPCError::Network(NetworkError::new(&e))),
            Ok(Ok(b)) => b,
        };
        wire::decode(&reply, self.max_bytes)
            .map_err(|e| RPCError::Network(NetworkError::new(&Msg(e))))
    }

    fn unexpected<E: std::error::Error>(&self, r: RaftRpcReply) -> RPCError<NodeId, Member, E> {
        let text = match r {
            RaftRpcReply::Refused(why) => format!("refused by node {}: {why}", self.target),
            other => format!("unexpected reply from node {}: {other:?}", self.target),
        };
        RPCError::Network(NetworkError::new(&Msg(text)))
    }
}

impl RaftNetwork<TypeConfig> for Client {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, RpcErr> {
        match self.call(&RaftRpc::Append(rpc), option.hard_ttl()).await? {
            RaftRpcReply::Append(Ok(r)) => Ok(r),
            RaftRpcReply::Append(Err(e)) => {
                Err(RPCError::RemoteError(RemoteError::new(self.target, e)))
            }
            other => Err(self.unexpected(other)),
        }
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<InstallSnapshotResponse<NodeId>, RpcErr<InstallSnapshotError>> {
        match self
            .call(&RaftRpc::Snapshot(rpc), option.hard_ttl())
            .await?
        {
            RaftRpcReply::Snapshot(Ok(r)) => Ok(r),
            RaftRpcReply::Snapshot(Err(e)) => {
                Err(RPCError::RemoteError(RemoteError::new(self.target, e)))
            }
            other => Err(self.unexpected(other)),
        }
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, RpcErr> {
        match self.call(&RaftRpc::Vote(rpc), option.hard_ttl()).await? {
            RaftRpcReply::Vote(Ok(r)) => Ok(r),
            RaftRpcReply::Vote(Err(e)) => {
                Err(RPCError::RemoteError(RemoteError::new(self.target, e)))
            }
            other => Err(self.unexpected(other)),
        }
    }
}

/// Serves inbound Raft RPCs until the queue closes.
pub(crate) async fn serve(
    raft: Raft,
    mut inbound: mpsc::Receiver<InboundRequest>,
    max_bytes: usize,
    metrics: Metrics,
) {
    let permits = Arc::new(Semaphore::new(MAX_INFLIGHT_INBOUND));
    while let Some(req) = inbound.recv().await {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let raft = raft.clone();
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let reply = handle(&raft, &req.peer, &req.data, max_bytes, &metrics).await;
            if let Ok(bytes) = wire::encode(&reply) {
                let _ = req.reply.send(bytes);
            }
            drop(permit);
        });
    }
}

async fn handle(
    raft: &Raft,
    peer: &PeerId,
    data: &[u8],
    max_bytes: usize,
    metrics: &Metrics,
) -> RaftRpcReply {
    let rpc: RaftRpc = match wire::decode(data, max_bytes) {
        Ok(r) => r,
        Err(e) => {
            metrics
                .rejected
                .with_label_values(&["raft", "malformed"])
                .inc();
            debug!(%peer, error = %e, "malformed raft message dropped");
            return RaftRpcReply::Refused(format!("malformed message: {e}"));
        }
    };
    // The sender must be the node the message claims to come from: one member cannot speak
    // for another.
    let claimed = match &rpc {
        RaftRpc::Append(a) => a.vote.leader_id().voted_for(),
        RaftRpc::Vote(v) => v.vote.leader_id().voted_for(),
        RaftRpc::Snapshot(s) => s.vote.leader_id().voted_for(),
    };
    if claimed != Some(raft_id(peer)) {
        metrics
            .rejected
            .with_label_values(&["raft", "impersonation"])
            .inc();
        return RaftRpcReply::Refused(format!("peer {peer} speaks for node {claimed:?}"));
    }
    match rpc {
        RaftRpc::Append(a) => RaftRpcReply::Append(raft.append_entries(a).await),
        RaftRpc::Vote(v) => RaftRpcReply::Vote(raft.vote(v).await),
        RaftRpc::Snapshot(s) => RaftRpcReply::Snapshot(raft.install_snapshot(s).await),
    }
}
