//! How often a verdict or a failed check changes under transformations that should change
//! nothing: the mirror image, the same photo at 1.3× and 0.9× the resolution, a JPEG re-encode at
//! quality 80, 8 % more light, and a slight blur (Gaussian, sigma 0.8 px: since profile 2026.12.12
//! IQ008 sends most portraits to review for it, as soft as a photo enlarged about 1.5 times; it is
//! kept to show that cost). Every variant keeps the
//! original's EXIF capture date. Prints, per transformation, how many verdicts and failed-code
//! sets changed, which codes flipped most, how far the measured values moved, and which photos
//! were approved on one side only.
//!
//!     cargo run --release --example stability -- PHOTO_DIR [AS_OF] [--studio | --edits | --violations]
//!
//! `--studio` runs another set instead: what a different camera or studio would do to the same
//! compliant portrait (white balance, tone curve, 520 px and 2x uploads, JPEG q65, sensor noise).
//! `--edits` runs a photo app's light touches instead: a 2 degree roll either way (the corners
//! filled from the edges), contrast and saturation 10 % and 15 % either way, sharpening.
//! `--violations` breaks a rule of the notice on every approved portrait instead (a blue, red or
//! grey backdrop, faint stripes on it, greyscale, a 13 degree roll either way, a head too small, too large or off
//! centre, a heavy blur, camera shake, grain, under-exposure, JPEG q30, posterised colours; on the face: a painted mask, a bar over the
//! eyes, a patch over one eye, a sticker on a cheek, a white dot on a brow, a pixelated or a blurred square on a cheek, skin smoothed like a beauty filter, a green cast on the face alone; a 150 px or 300 px
//! photo scaled up, a strong colour cast; the portrait's own numbers under an embedded colour
//! profile that every viewer shows yellowed) and
//! counts the ones still approved: wrong approvals (exit status 1 if there is any; `.ci/run`
//! runs it).
//! `STABILITY_FLIPS=CODE` also lists, per transformation, the photos whose outcome of CODE changed.
//! `STABILITY_SAVE=DIR` keeps every variant whose failed or review codes changed (named
//! `TRANSFORMATION-PHOTO`); `STABILITY_ONLY=TEXT` runs only the transformations whose name holds TEXT.
//!
//! Issue 10's "borderline scores flip" measure, and a variant generator for any folder.

use imageproc::drawing::{draw_filled_circle_mut, draw_filled_ellipse_mut};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use image::{imageops, RgbImage};
use photocheck::models::ModelSet;
use photocheck::{CheckOptions, Checker, Lang, Profile, Report, Verdict};
use rayon::prelude::*;

#[path = "common/mod.rs"]
mod common;
use common::encode_keeping_exif as encode;

type Transform = fn(&RgbImage) -> RgbImage;

fn mirror(img: &RgbImage) -> RgbImage {
    imageops::flip_horizontal(img)
}

fn upscale(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    imageops::resize(img, w * 13 / 10, h * 13 / 10, imageops::FilterType::Lanczos3)
}

fn downscale(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    imageops::resize(img, w * 9 / 10, h * 9 / 10, imageops::FilterType::Lanczos3)
}

fn softer(img: &RgbImage) -> RgbImage {
    imageops::blur(img, 0.8)
}

fn same(img: &RgbImage) -> RgbImage {
    img.clone()
}

fn brighter(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (*c as f32 * 1.08).round().min(255.0) as u8;
        }
    }
    out
}

/// White balance of another camera or studio light: red and blue scaled apart by `k`.
fn white_balance(img: &RgbImage, k: f32) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0[0] = (p.0[0] as f32 * k).round().clamp(0.0, 255.0) as u8;
        p.0[2] = (p.0[2] as f32 / k).round().clamp(0.0, 255.0) as u8;
    }
    out
}

fn warmer(img: &RgbImage) -> RgbImage {
    white_balance(img, 1.06)
}

fn cooler(img: &RgbImage) -> RgbImage {
    white_balance(img, 1.0 / 1.06)
}

/// A different tone curve (another camera's processing): gamma on 0..1.
fn tone(img: &RgbImage, gamma: f32) -> RgbImage {
    let lut: Vec<u8> = (0..256).map(|v| (255.0 * (v as f32 / 255.0).powf(gamma)).round() as u8).collect();
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = lut[*c as usize];
        }
    }
    out
}

