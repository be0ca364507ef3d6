//! Helpers shared by the examples that make variants of real photos (`stability`, `variants`,
//! `pose_figures`). Each example uses some of them, hence the module-wide `dead_code` allowance.
#![allow(dead_code)]

use image::RgbImage;

/// JPEG at `quality` with the original's APP1 (EXIF) segment, if it had one, put back: a variant
/// keeps the original's capture date, so DT001 judges it like the original.
pub fn encode_keeping_exif(img: &RgbImage, quality: u8, original: &[u8]) -> Vec<u8> {
    let mut jpeg = Vec::new();
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality).encode_image(img);
    match app1(original) {
        Some(segment) if jpeg.len() > 2 => {
            let mut out = jpeg[..2].to_vec();
            out.extend_from_slice(segment);
            out.extend_from_slice(&jpeg[2..]);
            out
        }
        _ => jpeg,
    }
}

/// The first APP1 segment of a JPEG (marker, length and payload), if any.
fn app1(jpeg: &[u8]) -> Option<&[u8]> {
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        let len = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
        if marker == 0xE1 {
            return jpeg.get(at..at + 2 + len);
        }
        if marker == 0xDA {
            return None;
        }
        at += 2 + len;
    }
    None
}

/// Rotates about the centre by `degrees` (positive: clockwise on screen, so the eye line slopes
/// down to the right and the roll grows by `degrees`), filling the corners with `fill`.
pub fn rotated(img: &RgbImage, degrees: f32, fill: [u8; 3]) -> RgbImage {
    imageproc::geometric_transformations::rotate_about_center(
        img,
        degrees.to_radians(),
        imageproc::geometric_transformations::Interpolation::Bilinear,
        image::Rgb(fill),
    )
}
