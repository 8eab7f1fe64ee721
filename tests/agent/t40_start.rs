use std::time::Duration;

use chorus_testkit::{LocalNode, NodeOptions, wait_until};

/// A start that fails at its last step (a health port already taken) stops what it had started:
/// the same data directory starts again at once, so no lock, sled database or port was left
/// held.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_start_that_fails_late_releases_everything_it_started() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let taken = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = taken.local_addr()?.port();
    let work = tempfile::tempdir()?;
    let dir = work.path().join("node");
    let opts = NodeOptions {
        data_dir: Some(dir.clone()),
        ..NodeOptions::new("unwind", "unwind")
    };
    let err = match LocalNode::start(opts.clone().env("CHORUS_HEALTH_PORT", port.to_string())).await
    {
        Ok(n) => {
            n.stop().await;
            anyhow::bail!("the node started on a taken health port")
        }
        Err(e) => e.to_string(),
    };
    assert!(err.contains("CHORUS_HEALTH_PORT"), "{err}");
    let node = LocalNode::start(opts).await?;
    wait_until(
        "the restarted node to lead",
        Duration::from_secs(60),
        || async {
            let s = node.status();
            (s.is_leader == Some(true), format!("{s:?}"))
        },
    )
    .await?;
    node.stop().await;
    drop(taken);
    Ok(())
}
