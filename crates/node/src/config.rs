//! Node configuration: defaults < TOML file < `CHORUS_*` environment < flags.
//!
//! Every layer is reduced to strings keyed by setting, then parsed once, so a bad value gets the
//! same message wherever it came from, naming where it came from. All problems are collected and
//! reported together.

use std::{
    collections::{BTreeMap, HashMap},
    fmt,
    net::IpAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use chorus_p2p::{DnsTarget, Multiaddr};
use chorus_telemetry::LogFormat;

use crate::{
    secret_file,
    settings::{SETTINGS, by_key},
};

/// Everything a node needs to start, validated.
#[derive(Clone)]
pub struct NodeConfig {
    /// Cluster name.
    pub cluster: String,
    /// This node's name.
    pub node_name: String,
    /// This node's role.
    pub role: String,
    /// Data directory.
    pub data_dir: PathBuf,
    /// The mesh port (0 = any free port).
    pub p2p_port: u16,
    /// Multiaddrs to listen on.
    pub listen_addrs: Vec<Multiaddr>,
    /// Multiaddrs to dial at start.
    pub bootstrap_peers: Vec<Multiaddr>,
    /// Names to resolve to every address.
    pub bootstrap_dns: Vec<DnsTarget>,
    /// How often bootstrap names are re-resolved.
    pub bootstrap_dns_interval: Duration,
    /// Multicast DNS discovery.
    pub mdns: bool,
    /// Kademlia DHT.
    pub dht: bool,
    /// Voters expected at formation.
    pub bootstrap_expect: usize,
    /// Consensus timers and limits.
    pub raft: RaftSettings,
    /// Address the HTTP ports bind to.
    pub http_bind: IpAddr,
    /// Token-protected API port.
    pub api_port: u16,
    /// Health and metrics port.
    pub health_port: u16,
    /// Bearer token of the TCP API; `None` keeps the TCP API off.
    pub api_token: Option<String>,
    /// Cluster secret bytes; `None` means an open mesh.
    pub cluster_secret: Option<Vec<u8>>,
    /// Log filter.
    pub log: String,
    /// Log format.
    pub log_format: LogFormat,
}

impl fmt::Debug for NodeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeConfig")
            .field("cluster", &self.cluster)
            .field("node_name", &self.node_name)
            .field("data_dir", &self.data_dir)
            .field("listen_addrs", &self.listen_addrs)
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .field(
                "cluster_secret",
                &self.cluster_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

/// Consensus settings.
#[derive(Debug, Clone)]
pub struct RaftSettings {
    /// Heartbeat period.
    pub heartbeat: Duration,
    /// Election timeout, lower end.
    pub election_min: Duration,
    /// Election timeout, upper end (also the leader lease).
    pub election_max: Duration,
    /// Voters at most.
    pub max_voters: usize,
    /// Learners at most.
    pub max_learners: usize,
    /// Write deadline.
    pub write_timeout: Duration,
    /// Read wait.
    pub read_timeout: Duration,
    /// Entries between snapshots.
    pub snapshot_every: u64,
    /// Snapshot chunk size in bytes.
    pub snapshot_chunk_bytes: usize,
}

/// Where a value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The built-in default.
    Default,
    /// The configuration file.
    File(PathBuf),
    /// An environment variable.
    Env,
    /// A command-line flag.
    Flag,
}

/// One bad setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// How the user named it: `CHORUS_P2P_PORT`, `--p2p-port`, `p2p_port in /etc/chorus.toml`.
    pub setting: String,
    /// The value given (secrets are never echoed: these settings hold file paths).
    pub value: String,
    /// What was expected.
    pub expected: String,
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:?}: {}", self.setting, self.value, self.expected)
    }
}

/// Every bad setting found, one per line when displayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError(pub Vec<SettingError>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "configuration error: {e}")?;
        }
        Ok(())
    }
}

/// Raw string values with where each came from.
#[derive(Debug, Default, Clone)]
pub struct Layers {
    values: BTreeMap<&'static str, (String, Source)>,
    errors: Vec<SettingError>,
}

