//! A corpus of bad inputs generated in the test: each must give a report row with a clear,
//! typed reason (or, for odd-but-valid images, a normal report), and nothing may panic.

mod common;

use common::*;
use photocheck::exif::ExifStatus;
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
fn unreadable_input_is_explained_in_chinese_by_default() {
    let opts = photocheck::CheckOptions { lang: photocheck::Lang::ZhCn, ..opts() };
    let r = checker().check_bytes("notes.jpg", b"hello", &opts);
    let message = r.error.unwrap().message;
    assert!(message.starts_with("文件不是图片"), "{message}");
    assert!(message.contains("not an image"), "technical detail kept: {message}");
}
