use std::process::Command;

use crate::{cluster, start_bootstrapped, wait_full_mesh};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_as_prometheus_text_format_with_promtool() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let nodes = start_bootstrapped(&cluster("metrics"), 2, &[]).await?;
    wait_full_mesh(&nodes).await?;
    let health = nodes[0].handle.ports().health;
    let text = chorus_client::Client::http(&format!("http://{health}"), None)?
        .get_text("/metrics")
        .await?;
    for name in [
        "chorus_build_info",
        "chorus_p2p_peers_connected",
        "chorus_p2p_gossip_messages_total",
        "chorus_p2p_connection_errors_total",
    ] {
        assert!(
            text.contains(&format!("# TYPE {name} ")),
            "{name} missing from /metrics"
        );
    }
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("metrics.txt");
    std::fs::write(&file, &text)?;
    let out = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(&file)?)
        .output()
        .map_err(|e| {
            anyhow::anyhow!(
                "promtool not runnable ({e}); the test command installs Debian's prometheus package"
            )
        })?;
    // promtool exits 1 for lint warnings too; only parse errors print "error while linting".
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stderr.contains("error while linting") && !stdout.contains("error while linting"),
        "promtool: {stdout}{stderr}"
    );
    assert!(
        out.status.success(),
        "promtool check metrics failed: {stdout}{stderr}"
    );
    Ok(())
}
