use chorus_testkit::AgentProcess;

use crate::{loopback_args, run_agent};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_agent_on_the_same_data_directory_refuses_naming_the_holder() -> anyhow::Result<()>
{
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("node");
    let mut first = AgentProcess::start(&dir, &loopback_args(), &[]).await?;
    let pid = first.pid().expect("running");

    let mut args: Vec<String> = vec!["--data-dir".into(), dir.display().to_string()];
    args.extend(loopback_args());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_agent(&argv, &[])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the second agent must not start");
    assert!(
        stderr.contains(&format!("pid {pid}")),
        "the message names the holder: {stderr}"
    );
    assert!(first.pid().is_some());

    // A lock left by a killed process is reclaimed: the kernel released it with the process.
    first.kill()?;
    let peer_before = first.ports["peer_id"].clone();
    first.restart().await?;
    assert_eq!(
        first.ports["peer_id"], peer_before,
        "the node key survives restarts"
    );
    Ok(())
}
