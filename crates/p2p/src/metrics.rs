//! Mesh metrics. Label values come from small fixed sets (never peer ids).

use chorus_telemetry::{self as t, MetricError, Registry};
use prometheus::{IntCounter, IntCounterVec, IntGauge};

#[derive(Clone)]
pub(crate) struct Metrics {
    pub peers_connected: IntGauge,
    pub connections_established: IntCounter,
    pub connection_errors: IntCounterVec,
    pub gossip_messages: IntCounterVec,
    pub gossip_rejected: IntCounterVec,
    pub requests: IntCounterVec,
    pub requests_rejected: IntCounterVec,
}

impl Metrics {
    pub fn new(r: &Registry) -> Result<Self, MetricError> {
        let m = Self::register(r)?;
        // Series that matter when they stay at zero are created up front, so dashboards and
        // alerts see 0 rather than an absent series.
        for dir in ["inbound", "outbound"] {
            for reason in ["cluster_secret", "handshake", "denied", "other"] {
                m.connection_errors.with_label_values(&[dir, reason]);
            }
        }
        for topic in crate::Topic::ALL {
            for dir in ["in", "out"] {
                m.gossip_messages.with_label_values(&[topic.name(), dir]);
            }
        }
        for p in crate::Protocol::ALL {
            for reason in ["too_large", "queue_full"] {
                m.requests_rejected.with_label_values(&[p.name(), reason]);
            }
        }
        Ok(m)
    }

    fn register(r: &Registry) -> Result<Self, MetricError> {
        Ok(Self {
            peers_connected: t::int_gauge(
                r,
                "chorus_p2p_peers_connected",
                "Peers of this cluster connected and identified now",
            )?,
            connections_established: t::int_counter(
                r,
                "chorus_p2p_connections_established_total",
                "Connections that completed the transport handshake",
            )?,
            connection_errors: t::int_counter_vec(
                r,
                "chorus_p2p_connection_errors_total",
                "Connections that failed or were refused, by direction and reason",
                &["direction", "reason"],
            )?,
            gossip_messages: t::int_counter_vec(
                r,
                "chorus_p2p_gossip_messages_total",
                "Gossip messages by topic and direction (in, out)",
                &["topic", "direction"],
            )?,
            gossip_rejected: t::int_counter_vec(
                r,
                "chorus_p2p_gossip_rejected_total",
                "Gossip messages dropped, by topic and reason",
                &["topic", "reason"],
            )?,
            requests: t::int_counter_vec(
                r,
                "chorus_p2p_requests_total",
                "Request-response exchanges by protocol, direction and outcome",
                &["protocol", "direction", "outcome"],
            )?,
            requests_rejected: t::int_counter_vec(
                r,
                "chorus_p2p_requests_rejected_total",
                "Inbound requests refused before reaching the application, by protocol and reason",
                &["protocol", "reason"],
            )?,
        })
    }
}
