//! What the lips look like against the face's own skin. The meshes place lips under anything
//! that covers the mouth (a flat patch, a scarf, a sticker, cloth the mask classifier does not
//! know): they read the face's shape, not what is on it. Real lips have a border against the
//! skin below them; a cover is one colour across where the lips would be and below them.

use image::RgbImage;

use super::face_frame::{ycbcr, SkinRef};
use crate::imaging::{inside_polygon, quantile, Point};
use crate::models::RefinedFace;

/// Weight of a luma ratio's logarithm against chroma units in the border contrast: a lip 20 %
/// darker than the skin below it counts like a chroma step of about 18.
pub const LUMA_WEIGHT: f32 = 80.0;

/// The lips' median colour relative to the skin reference.
#[derive(Debug, Clone, Copy)]
pub struct LipColour {
    /// Lip luma over skin luma.
    pub luma_ratio: f32,
    /// Lip Cb and Cr minus the skin's (0 in a grey photo).
    pub d_cb: f32,
    pub d_cr: f32,
    /// The lower lip against the skin right below it (the lower half of a ring as wide as the
    /// lips are tall, outside the outer outline): `LUMA_WEIGHT * |ln(luma ratio)|` combined with
    /// the chroma distance. A mouth has a border there (a beard only strengthens it); a cover over
    /// the mouth and chin has none, and one whose top edge runs between the nose and the lips
    /// makes a border above the mouth, not below it (`examples/lip_study --covers`).
    pub lower_border: f32,
    /// The same for the upper lip and the skin above it; `None` with too few pixels. Not used
    /// for a verdict: a moustache hides this border on real mouths, and a cover's edge can
    /// make one.
    pub upper_border: Option<f32>,
    /// Pixels sampled.
    pub pixels: usize,
}

/// The lip tissue: inside the outer lip outline, outside the inner one (the mouth's opening),
/// sampled on the working image. `None` without enough pixels.
pub fn lip_colour(image: &RgbImage, lips: &RefinedFace, skin: &SkinRef) -> Option<LipColour> {
    let l = &lips.lips;
    if l.len() < 40 {
        return None;
    }
    // Outer: lower lip left corner to right corner (0..=10), then the upper lip back (19..=11).
    let outer: Vec<Point> = l[0..=10].iter().chain(l[11..=19].iter().rev()).copied().collect();
    let inner: Vec<Point> = l[20..=30].iter().chain(l[31..=39].iter().rev()).copied().collect();
    let (x0, y0, x1, y1) = crate::imaging::bounds(&outer);
    // The ring: the outer outline grown about its centre by the lips' height on every side.
    let centre = Point::new((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let grow = (y1 - y0).max(1.0);
    let (hw, hh) = (((x1 - x0) / 2.0).max(1.0), ((y1 - y0) / 2.0).max(1.0));
    let ring_outline: Vec<Point> = outer
        .iter()
        .map(|p| Point::new(centre.x + (p.x - centre.x) * (hw + grow) / hw, centre.y + (p.y - centre.y) * (hh + grow) / hh))
        .collect();
    let (rx0, ry0, rx1, ry1) = crate::imaging::bounds(&ring_outline);
    // [upper, lower] halves, each [luma, cb, cr].
    let mut lip: [[Vec<f32>; 3]; 2] = Default::default();
    let mut ring: [[Vec<f32>; 3]; 2] = Default::default();
    // The mouth's middle line: between the inner lip outlines' means.
    let middle = l[20..=39].iter().map(|p| p.y).sum::<f32>() / 20.0;
    let (w, h) = (image.width() as f32, image.height() as f32);
    for y in (ry0.max(0.0) as u32)..=(ry1.min(h - 1.0).max(0.0) as u32) {
        for x in (rx0.max(0.0) as u32)..=(rx1.min(w - 1.0).max(0.0) as u32) {
            let p = Point::new(x as f32 + 0.5, y as f32 + 0.5);
            let half = (p.y >= middle) as usize;
            let target = if inside_polygon(p, &outer) {
                if inside_polygon(p, &inner) {
                    continue;
                }
                &mut lip[half]
            } else if inside_polygon(p, &ring_outline) {
                &mut ring[half]
            } else {
                continue;
            };
            let (yy, cb, cr) = ycbcr(image.get_pixel(x, y).0);
            target[0].push(yy);
            target[1].push(cb);
            target[2].push(cr);
        }
    }
    let m = |v: &[f32]| quantile(v, 0.5);
    let median = |c: &[Vec<f32>; 3]| -> Option<[f32; 3]> {
        if c[0].len() < 6 {
            return None;
        }
        Some([m(&c[0])?, m(&c[1])?, m(&c[2])?])
    };
    let contrast = |a: [f32; 3], b: [f32; 3]| -> f32 {
        let luma = LUMA_WEIGHT * (a[0].max(1.0) / b[0].max(1.0)).ln().abs();
        let chroma = if skin.gray { 0.0 } else { ((a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt() };
        (luma * luma + chroma * chroma).sqrt()
    };
    let [upper_border, lower_border] = [0, 1].map(|half| Some(contrast(median(&lip[half])?, median(&ring[half])?)));
    let lower_border = lower_border?;
    let all: [Vec<f32>; 3] = std::array::from_fn(|c| lip[0][c].iter().chain(&lip[1][c]).copied().collect());
    if all[0].len() < 12 {
        return None;
    }
    let [y, cb, cr] = median(&all)?;
    let (d_cb, d_cr) = if skin.gray { (0.0, 0.0) } else { (cb - skin.cb, cr - skin.cr) };
    Some(LipColour { luma_ratio: y / skin.y.max(1.0), d_cb, d_cr, lower_border, upper_border, pixels: all[0].len() })
}
