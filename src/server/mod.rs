//! `photocheck serve`: the HTTP gate the issuance service calls. A thin front end: it admits a
//! bounded number of requests, runs the same [`Checker`] off the async workers, and returns the
//! same JSON report as `check --format json`. Uploads stay in memory and are never logged.

pub mod metrics;
pub mod selfcheck;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use utoipa::OpenApi;

use crate::pipeline::{CheckOptions, Checker};
use crate::report::{Lang, Report, Verdict};
use metrics::Metrics;

/// Limits, all configurable from the command line.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub max_body_bytes: usize,
    pub max_pixels: u64,
    /// Checks running at once.
    pub concurrency: usize,
    /// Requests allowed to wait for a free worker; beyond that, 503.
    pub queue: usize,
    /// Budget per request, queueing included; beyond that, 504.
    pub timeout: Duration,
    /// A client must send its request headers within this, and its body within
    /// `body_timeout` (408) — a slow client never holds a connection for long.
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            concurrency: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            queue: 16,
            timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(20),
            token: None,
        }
    }
}

pub struct AppState {
    /// The default checker plus one per extra profile, by profile name.
    checkers: HashMap<String, Checker>,
    default_profile: String,
    config: ServerConfig,
    /// Admission: concurrency + queue permits. No permit → 503 at once.
    admission: Arc<Semaphore>,
    /// Workers: concurrency permits, awaited in FIFO order.
    workers: Arc<Semaphore>,
    pub metrics: Metrics,
}

impl AppState {
    pub fn new(checkers: Vec<Checker>, config: ServerConfig) -> Arc<AppState> {
        let default_profile = checkers.first().map(|c| c.profile.name.clone()).unwrap_or_default();
        let checkers = checkers
            .into_iter()
            .map(|mut c| {
                c.limits.max_file_bytes = config.max_body_bytes as u64;
                c.limits.max_pixels = config.max_pixels;
                (c.profile.name.clone(), c)
            })
            .collect();
        Arc::new(AppState {
            checkers,
            default_profile,
            admission: Arc::new(Semaphore::new(config.concurrency + config.queue)),
            workers: Arc::new(Semaphore::new(config.concurrency.max(1))),
            config,
            metrics: Metrics::default(),
        })
    }

    /// Holds every admission permit, as a full queue would (for tests of load shedding).
    pub fn admission(&self) -> Arc<Semaphore> {
        self.admission.clone()
    }
}

/// Serves `router(state)` on `listener` until `shutdown` resolves, then lets the connections in
/// flight finish. Unlike `axum::serve`, a client that does not send its headers within
/// `header_timeout` is disconnected (hyper's default is 30 s).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    let header_timeout = state.config.header_timeout;
    let app = router(state);
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors and the like: back off, keep serving.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let service = TowerToHyperService::new(app.clone());
                let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

pub fn router(state: Arc<AppState>) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route("/", get(selfcheck_page))
        .route("/selfcheck.js", get(selfcheck_script))
        .route("/v1/checks", post(post_check))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/openapi.json", get(openapi_json))
        .route("/schemas/report.json", get(report_schema))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Multipart bodies are bounded by the same limit as raw ones (+ room for the form framing).
        .layer(DefaultBodyLimit::max(body_limit + 64 * 1024))
        .layer(axum::middleware::from_fn(ensure_request_id))
        .with_state(state)
}

/// Every request gets an `x-request-id` before any handler runs — the client's own when it sent a
/// sane one, else a new one — and every response carries it, so the id in a JSON error body, in
/// the header and in the log line is always the same.
async fn ensure_request_id(mut request: Request, next: axum::middleware::Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane_request_id(v))
        .map(str::to_string)
        .unwrap_or_else(|| format!("pc-{:x}-{}", std::process::id(), REQUEST_SEQ.fetch_add(1, Ordering::Relaxed)));
    let value = HeaderValue::from_str(&id).ok();
    if let Some(v) = &value {
        request.headers_mut().insert("x-request-id", v.clone());
    }
    let mut response = next.run(request).await;
    if let Some(v) = value {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

static REQUEST_SEQ: AtomicU64 = AtomicU64::new(1);

fn sane_request_id(v: &str) -> bool {
    !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic())
}