fn darker_midtones(img: &RgbImage) -> RgbImage {
    tone(img, 1.15)
}

fn lighter_midtones(img: &RgbImage) -> RgbImage {
    tone(img, 0.87)
}

/// The smallest upload the profile accepts (520 px wide), keeping the aspect.
fn smallest_upload(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    imageops::resize(img, 520, (h as u64 * 520 / w.max(1) as u64) as u32, imageops::FilterType::Triangle)
}

fn doubled(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    imageops::resize(img, w * 2, h * 2, imageops::FilterType::CatmullRom)
}

/// Sensor noise: a fixed pseudo-random pattern of about +-3 levels per channel.
fn noisy(img: &RgbImage) -> RgbImage {
    with_noise(img, 0x9e37_79b9, 3)
}

/// `img` plus a fixed pseudo-random (xorshift from `seed`) pattern, uniform in ±`levels` per channel.
fn with_noise(img: &RgbImage, seed: u32, levels: i32) -> RgbImage {
    let mut out = img.clone();
    let mut state = seed;
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let n = (state % (2 * levels as u32 + 1)) as i32 - levels;
            *c = (*c as i32 + n).clamp(0, 255) as u8;
        }
    }
    out
}

/// Backdrop pixels: near-white and reachable from the frame's border through near-white pixels
/// (the ready portraits' backdrop is white; the person and a white top's inside are not reached
/// through the dark clothing).
fn backdrop(img: &RgbImage) -> Vec<bool> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let white = |x: usize, y: usize| img.get_pixel(x as u32, y as u32).0.iter().all(|&c| c >= 225);
    let mut seen = vec![false; w * h];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for x in 0..w {
        stack.push((x, 0));
        stack.push((x, h - 1));
    }
    for y in 0..h {
        stack.push((0, y));
        stack.push((w - 1, y));
    }
    while let Some((x, y)) = stack.pop() {
        if seen[y * w + x] || !white(x, y) {
            continue;
        }
        seen[y * w + x] = true;
        if x > 0 {
            stack.push((x - 1, y));
        }
        if x + 1 < w {
            stack.push((x + 1, y));
        }
        if y > 0 {
            stack.push((x, y - 1));
        }
        if y + 1 < h {
            stack.push((x, y + 1));
        }
    }
    seen
}

