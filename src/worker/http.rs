//! The worker's optional HTTP side: `/metrics` for Prometheus and `/healthz` for the orchestrator.
//! It starts after the models are loaded, so a listening port also means "ready".

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::WorkerMetrics;

pub fn router(metrics: Arc<WorkerMetrics>) -> Router {
    Router::new().route("/metrics", get(metrics_text)).route("/healthz", get(healthz)).with_state(metrics)
}

async fn metrics_text(State(metrics): State<Arc<WorkerMetrics>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], metrics.render())
}

/// 200 while the last Redis command succeeded; 503 while Redis is unreachable (the worker keeps
/// retrying; the orchestrator may restart it or route around it).
async fn healthz(State(metrics): State<Arc<WorkerMetrics>>) -> impl IntoResponse {
    if metrics.redis_up() {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "redis unreachable\n")
    }
}
