//! Records metrics. Label values come from fixed sets.

use chorus_telemetry::{self as t, MetricError, Registry};
use prometheus::IntCounterVec;

/// Extra rejection reasons beyond [`chorus_records::Rejection::REASONS`]: an announcement that
/// does not decode, or that disagrees with the record it names.
pub(crate) const ANNOUNCEMENT: &str = "announcement";
/// No copy of an announced record could be fetched anywhere.
pub(crate) const UNAVAILABLE: &str = "unavailable";

#[derive(Clone)]
pub(crate) struct Metrics {
    pub published: IntCounterVec,
    pub received: IntCounterVec,
    pub rejected: IntCounterVec,
}

impl Metrics {
    pub fn new(r: &Registry) -> Result<Self, MetricError> {
        let m = Self {
            published: t::int_counter_vec(
                r,
                "chorus_records_published_total",
                "Records this node published, by outcome (ok, failed)",
                &["outcome"],
            )?,
            received: t::int_counter_vec(
                r,
                "chorus_records_received_total",
                "Announced records fetched and verified, by where the envelope came from \
                 (palace, dht, peer), or dropped (busy, duplicate)",
                &["via"],
            )?,
            rejected: t::int_counter_vec(
                r,
                "chorus_records_rejected_total",
                "Records refused on receipt or verification, by reason",
                &["reason"],
            )?,
        };
        for o in ["ok", "failed"] {
            m.published.with_label_values(&[o]);
        }
        for v in ["palace", "dht", "peer", "busy", "duplicate"] {
            m.received.with_label_values(&[v]);
        }
        for reason in chorus_records::Rejection::REASONS
            .iter()
            .chain(&[ANNOUNCEMENT, UNAVAILABLE])
        {
            m.rejected.with_label_values(&[reason]);
        }
        Ok(m)
    }
}