/// The request's id, as [`ensure_request_id`] set it.
fn request_id(headers: &HeaderMap) -> String {
    headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

async fn not_found(request: Request) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route (POST /v1/checks, GET /, /healthz, /readyz, /metrics, /openapi.json, /schemas/report.json)",
    )
    .into_response(&request_id(request.headers()))
}

async fn method_not_allowed(request: Request) -> Response {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", format!("{} is not allowed on this route", request.method()))
        .into_response(&request_id(request.headers()))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "photocheck",
        description = "Driving-licence portrait compliance checks with explained verdicts. The report's JSON Schema (the `Report` component here, as a standalone document) is served at /schemas/report.json and printed by `photocheck schema report`; its `$id` is the report's `schema` field."
    ),
    paths(post_check, healthz, readyz, metrics_text, report_schema),
    components(schemas(Report, ErrorBody, ErrorDetail, CheckForm, PhotoBytes)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The optional bearer scheme (`--token-file`).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Raw image bytes.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct PhotoBytes(Vec<u8>);

/// The form of a multipart upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads the parts one by one
pub struct CheckForm {
    /// The photo (JPEG, PNG or WebP).
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
    /// Submission date for the 6-month rule (YYYY-MM-DD or RFC 3339).
    as_of: Option<String>,
    /// Profile name.
    profile: Option<String>,
    /// zh-CN or en.
    lang: Option<String>,
}

/// The report as a standalone JSON Schema (draft 2020-12), built from the same declarations as
/// the OpenAPI document: `$defs` are its components, `$id` the report's `schema` field.
pub fn report_json_schema() -> serde_json::Value {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let defs = doc["components"]["schemas"].clone();
    let text = serde_json::to_string(&defs).unwrap_or_default().replace("#/components/schemas/", "#/$defs/");
    let defs: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": crate::report::SCHEMA,
        "title": "photocheck report",
        "$ref": "#/$defs/Report",
        "$defs": defs,
    })
}

/// The report's JSON Schema.
#[utoipa::path(get, path = "/schemas/report.json", responses((status = 200, description = "JSON Schema (draft 2020-12) of the report", content_type = "application/schema+json")))]
async fn report_schema() -> Response {
    ([(header::CONTENT_TYPE, "application/schema+json")], serde_json::to_string_pretty(&report_json_schema()).unwrap_or_default())
        .into_response()
}

/// Error body: `{"error": {"code", "message", "request_id"}}`; `code` is stable.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub request_id: String,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// Submission date for the 6-month rule (YYYY-MM-DD or RFC 3339); default now.
    as_of: Option<String>,
    /// Profile name (one of those the server was started with).
    profile: Option<String>,
    /// zh-CN or en; overrides Accept-Language.
    lang: Option<String>,
    /// `jpeg`: also crop the photo to the profile's geometry (archive size, 260×378) and return
    /// the crop, base64, in `crop.jpeg_base64` when the crop passes its own re-check.
    crop: Option<String>,
}

struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
    /// 401s name the scheme the client must use.
    www_authenticate: bool,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), retry_after: None, www_authenticate: false }
    }

    fn into_response(self, request_id: &str) -> Response {
        let body =
            ErrorBody { error: ErrorDetail { code: self.code.to_string(), message: self.message, request_id: request_id.to_string() } };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.www_authenticate {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"photocheck\""));
        }
        response
    }
}

