use std::{os::unix::fs::PermissionsExt, path::Path};

use chorus_testkit::{LocalNode, NodeOptions, wait_until};

use crate::{MESH_TIMEOUT, cluster};

fn secret_file(dir: &Path, name: &str, secret: &str) -> anyhow::Result<String> {
    let p = dir.join(name);
    std::fs::write(&p, secret)?;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
    Ok(p.display().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_with_another_or_no_secret_never_connects_and_is_counted() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let c = cluster("secret");
    let tmp = tempfile::tempdir()?;
    let s1 = secret_file(tmp.path(), "s1", "first-cluster-secret-0123456789")?;
    let s2 = secret_file(tmp.path(), "s2", "second-cluster-secret-987654321")?;

    tracing::info!("phase: node a holds secret 1");
    let a =
        LocalNode::start(NodeOptions::new(&c, "a").env("CHORUS_CLUSTER_SECRET_FILE", &s1)).await?;
    let boot = a.bootstrap_addr().to_string();
    tracing::info!("phase: node b holds secret 2, node c holds none; both bootstrap from a");
    let b = LocalNode::start(
        NodeOptions::new(&c, "b")
            .env("CHORUS_CLUSTER_SECRET_FILE", &s2)
            .env("CHORUS_BOOTSTRAP_PEERS", &boot),
    )
    .await?;
    let nc =
        LocalNode::start(NodeOptions::new(&c, "c").env("CHORUS_BOOTSTRAP_PEERS", &boot)).await?;

    let refused_in =
        "chorus_p2p_connection_errors_total{direction=\"inbound\",reason=\"cluster_secret\"}";
    let refused_out =
        "chorus_p2p_connection_errors_total{direction=\"outbound\",reason=\"cluster_secret\"}";
    wait_until(
        "a to refuse both b and c, and b to count its own refusal",
        MESH_TIMEOUT,
        || async {
            let (ai, bo) = (a.metric(refused_in), b.metric(refused_out));
            (
                ai >= 2.0 && bo >= 1.0,
                format!("a inbound refusals {ai}, b outbound refusals {bo}"),
            )
        },
    )
    .await?;

    tracing::info!("phase: control: node d holds secret 1 and joins a");
    let d = LocalNode::start(
        NodeOptions::new(&c, "d")
            .env("CHORUS_CLUSTER_SECRET_FILE", &s1)
            .env("CHORUS_BOOTSTRAP_PEERS", &boot),
    )
    .await?;
    wait_until("a and d to connect", MESH_TIMEOUT, || async {
        (
            a.peer_count() == 1 && d.peer_count() == 1,
            format!("a={} d={}", a.peer_count(), d.peer_count()),
        )
    })
    .await?;

    // Never established: not a connection that was later dropped.
    for (n, name) in [(&b, "b"), (&nc, "c")] {
        assert_eq!(
            n.metric("chorus_p2p_connections_established_total"),
            0.0,
            "{name} established a connection"
        );
        assert_eq!(n.peer_count(), 0, "{name} has peers");
    }
    let a_peers: Vec<String> = a
        .handle
        .p2p
        .peers()
        .await?
        .into_iter()
        .map(|p| p.peer_id)
        .collect();
    assert_eq!(a_peers, vec![d.handle.p2p.local_peer_id().to_string()]);
    Ok(())
}
