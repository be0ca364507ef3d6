//! Reviewer thumbnails: the photo at 320 px with the person-mask outline burnt in. Boxes,
//! landmarks and failed regions are drawn by the HTML page as SVG over it, from the report.

use std::path::Path;

use image::{Rgb, RgbImage};

use crate::analysis::Analysis;
use crate::imaging::{sample_planar, Affine};
use crate::report::Report;

pub const LONG_SIDE: u32 = 320;

pub fn write(a: &Analysis, _report: &Report, path: &Path) -> image::ImageResult<()> {
    let (w, h) = a.image().dimensions();
    let scale = LONG_SIDE as f32 / w.max(h) as f32;
    let (tw, th) = (((w as f32 * scale).round() as u32).max(1), ((h as f32 * scale).round() as u32).max(1));
    let to_image = Affine { a: w as f32 / tw as f32, b: 0.0, c: 0.0, d: 0.0, e: h as f32 / th as f32, f: 0.0 };
    let planar = sample_planar(&a.pyramid, &to_image, tw as usize, th as usize, [0.0; 3]);
    let n = (tw * th) as usize;
    let mut thumb = RgbImage::from_fn(tw, th, |x, y| {
        let i = (y * tw + x) as usize;
        Rgb([planar[i] as u8, planar[n + i] as u8, planar[2 * n + i] as u8])
    });
    // Person-mask outline: thumbnail pixels whose mask cell differs from a neighbour's.
    let scene = &a.scene;
    let cell = |x: u32, y: u32| {
        let gx = ((x as usize * scene.width) / tw as usize).min(scene.width - 1);
        let gy = ((y as usize * scene.height) / th as usize).min(scene.height - 1);
        scene.person[gy * scene.width + gx]
    };
    for y in 0..th.saturating_sub(1) {
        for x in 0..tw.saturating_sub(1) {
            let here = cell(x, y);
            if here != cell(x + 1, y) || here != cell(x, y + 1) {
                thumb.put_pixel(x, y, Rgb([0, 220, 255]));
            }
        }
    }
    let mut encoded = Vec::with_capacity(32 * 1024);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut encoded, 82).encode_image(&thumb)?;
    std::fs::write(path, encoded).map_err(image::ImageError::IoError)
}
