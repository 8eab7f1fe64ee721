use std::collections::BTreeSet;

use chorus_testkit::wait_until;

use crate::{MESH_TIMEOUT, cluster, start_bootstrapped, wait_full_mesh};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_from_each_node_reaches_every_other() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let nodes = start_bootstrapped(&cluster("presence"), 5, &[]).await?;
    wait_full_mesh(&nodes).await?;
    let all: BTreeSet<String> = (0..5).map(|i| format!("n{i}")).collect();
    for n in &nodes {
        let me = n.handle.p2p.local_peer_id().to_string();
        let want: BTreeSet<String> = all.iter().filter(|x| **x != n.opts.name).cloned().collect();
        wait_until(
            &format!("presence of every other node at {}", n.opts.name),
            MESH_TIMEOUT,
            || async {
                let peers = n.handle.p2p.peers().await.unwrap_or_default();
                let seen: BTreeSet<String> = peers
                    .iter()
                    .filter(|p| p.peer_id != me)
                    .filter_map(|p| p.presence.as_ref().map(|x| x.node_name.clone()))
                    .collect();
                (seen == want, format!("{seen:?}"))
            },
        )
        .await?;
        assert!(
            n.metric("chorus_p2p_gossip_messages_total{direction=\"in\",topic=\"presence\"}")
                >= 4.0
        );
    }
    Ok(())
}
