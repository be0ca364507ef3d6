//! Labelled variants of clean photos for the rules that see more (issue 13): text and logos,
//! uneven or bad light, a second, small face, earrings (JW001), eyewear (GL001-GL004) and an
//! unusable capture (motion blur, defocus, grain, a small photo enlarged: IQ004, IQ007, IQ008), a
//! watermark across the face (level or turned a little, or a proof stamp laid diagonally) and print
//! anywhere on the chest (TX001), a part of the face blurred
//! or smoothed over (RT008, RT007), a uniform's insignia and solid emblems on the top (TX001),
//! each drawn with randomly chosen position, size, colour, opacity, script and strength. Every
//! clean photo is checked as it is (the false-flag rate) and as each variant (the share caught),
//! and the table says, per family and per kind:
//! how often the family's own checks flagged the variant (failed, warned or sent it to review),
//! and, of the variants of photos approved as they are, how many were not approved.
//!
//!     cargo run --release --example variants -- [--per-photo N] [--seed S] [--save DIR]
//!         [--font FILE]... [--as-of DATE] [--only FAMILY]... DIR...
//!
//! Every photo directly in each DIR is a base; they should be photos with no text, even light and
//! one face (the licence-ready London portraits are). Fonts default to Debian's DejaVu Sans /
//! Serif Bold and WenQuanYi Micro Hei (CJK; `.ci/run` installs it) where they exist. `--save`
//! writes every variant as a JPEG named after the base, family and kind, to look at;
//! `VARIANTS_MISSED=1` lists every variant its checks missed, `VARIANTS_LIST=1` every variant (caught or
//! missed, name and what was drawn) before the tables.
//!
//! The kinds are not the held-out transformations: they exist to find what a rule misses, so vary
//! them (`--seed`) rather than tune a rule until one seed passes.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use ab_glyph::{FontVec, PxScale};
use image::{imageops, RgbImage};
use photocheck::calibrate::fit::SplitMix;
use photocheck::models::ModelSet;
use photocheck::report::{Outcome, Region, Verdict};
use photocheck::{CheckOptions, Checker, Lang, Profile, Report};
use rayon::prelude::*;

/// Seeded draws (SplitMix64, the folds' generator), so one seed always draws the same variants.
struct Rng(SplitMix);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(SplitMix(seed))
    }
    fn next(&mut self) -> u64 {
        self.0.next()
    }
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// The face box of the photo's primary face, from its report (x, y, width, height in pixels).
fn face_box(report: &Report) -> Option<(f32, f32, f32, f32)> {
    report.faces.iter().find(|f| f.primary.is_some()).or(report.faces.first()).and_then(|f| match &f.region {
        Region::Box { x, y, width, height } => Some((*x, *y, *width, *height)),
        Region::Polygon { .. } => None,
    })
}

/// Where on a portrait a mark may go without covering the face or hair: the two upper corners
/// beside the head (background) and the chest (clothing). Returns (x0, y0, x1, y1).
fn free_regions(w: f32, h: f32, face: (f32, f32, f32, f32)) -> Vec<(&'static str, (f32, f32, f32, f32))> {
    let (fx, fy, fw, fh) = face;
    let head_left = (fx - 0.25 * fw).max(0.0);
    let head_right = (fx + 1.25 * fw).min(w);
    let shoulders = (fy + 1.15 * fh).min(h);
    let chest_top = (fy + 1.45 * fh).min(h);
    let mut out = Vec::new();
    if head_left > 0.06 * w {
        out.push(("background", (0.0, 0.0, head_left, shoulders)));
    }
    if w - head_right > 0.06 * w {
        out.push(("background", (head_right, 0.0, w, shoulders)));
    }
    if h - chest_top > 0.06 * h {
        out.push(("clothing", (0.1 * w, chest_top, 0.9 * w, h)));
    }
    out.push(("background", (0.0, 0.0, w, (fy - 0.35 * fh).max(0.0))));
    out.retain(|(_, (x0, y0, x1, y1))| x1 - x0 >= 0.06 * w && y1 - y0 >= 0.04 * h);
    out
}

/// Whether a box of the image is plain (one surface: no hair, skin edge or garment edge in it):
/// 95 % of its pixels within 30 of its median in every channel, and that median not skin (the
/// colour of the face's centre): marks go on the backdrop and the clothing, not on the neck.
fn plain(img: &RgbImage, x: f32, y: f32, bw: f32, bh: f32, skin: [u8; 3]) -> bool {
    let (x0, y0) = ((x - 3.0).max(0.0) as u32, (y - 3.0).max(0.0) as u32);
    let (x1, y1) = (((x + bw + 3.0) as u32).min(img.width()), ((y + bh + 3.0) as u32).min(img.height()));
    if x1 <= x0 + 2 || y1 <= y0 + 2 {
        return false;
    }
    let pixels: Vec<[u8; 3]> = (y0..y1).flat_map(|yy| (x0..x1).map(move |xx| (xx, yy))).map(|(xx, yy)| img.get_pixel(xx, yy).0).collect();
    let median = |c: usize| {
        let mut v: Vec<u8> = pixels.iter().map(|p| p[c]).collect();
        v.sort_unstable();
        v[v.len() / 2]
    };
    let m = [median(0), median(1), median(2)];
    if (0..3).all(|c| (m[c] as i32 - skin[c] as i32).abs() <= 45) {
        return false;
    }
    let off = pixels.iter().filter(|p| (0..3).any(|c| (p[c] as i32 - m[c] as i32).abs() > 30)).count();
    off * 20 <= pixels.len()
}

