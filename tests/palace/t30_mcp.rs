use std::time::Duration;

use serde_json::Value;

use crate::cluster;

/// The Python with the official `mcp` SDK, as `scripts/test` provides it.
fn python() -> anyhow::Result<String> {
    let py = std::env::var("CHORUS_TEST_PYTHON").map_err(|_| {
        anyhow::anyhow!(
            "CHORUS_TEST_PYTHON is not set: it must name a python with the `mcp` SDK from PyPI \
             (scripts/test creates one; or: python3 -m venv v && v/bin/pip install mcp==2.3.0 \
             && export CHORUS_TEST_PYTHON=$PWD/v/bin/python)"
        )
    })?;
    let check = std::process::Command::new(&py)
        .args(["-c", "import mcp.client.stdio, mcp.client.session"])
        .output()
        .map_err(|e| anyhow::anyhow!("CHORUS_TEST_PYTHON={py}: cannot run it: {e}"))?;
    anyhow::ensure!(
        check.status.success(),
        "CHORUS_TEST_PYTHON={py} has no `mcp` SDK: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    Ok(py)
}

/// Runs `chorus --data-dir DIR args…` and returns its standard output.
fn chorus_on(dir: &std::path::Path, args: &[&str]) -> anyhow::Result<String> {
    let out = std::process::Command::new(chorus_testkit::bin_path("chorus")?)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "chorus {args:?} exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_python_mcp_sdk_writes_through_a_follower_and_finds_it_through_another_node()
-> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let py = python()?;
    let (c, a) = cluster("mcp").await?;
    let writer = (a.leader + 1) % 3;
    let reader = (a.leader + 2) % 3;
    tracing::info!(
        writer,
        reader,
        "phase: drive chorus mcp with the Python SDK"
    );
    tracing::info!("phase: the writer's node holds the admin role key");
    let admin = chorus_on(&c.nodes[writer].data_dir, &["keys", "gen-role", "admin"])?;
    chorus_on(
        &c.nodes[writer].data_dir,
        &["roles", "set", "admin", admin.trim()],
    )?;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("palace/mcp_client.py");
    let run = tokio::process::Command::new(&py)
        .arg(&script)
        .arg(chorus_testkit::bin_path("chorus")?)
        .arg(&c.nodes[writer].data_dir)
        .arg(&c.nodes[reader].data_dir)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .map_err(|_| anyhow::anyhow!("mcp_client.py did not finish within 120 s"))??;
    let stderr = String::from_utf8_lossy(&out.stderr);
    anyhow::ensure!(
        out.status.success(),
        "mcp_client.py failed ({:?}): {stderr}",
        out.status.code()
    );
    let seen: Value = serde_json::from_slice(&out.stdout)?;
    tracing::info!(%seen, "phase: what the client saw");
    assert!(seen["tools"].as_array().map(Vec::len) >= Some(16), "{seen}");
    assert_eq!(seen["found"]["drawer_id"], seen["added"]["id"], "{seen}");
    assert_eq!(seen["errors"].as_array().map(Vec::len), Some(6), "{seen}");
    assert!(seen["status_drawers"].as_u64() >= Some(1), "{seen}");
    assert!(
        seen["record"]["cid"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{seen}"
    );
    assert!(
        seen["decrypt_refused"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{seen}"
    );
    Ok(())
}