/// The backdrop repainted in `colour`, keeping its shading (the white's own variation).
fn repaint_backdrop(img: &RgbImage, colour: [u8; 3]) -> RgbImage {
    let mask = backdrop(img);
    let mut out = img.clone();
    for (i, p) in out.pixels_mut().enumerate() {
        if mask[i] {
            let shade = p.0.iter().map(|&c| c as f32).sum::<f32>() / (3.0 * 245.0);
            for (c, &want) in p.0.iter_mut().zip(&colour) {
                *c = (want as f32 * shade).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

fn blue_backdrop(img: &RgbImage) -> RgbImage {
    repaint_backdrop(img, [67, 142, 219])
}

fn red_backdrop(img: &RgbImage) -> RgbImage {
    repaint_backdrop(img, [200, 30, 35])
}

fn grey_backdrop(img: &RgbImage) -> RgbImage {
    repaint_backdrop(img, [200, 200, 200])
}

/// Faint diagonal stripes on the backdrop: 14 grey levels darker, 8 px wide every 16 px.
fn striped_backdrop(img: &RgbImage) -> RgbImage {
    let mask = backdrop(img);
    let mut out = img.clone();
    let w = img.width() as usize;
    for (i, p) in out.pixels_mut().enumerate() {
        if mask[i] && ((i % w + i / w) / 8) % 2 == 0 {
            p.0.iter_mut().for_each(|c| *c = c.saturating_sub(14));
        }
    }
    out
}

fn greyscale(img: &RgbImage) -> RgbImage {
    image::DynamicImage::ImageRgb8(img.clone()).grayscale().to_rgb8()
}

/// A light roll of the camera: `degrees` about the centre, the corners filled by the nearest edge
/// pixel (a fixed colour there would draw wedges across the clothing that no camera makes).
fn rolled_within(img: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let at = |x: f32, y: f32| {
        let (x, y) = (x.clamp(0.0, w as f32 - 1.0), y.clamp(0.0, h as f32 - 1.0));
        let (x0, y0) = (x.floor() as u32, y.floor() as u32);
        let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |x, y| img.get_pixel(x, y).0.map(f32::from);
        let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
        std::array::from_fn(|k| ((a[k] * (1.0 - fx) + b[k] * fx) * (1.0 - fy) + (c[k] * (1.0 - fx) + d[k] * fx) * fy).round() as u8)
    };
    RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        image::Rgb(at(cx + cos * dx + sin * dy - 0.5, cy - sin * dx + cos * dy - 0.5))
    })
}

fn rolled_2_clockwise(img: &RgbImage) -> RgbImage {
    rolled_within(img, 2.0)
}

fn rolled_2_anticlockwise(img: &RgbImage) -> RgbImage {
    rolled_within(img, -2.0)
}

/// Contrast scaled by `k` about the photo's mean luma (a photo app's contrast slider).
fn contrast(img: &RgbImage, k: f32) -> RgbImage {
    let mean = img.pixels().map(|p| 0.299 * p.0[0] as f32 + 0.587 * p.0[1] as f32 + 0.114 * p.0[2] as f32).sum::<f32>()
        / (img.width() * img.height()).max(1) as f32;
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (mean + (*c as f32 - mean) * k).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

fn more_contrast(img: &RgbImage) -> RgbImage {
    contrast(img, 1.1)
}

fn less_contrast(img: &RgbImage) -> RgbImage {
    contrast(img, 0.9)
}

/// Saturation scaled by `k`: each pixel moved away from (or toward) its own grey.
fn saturation(img: &RgbImage, k: f32) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        let grey = 0.299 * p.0[0] as f32 + 0.587 * p.0[1] as f32 + 0.114 * p.0[2] as f32;
        for c in p.0.iter_mut() {
            *c = (grey + (*c as f32 - grey) * k).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

fn more_saturated(img: &RgbImage) -> RgbImage {
    saturation(img, 1.15)
}

fn less_saturated(img: &RgbImage) -> RgbImage {
    saturation(img, 0.85)
}

/// A phone's sharpening: unsharp mask, sigma 1 px.
fn sharpened(img: &RgbImage) -> RgbImage {
    imageops::unsharpen(img, 1.0, 2)
}

/// 13 degrees each way: beyond the 8 degree limit plus its band even for a portrait whose own roll
/// (up to ~4.6 degrees on the London set) points the other way.
fn rolled_clockwise(img: &RgbImage) -> RgbImage {
    common::rotated(img, 13.0, [245, 245, 245])
}

fn rolled_anticlockwise(img: &RgbImage) -> RgbImage {
    common::rotated(img, -13.0, [245, 245, 245])
}

/// The content scaled by `k` about the centre, shifted by `dx` (share of the width), on white.
fn reframed(img: &RgbImage, k: f32, dx: f32) -> RgbImage {
    let (w, h) = img.dimensions();
    let mut out = RgbImage::from_pixel(w, h, image::Rgb([245, 245, 245]));
    let (sw, sh) = ((w as f32 * k).round() as u32, (h as f32 * k).round() as u32);
    let scaled = imageops::resize(img, sw.max(1), sh.max(1), imageops::FilterType::Triangle);
    let x = (w as f32 - sw as f32) / 2.0 + dx * w as f32;
    let y = (h as f32 - sh as f32) / 2.0;
    imageops::overlay(&mut out, &scaled, x.round() as i64, y.round() as i64);
    out
}

fn head_too_small(img: &RgbImage) -> RgbImage {
    reframed(img, 0.72, 0.0)
}

fn head_too_large(img: &RgbImage) -> RgbImage {
    reframed(img, 1.3, 0.0)
}

fn off_centre(img: &RgbImage) -> RgbImage {
    reframed(img, 1.0, 0.2)
}

fn badly_blurred(img: &RgbImage) -> RgbImage {
    imageops::blur(img, 2.5)
}

fn underexposed(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (*c as f32 * 0.45).round() as u8;
        }
    }
    out
}

/// The face's detector box (x, y, width, height) in pixels.
type FaceBox = (f32, f32, f32, f32);
type FaceTransform = fn(&RgbImage, FaceBox) -> RgbImage;
/// Any break, as one list: the upload's bytes made from the decoded portrait, its face's box, its
/// subject's right eye's box and the original upload (whose EXIF the variant keeps).
type AnyUpload = Box<dyn Fn(&RgbImage, FaceBox, FaceBox, &[u8]) -> Vec<u8> + Sync>;

/// `img` with the part of the face box from `top` to `bottom` (shares of its height), `inset` in
/// from each side, painted `colour`.
fn cover(img: &RgbImage, face: FaceBox, top: f32, bottom: f32, inset: f32, colour: [u8; 3]) -> RgbImage {
    let (fx, fy, fw, fh) = face;
    let mut out = img.clone();
    let (x0, x1) = ((fx + inset * fw).max(0.0) as u32, ((fx + (1.0 - inset) * fw) as u32).min(img.width()));
    let (y0, y1) = ((fy + top * fh).max(0.0) as u32, ((fy + bottom * fh) as u32).min(img.height()));
    for y in y0..y1 {
        for x in x0..x1 {
            out.put_pixel(x, y, image::Rgb(colour));
        }
    }
    out
}

/// A surgical mask: light blue from below the nose to below the chin.
fn masked(img: &RgbImage, face: FaceBox) -> RgbImage {
    cover(img, face, 0.58, 1.12, 0.12, [150, 195, 225])
}

/// An opaque oval over one eye, 1.2 times its outline's width and 2.4 times its height (an eye
/// patch, a sticker), small enough that the face's histogram (IQ010) sees few of them (at 1.6
/// widths it saw all 42 London ready portraits', at 1.2 it sees 14): `eye` is the outline's
/// bounding box.
fn eye_patched(img: &RgbImage, eye: FaceBox) -> RgbImage {
    let (ex, ey, ew, eh) = eye;
    let (cx, cy, rx, ry) = (ex + ew / 2.0, ey + eh / 2.0, 0.6 * ew.max(1.0), 1.2 * eh.max(ew / 3.0));
    let mut out = img.clone();
    draw_filled_ellipse_mut(
        &mut out,
        (cx.round() as i32, cy.round() as i32),
        rx.round() as i32,
        ry.round() as i32,
        image::Rgb([35, 35, 40]),
    );
    out
}

/// A yellow sticker on the subject's left cheek: a disc 0.16 face widths across.
fn cheek_sticker(img: &RgbImage, face: FaceBox) -> RgbImage {
    disc(img, face, (0.72, 0.62), 0.08, [240, 200, 40])
}

/// A small white disc (0.05 face widths in radius) on the subject's right brow, between it and
/// the upper lid (the face box starts on the forehead): white is far from skin's colour in luma,
/// not in chroma, and too small to change the two halves' colours much (MK003); MK004 sees its
/// flat colour and sharp edge.
fn brow_dot(img: &RgbImage, face: FaceBox) -> RgbImage {
    disc(img, face, (0.33, 0.15), 0.05, [250, 250, 250])
}

/// `img` with a filled disc of `colour`, its centre at `at` (shares of the face box's width and
/// height) and its radius `radius` face widths.
fn disc(img: &RgbImage, face: FaceBox, at: (f32, f32), radius: f32, colour: [u8; 3]) -> RgbImage {
    let (fx, fy, fw, fh) = face;
    let (cx, cy, r) = ((fx + at.0 * fw).round() as i32, (fy + at.1 * fh).round() as i32, (radius * fw).round() as i32);
    let mut out = img.clone();
    draw_filled_circle_mut(&mut out, (cx, cy), r, image::Rgb(colour));
    out
}

/// `img` with a square `side` face widths across, its top-left corner `left` face widths and `top`
/// face heights into the face box, replaced by `edit` of it (at least 24 px a side).
fn edit_square(img: &RgbImage, face: FaceBox, side: f32, left: f32, top: f32, edit: impl Fn(&RgbImage) -> RgbImage) -> RgbImage {
    let (fx, fy, fw, fh) = face;
    let side = ((side * fw).round() as u32).max(24);
    let (left, top) = ((fx + left * fw).max(0.0) as u32, (fy + top * fh).max(0.0) as u32);
    let square = imageops::crop_imm(img, left, top, side, side).to_image();
    let mut out = img.clone();
    imageops::replace(&mut out, &edit(&square), left as i64, top as i64);
    out
}

/// A square 0.22 face widths across on the subject's left cheek, pixelated into blocks of a
/// twelfth of its side (a mosaic that hides part of the face and keeps its colours).
fn face_pixelated(img: &RgbImage, face: FaceBox) -> RgbImage {
    use image::imageops::{resize, FilterType};
    edit_square(img, face, 0.22, 0.58, 0.5, |square| {
        let (w, h) = square.dimensions();
        let blocks = resize(square, (w / 12).max(1), (h / 12).max(1), FilterType::Triangle);
        resize(&blocks, w, h, FilterType::Nearest)
    })
}

/// A square 0.24 face widths across on the subject's right cheek, blurred by 5 px (a retouch that
/// smooths part of the face and keeps its colours and shape).
fn cheek_blurred(img: &RgbImage, face: FaceBox) -> RgbImage {
    edit_square(img, face, 0.24, 0.16, 0.5, |square| imageops::blur(square, 5.0))
}

/// A black bar over the eyes (a censored photo, or dark glasses).
fn eyes_barred(img: &RgbImage, face: FaceBox) -> RgbImage {
    cover(img, face, 0.22, 0.45, 0.02, [20, 20, 22])
}

/// Skin smoothed like a beauty filter: the face box's middle blurred by 3 px, edges kept.
fn beautified(img: &RgbImage, face: FaceBox) -> RgbImage {
    let smooth = imageops::blur(img, 3.0);
    let (fx, fy, fw, fh) = face;
    let mut out = img.clone();
    for y in (fy + 0.05 * fh).max(0.0) as u32..((fy + 0.95 * fh) as u32).min(img.height()) {
        for x in (fx + 0.1 * fw).max(0.0) as u32..((fx + 0.9 * fw) as u32).min(img.width()) {
            out.put_pixel(x, y, *smooth.get_pixel(x, y));
        }
    }
    out
}

/// Camera shake: each pixel the mean of a diagonal run of 3 % of the face width.
fn shaken(img: &RgbImage, face: FaceBox) -> RgbImage {
    let run = (0.03 * face.2).round().max(2.0) as i64;
    let (w, h) = (img.width() as i64, img.height() as i64);
    let mut out = img.clone();
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0u32; 3];
            for k in 0..run {
                let d = k - run / 2;
                let p = img.get_pixel((x + d).clamp(0, w - 1) as u32, (y + d).clamp(0, h - 1) as u32).0;
                (0..3).for_each(|c| sum[c] += p[c] as u32);
            }
            out.put_pixel(x as u32, y as u32, image::Rgb(sum.map(|v| (v / run as u32) as u8)));
        }
    }
    out
}