/// A random spot for a `bw` × `bh` mark on a plain part of one of the regions.
fn plain_spot(
    img: &RgbImage,
    rng: &mut Rng,
    regions: &[(&'static str, (f32, f32, f32, f32))],
    bw: f32,
    bh: f32,
    face: (f32, f32, f32, f32),
) -> Option<(&'static str, (f32, f32, f32, f32), f32, f32)> {
    let (fx, fy, fw, fh) = face;
    let skin = img.get_pixel(((fx + fw / 2.0) as u32).min(img.width() - 1), ((fy + 0.55 * fh) as u32).min(img.height() - 1)).0;
    for _ in 0..40 {
        let (place, region) = *rng.pick(regions);
        let (x0, y0, x1, y1) = region;
        if x1 - x0 < bw || y1 - y0 < bh {
            continue;
        }
        let x = x0 + rng.unit() * ((x1 - x0) - bw);
        let y = y0 + rng.unit() * ((y1 - y0) - bh);
        if plain(img, x, y, bw, bh, skin) {
            return Some((place, region, x, y));
        }
    }
    None
}

/// Alpha-blends `colour` into `img` at (x, y) with `alpha` (0..1).
fn blend(img: &mut RgbImage, x: i64, y: i64, colour: [u8; 3], alpha: f32) {
    if x < 0 || y < 0 || x >= img.width() as i64 || y >= img.height() as i64 {
        return;
    }
    let p = img.get_pixel_mut(x as u32, y as u32);
    for c in 0..3 {
        p.0[c] = (p.0[c] as f32 * (1.0 - alpha) + colour[c] as f32 * alpha).round().clamp(0.0, 255.0) as u8;
    }
}

/// The mean colour of a region, so marks can be drawn in a colour that stands out from it.
fn mean_luma(img: &RgbImage, (x0, y0, x1, y1): (f32, f32, f32, f32)) -> f32 {
    let (mut sum, mut n) = (0.0f64, 0u64);
    for y in (y0 as u32..(y1 as u32).min(img.height())).step_by(4) {
        for x in (x0 as u32..(x1 as u32).min(img.width())).step_by(4) {
            let p = img.get_pixel(x, y).0;
            sum += 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64;
            n += 1;
        }
    }
    if n == 0 {
        128.0
    } else {
        (sum / n as f64) as f32
    }
}

/// A colour for a mark on a region of luma `under`: dark on light, light on dark, or a saturated
/// colour, each with the contrast the kind asks for.
fn mark_colour(rng: &mut Rng, under: f32) -> ([u8; 3], &'static str) {
    match rng.next() % 3 {
        0 if under > 110.0 => ([rng.range(0.0, 70.0) as u8; 3], "dark"),
        0 | 1 if under <= 110.0 => ([rng.range(200.0, 255.0) as u8; 3], "light"),
        1 => ([rng.range(120.0, 175.0) as u8; 3], "grey"),
        _ => (*rng.pick(&[[200, 30, 40], [30, 70, 200], [20, 140, 60], [230, 160, 20], [150, 40, 170]]), "colour"),
    }
}

const LATIN: &[&str] = &["SAMPLE", "PHOTO", "ID 2026", "Nike", "London", "SPORT", "hello", "USA", "VOID", "Studio", "abc", "OK"];
const DIGITS: &[&str] = &["2026-11-05", "138 0013 8000", "No. 4471", "07/11", "1990", "42", "350102"];
const CJK: &[&str] = &["样张", "照片", "驾驶证", "仅供办证使用", "中国", "北京", "测试", "好"];

/// A script (Chinese only where a CJK font was loaded), a font that can write it and a word of it.
fn pick_line<'a>(rng: &mut Rng, fonts: &'a [(FontVec, bool)]) -> Option<(&'static str, &'a FontVec, &'static str)> {
    let has_cjk = fonts.iter().any(|(_, cjk)| *cjk);
    let scripts: &[(&str, &[&str])] =
        if has_cjk { &[("latin", LATIN), ("digits", DIGITS), ("cjk", CJK)] } else { &[("latin", LATIN), ("digits", DIGITS)] };
    let (script, words) = *rng.pick(scripts);
    let usable: Vec<&(FontVec, bool)> = fonts.iter().filter(|(_, cjk)| *cjk || script != "cjk").collect();
    if usable.is_empty() {
        return None;
    }
    let (font, _) = *rng.pick(&usable);
    Some((script, font, *rng.pick(words)))
}

/// Writes `text` with its top-left at `at`, `size` pixels tall, in `colour` at `alpha`: drawn on
/// a mask first so the opacity applies to the glyphs as one layer.
fn blend_text(img: &mut RgbImage, font: &FontVec, text: &str, at: (f32, f32), size: f32, colour: [u8; 3], alpha: f32) {
    let mut layer = image::GrayImage::new(img.width(), img.height());
    imageproc::drawing::draw_text_mut(&mut layer, image::Luma([255]), at.0 as i32, at.1 as i32, PxScale::from(size), font, text);
    for (px, py, m) in layer.enumerate_pixels() {
        if m.0[0] > 0 {
            blend(img, px as i64, py as i64, colour, alpha * m.0[0] as f32 / 255.0);
        }
    }
}

/// Text in one of three scripts, in one of the fonts, `height` pixels tall, alpha-blended.
fn draw_text(img: &mut RgbImage, rng: &mut Rng, fonts: &[(FontVec, bool)], face: (f32, f32, f32, f32)) -> Option<String> {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let regions = free_regions(w, h, face);
    if regions.is_empty() {
        return None;
    }
    let (script, font, text) = pick_line(rng, fonts)?;
    // Height from 1/25 to 1/9 of the image, shrunk until the line finds a plain spot.
    let mut size = h * rng.range(1.0 / 25.0, 1.0 / 9.0);
    let (place, region, x, y, th) = loop {
        let (tw, th) = imageproc::drawing::text_size(PxScale::from(size), font, text);
        if let Some((place, region, x, y)) = plain_spot(img, rng, &regions, tw as f32, size, face) {
            break (place, region, x, y, th);
        }
        size *= 0.85;
        if size < h / 26.0 {
            return None;
        }
    };
    let (colour, tone) = mark_colour(rng, mean_luma(img, region));
    let alpha = rng.range(0.45, 1.0);
    blend_text(img, font, text, (x, y), size, colour, alpha);
    Some(format!("text {script} {place} {tone} h={:.3} a={alpha:.2}", th as f32 / h))
}

/// A watermark: a line of text (any script and font, 1/25 to 1/9 of the height) across the face
/// or hair, as a studio stamps a proof ("SAMPLE", "样张"), level or turned up to 35°, any colour,
/// at 30–90 % opacity. TX001's mark scan does not look at the head; the detector reads lines
/// there.
fn draw_watermark(img: &mut RgbImage, rng: &mut Rng, fonts: &[(FontVec, bool)], face: (f32, f32, f32, f32)) -> Option<String> {
    draw_turned_watermark(img, rng, fonts, face, None)
}

/// A proof stamp laid diagonally across the face ("SAMPLE", "样张" from corner to corner), as a
/// studio or a stock site marks a photo: a watermark (`draw_watermark`) always turned, 40–65°
/// either way, where the watermark family turns a third of its lines by up to 35°.
fn draw_stamp(img: &mut RgbImage, rng: &mut Rng, fonts: &[(FontVec, bool)], face: (f32, f32, f32, f32)) -> Option<String> {
    let side = if rng.next() % 2 == 0 { 1.0 } else { -1.0 };
    let angle = side * rng.range(40.0, 65.0);
    draw_turned_watermark(img, rng, fonts, face, Some(angle)).map(|label| label.replacen("watermark", "stamp", 1))
}

/// `draw_watermark`, turned by `angle` degrees when given.
fn draw_turned_watermark(
    img: &mut RgbImage,
    rng: &mut Rng,
    fonts: &[(FontVec, bool)],
    face: (f32, f32, f32, f32),
    angle: Option<f32>,
) -> Option<String> {
    let (fx, fy, fw, fh) = face;
    let h = img.height() as f32;
    let (script, font, text) = pick_line(rng, fonts)?;
    let size = h * rng.range(1.0 / 25.0, 1.0 / 9.0);
    let (tw, th) = imageproc::drawing::text_size(PxScale::from(size), font, text);
    // The line's centre anywhere from the hairline to the chin, across the face's middle.
    let (cx, cy) = (fx + fw * rng.range(0.25, 0.75), fy + fh * rng.range(-0.1, 0.9));
    let angle = match angle {
        Some(a) => a,
        None if rng.next() % 3 == 0 => rng.range(-35.0, 35.0),
        None => 0.0,
    };
    let mut layer = image::GrayImage::new(img.width(), img.height());
    imageproc::drawing::draw_text_mut(
        &mut layer,
        image::Luma([255]),
        (cx - tw as f32 / 2.0) as i32,
        (cy - size / 2.0) as i32,
        PxScale::from(size),
        font,
        text,
    );
    if angle != 0.0 {
        layer = imageproc::geometric_transformations::rotate(
            &layer,
            (cx, cy),
            angle.to_radians(),
            imageproc::geometric_transformations::Interpolation::Bilinear,
            image::Luma([0]),
        );
    }
    let (colour, tone) = mark_colour(rng, mean_luma(img, (fx, fy, fx + fw, fy + fh)));
    let alpha = rng.range(0.3, 0.9);
    for (px, py, m) in layer.enumerate_pixels() {
        if m.0[0] > 0 {
            blend(img, px as i64, py as i64, colour, alpha * m.0[0] as f32 / 255.0);
        }
    }
    Some(format!("watermark {script} {tone} h={:.3} a={alpha:.2} turned={angle:.0}", th as f32 / h))
}

/// Print anywhere on the chest: a line of text (any script and font, 1/30 to 1/12 of the height)
/// placed at random in the band from the chin to the photo's bottom, across the person's middle,
/// whatever lies under it: the dark top, the skin of a V-neck or open collar, or both (the "text"
/// family looks for a plain spot of one surface; an applicant's clothing print and a stamp
/// across the bottom of a photo do not). Any colour at 30–100 % opacity.
fn draw_chest_print(img: &mut RgbImage, rng: &mut Rng, fonts: &[(FontVec, bool)], face: (f32, f32, f32, f32)) -> Option<String> {
    let (fx, fy, fw, fh) = face;
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (script, font, text) = pick_line(rng, fonts)?;
    let mut size = h * rng.range(1.0 / 30.0, 1.0 / 12.0);
    let chin = fy + fh;
    let (tw, th) = loop {
        let (tw, th) = imageproc::drawing::text_size(PxScale::from(size), font, text);
        if (tw as f32) < 0.7 * w || size < h / 31.0 {
            break (tw as f32, th as f32);
        }
        size *= 0.85;
    };
    let (y0, y1) = (chin + 0.02 * h, h - th - 0.01 * h);
    if y1 <= y0 || tw >= w {
        return None;
    }
    let centre = fx + fw / 2.0;
    let x = (centre + rng.range(-0.35, 0.35) * w - tw / 2.0).clamp(0.0, w - tw);
    let y = rng.range(y0, y1);
    let (colour, tone) = mark_colour(rng, mean_luma(img, (x, y, x + tw, y + th)));
    let alpha = rng.range(0.3, 1.0);
    blend_text(img, font, text, (x, y), size, colour, alpha);
    Some(format!("chest {script} {tone} h={:.3} a={alpha:.2}", th / h))
}

/// A logo: a ring, a badge, a chevron or a star, filled, on the background or the chest.
fn draw_logo(img: &mut RgbImage, rng: &mut Rng, face: (f32, f32, f32, f32)) -> Option<String> {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let regions = free_regions(w, h, face);
    if regions.is_empty() {
        return None;
    }
    let mut size = h * rng.range(1.0 / 20.0, 1.0 / 7.0);
    let (place, region, x, y) = loop {
        if let Some(spot) = plain_spot(img, rng, &regions, size, size, face) {
            break spot;
        }
        size *= 0.85;
        if size < h / 26.0 {
            return None;
        }
    };
    let (cx, cy) = (x + size / 2.0, y + size / 2.0);
    let (colour, tone) = mark_colour(rng, mean_luma(img, region));
    let alpha = rng.range(0.45, 1.0);
    let shape = *rng.pick(&["ring", "badge", "chevron", "star"]);
    let r = size / 2.0;
    for py in (cy - r) as i64..=(cy + r) as i64 {
        for px in (cx - r) as i64..=(cx + r) as i64 {
            let (dx, dy) = ((px as f32 - cx) / r, (py as f32 - cy) / r);
            let d = (dx * dx + dy * dy).sqrt();
            let inside = match shape {
                "ring" => (0.6..=1.0).contains(&d) || d < 0.25,
                "badge" => dx.abs() <= 0.9 && dy.abs() <= 0.9 && !(dx.abs() < 0.55 && dy.abs() < 0.12),
                "chevron" => (dy - 0.8 * dx.abs() + 0.2).abs() < 0.25 && dx.abs() < 0.95,
                _ => {
                    let angle = dy.atan2(dx);
                    d <= 0.45 + 0.55 * (2.5 * angle).cos().abs().powi(3)
                }
            };
            if inside {
                blend(img, px, py, colour, alpha);
            }
        }
    }
    Some(format!("logo {shape} {place} {tone} h={:.3} a={alpha:.2}", size / h))
}

/// Multiplies the image by `gain(x, y)` (light falling off, shadows, over-exposure).
fn relight(img: &mut RgbImage, gain: impl Fn(f32, f32) -> f32) {
    for (x, y, p) in img.enumerate_pixels_mut() {
        let g = gain(x as f32, y as f32);
        for c in p.0.iter_mut() {
            *c = (*c as f32 * g).round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// Soft elliptical weight of the head around the face box (1 inside, 0 well outside).
fn head_weight(face: (f32, f32, f32, f32), x: f32, y: f32) -> f32 {
    let (fx, fy, fw, fh) = face;
    let (cx, cy) = (fx + fw / 2.0, fy + fh / 2.0);
    let d = (((x - cx) / (0.75 * fw)).powi(2) + ((y - cy) / (0.85 * fh)).powi(2)).sqrt();
    (1.0 - (d - 0.8) / 0.4).clamp(0.0, 1.0)
}

fn draw_lighting(img: &mut RgbImage, rng: &mut Rng, face: (f32, f32, f32, f32)) -> Option<String> {
    let (fx, _, fw, _) = face;
    let cx = fx + fw / 2.0;
    let side = if rng.next() % 2 == 0 { 1.0 } else { -1.0 };
    let kind = *rng.pick(&["falloff-face", "falloff-frame", "half-shadow", "overexposed-face", "washed-out", "underexposed"]);
    let label = match kind {
        // Light falling off across the face, to `far` of itself at the far cheek.
        "falloff-face" | "falloff-frame" => {
            let far = rng.range(0.35, 0.7);
            let whole = kind == "falloff-frame";
            relight(img, |x, y| {
                let t = ((side * (x - cx) / fw) + 0.5).clamp(0.0, 1.0);
                let g = 1.0 + (far - 1.0) * t;
                if whole {
                    g
                } else {
                    1.0 + (g - 1.0) * head_weight(face, x, y)
                }
            });
            format!("{kind} far={far:.2}")
        }
        // One half of the face in shadow, a soft edge along the nose line.
        "half-shadow" => {
            let dark = rng.range(0.45, 0.72);
            let edge = fw * rng.range(0.03, 0.12);
            relight(img, |x, y| {
                let t = (0.5 + side * (x - cx) / (2.0 * edge)).clamp(0.0, 1.0);
                1.0 + (dark - 1.0) * t * head_weight(face, x, y)
            });
            format!("{kind} dark={dark:.2}")
        }
        "overexposed-face" => {
            let gain = rng.range(1.45, 1.9);
            relight(img, |x, y| 1.0 + (gain - 1.0) * head_weight(face, x, y));
            format!("{kind} gain={gain:.2}")
        }
        "washed-out" => {
            let towards = rng.range(0.35, 0.6);
            for p in img.pixels_mut() {
                for c in p.0.iter_mut() {
                    *c = (*c as f32 + (255.0 - *c as f32) * towards).round() as u8;
                }
            }
            format!("{kind} white={towards:.2}")
        }
        _ => {
            let gain = rng.range(0.3, 0.55);
            relight(img, |_, _| gain);
            format!("{kind} gain={gain:.2}")
        }
    };
    Some(label)
}

/// A second face: another base photo's head, scaled so its face is 1/7 to 1/3.5 of the image
/// width, pasted beside the main head or low in the frame (a person behind, a photo on a shirt).
fn draw_second_face(
    img: &mut RgbImage,
    rng: &mut Rng,
    face: (f32, f32, f32, f32),
    donor: &RgbImage,
    donor_face: (f32, f32, f32, f32),
) -> Option<String> {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let target_fw = w * rng.range(1.0 / 7.0, 1.0 / 3.5);
    let (dx, dy, dw, dh) = donor_face;
    // The donor's head with some hair and neck around the face box.
    let (cx0, cy0) = ((dx - 0.3 * dw).max(0.0), (dy - 0.45 * dh).max(0.0));
    let (cx1, cy1) = ((dx + 1.3 * dw).min(donor.width() as f32), (dy + 1.3 * dh).min(donor.height() as f32));
    let crop = imageops::crop_imm(donor, cx0 as u32, cy0 as u32, (cx1 - cx0) as u32, (cy1 - cy0) as u32).to_image();
    let scale = target_fw / dw;
    let (pw, ph) = ((crop.width() as f32 * scale).max(8.0) as u32, (crop.height() as f32 * scale).max(8.0) as u32);
    let patch = imageops::resize(&crop, pw, ph, imageops::FilterType::Triangle);
    // Where: left or right of the main face (may overlap the hair, never the face box), or low.
    let (fx, fy, fw, fh) = face;
    let spots = [
        ("left", fx - pw as f32 * 0.9, fy + rng.range(-0.3, 0.6) * fh),
        ("right", fx + fw - pw as f32 * 0.1, fy + rng.range(-0.3, 0.6) * fh),
        ("low", rng.range(0.0, (w - pw as f32).max(0.0)), (fy + 1.3 * fh).max(h - ph as f32 * rng.range(0.8, 1.1))),
    ];
    let (place, px, py) = *rng.pick(&spots);
    let (px, py) = (px.clamp(-0.25 * pw as f32, w - 0.75 * pw as f32), py.clamp(-0.1 * ph as f32, h - 0.6 * ph as f32));
    // A soft oval edge, as a cut-out pasted on would have after resampling and compression.
    for (x, y, p) in patch.enumerate_pixels() {
        let (u, v) = (x as f32 / pw as f32 - 0.5, y as f32 / ph as f32 - 0.5);
        let d = ((u / 0.5).powi(2) + (v / 0.5).powi(2)).sqrt();
        let alpha = (1.0 - (d - 0.85) / 0.15).clamp(0.0, 1.0);
        let (tx, ty) = (px as i64 + x as i64, py as i64 + y as i64);
        let inside_main = (tx as f32) > fx && (tx as f32) < fx + fw && (ty as f32) > fy && (ty as f32) < fy + fh;
        if alpha > 0.0 && !inside_main {
            blend(img, tx, ty, p.0, alpha);
        }
    }
    Some(format!("second-face {place} w={:.3}", target_fw / w))
}

/// Face coordinates from the report's 468 mesh points (see `analysis::FaceFrame`): s across the
/// face in face widths from the forehead's top (cheek edges at ±0.5), t down in face heights
/// (chin at 1).
#[derive(Clone, Copy)]
struct FaceCoords {
    top: (f32, f32),
    across: (f32, f32),
    down: (f32, f32),
    /// Face width and height in pixels.
    width: f32,
    height: f32,
}

impl FaceCoords {
    fn of(report: &Report) -> Option<FaceCoords> {
        let lm = &report.faces.iter().find_map(|f| f.primary.as_ref())?.landmarks;
        let (top, right, left, chin) = (*lm.get(10)?, *lm.get(234)?, *lm.get(454)?, *lm.get(152)?);
        let width = (left.x - right.x).hypot(left.y - right.y);
        if width < 8.0 {
            return None;
        }
        let across = ((left.x - right.x) / width, (left.y - right.y) / width);
        let down = (-across.1, across.0);
        let height = (chin.x - top.x) * down.0 + (chin.y - top.y) * down.1;
        Some(FaceCoords { top: (top.x, top.y), across, down, width, height })
    }

    /// (s, t) → pixel.
    fn at(&self, s: f32, t: f32) -> (f32, f32) {
        let (w, h) = (s * self.width, t * self.height);
        (self.top.0 + w * self.across.0 + h * self.down.0, self.top.1 + w * self.across.1 + h * self.down.1)
    }

    /// Pixel → (s, t).
    fn of_pixel(&self, x: f32, y: f32) -> (f32, f32) {
        let (dx, dy) = (x - self.top.0, y - self.top.1);
        ((dx * self.across.0 + dy * self.across.1) / self.width, (dx * self.down.0 + dy * self.down.1) / self.height)
    }
}

/// Earrings at one or both earlobes: studs (gold, rose gold, coloured stones, pearl, silver,
/// black), hoops and drops, of random size, colour jitter and place on the lobe. The kinds JW001
/// does not look for (pearl, silver, black) are drawn too, so the table shows what it misses.
fn draw_earrings(img: &mut RgbImage, rng: &mut Rng, report: &Report) -> Option<String> {
    const KINDS: &[(&str, [u8; 3])] = &[
        ("gold-stud", [212, 175, 55]),
        ("rose-gold-stud", [205, 140, 115]),
        ("red-stone", [185, 30, 45]),
        ("blue-stone", [40, 90, 190]),
        ("green-stone", [40, 150, 70]),
        ("pearl", [236, 230, 218]),
        ("silver-stud", [192, 192, 200]),
        ("black-stud", [25, 25, 30]),
        ("gold-hoop", [212, 175, 55]),
        ("silver-hoop", [192, 192, 200]),
        ("gold-drop", [212, 175, 55]),
    ];
    let face = FaceCoords::of(report)?;
    let (at, width) = (|s, t| face.at(s, t), face.width);
    let &(kind, base) = rng.pick(KINDS);
    let jitter = |rng: &mut Rng, v: u8| (v as f32 + rng.range(-15.0, 15.0)).clamp(0.0, 255.0) as u8;
    let colour = [jitter(rng, base[0]), jitter(rng, base[1]), jitter(rng, base[2])];
    let sides: &[f32] = match rng.next() % 5 {
        0 | 1 => &[-1.0],
        2 => &[1.0],
        _ => &[-1.0, 1.0],
    };
    let size = rng.range(0.010, 0.025) * width;
    let (s, t) = (rng.range(0.49, 0.57), rng.range(0.55, 0.64));
    let disc = |img: &mut RgbImage, (cx, cy): (f32, f32), r0: f32, r1: f32, c: [u8; 3]| {
        let (x0, y0) = ((cx - r1 - 1.0).max(0.0) as u32, (cy - r1 - 1.0).max(0.0) as u32);
        for y in y0..((cy + r1 + 2.0) as u32).min(img.height()) {
            for x in x0..((cx + r1 + 2.0) as u32).min(img.width()) {
                let d = (x as f32 - cx).hypot(y as f32 - cy);
                if d >= r0 && d <= r1 {
                    img.put_pixel(x, y, image::Rgb(c));
                }
            }
        }
    };
    let light = colour.map(|v| v.saturating_add(45));
    for &side in sides {
        let lobe = at(side * s, t);
        match kind {
            "gold-hoop" | "silver-hoop" => {
                // A metal ring: lit from the upper left (its far side up to a quarter darker, its
                // near side a fifth lighter), as thick as a third of the stud size (at least 1.5 px).
                let (r, thick) = (2.0 * size, (0.35 * size).max(1.5));
                let centre = (lobe.0, lobe.1 + r);
                let (x0, y0) = ((centre.0 - r - 1.0).max(0.0) as u32, (centre.1 - r - 1.0).max(0.0) as u32);
                for y in y0..((centre.1 + r + 2.0) as u32).min(img.height()) {
                    for x in x0..((centre.0 + r + 2.0) as u32).min(img.width()) {
                        let (dx, dy) = (x as f32 - centre.0, y as f32 - centre.1);
                        let d = dx.hypot(dy);
                        if d >= r - thick && d <= r {
                            let lit = (-(dx + dy) / (std::f32::consts::SQRT_2 * d.max(1e-3))).clamp(-1.0, 1.0);
                            let k = if lit >= 0.0 { 1.0 + 0.2 * lit } else { 1.0 + 0.25 * lit };
                            img.put_pixel(x, y, image::Rgb(colour.map(|v| (v as f32 * k).clamp(0.0, 255.0) as u8)));
                        }
                    }
                }
            }
            "gold-drop" => {
                disc(img, lobe, 0.0, 0.6 * size, colour);
                let drop = 3.0 * size;
                for k in 0..(drop as usize) {
                    disc(img, (lobe.0, lobe.1 + k as f32), 0.0, (0.004 * width).max(0.8), colour);
                }
                disc(img, (lobe.0, lobe.1 + drop), 0.0, size, colour);
            }
            _ => {
                disc(img, lobe, 0.0, size, colour);
                disc(img, (lobe.0 - 0.3 * size, lobe.1 - 0.3 * size), 0.0, 0.3 * size, light);
            }
        }
    }
    Some(format!(
        "{kind} {} r={:.3}",
        if sides.len() == 2 {
            "both"
        } else if sides[0] < 0.0 {
            "right"
        } else {
            "left"
        },
        size / width
    ))
}

/// Eyewear drawn around the eyes: full rims (rectangular, round, oval), aviators (a deeper lower
/// half) and half rims (a bold top bar, the lower rim faint), in black, brown, gold metal, grey,
/// silver or a colour, 1.2-6 % of the eye distance thick, opaque or not, with or without a bridge,
/// temples toward the ears, tinted lenses and a glare on the lens. Placed from the report's mesh
/// points (eye corners 33/133 and 263/362).
fn draw_eyewear(img: &mut RgbImage, rng: &mut Rng, report: &Report) -> Option<String> {
    const COLOURS: &[(&str, [u8; 3])] = &[
        ("black", [15, 15, 18]),
        ("brown", [90, 55, 30]),
        ("gold", [190, 170, 120]),
        ("grey", [110, 110, 115]),
        ("silver", [200, 200, 205]),
        ("red", [170, 30, 40]),
        ("blue", [30, 60, 150]),
    ];
    const SHAPES: &[&str] = &["rect", "round", "oval", "aviator", "half"];
    let lm = &report.faces.iter().find_map(|f| f.primary.as_ref())?.landmarks;
    let eye = |outer: usize, inner: usize| -> Option<(f32, f32, f32)> {
        let (o, i) = (lm.get(outer)?, lm.get(inner)?);
        Some(((o.x + i.x) / 2.0, (o.y + i.y) / 2.0, (o.x - i.x).hypot(o.y - i.y)))
    };
    let (right, left) = (eye(33, 133)?, eye(263, 362)?);
    let iod = (left.0 - right.0).hypot(left.1 - right.1);
    if iod < 10.0 {
        return None;
    }
    let shape = *rng.pick(SHAPES);
    let &(colour_name, base) = rng.pick(COLOURS);
    let colour = base.map(|v| (v as f32 + rng.range(-12.0, 12.0)).clamp(0.0, 255.0) as u8);
    let alpha = rng.range(0.6, 1.0);
    let thickness = (iod * rng.range(0.012, 0.06)).max(1.0);
    let ew = (right.2 + left.2) / 2.0;
    let half_w = ew * rng.range(0.75, 1.0);
    let half_h = if shape == "round" { half_w } else { ew * rng.range(0.4, 0.65) };
    let lift = ew * rng.range(-0.1, 0.1);
    let power = match shape {
        "rect" => rng.range(5.0, 9.0),
        "round" | "oval" => 2.0,
        _ => 3.0,
    };
    let tint = rng.unit() < 0.25;
    let tint_alpha = rng.range(0.15, 0.35);
    let glare = rng.unit() < 0.5;
    for &(cx, cy, _) in &[right, left] {
        let cy = cy + lift;
        let (gx, gy) = (cx + rng.range(-0.4, 0.4) * half_w, cy + rng.range(-0.4, 0.1) * half_h);
        let reach = 1.3 * half_h.max(half_w) + thickness;
        for y in (cy - reach).max(0.0) as u32..((cy + reach) as u32).min(img.height()) {
            for x in (cx - reach).max(0.0) as u32..((cx + reach) as u32).min(img.width()) {
                let (dx, dy) = (x as f32 - cx, y as f32 - cy);
                // Aviators hang lower than they rise.
                let b = if shape == "aviator" && dy > 0.0 { 1.25 * half_h } else { half_h };
                let r = ((dx / half_w).abs().powf(power) + (dy / b).abs().powf(power)).powf(1.0 / power);
                let on_rim = r <= 1.0 && r >= 1.0 - thickness / half_h.min(half_w);
                if on_rim {
                    let a = if shape == "half" && dy > 0.0 { 0.35 * alpha } else { alpha };
                    blend(img, x as i64, y as i64, colour, a);
                } else if r < 1.0 {
                    if tint {
                        blend(img, x as i64, y as i64, [60, 50, 40], tint_alpha);
                    }
                    if glare && ((x as f32 - gx) / (0.15 * half_w)).powi(2) + ((y as f32 - gy) / (0.06 * half_w)).powi(2) <= 1.0 {
                        blend(img, x as i64, y as i64, [255, 255, 255], 0.45);
                    }
                }
            }
        }
    }
    let bridge = rng.unit() < 0.85;
    if bridge {
        let (x0, x1) = (right.0.min(left.0) + half_w - thickness, right.0.max(left.0) - half_w + thickness);
        let yb = (right.1 + left.1) / 2.0 + lift - half_h * rng.range(0.0, 0.6);
        for x in x0.max(0.0) as u32..(x1.max(0.0) as u32).min(img.width()) {
            for y in (yb - thickness / 2.0).max(0.0) as u32..=(yb + thickness / 2.0).max(0.0) as u32 {
                blend(img, x as i64, y as i64, colour, alpha);
            }
        }
    }
    let temples = rng.unit() < 0.6;
    if temples {
        for (cx, cy, outward) in [(right.0.min(left.0), right.1, -1.0f32), (right.0.max(left.0), left.1, 1.0)] {
            let (x0, y0) = (cx + outward * half_w, cy + lift - 0.2 * half_h);
            for k in 0..(0.5 * ew) as i64 {
                for d in 0..thickness.ceil() as i64 {
                    blend(img, (x0 + outward * k as f32) as i64, (y0 - 0.1 * k as f32) as i64 + d, colour, alpha);
                }
            }
        }
    }
    Some(format!(
        "{shape} {colour_name} t={:.3} a={alpha:.2}{}{}{}{}",
        thickness / iod,
        if bridge { " bridge" } else { "" },
        if temples { " temples" } else { "" },
        if tint { " tinted" } else { "" },
        if glare { " glare" } else { "" }
    ))
}

/// Headwear drawn on the head: a beanie (a knit dome down over the forehead, a turned-up cuff), a
/// cap (a dome and a brim shading the forehead), a headband across the hairline, a headscarf
/// framing the face down past the chin, and a hood (a wider, taller scarf). Any colour, plain or
/// knit, shaded like cloth lit from above, placed in face coordinates from the report's mesh
/// points and the crown the report measured (GE005); edges anti-aliased.
fn draw_headwear(img: &mut RgbImage, rng: &mut Rng, report: &Report) -> Option<String> {
    const COLOURS: &[(&str, [u8; 3])] = &[
        ("black", [20, 20, 24]),
        ("navy", [25, 35, 75]),
        ("grey", [120, 120, 125]),
        ("red", [170, 35, 40]),
        ("cream", [225, 215, 190]),
        ("green", [45, 95, 60]),
        ("beige", [190, 160, 120]),
        ("brown", [95, 60, 35]),
        ("pink", [220, 140, 170]),
        ("blue", [50, 110, 190]),
    ];
    let face = FaceCoords::of(report)?;
    let (top, down, width, height) = (face.top, face.down, face.width, face.height);
    // Pixel → face coordinates (s across in face widths, t down in face heights from the forehead's top).
    let to_face = |x: f32, y: f32| face.of_pixel(x, y);
    // The crown: GE005 measures the space above it as a share of the height.
    let crown_y = report.checks.iter().find(|c| c.code == "GE005").and_then(|c| c.measured).map(|v| v as f32 * img.height() as f32);
    let crown_t = crown_y.map_or(-0.4, |y| to_face(top.0, y).1).clamp(-0.8, -0.1);
    let kind = *rng.pick(&["beanie", "cap", "headband", "headscarf", "hood"]);
    let &(colour_name, base) = rng.pick(COLOURS);
    let colour = base.map(|v| (v as f32 + rng.range(-15.0, 15.0)).clamp(0.0, 255.0));
    let knit = rng.unit() < 0.4;
    let knit_freq = rng.range(10.0, 22.0);
    let knit_amp = rng.range(0.06, 0.16);
    let above = rng.range(0.02, 0.12); // the hat stands this far (face heights) above the hair
    let dome_top = crown_t - above;
    // Each kind: whether a point (s, t) is cloth, and the shade of the forehead under a brim.
    let edge = rng.range(-0.04, 0.16); // the lower edge of a beanie or cap, over the forehead
    let dome_a = rng.range(0.58, 0.72);
    let band_t = rng.range(-0.14, 0.02);
    let band_h = rng.range(0.05, 0.12);
    // How far a band or a hat's edge drops toward the ears at the sides (face heights at s = ±1).
    let droop = rng.range(0.1, 0.6);
    // The head's outline: an ellipse from the crown to the chin, hair at the sides included.
    let head_a = rng.range(0.56, 0.64);
    let head_in = |s: f32, t: f32| {
        let (mid, b) = ((crown_t + 1.0) / 2.0, (1.0 - crown_t) / 2.0);
        (s / head_a).powi(2) + ((t - mid) / b).powi(2) <= 1.0
    };
    let brim_a = rng.range(0.5, 0.8);
    let brim_b = rng.range(0.04, 0.1);
    let scarf_a = rng.range(0.68, 0.85) + if kind == "hood" { 0.15 } else { 0.0 };
    let opening_a = rng.range(0.40, 0.47);
    let opening_top = rng.range(-0.02, 0.1);
    let cloth = |s: f32, t: f32| -> bool {
        // A dome over the head whose lower edge drops toward the ears at the sides.
        let dome = |a: f32, bottom: f32| {
            let b = bottom - dome_top;
            t <= bottom + droop * s * s && (s / a).powi(2) + ((t - bottom) / b).powi(2) <= 1.0
        };
        match kind {
            "beanie" => dome(dome_a, edge),
            "cap" => dome(dome_a - 0.06, edge) || (t >= edge && (s / brim_a).powi(2) + ((t - edge) / brim_b).powi(2) <= 1.0),
            "headband" => {
                // Over the head (not the backdrop beside it), following its roundness: lower
                // at the sides.
                let tt = band_t + droop * s * s;
                t >= tt && t <= tt + band_h && head_in(s, t)
            }
            _ => {
                // A scarf or hood: everything of the head around an oval opening for the face,
                // closed under the chin.
                let centre = 0.55;
                let outer_b = centre - dome_top;
                let inside_outer =
                    (s / scarf_a).powi(2) + ((t - centre) / outer_b).powi(2) <= 1.0 || (t >= centre && t <= 1.45 && s.abs() <= scarf_a);
                let opening_b = 1.02 - opening_top;
                let oc = opening_top + opening_b / 2.0;
                let in_opening = (s / opening_a).powi(2) + ((t - oc) / (opening_b / 2.0)).powi(2) <= 1.0;
                inside_outer && !in_opening
            }
        }
    };
    let (w, h) = (img.width(), img.height());
    // The box around the head that any kind can reach.
    let reach = 1.1 * width;
    let (cx, cy) = (top.0 + 0.5 * height * down.0, top.1 + 0.5 * height * down.1);
    let (x0, x1) = ((cx - reach).max(0.0) as u32, ((cx + reach) as u32).min(w));
    let (y0, y1) = ((cy - 2.0 * height).max(0.0) as u32, ((cy + 1.2 * height) as u32).min(h));
    let brim_shadow = rng.range(0.55, 0.8);
    for y in y0..y1 {
        for x in x0..x1 {
            // 2×2 samples a pixel: the share inside is the cloth's coverage.
            let mut cover = 0.0;
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (s, t) = to_face(x as f32 + ox, y as f32 + oy);
                cover += cloth(s, t) as u8 as f32 * 0.25;
            }
            let (s, t) = to_face(x as f32 + 0.5, y as f32 + 0.5);
            let p = img.get_pixel_mut(x, y);
            if kind == "cap" && cover < 1.0 && t > edge && t < edge + brim_b + 0.12 && s.abs() < brim_a {
                // The brim's shadow on the forehead below it.
                let k = 1.0 - (1.0 - brim_shadow) * (1.0 - (t - edge - brim_b).max(0.0) / 0.12);
                for c in p.0.iter_mut() {
                    *c = (*c as f32 * k).round().clamp(0.0, 255.0) as u8;
                }
            }
            if cover == 0.0 {
                continue;
            }
            // Lit from above: brighter on the top of the head, darker low and at the sides.
            let shade = 1.1 - 0.25 * ((t - dome_top) / (1.2 - dome_top)).clamp(0.0, 1.0) - 0.2 * (s.abs() - 0.3).max(0.0);
            let rib = if knit { 1.0 + knit_amp * (s * knit_freq * std::f32::consts::TAU).sin() } else { 1.0 };
            for (c, &base) in p.0.iter_mut().zip(colour.iter()) {
                let v = (base * shade * rib + 8.0).clamp(0.0, 255.0);
                *c = (*c as f32 * (1.0 - cover) + v * cover).round() as u8;
            }
        }
    }
    Some(format!("{kind} {colour_name}{}", if knit { " knit" } else { "" }))
}

/// An unusable capture: the face smeared by motion (any direction), out of focus, grainy (colour
/// or luma noise, alone or on a slightly soft photo), or a photo shrunk to 40-55 % of its width
/// and enlarged back with a smooth filter. Lengths and widths are in face widths, so the fault
/// looks the same on any resolution.
fn draw_quality(img: &mut RgbImage, rng: &mut Rng, face: (f32, f32, f32, f32)) -> Option<String> {
    let fw = face.2;
    let kind = *rng.pick(&["motion", "defocus", "noise", "soft-noisy", "enlarged"]);
    let label = match kind {
        "motion" => {
            let length = fw * rng.range(0.015, 0.05);
            let angle = rng.range(0.0, std::f32::consts::PI);
            smear(img, length, angle);
            format!("{kind} length={:.3} angle={:.0}", length / fw, angle.to_degrees())
        }
        "defocus" => {
            let sigma = fw * rng.range(0.004, 0.012);
            *img = imageops::blur(img, sigma);
            format!("{kind} sigma={:.4}", sigma / fw)
        }
        "noise" => {
            let sigma = rng.range(14.0, 32.0);
            let luma_only = rng.next() % 3 == 0;
            add_noise(img, rng, sigma, luma_only);
            format!("{kind} sigma={sigma:.0}{}", if luma_only { " luma" } else { "" })
        }
        "enlarged" => {
            let (w, h) = img.dimensions();
            let share = rng.range(0.40, 0.55);
            let small_w = ((w as f32 * share).round() as u32).max(1);
            let filters = [
                ("bilinear", imageops::FilterType::Triangle),
                ("bicubic", imageops::FilterType::CatmullRom),
                ("lanczos", imageops::FilterType::Lanczos3),
            ];
            let (down, up) = (*rng.pick(&filters), *rng.pick(&filters));
            let small = imageops::resize(img, small_w, (h * small_w / w.max(1)).max(1), down.1);
            *img = imageops::resize(&small, w, h, up.1);
            format!("{kind} from={small_w}px down={} up={}", down.0, up.0)
        }
        _ => {
            let blur = fw * rng.range(0.002, 0.004);
            *img = imageops::blur(img, blur);
            let sigma = rng.range(12.0, 24.0);
            add_noise(img, rng, sigma, false);
            format!("{kind} sigma={sigma:.0} blur={:.4}", blur / fw)
        }
    };
    Some(label)
}

/// A part of the face blurred or smoothed over, as a retouch hides a scar or a mark: a Gaussian
/// blur or a median filter (as a "smooth" brush) over a rectangle or an ellipse 0.12-0.4 face
/// widths across of aspect 0.6-1.7, anywhere from the brows to the chin, with a hard edge or one
/// faded over 10-50 % of its radius. Strengths are in face widths.
fn draw_local_blur(img: &mut RgbImage, rng: &mut Rng, face: (f32, f32, f32, f32)) -> Option<String> {
    let (fx, fy, fw, fh) = face;
    let kind = *rng.pick(&["gaussian", "median"]);
    let strength = fw * rng.range(0.006, 0.025);
    let blurred = match kind {
        "gaussian" => imageops::blur(img, strength),
        _ => {
            let r = (strength.round() as u32).max(1);
            imageproc::filter::median_filter(img, r, r)
        }
    };
    let shape = *rng.pick(&["rect", "ellipse"]);
    let size = fw * rng.range(0.12, 0.4);
    let aspect = rng.range(0.6, 1.7);
    let (half_w, half_h) = (0.5 * size * aspect.sqrt(), 0.5 * size / aspect.sqrt());
    let (cx, cy) = (fx + fw * rng.range(0.25, 0.75), fy + fh * rng.range(0.2, 0.85));
    let fade = if rng.next() % 2 == 0 { 0.0 } else { rng.range(0.1, 0.5) };
    let (w, h) = img.dimensions();
    let (x0, x1) = ((cx - half_w).floor().max(0.0) as u32, ((cx + half_w).ceil().max(0.0) as u32).min(w));
    let (y0, y1) = ((cy - half_h).floor().max(0.0) as u32, ((cy + half_h).ceil().max(0.0) as u32).min(h));
    for y in y0..y1 {
        for x in x0..x1 {
            let (dx, dy) = ((x as f32 + 0.5 - cx) / half_w, (y as f32 + 0.5 - cy) / half_h);
            let d = if shape == "rect" { dx.abs().max(dy.abs()) } else { dx.hypot(dy) };
            let k = if fade == 0.0 { (d <= 1.0) as u8 as f32 } else { ((1.0 - d) / fade).clamp(0.0, 1.0) };
            if k > 0.0 {
                let (a, b) = (img.get_pixel(x, y).0, blurred.get_pixel(x, y).0);
                let mix = |i: usize| (a[i] as f32 * (1.0 - k) + b[i] as f32 * k).round() as u8;
                img.put_pixel(x, y, image::Rgb([mix(0), mix(1), mix(2)]));
            }
        }
    }
    Some(format!("{kind} {shape} strength={:.3} size={:.2} aspect={aspect:.2} fade={fade:.2}", strength / fw, size / fw))
}

/// A sticker on the face as photo apps put them: a disc, a rounded square, a star, a heart or a
/// smiley, 0.025-0.13 face widths in radius, anywhere from brow to chin, of any colour (a smiley
/// yellow with dark eyes and mouth), some outlined, some not quite opaque; edges anti-aliased
/// (4 x 4 samples a pixel).
fn draw_sticker(img: &mut RgbImage, rng: &mut Rng, face: (f32, f32, f32, f32)) -> Option<String> {
    let (fx, fy, fw, fh) = face;
    let shape = *rng.pick(&["disc", "square", "star", "heart", "smiley"]);
    let r = fw * rng.range(0.025, 0.13);
    let (cx, cy) = (fx + fw * rng.range(0.2, 0.8), fy + fh * rng.range(0.08, 0.92));
    let colour =
        if shape == "smiley" { [245, 200, 30] } else { [(rng.next() % 256) as u8, (rng.next() % 256) as u8, (rng.next() % 256) as u8] };
    let outline = (rng.next() % 3 == 0).then(|| if rng.next() % 2 == 0 { [255u8, 255, 255] } else { [25, 25, 25] });
    let alpha = if rng.next() % 4 == 0 { rng.range(0.8, 0.97) } else { 1.0 };
    // In units of r: inside the shape, and (a smiley's) its dark features.
    let inside = |u: f32, v: f32| -> bool {
        match shape {
            "square" => u.abs().max(v.abs()) <= 0.8 || ((u.abs() - 0.6).max(0.0).hypot((v.abs() - 0.6).max(0.0)) <= 0.2),
            "star" => {
                let d = u.hypot(v);
                d <= 0.5 + 0.5 * (2.5 * (v.atan2(u) + std::f32::consts::FRAC_PI_2)).cos().abs().powi(2)
            }
            "heart" => {
                let (x, y) = (u * 1.15, -v * 1.15 + 0.25);
                (x * x + y * y - 1.0).powi(3) - x * x * y * y * y <= 0.0
            }
            _ => u.hypot(v) <= 1.0,
        }
    };
    let feature = |u: f32, v: f32| -> bool {
        shape == "smiley"
            && ((u + 0.35).hypot(v + 0.3) <= 0.13
                || (u - 0.35).hypot(v + 0.3) <= 0.13
                || ((u.hypot(v - 0.05) - 0.5).abs() <= 0.07 && v > 0.2))
    };
    let grow = if outline.is_some() { 1.15 } else { 1.0 };
    let reach = (r * grow * 1.3).ceil() as i64;
    for py in (cy as i64 - reach)..=(cy as i64 + reach) {
        for px in (cx as i64 - reach)..=(cx as i64 + reach) {
            let (mut body, mut rim, mut dark) = (0u32, 0u32, 0u32);
            for sy in 0..4 {
                for sx in 0..4 {
                    let (u, v) = ((px as f32 + (sx as f32 + 0.5) / 4.0 - cx) / r, (py as f32 + (sy as f32 + 0.5) / 4.0 - cy) / r);
                    if inside(u, v) {
                        if feature(u, v) {
                            dark += 1;
                        } else {
                            body += 1;
                        }
                    } else if outline.is_some() && inside(u / grow, v / grow) {
                        rim += 1;
                    }
                }
            }
            for (count, paint) in [(body, colour), (dark, [50, 35, 20]), (rim, outline.unwrap_or(colour))] {
                if count > 0 {
                    blend(img, px, py, paint, alpha * count as f32 / 16.0);
                }
            }
        }
    }
    Some(format!(
        "{shape} r={:.3} colour={:02x}{:02x}{:02x}{} a={alpha:.2}",
        r / fw,
        colour[0],
        colour[1],
        colour[2],
        if outline.is_some() { " outlined" } else { "" }
    ))
}

/// Paints `inside` (in units of `r` about (cx, cy), reaching no further than 1.6 r) in `colour`
/// at `alpha`, antialiased by 4×4 subsamples.
fn paint_shape(img: &mut RgbImage, (cx, cy): (f32, f32), r: f32, colour: [u8; 3], alpha: f32, inside: impl Fn(f32, f32) -> bool) {
    let reach = (r * 1.6).ceil() as i64;
    for py in (cy as i64 - reach)..=(cy as i64 + reach) {
        for px in (cx as i64 - reach)..=(cx as i64 + reach) {
            let mut count = 0u32;
            for sy in 0..4 {
                for sx in 0..4 {
                    let (u, v) = ((px as f32 + (sx as f32 + 0.5) / 4.0 - cx) / r, (py as f32 + (sy as f32 + 0.5) / 4.0 - cy) / r);
                    count += inside(u, v) as u32;
                }
            }
            if count > 0 {
                blend(img, px, py, colour, alpha * count as f32 / 16.0);
            }
        }
    }
}

/// A five-pointed star of radius 1, point up.
fn star(u: f32, v: f32) -> bool {
    u.hypot(v) <= 0.45 + 0.55 * (2.5 * (v.atan2(u) + std::f32::consts::FRAC_PI_2)).cos().abs().powi(3)
}

/// Whether the square of half-side `r` around (x, y) is the dark top (luma under 110 on every
/// corner and the centre): where a uniform's insignia sit.
fn on_dark_top(img: &RgbImage, x: f32, y: f32, r: f32) -> bool {
    [(0.0, 0.0), (-r, -r), (r, -r), (-r, r), (r, r)].iter().all(|(dx, dy)| {
        let (px, py) = (x + dx, y + dy);
        px >= 0.0 && py >= 0.0 && (px as u32) < img.width() && (py as u32) < img.height() && {
            let p = img.get_pixel(px as u32, py as u32).0;
            (0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32) < 110.0
        }
    })
}

/// A uniform's insignia on the dark top (the notice's "no uniform"): a mirrored pair of collar
/// insignia (stars, bars or discs) beside the neck; a pair of shoulder boards (a board of another
/// dark cloth with metal stripes or stars across it) on the shoulders' tops; or a metal badge on
/// one side of the chest and a name tag on the other. Metal is gold, silver or red enamel, 1/45
/// to 1/22 of the photo's height. A plain dark top has none of these.
fn draw_uniform(img: &mut RgbImage, rng: &mut Rng, face: (f32, f32, f32, f32)) -> Option<String> {
    let (fx, fy, fw, fh) = face;
    let (w, h) = (img.width() as f32, img.height() as f32);
    let cx = fx + fw / 2.0;
    let chin = fy + fh;
    let (metal_name, metal) = *rng.pick(&[("gold", [212u8, 175, 55]), ("silver", [205, 208, 215]), ("red", [190, 30, 35])]);
    let size = h * rng.range(1.0 / 45.0, 1.0 / 22.0);
    let r = size / 2.0;
    let kind = *rng.pick(&["collar", "shoulder boards", "badge and tag"]);
    match kind {
        "collar" => {
            let shape = *rng.pick(&["star", "bars", "disc"]);
            let off = fw * rng.range(0.3, 0.7);
            // The first height below the chin where both sides are on the top.
            let mut y = chin + 0.2 * fh;
            while !(on_dark_top(img, cx - off, y, r * 1.3) && on_dark_top(img, cx + off, y, r * 1.3)) {
                y += 2.0;
                if y + r >= h {
                    return None;
                }
            }
            let y = y + rng.range(0.0, 0.15) * fh;
            for x in [cx - off, cx + off] {
                match shape {
                    "star" => paint_shape(img, (x, y), r, metal, 1.0, star),
                    "bars" => paint_shape(img, (x, y), r, metal, 1.0, |u, v| {
                        u.abs() <= 0.9 && ((v + 0.45).abs() <= 0.17 || (v - 0.45).abs() <= 0.17)
                    }),
                    _ => paint_shape(img, (x, y), r, metal, 1.0, |u, v| u.hypot(v) <= 0.9 && !(0.55..=0.7).contains(&u.hypot(v))),
                }
            }
            Some(format!("uniform collar {metal_name} {shape} h={:.3}", size / h))
        }
        "shoulder boards" => {
            let off = fw * rng.range(0.75, 1.05);
            let cloth = *rng.pick(&[[22u8, 24, 30], [60, 70, 42], [28, 38, 80]]);
            let (bw, bh) = (w * rng.range(0.09, 0.15), size * rng.range(1.0, 1.4));
            let mark = *rng.pick(&["stripes", "stars"]);
            let n = 1 + (rng.next() % 3) as usize;
            let mut drawn = 0;
            for x in [cx - off, cx + off] {
                if x < 0.0 || x >= w {
                    continue;
                }
                // The shoulder's top in this column: the first dark row below the chin.
                let mut top = chin;
                while top < h - 1.0 && !on_dark_top(img, x, top, 1.0) {
                    top += 1.0;
                }
                let y = top + 0.25 * bh;
                if y + bh >= h {
                    continue;
                }
                paint_shape(img, (x, y + bh / 2.0), bw / 2.0, cloth, 1.0, |u, v| u.abs() <= 1.0 && v.abs() <= bh / bw);
                for k in 0..n {
                    let along = x + (k as f32 - (n as f32 - 1.0) / 2.0) * bw / (n as f32 + 0.5);
                    match mark {
                        "stripes" => {
                            paint_shape(img, (along, y + bh / 2.0), bh / 2.0, metal, 1.0, |u, v| u.abs() <= 0.18 && v.abs() <= 0.85)
                        }
                        _ => paint_shape(img, (along, y + bh / 2.0), bh * 0.4, metal, 1.0, star),
                    }
                }
                drawn += 1;
            }
            (drawn > 0).then(|| format!("uniform shoulder {metal_name} {mark} h={:.3} n={n}", bh / h))
        }
        _ => {
            let side = if rng.next() % 2 == 0 { 1.0 } else { -1.0 };
            let off = fw * rng.range(0.4, 0.75);
            let mut y = chin + rng.range(0.45, 0.9) * fh;
            while !on_dark_top(img, cx + side * off, y, r * 1.4) {
                y += 2.0;
                if y + 2.0 * r >= h {
                    return None;
                }
            }
            let shape = *rng.pick(&["shield", "star"]);
            match shape {
                "shield" => paint_shape(img, (cx + side * off, y), r * 1.3, metal, 1.0, |u, v| {
                    u.abs() <= 0.8 - 0.35 * v.max(0.0).powi(2) && (-0.9..=1.0).contains(&v)
                }),
                _ => paint_shape(img, (cx + side * off, y), r * 1.3, metal, 1.0, star),
            }
            // The name tag on the other side: a light or black plate with a line of "text".
            let (plate, ink) = if rng.next() % 2 == 0 { ([225u8, 225, 220], [30u8, 30, 30]) } else { ([25, 25, 25], [220, 220, 220]) };
            let (tw, th) = (w * rng.range(0.08, 0.13), h * rng.range(0.016, 0.026));
            let (tx, ty) = (cx - side * off, y);
            paint_shape(img, (tx, ty), tw / 2.0, plate, 1.0, |u, v| u.abs() <= 1.0 && v.abs() <= th / tw);
            paint_shape(img, (tx, ty), tw / 2.0, ink, 1.0, |u, v| u.abs() <= 0.7 && v.abs() <= 0.3 * th / tw);
            Some(format!("uniform badge {metal_name} {shape} h={:.3}", size * 1.3 / h))
        }
    }
}

/// A solid emblem on the top: a disc, a shield, a square, a heart or a triangle of one colour,
/// 1/26 to 1/8 of the photo's height, wholly on the dark top, opaque or nearly (a club badge, a
/// brand's mark, a patch sewn on). The logo family's shapes have thin parts (a ring, a chevron, a
/// star's points, a badge's slot); these have none, so a scan for thin structures alone sees
/// only their outline.
fn draw_emblem(img: &mut RgbImage, rng: &mut Rng, face: (f32, f32, f32, f32)) -> Option<String> {
    let (fx, fy, fw, fh) = face;
    let h = img.height() as f32;
    let shape = *rng.pick(&["disc", "shield", "square", "heart", "triangle"]);
    let colour =
        *rng.pick(&[[200u8, 30, 40], [230, 160, 20], [20, 140, 60], [240, 240, 240], [150, 150, 155], [90, 150, 230], [150, 40, 170]]);
    let alpha = rng.range(0.8, 1.0);
    let mut size = h * rng.range(1.0 / 26.0, 1.0 / 8.0);
    let (cx, cy) = loop {
        // A spot on the chest, below the chin, wholly on the top.
        let spot = (0..40).find_map(|_| {
            let x = fx + fw / 2.0 + rng.range(-1.1, 1.1) * fw;
            let y = fy + fh + rng.range(0.3, 1.6) * fh;
            on_dark_top(img, x, y, size * 0.6).then_some((x, y))
        });
        if let Some(spot) = spot {
            break spot;
        }
        size *= 0.85;
        if size < h / 26.0 {
            return None;
        }
    };
    let inside = |u: f32, v: f32| -> bool {
        match shape {
            "disc" => u.hypot(v) <= 1.0,
            "shield" => u.abs() <= 0.85 - 0.4 * v.max(0.0).powi(2) && (-0.9..=1.0).contains(&v),
            "square" => u.abs().max(v.abs()) <= 0.8,
            "heart" => {
                let (x, y) = (u * 1.15, -v * 1.15 + 0.25);
                (x * x + y * y - 1.0).powi(3) - x * x * y * y * y <= 0.0
            }
            _ => v <= 0.75 && v >= -0.95 + 2.2 * u.abs(),
        }
    };
    paint_shape(img, (cx, cy), size / 2.0, colour, alpha, inside);
    Some(format!("emblem {shape} h={:.3} colour={:02x}{:02x}{:02x} a={alpha:.2}", size / h, colour[0], colour[1], colour[2]))
}

/// A straight motion smear: each pixel the mean of `length` px of the line through it at `angle`.
fn smear(img: &mut RgbImage, length: f32, angle: f32) {
    let taps = (length.ceil() as usize).max(2);
    let (w, h) = (img.width() as i64, img.height() as i64);
    let offsets: Vec<(i64, i64)> = (0..taps)
        .map(|k| {
            let t = (k as f32 / (taps - 1) as f32 - 0.5) * length;
            ((t * angle.cos()).round() as i64, (-t * angle.sin()).round() as i64)
        })
        .collect();
    let src = img.clone();
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0u32; 3];
            for &(dx, dy) in &offsets {
                let p = src.get_pixel((x + dx).clamp(0, w - 1) as u32, (y + dy).clamp(0, h - 1) as u32).0;
                for c in 0..3 {
                    sum[c] += p[c] as u32;
                }
            }
            let n = offsets.len() as u32;
            img.put_pixel(x as u32, y as u32, image::Rgb([(sum[0] / n) as u8, (sum[1] / n) as u8, (sum[2] / n) as u8]));
        }
    }
}

