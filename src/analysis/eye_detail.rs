//! Whether an eye is there to be seen: the meshes place eyelids, an iris and an open eye under
//! anything that covers it (a patch, a sticker, a bar), since they read the face's shape and not
//! what lies on it. A real eye, open, is the white of the eye beside a dark iris and pupil, under
//! a line of lashes; a cover is one colour across the whole opening.
//!
//! The measure is the spread of luma inside the eye's outline (the refined eyelids), as a
//! Michelson contrast of its 10th and 90th percentiles: (q90 − q10) / (q90 + q10). A ratio, so
//! it holds in a dim photo or a bright one and on every skin. Measured 2026-12-06 (stop 59,
//! a `/tmp` prototype on the reports' eye outlines): 0.45 and up on the 187 London studio
//! portraits and samples, 0.40 and up on 588 light edits of the compliant ones (contrast −10 %
//! the lowest), 0.19 at the 1st percentile of the 589 dev web photos labelled with open eyes
//! and no eyewear (two, both masked, 0.06); an opaque patch over one eye, of any colour,
//! 0.000–0.002 on all 42 compliant ready portraits.

use image::RgbImage;

use crate::imaging::{bounds, inside_polygon, luma, quantile, Point};

/// Fewer pixels than this inside an outline cannot be judged (a face a few pixels wide).
pub const MIN_PIXELS: usize = 8;

/// The Michelson contrast of the 10th and 90th luma percentiles inside `outline` (working
/// pixels, pixel centres tested); `None` with fewer than `MIN_PIXELS` inside the photo.
pub fn eye_contrast(image: &RgbImage, outline: &[Point]) -> Option<f32> {
    if outline.len() < 3 {
        return None;
    }
    let (x0, y0, x1, y1) = bounds(outline);
    let (w, h) = (image.width() as f32, image.height() as f32);
    let mut values = Vec::new();
    for y in (y0.max(0.0) as u32)..=(y1.min(h - 1.0).max(0.0) as u32) {
        for x in (x0.max(0.0) as u32)..=(x1.min(w - 1.0).max(0.0) as u32) {
            if inside_polygon(Point::new(x as f32 + 0.5, y as f32 + 0.5), outline) {
                values.push(luma(image.get_pixel(x, y).0));
            }
        }
    }
    if values.len() < MIN_PIXELS {
        return None;
    }
    let (low, high) = (quantile(&values, 0.1)?, quantile(&values, 0.9)?);
    Some((high - low) / (high + low).max(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f32, y0: f32, side: f32) -> Vec<Point> {
        vec![Point::new(x0, y0), Point::new(x0 + side, y0), Point::new(x0 + side, y0 + side), Point::new(x0, y0 + side)]
    }

    #[test]
    fn one_colour_reads_nothing_and_white_beside_dark_reads_high() {
        let mut img = RgbImage::from_pixel(40, 40, image::Rgb([200, 160, 140]));
        assert_eq!(eye_contrast(&img, &square(10.0, 10.0, 20.0)), Some(0.0));
        for y in 10..30 {
            for x in 10..30 {
                let v = if x < 20 { 220 } else { 40 };
                img.put_pixel(x, y, image::Rgb([v, v, v]));
            }
        }
        let c = eye_contrast(&img, &square(10.0, 10.0, 20.0)).expect("enough pixels");
        assert!(c > 0.6, "{c}");
    }

    #[test]
    fn an_outline_off_the_photo_or_too_small_is_not_judged() {
        let img = RgbImage::from_pixel(40, 40, image::Rgb([200, 160, 140]));
        assert_eq!(eye_contrast(&img, &square(50.0, 50.0, 10.0)), None);
        assert_eq!(eye_contrast(&img, &square(10.0, 10.0, 2.0)), None);
        assert_eq!(eye_contrast(&img, &[Point::new(1.0, 1.0)]), None);
    }
}
