//! The applicant's self-check page at `/`: self-contained (no external asset), honest about auth,
//! and working in a real headless browser (Debian's chromium) at desktop and phone sizes: a
//! sample is uploaded, the verdict, the reasons and the overlay appear, and a screenshot is kept.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use photocheck::server::{router, AppState, ServerConfig};
use tower::ServiceExt;

/// Virtual time a page gets to upload the photo and draw the answer.
const BUDGET: &str = "--virtual-time-budget=60000";

fn state(token: Option<&str>) -> Arc<AppState> {
    let config =
        ServerConfig { concurrency: 2, queue: 4, timeout: Duration::from_secs(30), token: token.map(str::to_string), ..Default::default() };
    AppState::new(vec![common::checker().clone()], config)
}

async fn get(state: &Arc<AppState>, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = router(state.clone()).oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_and_its_script_come_from_the_binary_only() {
    let s = state(None);
    let (status, headers, page) = get(&s, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    // No CDN, no external font or image: the only absolute URL is the SVG namespace.
    let external: Vec<&str> = page.match_indices("http").map(|(i, _)| &page[i..(i + 40).min(page.len())]).collect();
    assert!(external.iter().all(|u| u.starts_with("http://www.w3.org/")), "{external:?}");
    assert!(page.contains("驾驶证照片自检") && page.contains("data-en=\"Driving-licence photo self-check\""));
    assert!(page.contains("10 MB"), "limits shown before upload");
    assert!(!page.contains("<script>"), "no inline script (the CSP forbids it)");
    let (status, headers, script) = get(&s, "/selfcheck.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(!script.contains("innerHTML"), "report text is never parsed as HTML");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_token_the_page_says_it_cannot_upload() {
    let (status, _, page) = get(&state(Some("secret")), "/").await;
    assert_eq!(status, StatusCode::OK, "the page itself needs no token");
    assert!(page.contains("id=\"auth\""), "the page says auth is required");
    assert!(page.contains("data-auth-required=\"true\""));
    let (_, _, page) = get(&state(None), "/").await;
    assert!(!page.contains("id=\"auth\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sample_checked_in_a_headless_browser_shows_verdict_reasons_and_overlay() {
    let Some(chrome) = common::chromium() else { return };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let s = state(None);
    tokio::spawn(async move { axum::serve(listener, router(s)).await.unwrap() });
    // The smiling twin of the compliant sample: rejected for its open mouth and smile.
    use base64::Engine as _;
    let photo = base64::engine::general_purpose::STANDARD.encode(common::sample("london_032_08.jpg"));
    let url = format!("http://{addr}/#photo=data:image/jpeg;base64,{photo}");
    let out = common::root().join("target/tmp/selfcheck");
    std::fs::create_dir_all(&out).unwrap();

    for (name, size) in [("desktop", "1000,1900"), ("phone", "390,2400")] {
        let chrome = chrome.clone();
        let url = url.clone();
        let out = out.clone();
        tokio::task::spawn_blocking(move || {
            let dir = tempfile::tempdir().unwrap();
            // The DOM once the page has checked the photo (a few tries: headless virtual time
            // occasionally snapshots before the answer arrives).
            let mut dom = String::new();
            for attempt in 0..3 {
                let extra = [BUDGET.to_string(), format!("--window-size={size}"), "--dump-dom".into()];
                let result = common::headless(&chrome, &dir.path().join(format!("dom{attempt}")), &extra, &url);
                dom = String::from_utf8_lossy(&result.stdout).into_owned();
                let log = String::from_utf8_lossy(&result.stderr);
                let console_errors: Vec<&str> =
                    log.lines().filter(|l| l.contains("CONSOLE") && (l.contains("Uncaught") || l.contains("Error"))).collect();
                assert!(console_errors.is_empty(), "{name}: console errors: {console_errors:?}");
                if dom.contains("data-done=\"true\"") {
                    break;
                }
            }
            assert!(dom.contains("data-done=\"true\""), "{name}: the page never showed a result: {}", &dom[..dom.len().min(3000)]);
            assert!(dom.contains("class=\"reject\">照片不合格"), "{name}: verdict shown");
            assert!(dom.contains("嘴巴张开"), "{name}: the open mouth is among the reasons");
            assert!(dom.contains("<image") && dom.contains("class=\"feature\""), "{name}: the photo with the mouth outlined");
            assert!(dom.contains("class=\"region\""), "{name}: regions drawn");
            let shot = out.join(format!("selfcheck-{name}.png"));
            let _ = std::fs::remove_file(&shot);
            for attempt in 0..3 {
                let extra = [BUDGET.to_string(), format!("--window-size={size}"), format!("--screenshot={}", shot.display())];
                common::headless(&chrome, &dir.path().join(format!("shot{attempt}")), &extra, &url);
                if shot.exists() {
                    break;
                }
            }
            let img = image::open(&shot).unwrap_or_else(|e| panic!("{name}: no screenshot: {e}")).to_rgb8();
            // The overlay's green face box (#2a9d4a) appears only once the result is drawn.
            let face_box = img
                .pixels()
                .filter(|p| (p.0[0] as i32 - 42).abs() < 16 && (p.0[1] as i32 - 157).abs() < 16 && (p.0[2] as i32 - 74).abs() < 16)
                .count();
            assert!(face_box > 200, "{name}: the screenshot shows no result ({face_box} face-box pixels)");
        })
        .await
        .unwrap();
    }
}