/// Grain: a fixed pseudo-random pattern of about +-24 levels per channel (standard deviation 14).
fn grainy(img: &RgbImage, _face: FaceBox) -> RgbImage {
    with_noise(img, 0x2545_f491, 24)
}

/// A low-resolution photo scaled up: 150 px wide and back.
fn upscaled_from_small(img: &RgbImage, _face: FaceBox) -> RgbImage {
    let (w, h) = img.dimensions();
    let small = imageops::resize(img, 150, (h * 150 / w.max(1)).max(1), imageops::FilterType::Triangle);
    imageops::resize(&small, w, h, imageops::FilterType::CatmullRom)
}

/// Colours posterised to 16 levels a channel (the top 4 bits), as a GIF-like or "poster" filter.
fn posterised(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0 = p.0.map(|v| (v & 0xF0) | 0x08);
    }
    out
}

/// A small photo enlarged to the original's size: 300 px wide and back. Unlike the 150 px one it
/// keeps enough detail for IQ004 on a normalised face crop; IQ008 reads it at 390 px's scale.
fn enlarged_from_300(img: &RgbImage, _face: FaceBox) -> RgbImage {
    let (w, h) = img.dimensions();
    let small = imageops::resize(img, 300, (h * 300 / w.max(1)).max(1), imageops::FilterType::Triangle);
    imageops::resize(&small, w, h, imageops::FilterType::CatmullRom)
}

