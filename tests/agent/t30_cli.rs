use std::os::unix::fs::PermissionsExt;

use chorus_testkit::{AgentProcess, wait_until};

use crate::{loopback_args, run_cli};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_reads_status_and_peers_over_the_socket_and_over_http_with_a_token()
-> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let token = tmp.path().join("token");
    std::fs::write(&token, "test-token-0123456789abcdef\n")?;
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600))?;
    let cluster = format!("cli-{}", std::process::id());
    let mut args = loopback_args();
    args.extend([
        "--cluster".into(),
        cluster.clone(),
        "--api-port".into(),
        "0".into(),
    ]);
    args.extend(["--api-token-file".into(), token.display().to_string()]);
    let a = AgentProcess::start(&tmp.path().join("a"), &args, &[]).await?;
    let mut args_b = args.clone();
    args_b.extend(["--bootstrap-peers".into(), a.bootstrap_addr()]);
    let b = AgentProcess::start(&tmp.path().join("b"), &args_b, &[]).await?;
    wait_until("a to see b", std::time::Duration::from_secs(60), || async {
        let s: Result<chorus_types::status::Status, _> = a.client().get("/v1/status").await;
        match s {
            Ok(s) => (
                s.peers_connected == 1,
                format!("{} peers", s.peers_connected),
            ),
            Err(e) => (false, e.to_string()),
        }
    })
    .await?;

    let dir = a.data_dir.display().to_string();
    let out = run_cli(&["--data-dir", &dir, "status", "--json"], &[])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(s["peer_id"], a.ports["peer_id"]);
    assert_eq!(s["peers_connected"], 1);
    for field in [
        "raft_id",
        "is_leader",
        "leader_peer_id",
        "term",
        "commit_index",
        "applied_index",
        "voters",
        "version",
        "build_sha",
        "node_name",
        "role",
    ] {
        assert!(s.get(field).is_some(), "status lacks {field}");
    }

    let out = run_cli(&["--data-dir", &dir, "peers"], &[])?;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(b.ports["peer_id"].as_str().unwrap_or("?")),
        "{text}"
    );

    let api = format!("http://{}", a.ports["api"].as_str().unwrap_or_default());
    let tok = token.display().to_string();
    let out = run_cli(
        &["--node", &api, "status", "--json"],
        &[("CHORUS_API_TOKEN_FILE", &tok)],
    )?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_cli(&["--node", &api, "status"], &[])?;
    assert!(!out.status.success(), "no token must be refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"));

    let out = run_cli(&["--data-dir", "/nonexistent", "status"], &[])?;
    assert_eq!(
        out.status.code(),
        Some(69),
        "an unreachable node is EX_UNAVAILABLE"
    );

    let health = chorus_client::Client::http(&a.health_url(), None)?;
    assert_eq!(health.get_text("/healthz").await?.trim(), "ok");
    // A lone node forms its cluster after a short grace period (DESIGN §5): wait for it.
    wait_until(
        "a to be ready",
        std::time::Duration::from_secs(30),
        || async {
            match health.get::<serde_json::Value>("/readyz").await {
                Ok(r) => (r["ready"] == true, r.to_string()),
                Err(e) => (false, e.to_string()),
            }
        },
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_shuts_down_cleanly_and_removes_the_socket() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let mut a = AgentProcess::start(&tmp.path().join("a"), &loopback_args(), &[]).await?;
    let socket = a.data_dir.join("sockets/api.sock");
    assert!(socket.exists());
    let code = tokio::time::timeout(std::time::Duration::from_secs(20), a.terminate()).await??;
    assert_eq!(code, Some(0));
    assert!(!socket.exists(), "socket file left behind");
    Ok(())
}
