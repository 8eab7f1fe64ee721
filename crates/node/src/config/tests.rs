use std::{collections::HashMap, fs, os::unix::fs::PermissionsExt, path::PathBuf};

use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn one_error(r: Result<NodeConfig, ConfigError>) -> SettingError {
    let e = r.expect_err("expected a configuration error");
    assert_eq!(e.0.len(), 1, "{e}");
    e.0[0].clone()
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let c = NodeConfig::load(&env(&[("HOME", "/h"), ("HOSTNAME", "n1")]), None, &[]).unwrap();
    assert_eq!(c.cluster(), "chorus");
    assert_eq!(c.node_name, "n1");
    assert_eq!(c.data_dir, PathBuf::from("/h/.chorus/n1"));
    assert_eq!(c.p2p.listen_addrs[0].to_string(), "/ip4/0.0.0.0/tcp/9000");
    assert_eq!((c.api.api_port, c.api.health_port), (8080, 8081));
    assert_eq!(
        c.api.socket_path,
        PathBuf::from("/h/.chorus/n1/sockets/api.sock")
    );
    assert!(c.p2p.mdns && c.p2p.dht);
    assert_eq!(c.consensus.bootstrap_expect, 1);
    assert_eq!(
        (c.consensus.cluster.as_str(), c.consensus.node_name.as_str()),
        ("chorus", "n1")
    );
    assert!(c.consensus.voter);
    assert!(c.api.api_token.is_none() && c.p2p.psk.is_none());
}

#[test]
fn layers_override_in_order_file_env_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    fs::write(&file, "p2p_port = 1000\nhealth_port = 1001\napi_port = 1002\nbootstrap_peers = [\"/ip4/10.0.0.1/tcp/9000\"]\n").unwrap();
    let e = env(&[("CHORUS_HEALTH_PORT", "2001"), ("CHORUS_API_PORT", "2002")]);
    let c = NodeConfig::load(&e, Some(&file), &[("api_port", "3002".into())]).unwrap();
    assert_eq!(
        c.p2p.listen_addrs[0].to_string(),
        "/ip4/0.0.0.0/tcp/1000",
        "file beats default"
    );
    assert_eq!(c.api.health_port, 2001, "env beats file");
    assert_eq!(c.api.api_port, 3002, "flag beats env");
    assert_eq!(c.p2p.bootstrap_peers.len(), 1);
}

#[test]
fn config_file_comes_from_env_when_no_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    fs::write(&file, "cluster = \"blue\"\n").unwrap();
    let c = NodeConfig::load(
        &env(&[("CHORUS_CONFIG", file.to_str().unwrap())]),
        None,
        &[],
    )
    .unwrap();
    assert_eq!(c.cluster(), "blue");
}

#[test]
fn bad_port_names_the_variable_the_value_and_the_range() {
    let e = one_error(NodeConfig::load(
        &env(&[("CHORUS_P2P_PORT", "70000")]),
        None,
        &[],
    ));
    assert_eq!(e.setting, "CHORUS_P2P_PORT");
    assert_eq!(e.value, "70000");
    assert!(e.expected.contains("0 to 65535"), "{e}");
    let e = one_error(NodeConfig::load(
        &env(&[]),
        None,
        &[("p2p_port", "x".into())],
    ));
    assert_eq!(e.setting, "--p2p-port");
}

#[test]
fn unknown_log_format_is_rejected() {
    let e = one_error(NodeConfig::load(
        &env(&[("CHORUS_LOG_FORMAT", "yaml")]),
        None,
        &[],
    ));
    assert_eq!(e.setting, "CHORUS_LOG_FORMAT");
    assert!(e.to_string().contains("\"yaml\""), "{e}");
}

#[test]
fn secret_files_must_exist_and_be_private() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let e = one_error(NodeConfig::load(
        &env(&[("CHORUS_CLUSTER_SECRET_FILE", missing.to_str().unwrap())]),
        None,
        &[],
    ));
    assert_eq!(e.setting, "CHORUS_CLUSTER_SECRET_FILE");
    assert!(e.expected.contains("cannot read"), "{e}");

    let open = dir.path().join("open");
    fs::write(&open, "0123456789abcdef0123").unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o644)).unwrap();
    let e = one_error(NodeConfig::load(
        &env(&[("CHORUS_CLUSTER_SECRET_FILE", open.to_str().unwrap())]),
        None,
        &[],
    ));
    assert!(e.expected.contains("0644"), "{e}");

    fs::set_permissions(&open, fs::Permissions::from_mode(0o600)).unwrap();
    let c = NodeConfig::load(
        &env(&[("CHORUS_CLUSTER_SECRET_FILE", open.to_str().unwrap())]),
        None,
        &[],
    )
    .unwrap();
    assert_eq!(
        c.p2p.psk,
        Some(chorus_p2p::psk_from_secret(b"0123456789abcdef0123"))
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let e = NodeConfig::load(
        &env(&[
            ("CHORUS_P2P_PORT", "-1"),
            ("CHORUS_MDNS", "maybe"),
            ("CHORUS_BOOTSTRAP_PEERS", "nonsense"),
        ]),
        None,
        &[],
    )
    .unwrap_err();
    let names: Vec<_> = e.0.iter().map(|x| x.setting.as_str()).collect();
    assert_eq!(
        names,
        ["CHORUS_P2P_PORT", "CHORUS_BOOTSTRAP_PEERS", "CHORUS_MDNS"]
    );
}