/// A green cast on the face alone (a reflection from a green wall, or a face-only filter): red
/// and blue down by a fifth under a soft oval around the face box, the backdrop left white.
fn green_face(img: &RgbImage, face: FaceBox) -> RgbImage {
    let (fx, fy, fw, fh) = face;
    let (cx, cy) = (fx + fw / 2.0, fy + fh / 2.0);
    let mut out = img.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (dx, dy) = ((x as f32 - cx) / (0.7 * fw), (y as f32 - cy) / (0.8 * fh));
        let weight = (-(dx * dx + dy * dy)).exp();
        for (c, gain) in [(0, 0.8f32), (1, 1.04), (2, 0.82)] {
            p.0[c] = (p.0[c] as f32 * (1.0 + weight * (gain - 1.0))).round().min(255.0) as u8;
        }
    }
    out
}

/// A strong colour cast (red up a quarter, blue down a fifth).
fn colour_cast(img: &RgbImage, _face: FaceBox) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0[0] = (p.0[0] as f32 * 1.25).min(255.0) as u8;
        p.0[2] = (p.0[2] as f32 * 0.8) as u8;
    }
    out
}

fn face_box(r: &Report) -> Option<FaceBox> {
    match r.faces.first()?.region {
        photocheck::report::Region::Box { x, y, width, height } => Some((x, y, width, height)),
        _ => None,
    }
}

