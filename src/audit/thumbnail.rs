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
    // Person-mask outline: pixels where the mask crosses 0.5 against a neighbour.
    let inside = |x: u32, y: u32| {
        let p = to_image.apply(x as f32 + 0.5, y as f32 + 0.5);
        a.person.at(p.x, p.y) >= 0.5
    };
    let grid: Vec<bool> = (0..th).flat_map(|y| (0..tw).map(move |x| (x, y))).map(|(x, y)| inside(x, y)).collect();
    for y in 0..th.saturating_sub(1) {
        for x in 0..tw.saturating_sub(1) {
            let i = (y * tw + x) as usize;
            if grid[i] != grid[i + 1] || grid[i] != grid[i + tw as usize] {
                thumb.put_pixel(x, y, Rgb([0, 220, 255]));
            }
        }
    }
    let mut out = std::fs::File::create(path)?;
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82).encode_image(&thumb)
}
