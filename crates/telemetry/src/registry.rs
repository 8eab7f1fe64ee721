//! The Prometheus registry handed from the binary to every subsystem.

use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    Opts, TextEncoder,
};

/// The crate version every node reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit the binary was built from (`unknown` outside a git checkout).
pub const BUILD_SHA: &str = env!("CHORUS_BUILD_SHA");

/// Registering a metric failed (in practice: the same name registered twice).
#[derive(Debug, thiserror::Error)]
#[error("metric {name}: {source}")]
pub struct MetricError {
    /// The metric's full name.
    pub name: String,
    /// What prometheus reported.
    #[source]
    pub source: prometheus::Error,
}

/// A cloneable Prometheus registry with `chorus_build_info` already registered.
#[derive(Clone)]
pub struct Registry {
    inner: prometheus::Registry,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").finish_non_exhaustive()
    }
}

impl Registry {
    /// Creates a registry and registers `chorus_build_info{version, build_sha}` = 1.
    pub fn new() -> Self {
        let inner = prometheus::Registry::new();
        let registry = Self { inner };
        if let Ok(info) = gauge_vec(
            &registry,
            "chorus_build_info",
            "Build information: always 1, labelled with the version and git commit",
            &["version", "build_sha"],
        ) {
            info.with_label_values(&[VERSION, BUILD_SHA]).set(1.0);
        }
        registry
    }

    /// The underlying prometheus registry, for crates that register their own collectors.
    pub fn prometheus(&self) -> &prometheus::Registry {
        &self.inner
    }

    /// Renders every registered metric in the Prometheus text exposition format.
    pub fn encode_text(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for well-formed families; an error leaves what was written.
        let _ = TextEncoder::new().encode(&self.inner.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

fn register<C: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    name: &str,
    collector: C,
) -> Result<C, MetricError> {
    registry
        .inner
        .register(Box::new(collector.clone()))
        .map_err(|source| MetricError {
            name: name.to_string(),
            source,
        })?;
    Ok(collector)
}

fn err(name: &str) -> impl FnOnce(prometheus::Error) -> MetricError + '_ {
    move |source| MetricError {
        name: name.to_string(),
        source,
    }
}

/// Registers an integer counter.
pub fn int_counter(registry: &Registry, name: &str, help: &str) -> Result<IntCounter, MetricError> {
    let c = IntCounter::with_opts(Opts::new(name, help)).map_err(err(name))?;
    register(registry, name, c)
}

/// Registers a labelled integer counter.
pub fn int_counter_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<IntCounterVec, MetricError> {
    let c = IntCounterVec::new(Opts::new(name, help), labels).map_err(err(name))?;
    register(registry, name, c)
}

/// Registers a labelled floating-point counter (as an `IntCounterVec` is for integers).
pub fn counter_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<prometheus::CounterVec, MetricError> {
    let c = prometheus::CounterVec::new(Opts::new(name, help), labels).map_err(err(name))?;
    register(registry, name, c)
}

/// Registers an integer gauge.
pub fn int_gauge(registry: &Registry, name: &str, help: &str) -> Result<IntGauge, MetricError> {
    let g = IntGauge::with_opts(Opts::new(name, help)).map_err(err(name))?;
    register(registry, name, g)
}

/// Registers a floating-point gauge.
pub fn gauge(registry: &Registry, name: &str, help: &str) -> Result<Gauge, MetricError> {
    let g = Gauge::with_opts(Opts::new(name, help)).map_err(err(name))?;
    register(registry, name, g)
}

/// Registers a labelled floating-point gauge.
pub fn gauge_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<GaugeVec, MetricError> {
    let g = GaugeVec::new(Opts::new(name, help), labels).map_err(err(name))?;
    register(registry, name, g)
}

/// Registers a labelled histogram with the given bucket upper bounds (seconds for latencies).
pub fn histogram_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
    buckets: Vec<f64>,
) -> Result<HistogramVec, MetricError> {
    let h = HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets), labels)
        .map_err(err(name))?;
    register(registry, name, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_info_is_exposed_and_duplicates_are_named() {
        let r = Registry::new();
        let text = r.encode_text();
        assert!(text.contains("chorus_build_info{"), "{text}");
        int_counter(&r, "chorus_test_total", "test").unwrap();
        let e = int_counter(&r, "chorus_test_total", "test").unwrap_err();
        assert!(e.to_string().contains("chorus_test_total"), "{e}");
    }
}
