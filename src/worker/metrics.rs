//! The worker's counters and gauges, exposed in the Prometheus text format by `prometheus-client`.

use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabel {
    verdict: String,
}

pub struct WorkerMetrics {
    registry: Registry,
    /// Messages taken from the stream (new or claimed), dead-lettered ones included.
    pub consumed: Counter,
    /// Verdicts published to the results stream (each with its message acked).
    pub published: Counter,
    /// Verdicts republished from the idempotency record instead of judged again.
    pub republished: Counter,
    /// Messages taken over from another consumer after `claim_idle`.
    pub claimed: Counter,
    pub dead_lettered: Counter,
    verdicts: Family<VerdictLabel, Counter>,
    /// Entries of the stream not yet delivered to the group (-1: Redis cannot tell).
    lag: Gauge,
    /// Entries delivered to the group and not yet acknowledged.
    pending: Gauge,
    redis_up: Gauge<i64, AtomicI64>,
}

impl Default for WorkerMetrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("photocheck_worker");
        let m = WorkerMetrics {
            registry: Registry::default(),
            consumed: Counter::default(),
            published: Counter::default(),
            republished: Counter::default(),
            claimed: Counter::default(),
            dead_lettered: Counter::default(),
            verdicts: Family::default(),
            lag: Gauge::default(),
            pending: Gauge::default(),
            redis_up: Gauge::default(),
        };
        registry.register("consumed", "Messages taken from the stream, new or claimed", m.consumed.clone());
        registry.register("published", "Verdicts published, each with its message acked", m.published.clone());
        registry.register("republished", "Verdicts republished from the idempotency record", m.republished.clone());
        registry.register("claimed", "Messages taken over from an idle consumer", m.claimed.clone());
        registry.register("dead_lettered", "Messages moved to the dead-letter stream", m.dead_lettered.clone());
        registry.register("verdicts", "Published verdicts by verdict", m.verdicts.clone());
        registry.register("lag", "Stream entries not yet delivered to the group (-1: unknown)", m.lag.clone());
        registry.register("pending", "Entries delivered to the group and not yet acknowledged", m.pending.clone());
        registry.register("redis_up", "1 when the last Redis command succeeded", m.redis_up.clone());
        WorkerMetrics { registry, ..m }
    }
}

impl WorkerMetrics {
    pub fn record_verdict(&self, verdict: &str) {
        self.verdicts.get_or_create(&VerdictLabel { verdict: verdict.to_string() }).inc();
    }

    pub fn set_backlog(&self, lag: Option<i64>, pending: i64) {
        self.lag.set(lag.unwrap_or(-1));
        self.pending.set(pending);
    }

    pub fn set_redis_up(&self, up: bool) {
        self.redis_up.set(i64::from(up));
    }

    pub fn redis_up(&self) -> bool {
        self.redis_up.get() == 1
    }

    /// The text exposition format (`GET /metrics`).
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
