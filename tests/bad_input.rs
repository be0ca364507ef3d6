//! A corpus of bad inputs generated in the test: each must give a report row with a clear,
//! typed reason (or, for odd-but-valid images, a normal report), and nothing may panic.

mod common;

use common::*;
use photocheck::report::ExifStatus;
use photocheck::report::Outcome;
use photocheck::Verdict;

fn error_kind(bytes: &[u8]) -> String {
    let r = check("input", bytes);
    assert_eq!(r.verdict, Verdict::Error, "expected an error row, got {:?}", r.verdict);
    let e = r.error.expect("error info");
    assert!(!e.message.is_empty());
    e.kind
}

#[test]
fn zero_bytes() {
    assert_eq!(error_kind(b""), "empty_file");
}

#[test]
fn text_named_jpg() {
    assert_eq!(error_kind(b"This is a note, not a photo.\n"), "not_an_image");
}

#[test]
fn truncated_jpeg() {
    let full = sample("grace_hopper.jpg");
    for cut in [full.len() / 2, 600, 100] {
        let kind = error_kind(&full[..cut]);
        assert!(kind == "corrupt_image", "cut at {cut}: {kind}");
    }
}

#[test]
fn truncated_png() {
    let full = png(&hopper());
    assert_eq!(error_kind(&full[..full.len() / 3]), "corrupt_image");
}

#[test]
fn png_header_claiming_100000_by_100000() {
    // A valid PNG signature and IHDR with huge dimensions, and no pixel data: a decompression bomb
    // must be refused from the header alone.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    bytes.extend_from_slice(&13u32.to_be_bytes());
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&ihdr);
    let crc = crc32(&chunk);
    bytes.extend_from_slice(&chunk);
    bytes.extend_from_slice(&crc.to_be_bytes());
    assert_eq!(error_kind(&bytes), "dimensions_too_large");
}

#[test]
fn gif_is_an_unsupported_format() {
    assert_eq!(error_kind(b"GIF89a\x10\x00\x10\x00\x00\x00\x00;"), "unsupported_format");
}

#[test]
fn cmyk_jpeg_is_converted_and_checked() {
    let bytes = std::fs::read(root().join("tests/fixtures/hopper_cmyk.jpg")).unwrap();
    let r = check("cmyk.jpg", &bytes);
    assert_ne!(r.verdict, Verdict::Error, "{:?}", r.error);
    assert_eq!(r.image.as_ref().unwrap().color, "cmyk8");
    assert_eq!(outcome(&r, "FC001"), Outcome::Pass);
}

#[test]
fn sixteen_bit_png_is_checked() {
    let img16: image::ImageBuffer<image::Rgb<u16>, Vec<u16>> = image::DynamicImage::ImageRgb8(hopper()).into_rgb16();
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb16(img16).write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    let r = check("deep.png", &bytes);
    assert_eq!(r.image.as_ref().unwrap().bits_per_channel, 16);
    assert_eq!(outcome(&r, "FC001"), Outcome::Pass);
}

#[test]
fn corrupt_exif_is_reported_not_fatal() {
    let bytes = with_app1(&jpeg(&hopper(), 90), b"MM\x00\x2a\x00\x00\xff\xf0garbage");
    let r = check("bad_exif.jpg", &bytes);
    assert_ne!(r.verdict, Verdict::Error);
    let exif = &r.image.as_ref().unwrap().exif;
    assert!(matches!(exif.status, ExifStatus::Corrupt { .. }), "{:?}", exif.status);
    let date = find(&r, "DT001");
    assert_eq!(date.outcome, Outcome::NotAssessed);
    assert!(date.message.contains("damaged"), "{}", date.message);
}

#[test]
fn missing_file_is_an_io_error_row() {
    let r = checker().check_path(std::path::Path::new("/nonexistent/photo.jpg"), &opts());
    assert_eq!(r.verdict, Verdict::Error);
    assert_eq!(r.error.unwrap().kind, "io_error");
}

/// CRC-32 (IEEE) for building PNG chunks.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn webp_is_decoded_and_checked() {
    let mut bytes = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut bytes).encode(hopper().as_raw(), 512, 600, image::ExtendedColorType::Rgb8).unwrap();
    let r = check("photo.webp", &bytes);
    assert_eq!(r.image.as_ref().unwrap().format, "webp");
    assert_eq!(outcome(&r, "FC001"), Outcome::Pass);
}