/// Check one photo.
///
/// The body is the image (`image/jpeg`, `image/png`, `image/webp`) or `multipart/form-data` with a
/// `photo` part (and optional `as_of`, `profile`, `lang` parts).
#[utoipa::path(
    post,
    path = "/v1/checks",
    params(CheckQuery),
    request_body(
        description = "The photo: the image bytes themselves (JPEG, PNG or WebP; the format is sniffed), or a form with a `photo` part",
        content(
            (CheckForm = "multipart/form-data"),
            (PhotoBytes = "application/octet-stream"),
            (PhotoBytes = "image/jpeg"),
            (PhotoBytes = "image/png"),
            (PhotoBytes = "image/webp"),
        )
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The report: verdict approve, review or reject, every check explained", body = Report,
            headers(("x-request-id" = String, description = "The request's id (the client's own when it sent one)"))),
        (status = 400, description = "Not an image, undecodable, a refused shape, or a bad parameter: `not_an_image`, `corrupt_image`, `empty_file`, `bad_dimensions`, `bad_multipart`, `missing_photo`, `unknown_profile`, `bad_lang`, `bad_as_of`, `bad_query`", body = ErrorBody,
            headers(("x-request-id" = String, description = "The request's id"))),
        (status = 401, description = "Bearer token missing or wrong (`unauthorized`); only when the server has a token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "Bearer realm=\"photocheck\""), ("x-request-id" = String, description = "The request's id"))),
        (status = 408, description = "The upload did not arrive in time (`request_timeout`)", body = ErrorBody,
            headers(("x-request-id" = String, description = "The request's id"))),
        (status = 413, description = "Body, image dimensions or decoded size too large: `payload_too_large`, `file_too_large`, `dimensions_too_large`, `resource_limit`", body = ErrorBody,
            headers(("x-request-id" = String, description = "The request's id"))),
        (status = 415, description = "Unsupported content type or image format: `unsupported_media_type`, `unsupported_format`, `animated_image`", body = ErrorBody,
            headers(("x-request-id" = String, description = "The request's id"))),
        (status = 500, description = "The analysis failed (`analysis_error`)", body = ErrorBody,
            headers(("x-request-id" = String, description = "The request's id"))),
        (status = 503, description = "Queue full (`overloaded`): retry after Retry-After seconds", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"), ("x-request-id" = String, description = "The request's id"))),
        (status = 504, description = "The check exceeded its time budget (`timeout`)", body = ErrorBody,
            headers(("x-request-id" = String, description = "The request's id"))),
    )
)]
async fn post_check(
    State(state): State<Arc<AppState>>,
    query: Result<Query<CheckQuery>, axum::extract::rejection::QueryRejection>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let request_id = request_id(request.headers());
    // A malformed query string is a JSON 400 like every other error (axum's own is plain text).
    let outcome = match query {
        Ok(Query(query)) => handle_check(&state, query, request).await,
        Err(_) => Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_query", "the query string is malformed (as_of, profile, lang)")),
    };
    let (response, verdict, failed) = match outcome {
        Ok(report) => {
            state.metrics.record_report(verdict_name(report.verdict), &report.failed);
            let v = verdict_name(report.verdict);
            let failed = report.failed.join(",");
            ((StatusCode::OK, Json(report)).into_response(), v, failed)
        }
        Err(e) => (e.into_response(&request_id), "none", String::new()),
    };
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    state.metrics.record_request(status, seconds);
    // Never the image, never EXIF: only what the gate decided and how long it took.
    tracing::info!(request_id = %request_id, status, latency_ms = seconds * 1000.0, verdict, failed = %failed, "check");
    response
}

