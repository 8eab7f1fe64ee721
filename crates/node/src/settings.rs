//! The table of every setting: its file key, environment variable, flag, default and meaning.
//!
//! It is the one source the rest follows: the configuration layers accept exactly these keys
//! and variables, `chorus-agent` builds its flags and their help from it, a test checks that the
//! defaults it states are the owning crates' defaults, and another that `docs/configuration.md`
//! lists the same settings, variables, flags and defaults.

/// One configurable setting.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// Key in the TOML file (and the internal name).
    pub key: &'static str,
    /// Environment variable.
    pub env: &'static str,
    /// Command-line flag of `chorus-agent`, if any. A flag starting with `--no-` is a switch
    /// that sets the setting to `false`; any other takes a value.
    pub flag: Option<&'static str>,
    /// Default, as written in docs (`-` means unset).
    pub default: &'static str,
    /// What it does.
    pub doc: &'static str,
}

macro_rules! s {
    ($key:literal, $env:literal, $flag:expr, $default:literal, $doc:literal) => {
        Setting {
            key: $key,
            env: $env,
            flag: $flag,
            default: $default,
            doc: $doc,
        }
    };
}

/// Every setting, in documentation order.
pub const SETTINGS: &[Setting] = &[
    s!(
        "cluster",
        "CHORUS_CLUSTER",
        Some("--cluster"),
        "chorus",
        "Cluster name; scopes protocols and topics (a-z, 0-9, '-', ≤64)."
    ),
    s!(
        "node_name",
        "CHORUS_NODE_NAME",
        Some("--node-name"),
        "host name",
        "This node's name (letters, digits, '-', '_', '.', ≤64)."
    ),
    s!(
        "role",
        "CHORUS_ROLE",
        Some("--role"),
        "agent",
        "This node's role, announced in presence: `portal` (a human portal, never a voter) or an agent role such as `agent` or `developer`."
    ),
    s!(
        "data_dir",
        "CHORUS_DATA_DIR",
        Some("--data-dir"),
        "~/.chorus/<node_name>",
        "Data directory (keys, raft, index, sockets, run, backups)."
    ),
    s!(
        "p2p_port",
        "CHORUS_P2P_PORT",
        Some("--p2p-port"),
        "9000",
        "TCP port of the mesh; 0 picks a free port."
    ),
    s!(
        "listen_addrs",
        "CHORUS_LISTEN_ADDRS",
        Some("--listen-addrs"),
        "/ip4/0.0.0.0/tcp/<p2p_port>",
        "Comma-separated multiaddrs to listen on (overrides p2p_port)."
    ),
    s!(
        "bootstrap_peers",
        "CHORUS_BOOTSTRAP_PEERS",
        Some("--bootstrap-peers"),
        "-",
        "Comma-separated multiaddrs dialled at start and redialled while disconnected."
    ),
    s!(
        "bootstrap_dns",
        "CHORUS_BOOTSTRAP_DNS",
        Some("--bootstrap-dns"),
        "-",
        "Comma-separated host:port names resolved to every address (tasks.<service>:9000 on Swarm)."
    ),
    s!(
        "bootstrap_dns_interval",
        "CHORUS_BOOTSTRAP_DNS_INTERVAL",
        None,
        "30s",
        "How often bootstrap names are resolved again."
    ),
    s!(
        "mdns",
        "CHORUS_MDNS",
        Some("--no-mdns"),
        "true",
        "Discover peers by multicast DNS on the LAN."
    ),
    s!(
        "dht_enabled",
        "CHORUS_DHT_ENABLED",
        None,
        "true",
        "Run the Kademlia DHT (server mode) to learn peers from peers."
    ),
    s!(
        "bootstrap_expect",
        "CHORUS_BOOTSTRAP_EXPECT",
        Some("--bootstrap-expect"),
        "1",
        "Voters expected at formation; the cluster forms once this many nodes see each other."
    ),
    s!(
        "raft_heartbeat",
        "CHORUS_RAFT_HEARTBEAT",
        None,
        "100ms",
        "Leader heartbeat period."
    ),
    s!(
        "raft_election_min",
        "CHORUS_RAFT_ELECTION_MIN",
        None,
        "150ms",
        "Lower end of openraft's election timeout; a follower elects after the lease (raft_election_max) plus its timeout."
    ),
    s!(
        "raft_election_max",
        "CHORUS_RAFT_ELECTION_MAX",
        None,
        "300ms",
        "Upper end of the election timeout, also the leader lease."
    ),
    s!(
        "max_voters",
        "CHORUS_MAX_VOTERS",
        None,
        "5",
        "Learners are promoted to voters up to this many voters."
    ),
    s!(
        "max_learners",
        "CHORUS_MAX_LEARNERS",
        None,
        "16",
        "Read replicas the leader feeds at most."
    ),
    s!(
        "write_timeout",
        "CHORUS_WRITE_TIMEOUT",
        None,
        "10s",
        "Deadline of a write, retries across leader changes included."
    ),
    s!(
        "read_timeout",
        "CHORUS_READ_TIMEOUT",
        None,
        "5s",
        "How long a read waits for min_index or a linearizable read index."
    ),
    s!(
        "snapshot_every",
        "CHORUS_SNAPSHOT_EVERY",
        None,
        "10000",
        "Entries between snapshots (logs behind a snapshot are purged)."
    ),
    s!(
        "snapshot_chunk_bytes",
        "CHORUS_SNAPSHOT_CHUNK_BYTES",
        None,
        "4194304",
        "Snapshots are sent to lagging nodes in chunks of this many bytes (64 KiB to 8 MiB)."
    ),
    s!(
        "http_bind",
        "CHORUS_HTTP_BIND",
        Some("--http-bind"),
        "0.0.0.0",
        "IP address the health and API ports bind to."
    ),
    s!(
        "api_port",
        "CHORUS_API_PORT",
        Some("--api-port"),
        "8080",
        "TCP port of the token-protected API (off unless api_token_file is set); 0 picks a free port."
    ),
    s!(
        "health_port",
        "CHORUS_HEALTH_PORT",
        Some("--health-port"),
        "8081",
        "TCP port of /healthz, /readyz, /status and /metrics; 0 picks a free port."
    ),
    s!(
        "api_token_file",
        "CHORUS_API_TOKEN_FILE",
        Some("--api-token-file"),
        "-",
        "File holding the bearer token of the TCP API (not readable by group or others)."
    ),
    s!(
        "cluster_secret_file",
        "CHORUS_CLUSTER_SECRET_FILE",
        Some("--cluster-secret-file"),
        "-",
        "File holding the cluster secret; becomes the private-network key (not readable by group or others)."
    ),
    s!(
        "log",
        "CHORUS_LOG",
        Some("--log"),
        "info",
        "Log filter (`info`, `chorus_p2p=debug,warn`, …)."
    ),
    s!(
        "log_format",
        "CHORUS_LOG_FORMAT",
        Some("--log-format"),
        "text",
        "Log format: `text` or `json`."
    ),
];

impl Setting {
    /// Whether its flag is a switch (`--no-mdns`) that sets the setting to `false`.
    pub fn flag_is_switch(&self) -> bool {
        self.flag.is_some_and(|f| f.starts_with("--no-"))
    }
}

/// The setting with this file key.
pub fn by_key(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}