impl Layers {
    /// Collects the layers: the file (`--config` or `CHORUS_CONFIG`), then the environment,
    /// then flags given as `(key, value)` pairs using the file keys of the settings table.
    pub fn collect(
        env: &HashMap<String, String>,
        config_file: Option<&Path>,
        flags: &[(&str, String)],
    ) -> Self {
        let mut layers = Layers::default();
        let file = config_file
            .map(Path::to_path_buf)
            .or_else(|| env.get("CHORUS_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            layers.read_file(&path);
        }
        for s in SETTINGS {
            if let Some(v) = env.get(s.env) {
                layers.values.insert(s.key, (v.clone(), Source::Env));
            }
        }
        for (key, value) in flags {
            match by_key(key) {
                Some(s) => {
                    layers.values.insert(s.key, (value.clone(), Source::Flag));
                }
                None => layers.errors.push(SettingError {
                    setting: (*key).to_string(),
                    value: value.clone(),
                    expected: "a known setting".into(),
                }),
            }
        }
        layers
    }

    fn read_file(&mut self, path: &Path) {
        let setting = "--config / CHORUS_CONFIG".to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.errors.push(SettingError {
                    setting,
                    value: path.display().to_string(),
                    expected: format!("a readable TOML file ({e})"),
                });
                return;
            }
        };
        let table: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                let msg = e.to_string().replace('\n', " ");
                self.errors.push(SettingError {
                    setting,
                    value: path.display().to_string(),
                    expected: format!("valid TOML ({})", msg.trim()),
                });
                return;
            }
        };
        for (k, v) in table {
            let Some(s) = by_key(&k) else {
                self.errors.push(SettingError {
                    setting: format!("{k} in {}", path.display()),
                    value: v.to_string(),
                    expected: "a known setting (see docs/configuration.md)".into(),
                });
                continue;
            };
            let value = match v {
                toml::Value::String(s) => s,
                toml::Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            self.values
                .insert(s.key, (value, Source::File(path.to_path_buf())));
        }
    }

    fn get(&self, key: &'static str) -> Option<&(String, Source)> {
        self.values.get(key)
    }
}

fn setting_name(key: &'static str, source: &Source) -> String {
    let s = by_key(key);
    match (source, s) {
        (Source::Env, Some(s)) => s.env.to_string(),
        (Source::Flag, Some(s)) => s.flag.unwrap_or(s.key).to_string(),
        (Source::File(p), _) => format!("{key} in {}", p.display()),
        _ => key.to_string(),
    }
}

struct Parser<'a> {
    layers: &'a Layers,
    errors: Vec<SettingError>,
}

impl Parser<'_> {
    fn parse<T>(
        &mut self,
        key: &'static str,
        default: T,
        f: impl Fn(&str) -> Result<T, String>,
    ) -> T {
        debug_assert!(
            by_key(key).is_some(),
            "setting {key} is missing from the settings table"
        );
        let Some((raw, source)) = self.layers.get(key) else {
            return default;
        };
        match f(raw.trim()) {
            Ok(v) => v,
            Err(expected) => {
                self.errors.push(SettingError {
                    setting: setting_name(key, source),
                    value: raw.clone(),
                    expected,
                });
                default
            }
        }
    }

    fn raw(&self, key: &'static str) -> Option<String> {
        self.layers
            .get(key)
            .map(|(v, _)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

fn parse_port(s: &str) -> Result<u16, String> {
    s.parse::<u16>()
        .map_err(|_| "a port number from 0 to 65535 (0 picks a free port)".to_string())
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("true or false".into()),
    }
}

fn parse_name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !s.starts_with('.');
    if ok {
        Ok(s.to_string())
    } else {
        Err("1 to 64 characters of letters, digits, '-', '_' and '.', not starting with '.'".into())
    }
}

fn parse_list<T>(s: &str, item: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(item)
        .collect()
}

fn parse_multiaddr(s: &str) -> Result<Multiaddr, String> {
    s.parse::<Multiaddr>()
        .map_err(|_| format!("multiaddrs like /ip4/10.0.0.5/tcp/9000 (bad item {s:?})"))
}