/// The applicant's self-check page (see [`selfcheck`]).
async fn selfcheck_page(State(state): State<Arc<AppState>>) -> Response {
    let page = selfcheck::page(state.config.token.is_some(), state.config.max_body_bytes);
    let mut response = axum::response::Html(page.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(selfcheck::CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn selfcheck_script() -> Response {
    let mut response = selfcheck::SCRIPT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Approve => "approve",
        Verdict::Reject => "reject",
        Verdict::Review => "review",
        Verdict::Error => "error",
    }
}

struct Upload {
    bytes: Bytes,
    as_of: Option<String>,
    profile: Option<String>,
    lang: Option<String>,
}

async fn handle_check(state: &Arc<AppState>, query: CheckQuery, request: Request) -> Result<Report, ApiError> {
    authorize(state, request.headers())?;
    let accept_language = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let upload = tokio::time::timeout(state.config.body_timeout, read_upload(state, request)).await.map_err(|_| {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!("the upload did not arrive within {} ms", state.config.body_timeout.as_millis()),
        )
    })??;

    let profile = upload.profile.or(query.profile).unwrap_or_else(|| state.default_profile.clone());
    let checker = state
        .checkers
        .get(&profile)
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "unknown_profile", format!("no profile named '{profile}' is loaded")))?
        .clone();
    let lang = match upload.lang.or(query.lang) {
        // The message never echoes the value back (it may be huge or hostile).
        Some(l) => l.parse::<Lang>().map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "bad_lang", "lang must be zh-CN or en"))?,
        None => accept_language.as_deref().map(lang_from_header).unwrap_or_default(),
    };
    let as_of = match upload.as_of.or(query.as_of) {
        Some(s) => crate::pipeline::parse_as_of(&s)
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "bad_as_of", "as_of must be a date (YYYY-MM-DD or RFC 3339)"))?,
        None => chrono::Utc::now(),
    };
    let crop = match query.crop.as_deref() {
        None => false,
        Some("jpeg") => true,
        Some(_) => return Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_query", "crop must be jpeg")),
    };

    // Shed load at once when the queue is full; never queue without bound.
    let admitted = state.admission.clone().try_acquire_owned().map_err(|_| ApiError {
        retry_after: Some(1),
        ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "the check queue is full; retry shortly")
    })?;
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let in_flight = InFlight { state: state.clone(), _permit: admitted };

    let workers = state.workers.clone();
    let budget = state.config.timeout;
    let deadline = Instant::now() + budget;
    let work = async move {
        let worker = workers
            .acquire_owned()
            .await
            .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting_down", "the server is stopping"))?;
        let opts = CheckOptions { as_of, lang };
        // The blocking task keeps both permits until the models finish, even if the client has
        // given up: the pool never runs more checks than it has workers.
        let task = tokio::task::spawn_blocking(move || {
            let _hold = (worker, in_flight);
            if crop {
                // Two checks (upload and crop); the outer timeout still answers 504 in time.
                let (mut report, jpeg) = checker.check_and_crop("upload", &upload.bytes, &opts, crate::crop::ARCHIVE_SIZE);
                if let (Some(summary), Some(jpeg)) = (report.crop.as_mut(), jpeg) {
                    use base64::Engine as _;
                    summary.jpeg_base64 = Some(base64::engine::general_purpose::STANDARD.encode(jpeg));
                }
                return report;
            }
            // Stop at the next stage boundary once the client has been answered 504.
            checker.check_bytes_within("upload", &upload.bytes, &opts, deadline)
        });
        task.await.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("check failed: {e}")))
    };
    let report = tokio::time::timeout(budget, work).await.map_err(|_| {
        ApiError::new(StatusCode::GATEWAY_TIMEOUT, "timeout", format!("the check took longer than {} ms", budget.as_millis()))
    })??;
    if let (Verdict::Error, Some(err)) = (report.verdict, &report.error) {
        return Err(input_error_from_report(&err.kind, &err.message));
    }
    Ok(report)
}