#[test]
fn a_lossy_webp_is_judged_by_its_quantiser_and_luma_levels_and_a_heavily_compressed_one_fails() {
    // The compliant London sample saved as lossy WebP (VP8 inside a VP8X file; see
    // sample_photos/SOURCES.md) by libwebp at quality 70: VP8 has no quantisation tables, but its
    // header's base quantiser index (39) says which quality it was saved at.
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/london_032_03_lossy.webp")).unwrap();
    let r = check("london_032_03_lossy.webp", &bytes);
    assert_eq!(r.image.as_ref().unwrap().format, "webp");
    assert_eq!(outcome(&r, "IQ006"), Outcome::Pass);
    assert_eq!(r.checks.iter().find(|c| c.code == "IQ006").and_then(|c| c.measured), Some(70.0));
    // IQ010 reads a lossy WebP's luma as VP8 stored it: the decoder's stretch from limited range
    // to 0-255 leaves empty RGB levels that are no edit, and this compliant portrait is approved.
    assert_eq!(outcome(&r, "IQ010"), Outcome::Pass);
    assert!(find(&r, "IQ010").measured.unwrap() < 0.06, "{:?}", find(&r, "IQ010").measured);
    assert_eq!(r.verdict, photocheck::Verdict::Approve, "failed {:?} review {:?}", r.failed, r.review);
    // Reduced to 32 colours before the same encoder (quality 90): combs in the luma too.
    let palette = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/london_032_03_palette32.webp")).unwrap();
    let r = check("london_032_03_palette32.webp", &palette);
    assert_eq!(outcome(&r, "IQ006"), Outcome::Pass);
    assert_eq!(outcome(&r, "IQ010"), Outcome::Fail);
    assert_eq!(r.verdict, photocheck::Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
    // The same portrait at quality 30 (quantiser 68) fails as heavily compressed.
    let q30 = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/london_032_03_lossy_q30.webp")).unwrap();
    let r = check("london_032_03_lossy_q30.webp", &q30);
    assert_eq!(outcome(&r, "IQ006"), Outcome::Fail);
    assert_eq!(r.verdict, photocheck::Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
    // A lossless WebP is measured as lossless.
    let mut lossless = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut lossless)
        .encode(hopper().as_raw(), 512, 600, image::ExtendedColorType::Rgb8)
        .unwrap();
    assert_eq!(outcome(&check("photo.webp", &lossless), "IQ006"), Outcome::Pass);
}

#[test]
fn unreadable_input_is_explained_in_chinese_by_default() {
    let opts = photocheck::CheckOptions { lang: photocheck::Lang::ZhCn, ..opts() };
    let r = checker().check_bytes("notes.jpg", b"hello", &opts);
    let error = r.error.unwrap();
    assert!(error.message.starts_with("文件不是图片"), "{}", error.message);
    assert!(!error.message.is_ascii() && !error.message.contains("not an image"), "Chinese only: {}", error.message);
    assert!(error.detail.contains("not an image"), "technical detail kept apart: {}", error.detail);
}

/// A 1-pixel-high (or -wide) strip PNG: tiny on disk, absurd in shape.
fn strip_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let img = image::RgbImage::new(w, h);
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

#[test]
fn strip_pngs_are_refused_from_the_header() {
    // 4,000,000 × 1 took 16 s in the resampler before; now the header alone refuses it.
    for (w, h) in [(4_000_000, 1), (1, 3_000_000), (20_000, 40), (16, 600)] {
        let bytes = strip_png(w, h);
        assert_eq!(error_kind(&bytes), "bad_dimensions", "{w}x{h}");
    }
    // A normal portrait shape still decodes.
    assert_ne!(check("ok.png", &strip_png(300, 400)).verdict, Verdict::Error);
}

#[test]
fn rare_jpeg_codings_are_unsupported_not_corrupt() {
    let base = jpeg(&hopper(), 90);
    let sof = base.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline SOF0");
    for (what, patch) in [("arithmetic SOF9", (sof + 1, 0xC9u8)), ("lossless SOF3", (sof + 1, 0xC3)), ("12-bit", (sof + 4, 12))] {
        let mut bytes = base.clone();
        bytes[patch.0] = patch.1;
        assert_eq!(error_kind(&bytes), "unsupported_format", "{what}");
    }
}

/// Runs `f` on another thread and fails the test if it has not finished within `secs`.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs)).expect("did not finish in time (it would stall a worker)")
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("upload.jpg");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for path in [fifo, "/dev/zero".into(), "/dev/urandom".into(), dir.path().to_path_buf()] {
        let shown = path.display().to_string();
        let r = within(10, move || checker().check_path(&path, &opts()));
        assert_eq!(r.verdict, Verdict::Error, "{shown}");
        assert_eq!(r.error.unwrap().kind, "not_a_regular_file", "{shown}");
    }
}

#[test]
fn control_characters_and_formulas_never_reach_a_terminal_or_a_spreadsheet() {
    let shown = photocheck::printer::text::visible("evil\u{1b}[2J\r\nname\u{7}.jpg");
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.contains("\\u{1b}[2J") && shown.contains("\\r\\n"), "{shown}");
    for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx"] {
        assert!(photocheck::printer::audit_csv::spreadsheet_safe(cell).starts_with('\''), "{cell}");
    }
    assert_eq!(photocheck::printer::audit_csv::spreadsheet_safe("photo.jpg"), "photo.jpg");
}

#[test]
fn a_16_bit_rgba_png_too_big_to_decode_in_bounded_memory_is_refused_from_its_header() {
    // 6000 × 6000 RGBA16 would take 275 MB before conversion; the header alone says so.
    let img = image::ImageBuffer::<image::Rgba<u16>, Vec<u16>>::new(6000, 6000);
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba16(img).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    assert_eq!(error_kind(&out), "resource_limit");
}

#[cfg(unix)]
#[test]
fn a_non_utf8_file_name_is_shown_escaped_not_replaced() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(std::ffi::OsStr::from_bytes(b"photo-\xff\xfe.jpg"));
    std::fs::write(&path, b"not a photo").unwrap();
    let r = checker().check_path(&path, &opts());
    assert!(r.file.ends_with("photo-\\xff\\xfe.jpg"), "{}", r.file);
    assert!(!r.file.contains('\u{fffd}'));
}

#[test]
fn an_animation_is_refused_with_its_own_reason_even_when_its_first_frame_is_a_portrait() {
    // Made with Pillow (`save_all=True`): three frames each, the first a plain portrait-shaped image.
    for name in ["animated.png", "animated.webp"] {
        let bytes = std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture");
        assert_eq!(error_kind(&bytes), "animated_image", "{name}");
    }
}
