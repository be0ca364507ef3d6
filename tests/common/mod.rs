//! Shared helpers for the integration tests: one checker per test binary, the redistributable
//! sample portraits, and generators for photo variants and EXIF blocks.
#![allow(dead_code)]

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDate, Utc};
use image::{DynamicImage, ImageFormat, RgbImage};
use photocheck::models::ModelSet;
use photocheck::report::{CheckResult, Outcome};
use photocheck::{CheckOptions, Checker, Lang, Profile, Report};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let models = ModelSet::load(&root().join("models")).expect("models load");
        Checker::new(Arc::new(models), Arc::new(Profile::default_profile()))
    })
}

pub fn as_of() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc()
}

pub fn opts() -> CheckOptions {
    CheckOptions { as_of: as_of(), lang: Lang::En }
}

pub fn sample(name: &str) -> Vec<u8> {
    std::fs::read(root().join("sample_photos").join(name)).expect("sample photo")
}

pub fn hopper() -> RgbImage {
    image::load_from_memory(&sample("grace_hopper.jpg")).unwrap().to_rgb8()
}

pub fn astronaut() -> RgbImage {
    image::load_from_memory(&sample("astronaut.png")).unwrap().to_rgb8()
}

pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img.clone()).write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
    out
}

pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    img.write_with_encoder(enc).unwrap();
    out
}

pub fn check(name: &str, bytes: &[u8]) -> Report {
    let r = checker().check_bytes(name, bytes, &opts());
    record(&serde_json::to_value(&r).unwrap());
    r
}

/// Keeps every report a test produces under `target/tmp/reports/`, one JSON line each, so CI can
/// validate them all against the published JSON Schema (`scripts/contract-check.sh`).
pub fn record(report: &serde_json::Value) {
    use std::io::Write;
    if report.get("schema").is_none() {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports");
    let _ = std::fs::create_dir_all(&dir);
    let exe = std::env::current_exe().ok().and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned())).unwrap_or_default();
    let path = dir.join(format!("{exe}-{}.jsonl", std::process::id()));
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        // One write per line on an O_APPEND file: lines from parallel tests never interleave.
        let _ = f.write_all(format!("{report}\n").as_bytes());
    }
}

/// Records every JSON report line of a command's output (see [`record`]).
pub fn record_lines(output: &str) {
    for line in output.lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
            record(&v);
        }
    }
}

pub fn outcome(r: &Report, code: &str) -> Outcome {
    find(r, code).outcome
}

pub fn find<'a>(r: &'a Report, code: &str) -> &'a CheckResult {
    r.check(code)
        .unwrap_or_else(|| panic!("{}: no check {code}; checks: {:?}", r.file, r.checks.iter().map(|c| c.code).collect::<Vec<_>>()))
}

pub fn measured(r: &Report, code: &str) -> f64 {
    find(r, code).measured.unwrap_or_else(|| panic!("{code} has no measured value: {:?}", find(r, code)))
}

/// Inserts an APP1 EXIF segment built from `fields` right after the JPEG's SOI marker.
pub fn with_exif(jpeg: &[u8], fields: &[exif::Field]) -> Vec<u8> {
    let mut writer = exif::experimental::Writer::new();
    for f in fields {
        writer.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    with_app1(jpeg, &tiff.into_inner())
}

/// Inserts raw bytes as the EXIF payload (after "Exif\0\0"), valid or not.
pub fn with_app1(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(tiff);
    let len = (payload.len() + 2) as u16;
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn ascii(tag: exif::Tag, ifd: exif::In, text: &str) -> exif::Field {
    exif::Field { tag, ifd_num: ifd, value: exif::Value::Ascii(vec![text.as_bytes().to_vec()]) }
}

pub fn date_original(when: DateTime<Utc>) -> exif::Field {
    ascii(exif::Tag::DateTimeOriginal, exif::In::PRIMARY, &when.format("%Y:%m:%d %H:%M:%S").to_string())
}

/// Paints every background pixel (person probability < 0.5) with `colour`, using the shipped
/// segmentation model, as a photographer's backdrop swap would.
pub fn replace_background(img: &RgbImage, colour: [u8; 3]) -> RgbImage {
    let mask = checker().models.segmenter.run(&photocheck::imaging::Pyramid::new(img.clone())).unwrap();
    let mut out = img.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let person = mask.at(x as f32 + 0.5, y as f32 + 0.5).clamp(0.0, 1.0);
        for c in 0..3 {
            p.0[c] = (p.0[c] as f32 * person + colour[c] as f32 * (1.0 - person)).round() as u8;
        }
    }
    out
}

/// Crops to a portrait 3:4 frame around the face, as an applicant would before uploading.
pub fn crop(img: &RgbImage, x: u32, y: u32, w: u32, h: u32) -> RgbImage {
    image::imageops::crop_imm(img, x, y, w, h).to_image()
}

/// Paints a light-blue surgical mask over the lower face (cheek to cheek under the nose bridge),
/// given the photo's 468 mesh landmarks from a report.
pub fn paint_mask(img: &RgbImage, lm: &[photocheck::imaging::Point]) -> RgbImage {
    let mut poly: Vec<photocheck::imaging::Point> =
        [234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361, 323, 454]
            .iter()
            .map(|&i| lm[i])
            .collect();
    poly.push(lm[195]);
    let mut masked = img.clone();
    for (x, y, p) in masked.enumerate_pixels_mut() {
        if photocheck::imaging::inside_polygon(photocheck::imaging::Point::new(x as f32, y as f32), &poly) {
            let shade = ((x + y) % 7) as u8;
            *p = image::Rgb([150 + shade, 195 + shade, 225]);
        }
    }
    masked
}

/// Debian's chromium, where installed. CI installs it (`.ci/run`), so there its absence fails the
/// test; on a developer machine without it the browser checks are skipped with a note.
pub fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.exists());
    if found.is_none() {
        assert!(std::env::var("CI").is_err(), "CI must install chromium (see .ci/run)");
        eprintln!("chromium not installed: browser check skipped on this developer machine");
    }
    found
}

/// Headless Chromium on `url` with its own profile in `profile`, quiet defaults, console messages
/// on stderr, and the test's `extra` flags (virtual time budget, window size, what to dump).
pub fn headless(browser: &std::path::Path, profile: &std::path::Path, extra: &[String], url: &str) -> std::process::Output {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.extend_from_slice(extra);
    args.push(url.to_string());
    std::process::Command::new(browser).args(&args).output().expect("run chromium")
}

/// Console errors Chromium logged (uncaught exceptions, errors) in a headless run's stderr.
pub fn console_errors(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("Uncaught") || l.contains("Error")))
        .map(str::to_string)
        .collect()
}
