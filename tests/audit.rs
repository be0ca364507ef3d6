//! `photocheck audit` as a reviewer runs it: one row per input whatever the input, deterministic
//! outputs, resume after SIGKILL, an escaped HTML report that a real browser renders.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn photocheck(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_photocheck")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// A folder of mixed uploads: real portraits, variants, and broken files.
fn mixed_folder(dir: &Path) -> usize {
    std::fs::write(dir.join("hopper.jpg"), common::sample("grace_hopper.jpg")).unwrap();
    std::fs::write(dir.join("astronaut.png"), common::sample("astronaut.png")).unwrap();
    let full = common::sample("grace_hopper.jpg");
    std::fs::write(dir.join("truncated.jpg"), &full[..full.len() / 2]).unwrap();
    std::fs::write(dir.join("notes.jpg"), "not a photo").unwrap();
    std::fs::write(dir.join("empty.png"), b"").unwrap();
    let nested = dir.join("sub/<script>alert(1)<");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("script>.jpg"), common::sample("grace_hopper.jpg")).unwrap();
    std::fs::write(dir.join("sub/white.png"), common::png(&common::replace_background(&common::hopper(), [250, 250, 250]))).unwrap();
    7
}

fn csv_rows(out: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(out.join("results.csv")).unwrap();
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

/// The journal's report rows; its first line is the settings header.
fn jsonl(out: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(out.join("results.jsonl")).unwrap();
    let mut lines = text.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap());
    let header = lines.next().expect("header line");
    assert_eq!(header["journal"], "photocheck.audit-journal/1", "{header}");
    let rows: Vec<serde_json::Value> = lines.collect();
    rows.iter().for_each(common::record);
    rows
}

#[test]
fn every_input_yields_exactly_one_row_and_the_summary_counts_everything() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let n = mixed_folder(&inputs);
    let list = dir.path().join("list.txt");
    std::fs::write(&list, format!("{}\n/vanished/photo.jpg\n", inputs.join("hopper.jpg").display())).unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = photocheck(&[
        "audit",
        inputs.to_str().unwrap(),
        &format!("@{}", list.display()),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-11-26",
        "--lang",
        "en",
        "--quiet",
    ]);
    assert_eq!(code, 2, "unreadable inputs → exit 2: {stdout}{stderr}");
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), n + 1, "folder files + the vanished listed file (hopper.jpg listed twice counts once)");
    let files: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted, "rows sorted by path");
    let kind = |name: &str| rows.iter().find(|r| r[0].ends_with(name)).map(|r| (r[2].clone(), r[4].clone())).unwrap();
    assert_eq!(kind("truncated.jpg"), ("error".into(), "corrupt_image".into()));
    assert_eq!(kind("notes.jpg"), ("error".into(), "not_an_image".into()));
    assert_eq!(kind("empty.png"), ("error".into(), "empty_file".into()));
    assert_eq!(kind("/vanished/photo.jpg"), ("error".into(), "io_error".into()));
    assert_eq!(kind("hopper.jpg").0, "reject");
    assert_eq!(jsonl(&out).len(), n + 1);

    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["inputs"], n + 1);
    assert_eq!(summary["checked"], n + 1);
    assert_eq!(summary["errors_by_kind"]["io_error"], 1);
    assert_eq!(summary["verdicts"]["error"], 4);
    assert!(summary["failed_by_code"]["BG001"].as_u64().unwrap() >= 3);

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script>alert(1)"), "file names are escaped");
    assert!(html.contains(r"\u003cscript\u003ealert(1)\u003c"), "and reach the page's data only script-escaped");
    let data =
        html.split(r#"<script type="application/json" id="data">"#).nth(1).and_then(|t| t.split("</script>").next()).expect("data block");
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(data["rows"].as_array().unwrap().len(), n + 1, "one card per input");
    assert!(
        data["rows"].as_array().unwrap().iter().any(|r| r["b"].is_array() && !r["g"].as_array().unwrap().is_empty()),
        "face box and failed regions for the marks"
    );
    let thumbs = std::fs::read_dir(out.join("thumbs")).unwrap().count();
    assert!(thumbs >= 3, "one thumbnail per distinct decodable photo");
}

