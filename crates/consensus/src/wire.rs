//! Messages between nodes and their bounded binary encoding.
//!
//! bincode with an explicit byte limit: a length prefix in hostile input can never make the
//! decoder allocate more than the message it came in (which the transport already bounded).

use bincode::Options;
use openraft::{
    error::{InstallSnapshotError, RaftError},
    raft::{
        AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest,
        InstallSnapshotResponse, VoteRequest, VoteResponse,
    },
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::types::{NodeId, Op, Reply, TypeConfig};

/// A Raft RPC.
#[derive(Debug, Serialize, Deserialize)]
pub enum RaftRpc {
    /// AppendEntries (also heartbeats).
    Append(AppendEntriesRequest<TypeConfig>),
    /// RequestVote.
    Vote(VoteRequest<NodeId>),
    /// One chunk of a snapshot.
    Snapshot(InstallSnapshotRequest<TypeConfig>),
}

/// The answer to a [`RaftRpc`].
#[derive(Debug, Serialize, Deserialize)]
pub enum RaftRpcReply {
    /// AppendEntries result.
    Append(Result<AppendEntriesResponse<NodeId>, RaftError<NodeId>>),
    /// RequestVote result.
    Vote(Result<VoteResponse<NodeId>, RaftError<NodeId>>),
    /// InstallSnapshot result.
    Snapshot(Result<InstallSnapshotResponse<NodeId>, RaftError<NodeId, InstallSnapshotError>>),
    /// The receiver refused the message (malformed, or the sender is not who it claims).
    Refused(String),
}

/// A membership change an operator asks the leader for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberOp {
    /// Make a learner a voter.
    Promote(NodeId),
    /// Remove a member (voter or learner).
    Remove(NodeId),
}

/// A request to the leader over `/chorus/<cluster>/write/1`.
// Short-lived and moved, not stored: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum WriteRpc {
    /// Propose an operation.
    Write {
        /// The operation.
        op: Op,
        /// The idempotency key; retries carry the same key.
        idempotency_key: Option<String>,
    },
    /// Confirm leadership with a quorum and return the index a linearizable read must wait for.
    ReadIndex,
    /// Change the membership.
    Member(MemberOp),
}

/// The leader's answer to a [`WriteRpc`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum WriteRpcReply {
    /// Committed and applied.
    Done(Reply),
    /// The read index.
    ReadIndex(u64),
    /// The receiver is not the leader; it names the leader it knows, if any. The request was
    /// certainly not applied.
    NotLeader(Option<String>),
    /// It failed; `may_have_applied` says whether it could still commit.
    Failed {
        /// What went wrong.
        message: String,
        /// Whether the operation may still have been applied.
        may_have_applied: bool,
    },
    /// A membership change finished.
    MemberDone,
    /// The leader refused the operation; it certainly did not apply.
    Refused(String),
}

fn options(limit: usize) -> impl Options {
    bincode::DefaultOptions::new()
        .with_limit(limit as u64)
        .with_fixint_encoding()
}

/// Encodes a message.
pub fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, String> {
    options(usize::MAX)
        .serialize(msg)
        .map_err(|e| e.to_string())
}

/// Decodes a message of at most `limit` bytes, refusing trailing bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], limit: usize) -> Result<T, String> {
    if bytes.len() > limit {
        return Err(format!(
            "message of {} bytes exceeds the limit of {limit} bytes",
            bytes.len()
        ));
    }
    options(limit).deserialize(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn round_trips_a_write() {
        let m = WriteRpc::Write {
            op: Op::Fence {
                resource: "task/1".into(),
            },
            idempotency_key: Some("k".into()),
        };
        let b = encode(&m).unwrap();
        let back: WriteRpc = decode(&b, 1 << 20).unwrap();
        assert!(matches!(back, WriteRpc::Write { idempotency_key: Some(k), .. } if k == "k"));
    }

    #[test]
    fn a_huge_length_prefix_does_not_allocate() {
        // A Vec length of 2^62 in the first field: must fail, not try to allocate.
        let mut b = vec![0u8, 0, 0, 0];
        b.extend_from_slice(&(1u64 << 62).to_le_bytes());
        assert!(decode::<WriteRpc>(&b, 1024).is_err());
        assert!(decode::<RaftRpc>(&b, 1024).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode::<RaftRpc>(&bytes, 4096);
            let _ = decode::<WriteRpc>(&bytes, 4096);
            let _ = decode::<WriteRpcReply>(&bytes, 4096);
        }
    }
}