/// The bounding box of the subject's right eye's outline (the refined eyelids).
fn eye_box(r: &Report) -> Option<FaceBox> {
    let (x0, y0, x1, y1) = photocheck::imaging::bounds(r.faces.first()?.primary.as_ref()?.eye_contours.first()?);
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1 - x0, y1 - y0))
}

/// The checks whose measured values sit closest to their thresholds on compliant portraits.
const DRIFT_CODES: [&str; 7] = ["EX001", "EX004", "EY001", "PO001", "PO002", "PO003", "GE003"];

fn codes(r: &Report) -> Vec<&'static str> {
    let mut c: Vec<&'static str> = r.failed.iter().chain(r.review.iter()).copied().collect();
    c.sort();
    c
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).ok_or_else(|| anyhow::anyhow!("usage: stability PHOTO_DIR [AS_OF]"))?;
    let as_of = photocheck::pipeline::parse_as_of(args.get(2).filter(|a| !a.starts_with("--")).map(String::as_str).unwrap_or("2026-11-26"))
        .map_err(anyhow::Error::msg)?;
    let checker = Checker::new(Arc::new(ModelSet::load(&ModelSet::default_dir())?), Arc::new(Profile::default_profile()));
    let opts = CheckOptions { as_of, lang: Lang::En };
    let mut files: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    // `--studio` (after the folder): what another camera or studio does to a compliant portrait
    // instead: white balance, tone curve, the smallest and a large upload, a low JPEG quality
    // (still above the profile's minimum), sensor noise.
    let studio = args.iter().any(|a| a == "--studio");
    // `--edits`: what a photo app's light touches do (a 2 degree roll, contrast, saturation,
    // sharpening); none of them breaks a rule.
    let edits = args.iter().any(|a| a == "--edits");
    // `--violations`: changes that break a rule of the notice; every approved portrait must stop
    // being approved. Prints how many stayed approved (wrong approvals) and which checks caught it.
    if args.iter().any(|a| a == "--violations") {
        let violations: [(&str, Transform, u8); 14] = [
            ("blue backdrop", blue_backdrop, 95),
            ("striped backdrop", striped_backdrop, 95),
            ("red backdrop", red_backdrop, 95),
            ("grey backdrop", grey_backdrop, 95),
            ("greyscale", greyscale, 95),
            ("rolled 13 deg", rolled_clockwise, 95),
            ("rolled -13 deg", rolled_anticlockwise, 95),
            ("head too small", head_too_small, 95),
            ("head too large", head_too_large, 95),
            ("off centre 20%", off_centre, 95),
            ("blurred 2.5 px", badly_blurred, 95),
            ("under-exposed", underexposed, 95),
            ("JPEG q30", same, 30),
            ("posterised", posterised, 95),
        ];
        let approved: Vec<(std::path::PathBuf, Vec<u8>, FaceBox, FaceBox)> = files
            .par_iter()
            .filter_map(|path| {
                let bytes = std::fs::read(path).ok()?;
                let r = checker.check_bytes("original", &bytes, &opts);
                (r.verdict == Verdict::Approve)
                    .then(|| (path.clone(), bytes, face_box(&r).unwrap_or_default(), eye_box(&r).unwrap_or_default()))
            })
            .collect();
        println!("{} approved portraits", approved.len());
        let on_the_face: [(&str, FaceTransform, u8); 13] = [
            ("camera shake", shaken, 95),
            ("grainy", grainy, 90),
            ("mask painted", masked, 95),
            ("eyes barred", eyes_barred, 95),
            ("cheek sticker", cheek_sticker, 95),
            ("brow dot", brow_dot, 95),
            ("face pixelated", face_pixelated, 92),
            ("cheek blurred", cheek_blurred, 92),
            ("skin smoothed", beautified, 95),
            ("150 px scaled up", upscaled_from_small, 95),
            ("colour cast", colour_cast, 95),
            ("enlarged from 300", enlarged_from_300, 92),
            ("green face", green_face, 95),
        ];
        let whole: Vec<(&str, AnyUpload)> = violations
            .into_iter()
            .map(|(name, t, q)| {
                (name, Box::new(move |img: &RgbImage, _: FaceBox, _: FaceBox, original: &[u8]| encode(&t(img), q, original)) as AnyUpload)
            })
            .chain(on_the_face.into_iter().map(|(name, t, q)| {
                (
                    name,
                    Box::new(move |img: &RgbImage, face: FaceBox, _: FaceBox, original: &[u8]| encode(&t(img, face), q, original))
                        as AnyUpload,
                )
            }))
            .chain(std::iter::once((
                "one eye patched",
                Box::new(|img: &RgbImage, _: FaceBox, eye: FaceBox, original: &[u8]| encode(&eye_patched(img, eye), 95, original))
                    as AnyUpload,
            )))
            .chain(std::iter::once((
                // The portrait's own numbers under a profile that every viewer shows yellowed.
                "yellowing profile",
                Box::new(|img: &RgbImage, _: FaceBox, _: FaceBox, original: &[u8]| {
                    let jpeg = encode(img, 95, original);
                    photocheck::colour_profile::jpeg_with_profile(&jpeg, &photocheck::colour_profile::yellowing_profile()).unwrap_or(jpeg)
                }) as AnyUpload,
            )))
            .collect();
        let mut wrong_approvals = 0;
        for (name, upload) in whole {
            let caught: Vec<(String, Verdict, Vec<&'static str>)> = approved
                .par_iter()
                .filter_map(|(path, bytes, face, eye)| {
                    let img = image::load_from_memory(bytes).ok()?.to_rgb8();
                    let r = checker.check_bytes("variant", &upload(&img, *face, *eye, bytes), &opts);
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    Some((name, r.verdict, codes(&r)))
                })
                .collect();
            let wrong: Vec<&str> = caught.iter().filter(|c| c.1 == Verdict::Approve).map(|c| c.0.as_str()).collect();
            wrong_approvals += wrong.len();
            let review = caught.iter().filter(|c| c.1 == Verdict::Review).count();
            let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
            for c in &caught {
                for code in &c.2 {
                    *by_code.entry(code).or_default() += 1;
                }
            }
            let mut top: Vec<_> = by_code.into_iter().collect();
            top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            let top: Vec<String> = top.iter().take(5).map(|(c, n)| format!("{c} {n}")).collect();
            println!(
                "{name:<16} still approved {}/{} (review {review}); checks: {}{}",
                wrong.len(),
                caught.len(),
                top.join(", "),
                if wrong.is_empty() { String::new() } else { format!("; approved: {}", wrong.join(" ")) }
            );
        }
        // A floor for `.ci/run`: a broken rule is never approved.
        anyhow::ensure!(wrong_approvals == 0, "{wrong_approvals} variants that break a rule were approved");
        return Ok(());
    }
    let transforms: Vec<(&str, Transform, u8)> = if edits {
        vec![
            ("rolled 2 deg", rolled_2_clockwise, 95),
            ("rolled -2 deg", rolled_2_anticlockwise, 95),
            ("contrast +10%", more_contrast, 95),
            ("contrast -10%", less_contrast, 95),
            ("saturation +15%", more_saturated, 95),
            ("saturation -15%", less_saturated, 95),
            ("sharpened", sharpened, 95),
        ]
    } else if studio {
        vec![
            ("warmer (R+6%)", warmer, 95),
            ("cooler (B+6%)", cooler, 95),
            ("gamma 1.15", darker_midtones, 95),
            ("gamma 0.87", lighter_midtones, 95),
            ("520 px wide", smallest_upload, 95),
            ("2x resolution", doubled, 95),
            ("re-encoded q65", same, 65),
            ("noise +-3", noisy, 95),
        ]
    } else {
        vec![
            ("mirror", mirror, 95),
            ("1.3x resolution", upscale, 95),
            ("0.9x resolution", downscale, 95),
            ("re-encoded q80", same, 80),
            ("8% brighter", brighter, 95),
            ("blurred 0.8 px", softer, 95),
        ]
    };
    println!("{} photos in {}", files.len(), Path::new(dir).display());
    // STABILITY_SAVE=DIR keeps each variant whose failed or review codes changed, for a look;
    // STABILITY_ONLY=TEXT runs only the transformations whose name holds TEXT.
    let save_flips = std::env::var_os("STABILITY_SAVE").map(std::path::PathBuf::from);
    let only = std::env::var("STABILITY_ONLY").ok();
    for (name, transform, quality) in transforms {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let label = name;
        let results: Vec<Option<(bool, bool, Vec<&'static str>, Option<String>, Vec<(&'static str, f64)>, String)>> = files
            .par_iter()
            .map(|path| {
                let bytes = std::fs::read(path).ok()?;
                let img = image::load_from_memory(&bytes).ok()?.to_rgb8();
                let original = checker.check_bytes("original", &bytes, &opts);
                let upload = encode(&transform(&img), quality, &bytes);
                let variant = checker.check_bytes("variant", &upload, &opts);
                let (a, b) = (codes(&original), codes(&variant));
                let flipped: Vec<&'static str> =
                    a.iter().filter(|c| !b.contains(c)).chain(b.iter().filter(|c| !a.contains(c))).copied().collect();
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if let (Some(dir), false) = (&save_flips, flipped.is_empty()) {
                    let _ = std::fs::write(dir.join(format!("{}-{name}", label.replace(' ', "_"))), &upload);
                }
                // The change that matters most at a gate: approved one way, not the other.
                let approval = ((original.verdict == Verdict::Approve) != (variant.verdict == Verdict::Approve)).then(|| {
                    let side = if original.verdict == Verdict::Approve { "original" } else { "variant" };
                    format!("{name} ({side} approved; {})", flipped.join(" "))
                });
                // How far each measured value moved: the noise a check's band has to cover. Yaw and
                // roll are signed and change sign in the mirror: compare magnitudes.
                let drift = original
                    .checks
                    .iter()
                    .filter_map(|c| {
                        let v = variant.checks.iter().find(|d| d.code == c.code)?;
                        Some((c.code, (c.measured?.abs() - v.measured?.abs()).abs()))
                    })
                    .collect();
                Some((original.verdict != variant.verdict, a != b, flipped, approval, drift, name))
            })
            .collect();
        let done: Vec<_> = results.into_iter().flatten().collect();
        let verdicts = done.iter().filter(|r| r.0).count();
        let code_sets = done.iter().filter(|r| r.1).count();
        let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
        let one_sided: Vec<&str> = done.iter().filter_map(|r| r.3.as_deref()).collect();
        let approvals = one_sided.len();
        let mut drift: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (_, _, flipped, _, moved, _) in &done {
            for (code, d) in moved {
                drift.entry(code).or_default().push(*d);
            }
            for c in flipped {
                *by_code.entry(c).or_default() += 1;
            }
        }
        let mut top: Vec<_> = by_code.into_iter().collect();
        top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let top: Vec<String> = top.iter().take(6).map(|(c, n)| format!("{c} {n}")).collect();
        println!(
            "{name:<16} verdict changed {verdicts}/{} ({:.1} %; approved on one side only {approvals}), failed/review codes changed {code_sets}/{} ({:.1} %); flips: {}",
            done.len(),
            100.0 * verdicts as f64 / done.len().max(1) as f64,
            done.len(),
            100.0 * code_sets as f64 / done.len().max(1) as f64,
            top.join(", ")
        );
        let moved: Vec<String> = DRIFT_CODES
            .iter()
            .filter_map(|code| {
                let mut d = drift.get(code)?.clone();
                d.sort_by(f64::total_cmp);
                let at = |q: f64| d[((d.len() - 1) as f64 * q).round() as usize];
                Some(format!("{code} {:.3}/{:.3}/{:.3}", at(0.5), at(0.95), at(1.0)))
            })
            .collect();
        println!("{:<16} measured value moved (median/p95/max): {}", "", moved.join(", "));
        if !one_sided.is_empty() {
            println!("{:<16} approved on one side only: {}", "", one_sided.join(", "));
        }
        if let Ok(code) = std::env::var("STABILITY_FLIPS") {
            let files: Vec<&str> = done.iter().filter(|r| r.2.contains(&code.as_str())).map(|r| r.5.as_str()).collect();
            if !files.is_empty() {
                println!("{:<16} {code} changed on: {}", "", files.join(", "));
            }
        }
    }
    Ok(())
}
