//! Settings of the records service.

use std::{path::PathBuf, time::Duration};

/// How the records service runs. Defaults suit a node of a small cluster.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where this node's role identities live (`<data>/keys/roles`); read at start. A missing
    /// directory means the node holds no role.
    pub roles_dir: PathBuf,
    /// Largest record accepted or built. Default 1 MiB, the palace's envelope limit, so every
    /// record that verifies can also be stored.
    pub max_record_bytes: usize,
    /// Announcements being fetched and verified at once; beyond it, new ones are ignored (not
    /// forwarded) and counted as `busy`.
    pub max_concurrent_receipts: usize,
    /// How long fetching one record from the DHT or one peer may take.
    pub fetch_timeout: Duration,
    /// Peers asked in turn over `/records/1` when the palace and the DHT miss.
    pub max_fetch_peers: usize,
    /// How many times a publication retries when another writer fenced the address first.
    pub max_publish_attempts: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            roles_dir: PathBuf::from("keys/roles"),
            max_record_bytes: 1024 * 1024,
            max_concurrent_receipts: 64,
            fetch_timeout: Duration::from_secs(5),
            max_fetch_peers: 8,
            max_publish_attempts: 8,
        }
    }
}
