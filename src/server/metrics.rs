//! Prometheus text metrics, kept by hand: a few counters, one latency histogram and a gauge.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Inner {
    requests_by_status: BTreeMap<u16, u64>,
    verdicts: BTreeMap<String, u64>,
    failed_by_code: BTreeMap<String, u64>,
    latency_buckets: [u64; BUCKETS.len()],
    latency_count: u64,
    latency_sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    /// Requests admitted and not yet finished (waiting or running).
    pub in_flight: AtomicI64,
}

impl Metrics {
    pub fn record_request(&self, status: u16, seconds: f64) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *m.requests_by_status.entry(status).or_default() += 1;
        m.latency_count += 1;
        m.latency_sum += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                m.latency_buckets[i] += 1;
            }
        }
    }

    pub fn record_report(&self, verdict: &str, failed: &[&str]) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *m.verdicts.entry(verdict.to_string()).or_default() += 1;
        for code in failed {
            *m.failed_by_code.entry(code.to_string()).or_default() += 1;
        }
    }

    pub fn render(&self, queue_capacity: usize) -> String {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut s = String::new();
        let _ = writeln!(s, "# HELP photocheck_requests_total HTTP requests to /v1/checks by status code.");
        let _ = writeln!(s, "# TYPE photocheck_requests_total counter");
        for (status, n) in &m.requests_by_status {
            let _ = writeln!(s, "photocheck_requests_total{{status=\"{status}\"}} {n}");
        }
        let _ = writeln!(s, "# HELP photocheck_request_duration_seconds Latency of /v1/checks requests.");
        let _ = writeln!(s, "# TYPE photocheck_request_duration_seconds histogram");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(s, "photocheck_request_duration_seconds_bucket{{le=\"{bound}\"}} {}", m.latency_buckets[i]);
        }
        let _ = writeln!(s, "photocheck_request_duration_seconds_bucket{{le=\"+Inf\"}} {}", m.latency_count);
        let _ = writeln!(s, "photocheck_request_duration_seconds_sum {}", m.latency_sum);
        let _ = writeln!(s, "photocheck_request_duration_seconds_count {}", m.latency_count);
        let _ = writeln!(s, "# HELP photocheck_verdicts_total Verdicts returned.");
        let _ = writeln!(s, "# TYPE photocheck_verdicts_total counter");
        for (verdict, n) in &m.verdicts {
            let _ = writeln!(s, "photocheck_verdicts_total{{verdict=\"{verdict}\"}} {n}");
        }
        let _ = writeln!(s, "# HELP photocheck_check_failures_total Failed checks by rule code.");
        let _ = writeln!(s, "# TYPE photocheck_check_failures_total counter");
        for (code, n) in &m.failed_by_code {
            let _ = writeln!(s, "photocheck_check_failures_total{{code=\"{code}\"}} {n}");
        }
        let _ = writeln!(s, "# HELP photocheck_queue_depth Requests admitted and not finished (waiting or running).");
        let _ = writeln!(s, "# TYPE photocheck_queue_depth gauge");
        let _ = writeln!(s, "photocheck_queue_depth {}", self.in_flight.load(Ordering::Relaxed));
        let _ = writeln!(s, "# HELP photocheck_queue_capacity Requests that may be admitted at once before 503.");
        let _ = writeln!(s, "# TYPE photocheck_queue_capacity gauge");
        let _ = writeln!(s, "photocheck_queue_capacity {queue_capacity}");
        s
    }
}