/// Gaussian pixel noise of `sigma` grey levels (Box-Muller), per channel or the same on all three.
fn add_noise(img: &mut RgbImage, rng: &mut Rng, sigma: f32, luma_only: bool) {
    let mut gauss = || {
        let (u, v) = (rng.unit().max(1e-7), rng.unit());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f32::consts::PI * v).cos() * sigma
    };
    for p in img.pixels_mut() {
        let shared = if luma_only { gauss() } else { 0.0 };
        for c in 0..3 {
            let n = if luma_only { shared } else { gauss() };
            p.0[c] = (p.0[c] as f32 + n).round().clamp(0.0, 255.0) as u8;
        }
    }
}

fn flagged(report: &Report, codes: &[&str]) -> bool {
    report.checks.iter().any(|c| codes.contains(&c.code) && matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::Uncertain))
}

const TEXT_CODES: &[&str] = &["TX001"];
/// Lighting faults are the lighting checks' to catch, but a whole-frame fault is just as rightly
/// caught by the exposure and background checks.
const LIGHT_CODES: &[&str] = &["LI001", "LI002", "LI004", "IQ005", "BG001", "BG002", "BG003"];
const FACE_CODES: &[&str] = &["FC001"];
const JEWELLERY_CODES: &[&str] = &["JW001"];
const EYEWEAR_CODES: &[&str] = &["GL001", "GL002", "GL003", "GL004"];
const QUALITY_CODES: &[&str] = &["IQ004", "IQ007", "IQ008"];
const HEADWEAR_CODES: &[&str] = &["HW001"];
/// A retouch of part of the face is the retouching checks' to catch.
const RETOUCH_CODES: &[&str] = &["RT007", "RT008"];
/// What a sticker on the face trips: the flat patch, the two halves' colours, the missing skin
/// detail, a covered eye.
const STICKER_CODES: &[&str] = &["MK004", "MK003", "RT008", "EY002"];
/// A uniform is told by its insignia: marks on the clothing (TX001), or a top that is not dark.
const UNIFORM_CODES: &[&str] = &["TX001", "CL001"];