/// Releases the admission permit and the queue gauge when the check is over.
struct InFlight {
    state: Arc<AppState>,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

fn input_error_from_report(kind: &str, message: &str) -> ApiError {
    match crate::error::kind_info(kind) {
        Some(k) => ApiError::new(StatusCode::from_u16(k.http_status).unwrap_or(StatusCode::BAD_REQUEST), k.kind, message),
        None => ApiError::new(StatusCode::BAD_REQUEST, "bad_input", message),
    }
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = &state.config.token else {
        return Ok(());
    };
    // The scheme name is case-insensitive (RFC 7235).
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token);
    let challenge = |e: ApiError| ApiError { www_authenticate: true, ..e };
    match given {
        Some(t) if constant_time_eq(t.trim().as_bytes(), expected.as_bytes()) => Ok(()),
        Some(_) => Err(challenge(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "the bearer token is wrong"))),
        None => {
            Err(challenge(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "a bearer token is required (Authorization: Bearer …)")))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn lang_from_header(value: &str) -> Lang {
    // First language tag we support wins, in the client's order.
    for tag in value.split(',') {
        let tag = tag.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            return Lang::ZhCn;
        }
        if tag.starts_with("en") {
            return Lang::En;
        }
    }
    Lang::ZhCn
}

async fn read_upload(state: &Arc<AppState>, request: Request) -> Result<Upload, ApiError> {
    let limit = state.config.max_body_bytes;
    let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("the body exceeds {limit} bytes"));
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let mime = content_type.split(';').next().unwrap_or("").trim().to_string();
    if let Some(len) = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok()) {
        if len > limit + 64 * 1024 {
            return Err(too_large());
        }
    }
    match mime.as_str() {
        // The format is sniffed from the bytes, so a generic binary upload is as good.
        "image/jpeg" | "image/jpg" | "image/png" | "image/webp" | "application/octet-stream" => {
            let bytes = axum::body::to_bytes(request.into_body(), limit).await.map_err(|_| too_large())?;
            Ok(Upload { bytes, as_of: None, profile: None, lang: None })
        }
        "multipart/form-data" => {
            let mut multipart = Multipart::from_request(request, state)
                .await
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_multipart", e.body_text()))?;
            let mut upload = Upload { bytes: Bytes::new(), as_of: None, profile: None, lang: None };
            let mut found = false;
            loop {
                let field = match multipart.next_field().await {
                    Ok(Some(f)) => f,
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                    Err(e) => return Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_multipart", e.body_text())),
                };
                let name = field.name().unwrap_or("").to_string();
                let data = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        ApiError::new(StatusCode::BAD_REQUEST, "bad_multipart", e.body_text())
                    }
                })?;
                let text = || String::from_utf8_lossy(&data).trim().to_string();
                match name.as_str() {
                    "photo" => {
                        if data.len() > limit {
                            return Err(too_large());
                        }
                        upload.bytes = data.clone();
                        found = true;
                    }
                    "as_of" => upload.as_of = Some(text()),
                    "profile" => upload.profile = Some(text()),
                    "lang" => upload.lang = Some(text()),
                    _ => {}
                }
            }
            if !found {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, "missing_photo", "the form has no 'photo' part"));
            }
            Ok(upload)
        }
        "" => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Content-Type is required: image/jpeg, image/png, image/webp or multipart/form-data",
        )),
        other => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Content-Type {other} is not accepted: use image/jpeg, image/png, image/webp or multipart/form-data"),
        )),
    }
}

/// Liveness: the process is up.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Up")))]
async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: models are loaded (the server only listens once they are).
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "Models loaded, accepting checks")))]
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let profiles: Vec<&String> = state.checkers.keys().collect();
    (StatusCode::OK, Json(serde_json::json!({"ready": true, "profiles": profiles}))).into_response()
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
async fn metrics_text(State(state): State<Arc<AppState>>) -> Response {
    let body = state.metrics.render(state.config.concurrency + state.config.queue);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], ApiDoc::openapi().to_pretty_json().unwrap_or_default()).into_response()
}

/// Resolves on SIGTERM or Ctrl-C: the server then stops accepting and drains in-flight requests.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received: draining in-flight requests");
}
