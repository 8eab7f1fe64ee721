//! Node configuration: defaults < TOML file < `CHORUS_*` environment < flags.
//!
//! The defaults and the range checks belong to the crates that use the values: the mesh's
//! (`chorus_p2p::Config`), consensus's (`chorus_consensus::Config::default` and `validate`) and
//! the API's (`chorus_api::Config`). This module reads every layer as strings keyed by setting
//! (`layers`), parses each value once whatever layer it came from (`parse`), lays the result over
//! those defaults, and runs each crate's `validate()`. A bad value gets the same message wherever
//! it came from, naming the setting as the user wrote it; all problems are reported together.

mod layers;
mod parse;

use std::{
    collections::HashMap,
    fmt,
    net::IpAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use chorus_p2p::DnsTarget;
use chorus_telemetry::LogFormat;
use chorus_types::role::NodeRole;
pub use layers::{ConfigError, Layers, SettingError, Source};
pub use parse::parse_duration;
use parse::{Parser, parse_bool, parse_list, parse_multiaddr, parse_name, parse_port};

use crate::{secret_file, settings::by_key};

/// The mesh port when neither `p2p_port` nor `listen_addrs` is set.
pub const DEFAULT_P2P_PORT: u16 = 9000;

/// Everything a node needs to start, validated: its own facts and each subsystem's
/// configuration, ready to hand over.
#[derive(Clone)]
pub struct NodeConfig {
    /// This node's name (also recorded in the membership and announced in presence).
    pub node_name: String,
    /// What the node is; portals never vote.
    pub role: NodeRole,
    /// Data directory.
    pub data_dir: PathBuf,
    /// The mesh: cluster, listen addresses, bootstrap, discovery, private-network key.
    pub p2p: chorus_p2p::Config,
    /// Consensus: cluster, timers, limits, formation, whether this node votes.
    pub consensus: chorus_consensus::Config,
    /// The HTTP listeners; the socket lives in the data directory.
    pub api: chorus_api::Config,
    /// Log filter.
    pub log: String,
    /// Log format.
    pub log_format: LogFormat,
}

impl NodeConfig {
    /// The cluster name.
    pub fn cluster(&self) -> &str {
        &self.consensus.cluster
    }
}

impl fmt::Debug for NodeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The mesh's private-network key stays out of logs; the API config redacts its token.
        f.debug_struct("NodeConfig")
            .field("cluster", &self.consensus.cluster)
            .field("node_name", &self.node_name)
            .field("role", &self.role)
            .field("data_dir", &self.data_dir)
            .field("listen_addrs", &self.p2p.listen_addrs)
            .field(
                "cluster_secret",
                &self.p2p.psk.as_ref().map(|_| "<redacted>"),
            )
            .field("consensus", &self.consensus)
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

fn default_node_name(env: &HashMap<String, String>) -> String {
    let from_file = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string());
    env.get("HOSTNAME")
        .cloned()
        .or(from_file)
        .and_then(|h| parse_name(&h).ok())
        .unwrap_or_else(|| "chorus-node".to_string())
}

fn parse_count(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| "a whole number".to_string())
}

fn parse_secret(path: &str, min_bytes: usize, what: &str) -> Result<Vec<u8>, String> {
    let bytes = secret_file::read(Path::new(path)).map_err(|e| e.to_string())?;
    if bytes.trim_ascii().len() < min_bytes {
        Err(format!("a {what} of at least {min_bytes} bytes"))
    } else {
        Ok(bytes)
    }
}

/// The setting an operator uses for a consensus field.
fn consensus_setting(field: &str) -> &'static str {
    match field {
        "heartbeat" => "raft_heartbeat",
        "election_min" => "raft_election_min",
        "election_max" => "raft_election_max",
        other => by_key(other).map(|s| s.key).unwrap_or("raft"),
    }
}

impl Parser<'_> {
    /// Records a problem a crate's `validate()` found with the settings `keys`: named as the
    /// user wrote it, with the value the user gave when there is one.
    fn invalid(&mut self, keys: &[&'static str], value: String, expected: String) {
        let (setting, value) = match keys {
            [key] => match self.layers.get(key) {
                Some((raw, source)) => (layers::setting_name(key, source), raw.clone()),
                None => (by_key(key).map(|s| s.env).unwrap_or(key).to_string(), value),
            },
            many => (
                many.iter()
                    .map(|k| by_key(k).map(|s| s.env).unwrap_or(k))
                    .collect::<Vec<_>>()
                    .join(" / "),
                value,
            ),
        };
        self.errors.push(SettingError {
            setting,
            value,
            expected,
        });
    }
}

