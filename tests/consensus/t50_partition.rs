use chorus_consensus::{Consistency, WriteError};
use chorus_testkit::{LocalCluster, agreed_leader, wait_for, wait_until};

use crate::{TIMEOUT, add};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_minority_cannot_commit_and_all_converge_after_healing() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = LocalCluster::start("part", 3, &[("CHORUS_WRITE_TIMEOUT", "2s")]).await?;
    let a = c.wait_leader(TIMEOUT).await?;
    let old = a.leader;
    let majority: Vec<usize> = (0..3).filter(|i| *i != old).collect();
    c.nodes[old]
        .handle
        .consensus
        .write(add("before the partition"), None)
        .await?;

    tracing::info!(
        old,
        "phase: cut the leader off from both followers (both directions)"
    );
    let peer = |i: usize| c.nodes[i].handle.p2p.local_peer_id();
    for m in &majority {
        c.nodes[old].handle.p2p.set_blocked(peer(*m), true).await?;
        c.nodes[*m].handle.p2p.set_blocked(peer(old), true).await?;
    }
    let commit_before = c.nodes[old].handle.consensus.status().commit_index;

    tracing::info!("phase: the majority elects a new leader and commits");
    let b = wait_for("the majority to agree on a new leader", TIMEOUT, || async {
        let st: Vec<_> = majority
            .iter()
            .map(|i| (*i, c.nodes[*i].status()))
            .collect();
        agreed_leader(&st)
    })
    .await?;
    assert_ne!(b.leader, old);
    let on_majority = c.nodes[majority[0]]
        .handle
        .consensus
        .write(add("written on the majority side"), None)
        .await?;

    tracing::info!("phase: the isolated old leader cannot commit");
    let res = c.nodes[old]
        .handle
        .consensus
        .write(
            add("written on the minority side"),
            Some("minority-1".into()),
        )
        .await;
    assert!(
        matches!(
            res,
            Err(WriteError::Timeout { .. } | WriteError::NoLeader { .. })
        ),
        "{res:?}"
    );
    assert_eq!(
        c.nodes[old].handle.consensus.status().commit_index,
        commit_before,
        "nothing committed in the minority"
    );
    let (seen, _) = c.nodes[majority[0]]
        .handle
        .consensus
        .read(Consistency::Local, |d| {
            d.palace
                .find_duplicate("w", "r", "written on the minority side")
                .ok()
                .flatten()
        })
        .await?;
    assert!(seen.is_none(), "the minority's write reached the majority");

    tracing::info!("phase: heal; every node converges to the same state");
    for m in &majority {
        c.nodes[old].handle.p2p.set_blocked(peer(*m), false).await?;
        c.nodes[*m].handle.p2p.set_blocked(peer(old), false).await?;
    }
    let final_write = c.nodes[majority[1]]
        .handle
        .consensus
        .write(add("after healing"), None)
        .await?;
    let target = final_write.index.max(on_majority.index);
    wait_until(
        "all nodes to apply the final write and hold identical state",
        TIMEOUT,
        || async {
            let mut digests = Vec::new();
            for n in &c.nodes {
                match n
                    .handle
                    .consensus
                    .read(Consistency::MinIndex(target), |d| {
                        (d.applied_index(), d.palace.snapshot_bytes())
                    })
                    .await
                {
                    Ok(((applied, bytes), _)) => digests.push((applied, bytes)),
                    Err(e) => return (false, e.to_string()),
                }
            }
            let same = digests.windows(2).all(|w| w[0] == w[1]);
            (
                same,
                format!(
                    "applied {:?}",
                    digests.iter().map(|d| d.0).collect::<Vec<_>>()
                ),
            )
        },
    )
    .await?;
    let all = c.wait_leader(TIMEOUT).await?;
    assert_ne!(
        c.statuses()[old].1.is_leader,
        Some(true),
        "the old leader stepped down"
    );
    assert!(all.term >= b.term);
    Ok(())
}
