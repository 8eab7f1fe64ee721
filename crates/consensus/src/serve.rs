//! The leader side of `/chorus/<cluster>/write/1`: forwarded writes, read-index requests and
//! membership changes.

use std::sync::Arc;

use chorus_p2p::InboundRequest;
use tokio::sync::{Semaphore, mpsc};
use tracing::debug;

use crate::{
    Consensus,
    wire::{self, WriteRpc, WriteRpcReply},
};

/// Forwarded requests handled at once.
const MAX_INFLIGHT: usize = 1024;

pub(crate) async fn serve_writes(c: Consensus, mut inbound: mpsc::Receiver<InboundRequest>) {
    let permits = Arc::new(Semaphore::new(MAX_INFLIGHT));
    while let Some(req) = inbound.recv().await {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let c = c.clone();
        tokio::spawn(async move {
            let reply = handle(&c, &req).await;
            if let Ok(bytes) = wire::encode(&reply) {
                let _ = req.reply.send(bytes);
            }
            drop(permit);
        });
    }
}

async fn handle(c: &Consensus, req: &InboundRequest) -> WriteRpcReply {
    let max = c.inner.config.max_write_bytes;
    let rpc: WriteRpc = match wire::decode(&req.data, max) {
        Ok(r) => r,
        Err(e) => {
            c.inner
                .metrics
                .rejected
                .with_label_values(&["write", "malformed"])
                .inc();
            debug!(peer = %req.peer, error = %e, "malformed write message dropped");
            return WriteRpcReply::Failed {
                message: format!("malformed write message: {e}"),
                may_have_applied: false,
            };
        }
    };
    let is_leader = c.leader() == Some(c.inner.id);
    if !is_leader {
        let hint = c.leader().and_then(|l| c.peer_of(l)).map(|p| p.to_string());
        return WriteRpcReply::NotLeader(hint);
    }
    match rpc {
        WriteRpc::Write {
            op,
            idempotency_key,
        } => {
            let size = wire::encode(&op).map(|b| b.len()).unwrap_or(usize::MAX);
            if size > c.inner.config.max_command_bytes {
                return WriteRpcReply::Failed {
                    message: format!(
                        "operation of {size} bytes exceeds the limit of {} bytes",
                        c.inner.config.max_command_bytes
                    ),
                    may_have_applied: false,
                };
            }
            c.propose_local(op, idempotency_key, c.inner.config.write_timeout)
                .await
        }
        WriteRpc::ReadIndex => match c.inner.raft.get_read_log_id().await {
            Ok((read, _)) => WriteRpcReply::ReadIndex(read.map(|l| l.index).unwrap_or(0)),
            Err(e) => WriteRpcReply::Failed {
                message: e.to_string(),
                may_have_applied: false,
            },
        },
        WriteRpc::Member(op) => match c.member_op_local(op).await {
            Ok(()) => WriteRpcReply::MemberDone,
            Err(e) => WriteRpcReply::Failed {
                message: e.to_string(),
                may_have_applied: false,
            },
        },
    }
}