impl NodeConfig {
    /// Loads and validates the configuration from all layers. `env` is the process environment
    /// (tests pass a map); `flags` are `(file key, value)` pairs from the command line.
    pub fn load(
        env: &HashMap<String, String>,
        config_file: Option<&Path>,
        flags: &[(&str, String)],
    ) -> Result<Self, ConfigError> {
        let layers = Layers::collect(env, config_file, flags);
        let mut p = Parser {
            layers: &layers,
            errors: layers.errors.clone(),
        };
        let p2p_defaults = chorus_p2p::Config::default();
        let mut consensus = chorus_consensus::Config::default();
        let mut api = chorus_api::Config::default();

        let cluster = p.parse("cluster", p2p_defaults.cluster.clone(), |s| {
            chorus_p2p::validate_cluster_name(s)
                .map(|_| s.to_string())
                .map_err(|_| "1 to 64 characters of a-z, 0-9 and '-'".into())
        });
        let node_name = p.parse("node_name", default_node_name(env), parse_name);
        let role = p.parse("role", NodeRole::default(), |s| {
            s.parse::<NodeRole>().map_err(|_| {
                "`portal`, or an agent role of 1 to 64 letters, digits, '-', '_' and '.', not starting with '.'".into()
            })
        });
        let home = env
            .get("HOME")
            .cloned()
            .unwrap_or_else(|| "/var/lib".into());
        let data_dir = p.parse(
            "data_dir",
            chorus_datadir::default_root(Path::new(&home), &node_name),
            |s| Ok(PathBuf::from(s)),
        );

        let p2p_port = p.parse("p2p_port", DEFAULT_P2P_PORT, parse_port);
        let listen_default = vec![chorus_p2p::default_listen(p2p_port)];
        let listen_addrs = p.parse("listen_addrs", listen_default, |s| {
            let v = parse_list(s, parse_multiaddr)?;
            if v.is_empty() {
                Err("at least one multiaddr".into())
            } else {
                Ok(v)
            }
        });
        let bootstrap_peers = p.parse("bootstrap_peers", Vec::new(), |s| {
            parse_list(s, parse_multiaddr)
        });
        let bootstrap_dns = p.parse("bootstrap_dns", Vec::new(), |s| {
            parse_list(s, |i| {
                i.parse::<DnsTarget>()
                    .map_err(|e| format!("{e} (bad item {i:?})"))
            })
        });
        let dns_interval = p.parse("bootstrap_dns_interval", p2p_defaults.dns_interval, |s| {
            let d = parse_duration(s)?;
            if d < Duration::from_secs(1) {
                Err("at least 1s".into())
            } else {
                Ok(d)
            }
        });
        let mdns = p.parse("mdns", p2p_defaults.mdns, parse_bool);
        let dht = p.parse("dht_enabled", p2p_defaults.dht, parse_bool);
        let psk = p.raw("cluster_secret_file").and_then(|path| {
            p.parse("cluster_secret_file", None, |_| {
                parse_secret(&path, 16, "secret").map(|b| Some(chorus_p2p::psk_from_secret(&b)))
            })
        });

        let c = &mut consensus;
        c.bootstrap_expect = p.parse("bootstrap_expect", c.bootstrap_expect, |s| {
            s.parse::<usize>()
                .map_err(|_| "a number of voters from 1 to 64".into())
        });
        c.heartbeat = p.parse("raft_heartbeat", c.heartbeat, parse_duration);
        c.election_min = p.parse("raft_election_min", c.election_min, parse_duration);
        c.election_max = p.parse("raft_election_max", c.election_max, parse_duration);
        c.max_voters = p.parse("max_voters", c.max_voters as u64, parse_count) as usize;
        c.max_learners = p.parse("max_learners", c.max_learners as u64, parse_count) as usize;
        c.write_timeout = p.parse("write_timeout", c.write_timeout, parse_duration);
        c.read_timeout = p.parse("read_timeout", c.read_timeout, parse_duration);
        c.snapshot_every = p.parse("snapshot_every", c.snapshot_every, parse_count);
        c.snapshot_chunk_bytes = p.parse(
            "snapshot_chunk_bytes",
            c.snapshot_chunk_bytes as u64,
            parse_count,
        ) as usize;
        c.cluster = cluster.clone();
        c.node_name = node_name.clone();
        c.voter = role.votes();

        api.http_bind = p.parse("http_bind", api.http_bind, |s| {
            s.parse::<IpAddr>()
                .map_err(|_| "an IP address like 0.0.0.0 or 127.0.0.1".into())
        });
        api.api_port = p.parse("api_port", api.api_port, parse_port);
        api.health_port = p.parse("health_port", api.health_port, parse_port);
        api.api_token = p.raw("api_token_file").and_then(|path| {
            p.parse("api_token_file", None, |_| {
                let bytes = parse_secret(&path, 0, "token")?;
                let token = String::from_utf8(bytes)
                    .map_err(|_| "a file holding a UTF-8 token".to_string())?;
                let token = token.trim().to_string();
                if token.len() < 16 {
                    Err("a token of at least 16 characters".into())
                } else {
                    Ok(Some(token))
                }
            })
        });
        api.socket_path = data_dir.join(chorus_datadir::SOCKET);

        let log = p.parse("log", "info".to_string(), |s| Ok(s.to_string()));
        let log_format = p.parse("log_format", LogFormat::Text, |s| {
            s.parse::<LogFormat>()
                .map_err(|_| "`text` or `json`".into())
        });

        // Ranges and relations are the owning crates' to check.
        for e in consensus.validate().err().unwrap_or_default() {
            let keys: Vec<&'static str> = e.fields.iter().map(|f| consensus_setting(f)).collect();
            p.invalid(&keys, e.value, e.expected);
        }
        for e in api.validate().err().unwrap_or_default() {
            p.invalid(&["data_dir"], e.value, e.expected);
        }
        if !p.errors.is_empty() {
            return Err(ConfigError(p.errors));
        }
        let p2p = chorus_p2p::Config {
            cluster,
            listen_addrs,
            bootstrap_peers,
            bootstrap_dns,
            dns_interval,
            mdns,
            dht,
            psk,
            ..p2p_defaults
        };
        Ok(Self {
            node_name,
            role,
            data_dir,
            p2p,
            consensus,
            api,
            log,
            log_format,
        })
    }
}

#[cfg(test)]
mod tests;
