use std::{os::unix::fs::PermissionsExt, path::Path, process::Output};

use chorus_testkit::{ProcessCluster, bin_path, wait_until};
use serde_json::Value;

use crate::TIMEOUT;

/// Runs `chorus --data-dir <node> args…` (the node's Unix socket).
fn chorus(node: &Path, args: &[&str]) -> anyhow::Result<Output> {
    Ok(std::process::Command::new(bin_path("chorus")?)
        .arg("--data-dir")
        .arg(node)
        .args(args)
        .output()?)
}

fn ok(out: Output) -> anyhow::Result<String> {
    anyhow::ensure!(
        out.status.success(),
        "chorus failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cli_publishes_and_a_record_outlives_its_killed_author() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let mut c = ProcessCluster::start("rec-cli", 3, &[], &[]).await?;
    c.wait_leader(TIMEOUT).await?;
    let dirs: Vec<_> = c.nodes.iter().map(|n| n.data_dir.clone()).collect();
    let tmp = tempfile::tempdir()?;

    tracing::info!("phase: keys and roles through the CLI");
    let admin = ok(chorus(&dirs[0], &["keys", "gen-role", "admin"])?)?;
    let mode = std::fs::metadata(dirs[0].join("keys/roles/admin.age"))?
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    ok(chorus(&dirs[0], &["roles", "set", "admin", admin.trim()])?)?;
    let dev_file = tmp.path().join("developer.age");
    let dev = ok(chorus(
        &dirs[0],
        &[
            "keys",
            "gen-role",
            "developer",
            "--out",
            dev_file.to_str().unwrap_or_default(),
        ],
    )?)?;
    let refused = chorus(&dirs[1], &["roles", "set", "developer", dev.trim()])?;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("admin"));
    ok(chorus(
        &dirs[0],
        &["roles", "set", "developer", dev.trim()],
    )?)?;
    let roles = ok(chorus(&dirs[2], &["roles", "list", "--json"])?)?;
    assert!(
        roles.contains(dev.trim()) && roles.contains(admin.trim()),
        "{roles}"
    );

    tracing::info!("phase: publish on node 1");
    let address = "ucxl://carol:developer@chorus:t-6/*^/choice.md";
    let published: Value = serde_json::from_str(&ok(chorus(
        &dirs[1],
        &[
            "record",
            "publish",
            "--address",
            address,
            "--roles",
            "developer",
            "--text",
            "use tokio",
        ],
    )?)?)?;
    let cid = published["cid"].as_str().unwrap_or_default().to_string();
    assert_eq!(published["version"], 1);

    tracing::info!("phase: SIGKILL the author; the others serve the record");
    c.nodes[1].kill()?;
    for d in [&dirs[0], &dirs[2]] {
        wait_until("the record by cid", TIMEOUT, || async {
            match chorus(d, &["record", "get", &cid]).map(ok) {
                Ok(Ok(s)) => (s.contains(&cid), s),
                Ok(Err(e)) | Err(e) => (false, e.to_string()),
            }
        })
        .await?;
        let latest = ok(chorus(d, &["record", "get", address])?)?;
        assert!(latest.contains(&cid), "{latest}");
    }
    let listed = ok(chorus(
        &dirs[2],
        &["record", "list", "--project", "chorus", "--task", "t-6"],
    )?)?;
    assert!(listed.contains(&cid), "{listed}");

    tracing::info!("phase: export, then verify and decrypt offline");
    let exported = ok(chorus(&dirs[2], &["record", "export", &cid])?)?;
    let file = tmp.path().join("choice.rec");
    std::fs::write(&file, exported)?;
    let nowhere = tmp.path().join("no-node");
    let f = file.to_str().unwrap_or_default();
    let verified = ok(chorus(&nowhere, &["record", "verify", f])?)?;
    assert!(verified.contains(&cid));
    let plain = ok(chorus(
        &nowhere,
        &[
            "record",
            "decrypt",
            f,
            "--identity",
            dev_file.to_str().unwrap_or_default(),
        ],
    )?)?;
    assert_eq!(plain, "use tokio");
    Ok(())
}
