//! Consensus metrics.

use chorus_telemetry::{self as t, MetricError, Registry};
use prometheus::{HistogramVec, IntCounter, IntCounterVec, IntGauge};

/// Latency buckets for writes, in seconds: 250 µs to 10 s.
const WRITE_BUCKETS: [f64; 16] = [
    0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5, 10.0,
];

#[derive(Clone)]
pub(crate) struct Metrics {
    pub term: IntGauge,
    pub is_leader: IntGauge,
    pub leader_changes: IntCounter,
    pub commit_index: IntGauge,
    pub applied_index: IntGauge,
    pub voters: IntGauge,
    pub learners: IntGauge,
    pub writes: IntCounterVec,
    pub write_seconds: HistogramVec,
    pub rejected: IntCounterVec,
}

impl Metrics {
    pub fn new(r: &Registry) -> Result<Self, MetricError> {
        let m = Self {
            term: t::int_gauge(r, "chorus_raft_term", "Current Raft term")?,
            is_leader: t::int_gauge(
                r,
                "chorus_raft_is_leader",
                "1 while this node is the palace writer",
            )?,
            leader_changes: t::int_counter(
                r,
                "chorus_raft_leader_changes_total",
                "Times the known leader changed",
            )?,
            commit_index: t::int_gauge(
                r,
                "chorus_raft_commit_index",
                "Highest log index known committed",
            )?,
            applied_index: t::int_gauge(
                r,
                "chorus_raft_applied_index",
                "Highest log index applied to the palace",
            )?,
            voters: t::int_gauge(r, "chorus_raft_voters", "Voting members")?,
            learners: t::int_gauge(
                r,
                "chorus_raft_learners",
                "Non-voting members (read replicas)",
            )?,
            writes: t::int_counter_vec(
                r,
                "chorus_writes_total",
                "Writes submitted on this node, by operation and outcome",
                &["op", "outcome"],
            )?,
            write_seconds: t::histogram_vec(
                r,
                "chorus_write_duration_seconds",
                "Write latency from submission to applied result, local (this node leads) or forwarded",
                &["path"],
                WRITE_BUCKETS.to_vec(),
            )?,
            rejected: t::int_counter_vec(
                r,
                "chorus_raft_messages_rejected_total",
                "Raft and write messages from peers dropped before processing, by protocol and reason",
                &["protocol", "reason"],
            )?,
        };
        for p in ["raft", "write"] {
            for reason in ["malformed", "impersonation"] {
                m.rejected.with_label_values(&[p, reason]);
            }
        }
        for path in ["local", "forwarded"] {
            m.write_seconds.with_label_values(&[path]);
        }
        Ok(m)
    }
}