/// Parses a duration like `1500ms`, `30s`, `5m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let expected = || "a duration like 1500ms, 30s or 5m".to_string();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(expected)?;
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| expected())?;
    match unit.trim() {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n.saturating_mul(60))),
        _ => Err(expected()),
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
        let cluster = p.parse("cluster", "chorus".to_string(), |s| {
            chorus_p2p::validate_cluster_name(s)
                .map(|_| s.to_string())
                .map_err(|_| "1 to 64 characters of a-z, 0-9 and '-'".into())
        });
        let node_name = p.parse("node_name", default_node_name(env), parse_name);
        let role = p.parse("role", "agent".to_string(), parse_name);
        let home = env
            .get("HOME")
            .cloned()
            .unwrap_or_else(|| "/var/lib".into());
        let data_dir = p.parse(
            "data_dir",
            Path::new(&home).join(".chorus").join(&node_name),
            |s| Ok(PathBuf::from(s)),
        );
        let p2p_port = p.parse("p2p_port", 9000, parse_port);
        let listen_default = vec![chorus_p2p_default_listen(p2p_port)];
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
        let bootstrap_dns_interval =
            p.parse("bootstrap_dns_interval", Duration::from_secs(30), |s| {
                let d = parse_duration(s)?;
                if d < Duration::from_secs(1) {
                    Err("at least 1s".into())
                } else {
                    Ok(d)
                }
            });
        let mdns = p.parse("mdns", true, parse_bool);
        let dht = p.parse("dht_enabled", true, parse_bool);
        let bootstrap_expect = p.parse("bootstrap_expect", 1usize, |s| match s.parse::<usize>() {
            Ok(n) if (1..=64).contains(&n) => Ok(n),
            _ => Err("a number of voters from 1 to 64".into()),
        });
        let ms = |lo: u64, hi: u64| {
            move |s: &str| {
                let d = parse_duration(s)?;
                if d < Duration::from_millis(lo) || d > Duration::from_millis(hi) {
                    Err(format!("a duration from {lo}ms to {hi}ms"))
                } else {
                    Ok(d)
                }
            }
        };
        let count = |lo: u64, hi: u64| {
            move |s: &str| match s.parse::<u64>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => Err(format!("a whole number from {lo} to {hi}")),
            }
        };
        let raft = RaftSettings {
            heartbeat: p.parse("raft_heartbeat", Duration::from_millis(100), ms(10, 10_000)),
            election_min: p.parse(
                "raft_election_min",
                Duration::from_millis(150),
                ms(50, 60_000),
            ),
            election_max: p.parse(
                "raft_election_max",
                Duration::from_millis(300),
                ms(50, 60_000),
            ),
            max_voters: p.parse("max_voters", 5, count(1, 15)) as usize,
            max_learners: p.parse("max_learners", 16, count(0, 256)) as usize,
            write_timeout: p.parse("write_timeout", Duration::from_secs(10), ms(100, 600_000)),
            read_timeout: p.parse("read_timeout", Duration::from_secs(5), ms(10, 600_000)),
            snapshot_every: p.parse("snapshot_every", 10_000, count(10, 10_000_000)),
            snapshot_chunk_bytes: p.parse(
                "snapshot_chunk_bytes",
                4 * 1024 * 1024,
                count(64 * 1024, 8 * 1024 * 1024),
            ) as usize,
        };
        if raft.election_min >= raft.election_max || raft.heartbeat >= raft.election_min {
            p.errors.push(SettingError {
                setting:
                    "CHORUS_RAFT_HEARTBEAT / CHORUS_RAFT_ELECTION_MIN / CHORUS_RAFT_ELECTION_MAX"
                        .into(),
                value: format!(
                    "{:?} / {:?} / {:?}",
                    raft.heartbeat, raft.election_min, raft.election_max
                ),
                expected: "heartbeat < election_min < election_max".into(),
            });
        }
        let http_bind = p.parse("http_bind", IpAddr::from([0, 0, 0, 0]), |s| {
            s.parse::<IpAddr>()
                .map_err(|_| "an IP address like 0.0.0.0 or 127.0.0.1".into())
        });
        let api_port = p.parse("api_port", 8080, parse_port);
        let health_port = p.parse("health_port", 8081, parse_port);
        let log = p.parse("log", "info".to_string(), |s| Ok(s.to_string()));
        let log_format = p.parse("log_format", LogFormat::Text, |s| {
            s.parse::<LogFormat>()
                .map_err(|_| "`text` or `json`".into())
        });
        let api_token = p.raw("api_token_file").and_then(|path| {
            p.parse("api_token_file", None, |_| {
                let bytes = secret_file::read(Path::new(&path)).map_err(|e| e.to_string())?;
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
        let cluster_secret = p.raw("cluster_secret_file").and_then(|path| {
            p.parse("cluster_secret_file", None, |_| {
                let bytes = secret_file::read(Path::new(&path)).map_err(|e| e.to_string())?;
                if bytes.trim_ascii().len() < 16 {
                    Err("a secret of at least 16 bytes".into())
                } else {
                    Ok(Some(bytes))
                }
            })
        });
        if !p.errors.is_empty() {
            return Err(ConfigError(p.errors));
        }
        Ok(Self {
            cluster,
            node_name,
            role,
            data_dir,
            p2p_port,
            listen_addrs,
            bootstrap_peers,
            bootstrap_dns,
            bootstrap_dns_interval,
            mdns,
            dht,
            bootstrap_expect,
            raft,
            http_bind,
            api_port,
            health_port,
            api_token,
            cluster_secret,
            log,
            log_format,
        })
    }
}

fn chorus_p2p_default_listen(port: u16) -> Multiaddr {
    use chorus_p2p::Multiaddr as M;
    let s = format!("/ip4/0.0.0.0/tcp/{port}");
    s.parse::<M>().unwrap_or_else(|_| M::empty())
}

#[cfg(test)]
mod tests;
