use std::{sync::Arc, time::Duration};

use chorus_client::{Client, Error as ClientError};
use chorus_consensus::{
    WriteError,
    wire::{self, RaftRpc, RaftRpcReply, WriteRpcReply},
};
use chorus_p2p::{Keypair, Protocol, RequestError};
use chorus_testkit::{LocalCluster, wait_until};
use openraft::{CommittedLeaderId, LogId, Vote, raft::VoteRequest};
use serde_json::{Value, json};

use crate::{TIMEOUT, add};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_and_oversized_messages_are_dropped_and_counted() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = LocalCluster::start("hostile", 3, &[]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    let target = &c.nodes[(a.leader + 1) % 3];
    let target_peer = target.handle.p2p.local_peer_id();

    tracing::info!("phase: a hostile member with 64 MiB limits joins the mesh");
    let mut cfg = chorus_p2p::Config {
        cluster: target.opts.cluster.clone(),
        listen_addrs: vec!["/ip4/127.0.0.1/tcp/0".parse()?],
        bootstrap_peers: vec![target.bootstrap_addr()],
        mdns: false,
        ..chorus_p2p::Config::default()
    };
    cfg.limits.max_raft_bytes = 64 * 1024 * 1024;
    cfg.limits.max_write_bytes = 64 * 1024 * 1024;
    let registry = chorus_telemetry::Registry::new();
    let (rogue, _inbound) = chorus_p2p::start(
        cfg,
        Keypair::generate_ed25519(),
        &registry,
        Arc::new(chorus_p2p::SystemResolver),
    )
    .await?;
    wait_until("the rogue to connect", TIMEOUT, || async {
        (
            rogue.connected_members().contains(&target_peer),
            "not yet".into(),
        )
    })
    .await?;

    tracing::info!("phase: garbage on the raft protocol");
    let reply = rogue
        .request(
            target_peer,
            Protocol::Raft,
            b"\xff\xfe definitely not bincode".to_vec(),
        )
        .await?;
    let reply: RaftRpcReply = wire::decode(&reply, 1 << 20).map_err(anyhow::Error::msg)?;
    assert!(
        matches!(reply, RaftRpcReply::Refused(ref why) if why.contains("malformed")),
        "{reply:?}"
    );
    assert!(
        target
            .metric("chorus_raft_messages_rejected_total{protocol=\"raft\",reason=\"malformed\"}")
            >= 1.0
    );

    tracing::info!("phase: a vote request that speaks for another node");
    let vote = VoteRequest {
        vote: Vote::new(99, a.leader as u64 + 12345),
        last_log_id: Some(LogId::new(CommittedLeaderId::new(99, 0), 1_000_000)),
    };
    let reply = rogue
        .request(
            target_peer,
            Protocol::Raft,
            wire::encode(&RaftRpc::Vote(vote)).map_err(anyhow::Error::msg)?,
        )
        .await?;
    let reply: RaftRpcReply = wire::decode(&reply, 1 << 20).map_err(anyhow::Error::msg)?;
    assert!(matches!(reply, RaftRpcReply::Refused(_)), "{reply:?}");
    assert!(
        target.metric(
            "chorus_raft_messages_rejected_total{protocol=\"raft\",reason=\"impersonation\"}"
        ) >= 1.0
    );

    tracing::info!("phase: a 20 MiB raft message (limit 16 MiB)");
    let res = rogue
        .request(target_peer, Protocol::Raft, vec![0u8; 20 * 1024 * 1024])
        .await;
    // Refused: the stream fails, times out, or the request is answered with nothing.
    assert!(
        matches!(
            &res,
            Err(RequestError::Failed { .. } | RequestError::Timeout { .. })
        ) || matches!(&res, Ok(b) if b.is_empty()),
        "{res:?}"
    );
    wait_until("the oversized message to be counted", TIMEOUT, || async {
        let v = target
            .metric("chorus_p2p_requests_rejected_total{protocol=\"raft\",reason=\"too_large\"}");
        (v >= 1.0, format!("{v}"))
    })
    .await?;

    tracing::info!("phase: garbage on the write protocol");
    let reply = rogue
        .request(target_peer, Protocol::Write, vec![7u8; 100])
        .await?;
    let reply: WriteRpcReply = wire::decode(&reply, 1 << 20).map_err(anyhow::Error::msg)?;
    assert!(
        matches!(
            reply,
            WriteRpcReply::Failed {
                may_have_applied: false,
                ..
            } | WriteRpcReply::NotLeader(_)
        ),
        "{reply:?}"
    );

    tracing::info!("phase: the cluster is unharmed");
    let r = target
        .handle
        .consensus
        .write(add("still fine"), None)
        .await?;
    assert!(r.index > 0);
    let term = c.wait_leader(TIMEOUT).await?.term;
    assert!(
        term < 99,
        "the forged vote of term 99 must not have moved the cluster's term (now {term})"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_over_the_limit_gets_a_clear_error() -> anyhow::Result<()> {
    let c = LocalCluster::start("toolarge", 1, &[]).await?;
    c.wait_leader(TIMEOUT).await?;
    let node = &c.nodes[0];
    let huge = "x".repeat(5 * 1024 * 1024);
    let res = node.handle.consensus.write(add(&huge), None).await;
    assert!(
        matches!(res, Err(WriteError::TooLarge { limit, .. }) if limit == 4 * 1024 * 1024),
        "{res:?}"
    );

    let client =
        Client::unix(node.handle.ports().socket.clone()).with_timeout(Duration::from_secs(30));
    let res: Result<Value, ClientError> = client
        .post(
            "/v1/palace/drawers",
            &json!({"wing": "w", "room": "r", "content": huge}),
            &[],
        )
        .await;
    match res {
        Err(ClientError::Api {
            status: 413,
            message,
            ..
        }) => assert!(message.contains("limit"), "{message}"),
        other => panic!("expected 413, got {other:?}"),
    }
    let res: Result<Value, ClientError> = client
        .post(
            "/v1/palace/drawers",
            &json!({"wing": "w", "room": "r", "contents": "typo"}),
            &[],
        )
        .await;
    match res {
        Err(ClientError::Api {
            status: 400, field, ..
        }) => assert!(field.is_some(), "the field is named"),
        other => panic!("expected 400, got {other:?}"),
    }
    Ok(())
}
