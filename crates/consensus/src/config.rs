//! Consensus configuration.

use std::time::Duration;

/// How the node takes part in consensus.
#[derive(Debug, Clone)]
pub struct Config {
    /// Cluster name (Raft's cluster name too).
    pub cluster: String,
    /// This node's name, recorded in the membership.
    pub node_name: String,
    /// Leader heartbeat period.
    pub heartbeat: Duration,
    /// openraft's election timeout range. A follower that knew a leader starts an election
    /// `election_max` (the leader lease) plus its own timeout, drawn once from this range,
    /// after the last heartbeat: 450–600 ms with the defaults.
    pub election_min: Duration,
    /// Upper end of the election timeout range, also the leader lease.
    pub election_max: Duration,
    /// Voters expected at formation; the lowest Raft id among them initialises the cluster.
    pub bootstrap_expect: usize,
    /// Learners are promoted to voters up to this many voters.
    pub max_voters: usize,
    /// Read replicas (learners) fed by the leader at most.
    pub max_learners: usize,
    /// Whether this node may vote (portals never do).
    pub voter: bool,
    /// How long a write may take end to end, retries included.
    pub write_timeout: Duration,
    /// How long a read waits for `min_index` or a linearizable read index.
    pub read_timeout: Duration,
    /// Largest encoded operation accepted.
    pub max_command_bytes: usize,
    /// Largest Raft message (AppendEntries batches shrink to fit; snapshot chunks are smaller).
    pub max_raft_bytes: usize,
    /// Largest forwarded write message.
    pub max_write_bytes: usize,
    /// A snapshot is taken after this many entries since the last one.
    pub snapshot_every: u64,
    /// Snapshots travel in chunks of this many bytes (below the Raft message limit).
    pub snapshot_chunk_bytes: usize,
    /// Entries kept behind a snapshot for slow followers (at most `snapshot_every`).
    pub keep_behind_snapshot: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            cluster: "chorus".into(),
            node_name: "node".into(),
            heartbeat: Duration::from_millis(100),
            election_min: Duration::from_millis(150),
            election_max: Duration::from_millis(300),
            bootstrap_expect: 1,
            max_voters: 5,
            max_learners: 16,
            voter: true,
            write_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(5),
            max_command_bytes: 4 * 1024 * 1024,
            max_raft_bytes: 16 * 1024 * 1024,
            max_write_bytes: 8 * 1024 * 1024,
            snapshot_every: 10_000,
            snapshot_chunk_bytes: 4 * 1024 * 1024,
            keep_behind_snapshot: 1_000,
        }
    }
}

/// A setting out of its range, or settings that contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} = {value}: expected {expected}", fields.join(" / "))]
pub struct Invalid {
    /// The field, or the fields whose relation is wrong.
    pub fields: &'static [&'static str],
    /// The value (or values), as written in the message.
    pub value: String,
    /// What was expected.
    pub expected: String,
}

fn check_duration(
    out: &mut Vec<Invalid>,
    field: &'static [&'static str],
    d: Duration,
    lo_ms: u64,
    hi_ms: u64,
) {
    if d < Duration::from_millis(lo_ms) || d > Duration::from_millis(hi_ms) {
        out.push(Invalid {
            fields: field,
            value: format!("{d:?}"),
            expected: format!("a duration from {lo_ms}ms to {hi_ms}ms"),
        });
    }
}

fn check_count(out: &mut Vec<Invalid>, field: &'static [&'static str], n: u64, lo: u64, hi: u64) {
    if !(lo..=hi).contains(&n) {
        out.push(Invalid {
            fields: field,
            value: n.to_string(),
            expected: format!("a whole number from {lo} to {hi}"),
        });
    }
}

impl Config {
    /// Checks every field an operator can set: the ranges below and heartbeat < election_min
    /// < election_max. Returns every problem, not just the first.
    pub fn validate(&self) -> Result<(), Vec<Invalid>> {
        let mut out = Vec::new();
        let o = &mut out;
        // A heartbeat shorter than 10 ms floods the mesh; over 10 s no failure is noticed.
        check_duration(o, &["heartbeat"], self.heartbeat, 10, 10_000);
        check_duration(o, &["election_min"], self.election_min, 50, 60_000);
        check_duration(o, &["election_max"], self.election_max, 50, 60_000);
        if self.election_min >= self.election_max || self.heartbeat >= self.election_min {
            o.push(Invalid {
                fields: &["heartbeat", "election_min", "election_max"],
                value: format!(
                    "{:?} / {:?} / {:?}",
                    self.heartbeat, self.election_min, self.election_max
                ),
                expected: "heartbeat < election_min < election_max".into(),
            });
        }
        if !(1..=64).contains(&self.bootstrap_expect) {
            o.push(Invalid {
                fields: &["bootstrap_expect"],
                value: self.bootstrap_expect.to_string(),
                expected: "a number of voters from 1 to 64".into(),
            });
        }
        check_count(o, &["max_voters"], self.max_voters as u64, 1, 15);
        check_count(o, &["max_learners"], self.max_learners as u64, 0, 256);
        check_duration(o, &["write_timeout"], self.write_timeout, 100, 600_000);
        check_duration(o, &["read_timeout"], self.read_timeout, 10, 600_000);
        check_count(o, &["snapshot_every"], self.snapshot_every, 10, 10_000_000);
        check_count(
            o,
            &["snapshot_chunk_bytes"],
            self.snapshot_chunk_bytes as u64,
            64 * 1024,
            8 * 1024 * 1024,
        );
        if out.is_empty() { Ok(()) } else { Err(out) }
    }

    /// The openraft configuration.
    pub(crate) fn raft_config(&self) -> Result<openraft::Config, String> {
        let c = openraft::Config {
            cluster_name: self.cluster.clone(),
            heartbeat_interval: self.heartbeat.as_millis() as u64,
            election_timeout_min: self.election_min.as_millis() as u64,
            election_timeout_max: self.election_max.as_millis() as u64,
            max_payload_entries: 256,
            snapshot_policy: openraft::SnapshotPolicy::LogsSinceLast(self.snapshot_every),
            max_in_snapshot_log_to_keep: self.keep_behind_snapshot.min(self.snapshot_every),
            snapshot_max_chunk_size: self.snapshot_chunk_bytes.min(self.max_raft_bytes / 2) as u64,
            install_snapshot_timeout: 10_000,
            ..Default::default()
        };
        c.validate().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_every_problem_is_named() {
        assert_eq!(Config::default().validate(), Ok(()));
        assert!(Config::default().raft_config().is_ok());
        let bad = Config {
            heartbeat: Duration::from_millis(500),
            max_voters: 0,
            bootstrap_expect: 0,
            ..Config::default()
        };
        let errs = bad.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.fields.join("/")).collect();
        assert_eq!(
            fields,
            [
                "heartbeat/election_min/election_max",
                "bootstrap_expect",
                "max_voters"
            ]
        );
        assert!(errs[2].to_string().contains("from 1 to 15"), "{}", errs[2]);
    }
}