fn load_fonts(paths: &[PathBuf]) -> Vec<(FontVec, bool)> {
    let defaults = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    ];
    let chosen: Vec<PathBuf> = if paths.is_empty() { defaults.iter().map(PathBuf::from).collect() } else { paths.to_vec() };
    let mut fonts = Vec::new();
    for path in chosen {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        if let Ok(font) = FontVec::try_from_vec_and_index(bytes, 0) {
            use ab_glyph::Font;
            let cjk = font.glyph_id('中').0 != 0;
            fonts.push((font, cjk));
        }
    }
    fonts
}

struct Args {
    dirs: Vec<PathBuf>,
    per_photo: usize,
    seed: u64,
    save: Option<PathBuf>,
    fonts: Vec<PathBuf>,
    as_of: String,
    /// Only these families (all when empty); the others' draws are unchanged by leaving them out.
    only: Vec<String>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args { dirs: vec![], per_photo: 3, seed: 20261202, save: None, fonts: vec![], as_of: "2026-11-26".into(), only: vec![] };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| anyhow::anyhow!("{a} needs a value"));
        match a.as_str() {
            "--per-photo" => args.per_photo = value()?.parse()?,
            "--seed" => args.seed = value()?.parse()?,
            "--save" => args.save = Some(PathBuf::from(value()?)),
            "--font" => args.fonts.push(PathBuf::from(value()?)),
            "--as-of" => args.as_of = value()?,
            "--only" => args.only.push(value()?),
            _ => args.dirs.push(PathBuf::from(a)),
        }
    }
    anyhow::ensure!(
        !args.dirs.is_empty(),
        "usage: variants [--per-photo N] [--seed S] [--save DIR] [--font FILE]... [--only FAMILY]... DIR..."
    );
    Ok(args)
}