#[test]
fn unknown_file_keys_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    fs::write(&file, "p2p_prot = 1\n").unwrap();
    let e = one_error(NodeConfig::load(&env(&[]), Some(&file), &[]));
    assert!(e.setting.starts_with("p2p_prot in "), "{e}");
}

#[test]
fn durations_parse_with_units() {
    assert_eq!(
        parse_duration("1500ms").unwrap(),
        Duration::from_millis(1500)
    );
    assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
    assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
    assert!(parse_duration("30").is_err());
    assert!(parse_duration("s").is_err());
}

#[test]
fn docs_list_every_setting() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/configuration.md"
    ))
    .expect("docs/configuration.md exists");
    for s in crate::settings::SETTINGS {
        assert!(
            doc.contains(s.env),
            "docs/configuration.md does not mention {}",
            s.env
        );
    }
}

#[test]
fn the_example_config_file_loads() {
    let file = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../configs/agent.toml"
    ));
    let c = NodeConfig::load(&env(&[]), Some(&file), &[]).expect("configs/agent.toml is valid");
    assert_eq!(c.consensus.bootstrap_expect, 3);
    assert_eq!(c.role.to_string(), "developer");
    assert!(c.consensus.voter);
}

#[test]
fn portals_do_not_vote_and_ranges_come_from_consensus() {
    let c = NodeConfig::load(&env(&[("CHORUS_ROLE", "portal")]), None, &[]).unwrap();
    assert!(!c.consensus.voter);
    let e = one_error(NodeConfig::load(
        &env(&[("CHORUS_MAX_VOTERS", "20")]),
        None,
        &[],
    ));
    assert_eq!(e.setting, "CHORUS_MAX_VOTERS");
    assert_eq!(e.value, "20");
    assert!(e.expected.contains("from 1 to 15"), "{e}");
    let e = one_error(NodeConfig::load(
        &env(&[("CHORUS_RAFT_HEARTBEAT", "400ms")]),
        None,
        &[],
    ));
    assert!(e.setting.contains("CHORUS_RAFT_ELECTION_MIN"), "{e}");
    assert!(e.expected.contains("heartbeat < election_min"), "{e}");
    let e = one_error(NodeConfig::load(&env(&[("CHORUS_ROLE", "a b")]), None, &[]));
    assert_eq!(e.setting, "CHORUS_ROLE");
}

#[test]
fn a_data_directory_too_long_for_the_socket_is_refused_at_load() {
    let long = format!("/tmp/{}", "d".repeat(120));
    let e = one_error(NodeConfig::load(
        &env(&[("CHORUS_DATA_DIR", &long)]),
        None,
        &[],
    ));
    assert_eq!(e.setting, "CHORUS_DATA_DIR");
    assert!(e.expected.contains("shorter data directory"), "{e}");
}

/// The settings the owning crates' defaults decide, as one comparable text.
fn defaults_of(c: &NodeConfig) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        c.p2p.cluster,
        c.p2p.listen_addrs,
        c.p2p.bootstrap_peers,
        c.p2p.dns_interval,
        (c.p2p.mdns, c.p2p.dht, c.p2p.psk),
        c.consensus,
        c.api,
        c.role,
        c.log,
        c.log_format
    )
}

/// The settings table's documented defaults are the crates' defaults: setting any setting to
/// the default the table states changes nothing.
#[test]
fn the_documented_defaults_are_the_crates_defaults() {
    let base = env(&[("HOME", "/h"), ("HOSTNAME", "n1")]);
    let default = defaults_of(&NodeConfig::load(&base, None, &[]).unwrap());
    let mut checked = 0;
    for s in crate::settings::SETTINGS {
        // Placeholders ("host name", "~/.chorus/<node_name>") and unset values ("-") have no
        // value to compare.
        if s.default == "-" || s.default.contains(['<', ' ']) {
            continue;
        }
        let mut e = base.clone();
        e.insert(s.env.to_string(), s.default.to_string());
        let c = NodeConfig::load(&e, None, &[])
            .unwrap_or_else(|err| panic!("{} = {:?}: {err}", s.env, s.default));
        assert_eq!(
            defaults_of(&c),
            default,
            "{} = {:?} (the documented default) differs from the built-in default",
            s.env,
            s.default
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} defaults compared");
}
