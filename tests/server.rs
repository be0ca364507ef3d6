//! The HTTP gate: every status code through the router without sockets (`oneshot`), one
//! end-to-end request over a real socket, and a flood that gets 503s and then recovers.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use photocheck::server::{router, AppState, ServerConfig};
use tower::ServiceExt;

fn state(config: ServerConfig) -> Arc<AppState> {
    AppState::new(vec![common::checker().clone()], config)
}

fn config() -> ServerConfig {
    ServerConfig { concurrency: 2, queue: 4, timeout: Duration::from_secs(30), ..Default::default() }
}

async fn send(state: &Arc<AppState>, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    common::record(&json);
    (status, headers, json)
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn post(content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/v1/checks?as_of=2026-11-26&lang=en").header("content-type", content_type).body(Body::from(body)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn jpeg_body_gets_a_full_report() {
    let s = state(config());
    let (status, headers, json) = send(&s, post("image/jpeg", common::sample("grace_hopper.jpg"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("x-request-id").is_some());
    assert_eq!(json["schema"], "photocheck.report/2");
    assert_eq!(json["verdict"], "reject");
    assert!(json["failed"].as_array().unwrap().iter().any(|c| c == "BG001"));
    assert!(json["checks"].as_array().unwrap().len() >= 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn multipart_with_fields_and_accept_language() {
    let s = state(config());
    let boundary = "XyZboundary";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"as_of\"\r\n\r\n2026-11-26\r\n").as_bytes());
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(&common::sample("astronaut.png"));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post("/v1/checks")
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .body(Body::from(body))
        .unwrap();
    let (status, _, json) = send(&s, req).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["lang"], "zh-CN");
    assert_eq!(json["as_of"], "2026-11-26T12:00:00+00:00");
}

#[tokio::test(flavor = "multi_thread")]
async fn not_an_image_is_400() {
    let (status, _, json) = send(&state(config()), post("image/jpeg", b"hello".to_vec())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"]["code"], "not_an_image");
    assert!(json["error"]["request_id"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn truncated_jpeg_is_400() {
    let full = common::sample("grace_hopper.jpg");
    let (status, _, json) = send(&state(config()), post("image/jpeg", full[..full.len() / 2].to_vec())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"]["code"], "corrupt_image");
}

#[tokio::test(flavor = "multi_thread")]
async fn too_large_body_is_413() {
    let s = state(ServerConfig { max_body_bytes: 10_000, ..config() });
    let (status, _, json) = send(&s, post("image/jpeg", common::sample("grace_hopper.jpg"))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json["error"]["code"], "payload_too_large");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_content_type_is_415() {
    let (status, _, json) = send(&state(config()), post("text/plain", b"hello".to_vec())).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json["error"]["code"], "unsupported_media_type");
    let (status, _, json) = send(&state(config()), post("image/png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec())).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json["error"]["code"], "unsupported_format");
    let animation = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/animated.webp")).unwrap();
    let (status, _, json) = send(&state(config()), post("image/webp", animation)).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json["error"]["code"], "animated_image");
}

#[tokio::test(flavor = "multi_thread")]
async fn bearer_token_is_enforced() {
    let s = state(ServerConfig { token: Some("s3cret".into()), ..config() });
    let (status, _, json) = send(&s, post("image/jpeg", common::sample("grace_hopper.jpg"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(json["error"]["code"], "unauthorized");
    let mut wrong = post("image/jpeg", common::sample("grace_hopper.jpg"));
    wrong.headers_mut().insert("authorization", "Bearer nope".parse().unwrap());
    assert_eq!(send(&s, wrong).await.0, StatusCode::UNAUTHORIZED);
    let mut right = post("image/jpeg", common::sample("grace_hopper.jpg"));
    right.headers_mut().insert("authorization", "Bearer s3cret".parse().unwrap());
    assert_eq!(send(&s, right).await.0, StatusCode::OK);
    // The challenge names the scheme; the scheme's case does not matter.
    let (_, headers, _) = send(&s, post("image/jpeg", common::sample("grace_hopper.jpg"))).await;
    assert_eq!(headers["www-authenticate"], "Bearer realm=\"photocheck\"");
    let mut lower = post("image/jpeg", common::sample("grace_hopper.jpg"));
    lower.headers_mut().insert("authorization", "bearer s3cret".parse().unwrap());
    assert_eq!(send(&s, lower).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_path_answers_json_errors_with_a_request_id() {
    let s = state(config());
    let (status, headers, json) = send(&s, get("/nope")).await;
    assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    assert_eq!(headers["x-request-id"].to_str().unwrap(), json["error"]["request_id"], "one id in header and body");
    let (status, headers, json) = send(&s, get("/v1/checks")).await;
    assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")));
    assert!(headers.contains_key("x-request-id"));
    for path in ["/healthz", "/metrics", "/openapi.json"] {
        let (_, headers, _) = send(&s, get(path)).await;
        assert!(headers.contains_key("x-request-id"), "{path}");
    }
    let mut own = get("/healthz");
    own.headers_mut().insert("x-request-id", "abc-123".parse().unwrap());
    assert_eq!(send(&s, own).await.1["x-request-id"], "abc-123");
    // A long, odd `lang` is refused without being echoed back.
    let junk = "x".repeat(5000);
    let req = Request::post(format!("/v1/checks?lang={junk}"))
        .header("content-type", "image/jpeg")
        .body(Body::from(common::sample("grace_hopper.jpg")))
        .unwrap();
    let (status, _, json) = send(&s, req).await;
    assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_lang")));
    assert!(!json.to_string().contains(&junk[..100]));
    // A malformed query string is a JSON error too.
    let req = Request::post("/v1/checks?lang=en&lang=zh-CN")
        .header("content-type", "image/jpeg")
        .body(Body::from(common::sample("grace_hopper.jpg")))
        .unwrap();
    let (status, _, json) = send(&s, req).await;
    assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn full_queue_is_503_with_retry_after() {
    let s = state(ServerConfig { concurrency: 1, queue: 1, ..config() });
    let held = s.admission().acquire_many_owned(2).await.unwrap();
    let (status, headers, json) = send(&s, post("image/jpeg", common::sample("grace_hopper.jpg"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json["error"]["code"], "overloaded");
    assert_eq!(headers.get("retry-after").unwrap(), "1");
    drop(held);
    let (status, _, _) = send(&s, post("image/jpeg", common::sample("grace_hopper.jpg"))).await;
    assert_eq!(status, StatusCode::OK, "recovers once the queue drains");
}

#[tokio::test(flavor = "multi_thread")]
async fn over_budget_is_504() {
    let s = state(ServerConfig { timeout: Duration::from_millis(1), ..config() });
    let (status, _, json) = send(&s, post("image/png", common::sample("astronaut.png"))).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(json["error"]["code"], "timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_profile_and_bad_date_are_400() {
    let s = state(config());
    let req = Request::post("/v1/checks?profile=nope")
        .header("content-type", "image/jpeg")
        .body(Body::from(common::sample("grace_hopper.jpg")))
        .unwrap();
    let (status, _, json) = send(&s, req).await;
    assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_profile")));
    let req = Request::post("/v1/checks?as_of=yesterday")
        .header("content-type", "image/jpeg")
        .body(Body::from(common::sample("grace_hopper.jpg")))
        .unwrap();
    let (status, _, json) = send(&s, req).await;
    assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_as_of")));
}

#[tokio::test(flavor = "multi_thread")]
async fn health_ready_metrics_and_openapi() {
    let s = state(config());
    let resp = router(s.clone()).oneshot(get("/healthz")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, _, json) = send(&s, get("/readyz")).await;
    assert_eq!((status, &json["ready"]), (StatusCode::OK, &serde_json::json!(true)));

    send(&s, post("image/jpeg", common::sample("grace_hopper.jpg"))).await;
    let resp = router(s.clone()).oneshot(get("/metrics")).await.unwrap();
    let text = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(text.contains("photocheck_requests_total{status=\"200\"} 1"), "{text}");
    assert!(text.contains("photocheck_verdicts_total{verdict=\"reject\"} 1"));
    assert!(text.contains("photocheck_check_failures_total{code=\"BG001\"} 1"));
    assert!(text.contains("photocheck_request_duration_seconds_bucket"));
    assert!(text.contains("photocheck_queue_depth 0"));

    let (status, _, doc) = send(&s, get("/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/v1/checks"]["post"].is_object());
    // as_of, profile and lang are optional query parameters, not path parameters.
    for p in doc["paths"]["/v1/checks"]["post"]["parameters"].as_array().unwrap() {
        assert_eq!(p["in"], "query", "{p}");
        assert_ne!(p["required"], true, "{p}");
    }
    assert!(doc["components"]["schemas"]["Verdict"].to_string().contains("review"));
    assert!(doc["components"]["schemas"]["Report"].is_object());
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_clients_are_cut_off() {
    // A body that stops arriving: 408 after the body timeout, as JSON.
    let s = state(ServerConfig { body_timeout: Duration::from_millis(300), ..config() });
    let stalled = futures_stall();
    let req = Request::post("/v1/checks?lang=en").header("content-type", "image/jpeg").body(Body::from_stream(stalled)).unwrap();
    let (status, _, json) = send(&s, req).await;
    assert_eq!((status, json["error"]["code"].as_str()), (StatusCode::REQUEST_TIMEOUT, Some("request_timeout")));

    // Headers that never finish: the connection is closed after the header timeout.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = state(ServerConfig { header_timeout: Duration::from_millis(300), ..config() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(photocheck::server::serve(listener, s, std::future::pending()));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"POST /v1/checks HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    assert!(closed.is_ok(), "the server still holds a client that never finished its headers");
}

/// A body stream that sends one chunk and then nothing, for ever.
fn futures_stall() -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    use futures_util::StreamExt;
    futures_util::stream::once(async { Ok(vec![0xFF, 0xD8]) }).chain(futures_util::stream::pending())
}

/// Minimal HTTP/1.1 client over a real socket (no extra dependencies).
async fn http_post(addr: std::net::SocketAddr, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/checks?lang=en HTTP/1.1\r\nHost: {addr}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

async fn spawn_server(s: Arc<AppState>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(s)).await.unwrap() });
    addr
}

#[tokio::test(flavor = "multi_thread")]
async fn end_to_end_over_a_real_socket() {
    let addr = spawn_server(state(config())).await;
    let (status, text) = http_post(addr, &common::sample("grace_hopper.jpg")).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"verdict\":\"reject\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn flood_gets_503s_then_recovers() {
    let addr = spawn_server(state(ServerConfig { concurrency: 1, queue: 1, ..config() })).await;
    let photo = Arc::new(common::sample("grace_hopper.jpg"));
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let photo = photo.clone();
        tasks.push(tokio::spawn(async move { http_post(addr, &photo).await.0 }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let ok = statuses.iter().filter(|&&s| s == 200).count();
    let shed = statuses.iter().filter(|&&s| s == 503).count();
    assert_eq!(ok + shed, 12, "only 200 or 503 under a flood: {statuses:?}");
    assert!(ok >= 1 && shed >= 1, "{statuses:?}");
    assert_eq!(http_post(addr, &photo).await.0, 200, "recovers after the flood");
}

#[tokio::test(flavor = "multi_thread")]
async fn crop_jpeg_returns_the_archive_size_crop_with_the_report() {
    use base64::Engine as _;
    let s = state(config());
    let req = Request::post("/v1/checks?as_of=2026-11-26&lang=en&crop=jpeg")
        .header("content-type", "image/jpeg")
        .body(Body::from(common::sample("london_032_03.jpg")))
        .unwrap();
    let (status, _, json) = send(&s, req).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["verdict"], "approve");
    assert_eq!(json["crop"]["status"], "normalised", "{}", json["crop"]);
    let jpeg = base64::engine::general_purpose::STANDARD.decode(json["crop"]["jpeg_base64"].as_str().unwrap()).unwrap();
    let img = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((img.width(), img.height()), (260, 378));
    // Without the parameter there is no crop; an unknown crop format is a 400.
    let (_, _, plain) = send(&s, post("image/jpeg", common::sample("london_032_03.jpg"))).await;
    assert!(plain.get("crop").is_none());
    let req = Request::post("/v1/checks?crop=png")
        .header("content-type", "image/jpeg")
        .body(Body::from(common::sample("london_032_03.jpg")))
        .unwrap();
    let (status, _, json) = send(&s, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"]["code"], "bad_query");
}
