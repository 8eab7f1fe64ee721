use std::os::unix::fs::PermissionsExt;

use crate::run_agent;

/// Asserts exit status 64 and one stderr line naming `setting` and `value`.
fn assert_usage_error(out: &std::process::Output, setting: &str, value: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(64),
        "expected exit 64; stderr: {stderr}"
    );
    let line = stderr
        .lines()
        .find(|l| l.contains(setting))
        .unwrap_or_else(|| panic!("no line names {setting}: {stderr}"));
    assert!(
        line.contains(value),
        "the line does not show the value {value:?}: {line}"
    );
}

#[test]
fn port_70000_exits_64_naming_the_variable() -> anyhow::Result<()> {
    let out = run_agent(&[], &[("CHORUS_P2P_PORT", "70000")])?;
    assert_usage_error(&out, "CHORUS_P2P_PORT", "70000");
    let out = run_agent(&["--health-port", "70000"], &[])?;
    assert_usage_error(&out, "--health-port", "70000");
    Ok(())
}

#[test]
fn unknown_log_format_exits_64() -> anyhow::Result<()> {
    let out = run_agent(&[], &[("CHORUS_LOG_FORMAT", "yaml")])?;
    assert_usage_error(&out, "CHORUS_LOG_FORMAT", "yaml");
    Ok(())
}

#[test]
fn missing_secret_file_exits_64() -> anyhow::Result<()> {
    let out = run_agent(
        &[],
        &[("CHORUS_CLUSTER_SECRET_FILE", "/nonexistent/secret")],
    )?;
    assert_usage_error(&out, "CHORUS_CLUSTER_SECRET_FILE", "/nonexistent/secret");
    Ok(())
}

#[test]
fn world_readable_secret_exits_64() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let p = dir.path().join("secret");
    std::fs::write(&p, "a-perfectly-long-cluster-secret")?;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644))?;
    let path = p.display().to_string();
    let out = run_agent(&[], &[("CHORUS_CLUSTER_SECRET_FILE", &path)])?;
    assert_usage_error(&out, "CHORUS_CLUSTER_SECRET_FILE", &path);
    assert!(String::from_utf8_lossy(&out.stderr).contains("0644"));
    let out = run_agent(&[], &[("CHORUS_API_TOKEN_FILE", &path)])?;
    assert_usage_error(&out, "CHORUS_API_TOKEN_FILE", &path);
    Ok(())
}

#[test]
fn every_bad_setting_is_reported_at_once() -> anyhow::Result<()> {
    let out = run_agent(
        &["--bootstrap-expect", "0"],
        &[("CHORUS_P2P_PORT", "x"), ("CHORUS_MDNS", "perhaps")],
    )?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64));
    for s in ["CHORUS_P2P_PORT", "CHORUS_MDNS", "--bootstrap-expect"] {
        assert!(stderr.contains(s), "{s} not reported: {stderr}");
    }
    Ok(())
}

#[test]
fn an_unknown_flag_exits_64_naming_it() -> anyhow::Result<()> {
    let out = run_agent(&["--p2p-prot", "9000"], &[])?;
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--p2p-prot"), "{stderr}");
    let help = run_agent(&["--help"], &[])?;
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in ["--bootstrap-expect", "--no-mdns", "CHORUS_BOOTSTRAP_EXPECT"] {
        assert!(
            text.contains(flag),
            "--help does not document {flag}: {text}"
        );
    }
    Ok(())
}