#[derive(Default)]
struct Tally {
    n: usize,
    flagged: usize,
    /// Variants of photos approved as they are, and how many of those were not approved.
    of_approved: usize,
    not_approved: usize,
    missed: Vec<String>,
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let as_of = photocheck::pipeline::parse_as_of(&args.as_of).map_err(anyhow::Error::msg)?;
    let checker = Checker::new(Arc::new(ModelSet::load(&ModelSet::default_dir())?), Arc::new(Profile::default_profile()));
    let opts = CheckOptions { as_of, lang: Lang::En };
    let fonts = load_fonts(&args.fonts);
    anyhow::ensure!(!fonts.is_empty(), "no font found: pass --font FILE (a TrueType/OpenType file)");
    if !fonts.iter().any(|(_, cjk)| *cjk) {
        eprintln!("warning: no CJK font (Debian: fonts-wqy-microhei, or --font FILE): no Chinese text variants");
    }
    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir)?;
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in &args.dirs {
        let mut more: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
        more.sort();
        files.extend(more);
    }
    // The bases: each photo, its pixels and its report as it is.
    let bases: Vec<(PathBuf, Vec<u8>, RgbImage, Report)> = files
        .par_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).ok()?;
            let img = image::load_from_memory(&bytes).ok()?.to_rgb8();
            let report = checker.check_bytes(&path.to_string_lossy(), &bytes, &opts);
            Some((path.clone(), bytes, img, report))
        })
        .collect();
    let usable: Vec<usize> = (0..bases.len()).filter(|&i| face_box(&bases[i].3).is_some()).collect();
    println!(
        "{} photos, {} with a face to place marks around; seed {}, {} variants per family and photo",
        bases.len(),
        usable.len(),
        args.seed,
        args.per_photo
    );

    // A new family goes last: each variant's draws are seeded by its family's index.
    let families: [(&str, &[&str]); 15] = [
        ("text", TEXT_CODES),
        ("logo", TEXT_CODES),
        ("lighting", LIGHT_CODES),
        ("second face", FACE_CODES),
        ("earrings", JEWELLERY_CODES),
        ("eyewear", EYEWEAR_CODES),
        ("image quality", QUALITY_CODES),
        ("watermark", TEXT_CODES),
        ("headwear", HEADWEAR_CODES),
        ("chest print", TEXT_CODES),
        ("local blur", RETOUCH_CODES),
        ("sticker", STICKER_CODES),
        ("uniform", UNIFORM_CODES),
        ("emblem", TEXT_CODES),
        ("stamp", TEXT_CODES),
    ];
    let mut clean: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for &i in &usable {
        for (family, codes) in families {
            let e = clean.entry(family).or_default();
            e.0 += 1;
            e.1 += flagged(&bases[i].3, codes) as usize;
        }
    }
    let wanted: Vec<usize> =
        (0..families.len()).filter(|&f| args.only.is_empty() || args.only.iter().any(|o| o == families[f].0)).collect();
    anyhow::ensure!(!wanted.is_empty(), "--only names no family (the families: {})", families.map(|f| f.0).join(", "));
    let jobs: Vec<(usize, usize, usize)> =
        usable.iter().flat_map(|&i| wanted.iter().flat_map(move |&f| (0..args.per_photo).map(move |k| (i, f, k)))).collect();
    let results: Vec<Option<(usize, String, bool, Option<bool>, String)>> = jobs
        .par_iter()
        .map(|&(i, f, k)| {
            let (path, bytes, img, report) = &bases[i];
            let face = face_box(report)?;
            let mut rng = Rng::new(args.seed ^ (i as u64).wrapping_mul(0x1000_0001) ^ ((f * 97 + k) as u64).wrapping_mul(0x9E37_79B9));
            let mut variant = img.clone();
            let label = match families[f].0 {
                "text" => draw_text(&mut variant, &mut rng, &fonts, face),
                "logo" => draw_logo(&mut variant, &mut rng, face),
                "lighting" => draw_lighting(&mut variant, &mut rng, face),
                "earrings" => draw_earrings(&mut variant, &mut rng, report),
                "eyewear" => draw_eyewear(&mut variant, &mut rng, report),
                "image quality" => draw_quality(&mut variant, &mut rng, face),
                "watermark" => draw_watermark(&mut variant, &mut rng, &fonts, face),
                "headwear" => draw_headwear(&mut variant, &mut rng, report),
                "chest print" => draw_chest_print(&mut variant, &mut rng, &fonts, face),
                "local blur" => draw_local_blur(&mut variant, &mut rng, face),
                "sticker" => draw_sticker(&mut variant, &mut rng, face),
                "uniform" => draw_uniform(&mut variant, &mut rng, face),
                "emblem" => draw_emblem(&mut variant, &mut rng, face),
                "stamp" => draw_stamp(&mut variant, &mut rng, &fonts, face),
                _ => {
                    let j = usable[(rng.next() % usable.len() as u64) as usize];
                    let j = if j == i { usable[(usable.iter().position(|&u| u == i)? + 1) % usable.len()] } else { j };
                    draw_second_face(&mut variant, &mut rng, face, &bases[j].2, face_box(&bases[j].3)?)
                }
            }?;
            let jpeg = common::encode_keeping_exif(&variant, 92, bytes);
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let name = format!("{stem}-{}-{k}", families[f].0.replace(' ', "-"));
            if let Some(dir) = &args.save {
                let _ = std::fs::write(dir.join(format!("{name}.jpg")), &jpeg);
            }
            let r = checker.check_bytes(&name, &jpeg, &opts);
            let kind = label
                .split_whitespace()
                .take(match families[f].0 {
                    "text" | "logo" | "watermark" | "chest print" | "uniform" | "stamp" => 3,
                    "emblem" => 2,
                    "eyewear" | "headwear" | "local blur" => 2,
                    _ => 1,
                })
                .collect::<Vec<_>>()
                .join(" ");
            let base_approved = report.verdict == Verdict::Approve;
            Some((f, kind, flagged(&r, families[f].1), base_approved.then_some(r.verdict != Verdict::Approve), format!("{name}: {label}")))
        })
        .collect();

    let mut by_family: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut by_kind: BTreeMap<(&str, String), Tally> = BTreeMap::new();
    let list_all = std::env::var_os("VARIANTS_LIST").is_some();
    for (f, kind, hit, not_approved, what) in results.into_iter().flatten() {
        if list_all {
            println!("{} {what}", if hit { "caught" } else { "missed" });
        }
        for t in [by_family.entry(families[f].0).or_default(), by_kind.entry((families[f].0, kind)).or_default()] {
            t.n += 1;
            t.flagged += hit as usize;
            if let Some(not_approved) = not_approved {
                t.of_approved += 1;
                t.not_approved += not_approved as usize;
            }
            if !hit {
                t.missed.push(what.clone());
            }
        }
    }
    let pct = |a: usize, n: usize| 100.0 * a as f64 / n.max(1) as f64;
    println!("\n| family | checks | variants | caught by them | of approved photos' variants, not approved | clean photos flagged |");
    println!("|---|---|---:|---:|---:|---:|");
    for (family, codes) in wanted.iter().map(|&f| families[f]) {
        let t = by_family.get(family).map_or((0, 0, 0, 0), |t| (t.n, t.flagged, t.of_approved, t.not_approved));
        let (cn, cf) = clean.get(family).copied().unwrap_or_default();
        println!(
            "| {family} | {} | {} | {} ({:.1} %) | {}/{} ({:.1} %) | {cf}/{cn} ({:.1} %) |",
            codes.join(" "),
            t.0,
            t.1,
            pct(t.1, t.0),
            t.3,
            t.2,
            pct(t.3, t.2),
            pct(cf, cn)
        );
    }
    println!("\n| family | kind | variants | caught | of approved photos' variants, not approved |");
    println!("|---|---|---:|---:|---:|");
    for ((family, kind), t) in &by_kind {
        println!("| {family} | {kind} | {} | {:.0} % | {:.0} % |", t.n, pct(t.flagged, t.n), pct(t.not_approved, t.of_approved));
    }
    if std::env::var_os("VARIANTS_MISSED").is_some() {
        for (family, t) in &by_family {
            println!("\nmissed {family}:");
            for m in &t.missed {
                println!("  {m}");
            }
        }
    }
    Ok(())
}