#[test]
fn outputs_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    mixed_folder(&inputs);
    let run = |jobs: &str| {
        let out = dir.path().join(format!("out{jobs}"));
        photocheck(&[
            "audit",
            inputs.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            "2026-11-26",
            "--jobs",
            jobs,
            "--quiet",
        ]);
        let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
        let mut summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        summary.as_object_mut().unwrap().remove("timings");
        (csv, summary)
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn a_killed_audit_resumes_to_exactly_one_row_per_input() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    // Distinct photos (different bytes), so nothing is shared by hash by accident.
    let base = common::hopper();
    let total = 30;
    for i in 0..total {
        let mut img = base.clone();
        img.put_pixel(0, 0, image::Rgb([i as u8, 0, 0]));
        std::fs::write(inputs.join(format!("p{i:02}.png")), common::png(&img)).unwrap();
    }
    let out: PathBuf = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args(["audit", inputs.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-26", "--jobs", "1", "--quiet"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let journal = out.join("results.jsonl");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        // Complete lines only (the header and four rows): a row being written when the file is
        // read is not yet one the resume can reuse.
        let lines = std::fs::read_to_string(&journal).map(|t| t.matches('\n').count()).unwrap_or(0);
        if lines >= 5 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "audit made no progress");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let partial = std::fs::read_to_string(&journal).unwrap().lines().count();
    assert!(partial < total, "killed before the end ({partial} rows)");
    assert!(!out.join("summary.json").exists());

    let (code, stdout, stderr) =
        photocheck(&["audit", inputs.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-26", "--resume", "--quiet"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let rows = jsonl(&out);
    assert_eq!(rows.len(), total);
    let mut files: Vec<&str> = rows.iter().map(|r| r["file"].as_str().unwrap()).collect();
    files.dedup();
    assert_eq!(files.len(), total, "no duplicates");
    assert_eq!(csv_rows(&out).len(), total);
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(summary["timings"]["reused_from_previous_run"].as_u64().unwrap() >= 4, "{summary}");
    assert_eq!(summary["checked"], total);
}

#[test]
fn resume_refuses_a_journal_made_with_other_settings() {
    let dir = tempfile::tempdir().unwrap();
    let out: PathBuf = dir.path().join("out");
    let photo = "sample_photos/london_032_03.jpg";
    let (code, _, err) = photocheck(&["audit", photo, "--out", out.to_str().unwrap(), "--as-of", "2026-11-26", "--lang", "en", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    // Another date, another language, another profile: each refused with exit 2, nothing changed.
    let before = std::fs::read_to_string(out.join("results.jsonl")).unwrap();
    for extra in [
        &["--as-of", "2027-01-01", "--lang", "en"][..],
        &["--as-of", "2026-11-26", "--lang", "zh-CN"],
        &["--as-of", "2026-11-26", "--lang", "en", "--profile", "cn-driving-licence-base"],
    ] {
        let mut args = vec!["audit", photo, "--out", out.to_str().unwrap(), "--resume", "--quiet"];
        args.extend_from_slice(extra);
        let (code, _, err) = photocheck(&args);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains("cannot resume") && err.contains("--force-new"), "{err}");
        assert_eq!(std::fs::read_to_string(out.join("results.jsonl")).unwrap(), before);
    }
    // The same settings resume (the date is kept from the journal when not given) …
    let (code, _, err) = photocheck(&["audit", photo, "--out", out.to_str().unwrap(), "--resume", "--lang", "en", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    // … and --force-new starts afresh under the new settings.
    let (code, _, err) = photocheck(&[
        "audit",
        photo,
        "--out",
        out.to_str().unwrap(),
        "--resume",
        "--force-new",
        "--as-of",
        "2027-01-01",
        "--lang",
        "en",
        "--quiet",
    ]);
    assert!(code == 0 || code == 3, "{err}");
    let header: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(out.join("results.jsonl")).unwrap().lines().next().unwrap()).unwrap();
    assert!(header["as_of"].as_str().unwrap().starts_with("2027-01-01"), "{header}");
}

#[test]
fn report_renders_in_a_headless_browser_without_console_errors() {
    let Some(browser) = common::chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    mixed_folder(&inputs);
    let out = dir.path().join("out");
    photocheck(&["audit", inputs.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-26", "--quiet"]);
    let shot = dir.path().join("shot.png");
    let profile = dir.path().join("chrome-profile");
    let result = common::headless(
        &browser,
        &profile,
        &["--virtual-time-budget=3000".to_string(), "--window-size=1280,1000".to_string(), format!("--screenshot={}", shot.display())],
        &format!("file://{}", out.join("report.html").display()),
    );
    let log = String::from_utf8_lossy(&result.stderr);
    let console_errors = common::console_errors(&result);
    assert!(console_errors.is_empty(), "console errors: {console_errors:?}");
    let img = image::open(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}): {log}")).to_rgb8();
    let lumas: Vec<f32> = img.pixels().map(|p| photocheck::imaging::luma(p.0)).collect();
    let mean = lumas.iter().sum::<f32>() / lumas.len() as f32;
    let var = lumas.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / lumas.len() as f32;
    assert!(var > 200.0, "screenshot looks blank (luma variance {var})");
    std::fs::copy(&shot, std::env::temp_dir().join("photocheck-report-shot.png")).ok();
}

/// A reviewer's report of 1,000 photos (real reports, copied under other names with every
/// verdict) must open in under 2 s in headless Chromium and weigh under 3 MB without thumbnails.
#[test]
fn a_thousand_photo_report_opens_fast_in_a_headless_browser() {
    let Some(browser) = common::chromium() else { return };
    let samples = ["grace_hopper.jpg", "london_032_03.jpg", "london_032_08.jpg", "london_140_03.jpg", "astronaut.png"];
    let reports: Vec<serde_json::Value> =
        samples.iter().map(|n| serde_json::to_value(common::check(n, &common::sample(n))).unwrap()).collect();
    let verdicts = ["review", "reject", "approve", "error"];
    let rows: Vec<photocheck::audit::Row> = (0..1000)
        .map(|i| {
            let mut json = reports[i % reports.len()].clone();
            let file = format!("uploads/2026-11/{i:04}-{}", samples[i % samples.len()]);
            json["file"] = serde_json::json!(file);
            json["verdict"] = serde_json::json!(verdicts[i % 7 % 4]);
            photocheck::audit::Row { file, json }
        })
        .collect();
    let summary = photocheck::audit::Summary { inputs: 1000, checked: 1000, profile: "cn-driving-licence".into(), ..Default::default() };
    let page = photocheck::printer::audit_html::render(&rows, &summary, photocheck::Lang::ZhCn);
    assert!(page.len() < 3 * 1024 * 1024, "the page weighs {} bytes", page.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    std::fs::write(&path, &page).unwrap();
    let result = common::headless(
        &browser,
        &dir.path().join("profile"),
        &["--virtual-time-budget=5000".to_string(), "--window-size=1280,1000".to_string(), "--dump-dom".to_string()],
        &format!("file://{}", path.display()),
    );
    let dom = String::from_utf8_lossy(&result.stdout);
    let console_errors = common::console_errors(&result);
    assert!(console_errors.is_empty(), "console errors: {console_errors:?}");
    let rendered_ms: f64 = dom
        .split("data-rendered-ms=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("the page did not finish rendering: {}", &dom[..dom.len().min(2000)]));
    assert!(rendered_ms < 2000.0, "first page rendered after {rendered_ms} ms");
    assert_eq!(dom.matches("<article").count(), 48, "one page of cards, not all 1,000");
    let first = dom.split("<article").nth(1).unwrap();
    assert!(first.contains("data-verdict=\"review\""), "triage order: review first");
    eprintln!("1,000-photo report: {} bytes, first page rendered at {rendered_ms} ms", page.len());
}

#[test]
fn ctrl_c_finishes_rows_in_flight_and_writes_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let base = common::hopper();
    let total = 40;
    for i in 0..total {
        let mut img = base.clone();
        img.put_pixel(1, 1, image::Rgb([0, i as u8, 0]));
        std::fs::write(inputs.join(format!("q{i:02}.png")), common::png(&img)).unwrap();
    }
    let out = dir.path().join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args(["audit", inputs.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-26", "--jobs", "1", "--quiet"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let journal = out.join("results.jsonl");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::read_to_string(&journal).map(|t| t.lines().count()).unwrap_or(0) < 3 {
        assert!(std::time::Instant::now() < deadline, "audit made no progress");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["interrupted"], true);
    let checked = summary["checked"].as_u64().unwrap() as usize;
    assert!(checked >= 3 && checked < total, "{summary}");
    assert_eq!(summary["not_checked"].as_u64().unwrap() as usize, total - checked);
    assert_eq!(csv_rows(&out).len(), checked, "every finished photo has its row");
    assert_eq!(jsonl(&out).len(), checked);
}

/// The reviewer's decisions leave the page as a CSV that `eval` (and `calibrate`) read as labels:
/// a confirmed verdict keeps its reasons' labels, an override flips `compliant` and them.
#[test]
fn reviewer_decisions_export_as_labels_eval_reads() {
    let Some(browser) = common::chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::write(inputs.join("hopper.jpg"), common::sample("grace_hopper.jpg")).unwrap();
    std::fs::write(inputs.join("london.jpg"), common::sample("london_032_03.jpg")).unwrap();
    std::fs::write(inputs.join("smile.jpg"), common::sample("london_032_08.jpg")).unwrap();
    let out = dir.path().join("out");
    photocheck(&["audit", inputs.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-26", "--quiet"]);
    // A page that drives the report through its automation hook, as a reviewer's clicks would.
    let harness = out.join("harness.html");
    std::fs::write(
        &harness,
        r#"<!doctype html><iframe id="f" src="report.html" width="1200" height="800"></iframe><pre id="out"></pre>
<script>document.getElementById('f').addEventListener('load',function(){var api=this.contentWindow.photocheckReview;
api.decide(0,'confirm',[]);api.decide(1,'override',[]);document.getElementById('out').textContent=api.csv();});</script>"#,
    )
    .unwrap();
    let result = common::headless(
        &browser,
        &dir.path().join("profile"),
        &["--allow-file-access-from-files".to_string(), "--virtual-time-budget=5000".to_string(), "--dump-dom".to_string()],
        &format!("file://{}", harness.display()),
    );
    let dom = String::from_utf8_lossy(&result.stdout);
    let csv_text = dom.split("<pre id=\"out\">").nth(1).and_then(|t| t.split("</pre>").next()).expect("exported CSV").replace("&amp;", "&");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(&header[..5], ["file", "sha256", "verdict", "decision", "compliant"], "{csv_text}");
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    assert_eq!(rows.len(), 2, "only decided photos: {csv_text}");
    for row in &rows {
        let approved = row[2] == "approve";
        let confirmed = row[3] == "confirm";
        assert_eq!(row[4] == "1", approved == confirmed, "compliant follows the decision: {row:?}");
    }
    let labels = dir.path().join("decisions.csv");
    std::fs::write(&labels, &csv_text).unwrap();
    let (code, stdout, stderr) = photocheck(&[
        "eval",
        "--labels",
        labels.to_str().unwrap(),
        "--photos",
        "/",
        "--as-of",
        "2026-11-26",
        "--lang",
        "en",
        "--format",
        "json",
    ]);
    assert_ne!(code, 2, "eval reads the export: {stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(report["photos"], 2, "{report}");
    // The gate is scored against the reviewer's decisions: one compliant/non-compliant count per row.
    let gate = &report["gate"];
    let counted: u64 = ["compliant", "non_compliant"]
        .iter()
        .flat_map(|k| ["approve", "review", "reject", "error"].map(|v| gate[k][v].as_u64().unwrap()))
        .sum();
    assert_eq!(counted, 2, "{gate}");
}

#[test]
fn audit_with_crops_writes_the_approved_crops_and_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::write(inputs.join("london.jpg"), common::sample("london_032_03.jpg")).unwrap();
    std::fs::write(inputs.join("hopper.jpg"), common::sample("grace_hopper.jpg")).unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) =
        photocheck(&["audit", inputs.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-26", "--quiet", "--crops"]);
    assert_eq!(code, 1, "hopper is rejected: {stdout}{stderr}");
    let rows = jsonl(&out);
    let london = rows.iter().find(|r| r["file"].as_str().unwrap().ends_with("london.jpg")).unwrap();
    assert_eq!(london["crop"]["status"], "normalised", "{}", london["crop"]);
    let sha = london["sha256"].as_str().unwrap();
    let crop = image::open(out.join("crops").join(format!("{sha}.jpg"))).unwrap();
    assert_eq!((crop.width(), crop.height()), (260, 378));
    let hopper = rows.iter().find(|r| r["file"].as_str().unwrap().ends_with("hopper.jpg")).unwrap();
    assert!(hopper.get("crop").is_none(), "faults a crop cannot fix get no crop");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(r#""k":["normalised","#), "the card shows the crop");
    // The journal remembers the setting: resuming without crops would mix rows with and without.
    let (code, _, stderr) =
        photocheck(&["audit", inputs.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-26", "--quiet", "--resume"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("crops"), "{stderr}");
}
