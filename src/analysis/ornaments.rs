//! Ornaments at the ears: earrings of a colour no skin, hair or backdrop has (gold, coloured
//! stones, enamel). The notice forbids jewellery (饰品); no network here knows what an earring is,
//! so the scan looks where an earring hangs and for what only an ornament is there.
//!
//! Where: beside each earlobe, in face coordinates (see [`FaceFrame`]): `s` from 0.40 to 0.70 face
//! widths out from the face's axis (the cheek edges are at ±0.5, the ear reaches about 0.68),
//! `t` from 0.46 to 0.80 face heights below the forehead's top (the lobe's lower half and what
//! hangs from it; the ear's red concha lies above 0.46). The zone is sampled on a grid of
//! `STEP` face widths, so a stud is the same number of samples on every photo.
//!
//! What: a compact group of samples whose colour is far from the face's skin (`COLOUR_DISTANCE`
//! in CbCr), more saturated than the skin (`EXTRA_SATURATION`) and of another hue (`HUE_APART`,
//! degrees: an ear in warm light is skin's hue, only redder and more saturated) — or of skin's hue
//! but far beyond any skin's saturation (`STRONG_DISTANCE`, `STRONG_SATURATION`: a red stone) —
//! no longer than `MAX_SIZE` face widths (a hoop hanging from the lobe), at least `MIN_WIDTH`
//! pixels thick, not more than `MAX_ELONGATION` times longer one way than the other, and touching
//! skin on at least `SKIN_AROUND` of the ring around it (an ornament sits on the lobe; a patch of
//! coloured backdrop or clothing seen past the ear does not).
//!
//! What it does not see: silver, black, white and pearl studs, whose colour hair, shadow and the
//! backdrop share (looked for by size and contrast and not kept: the ear's own folds, its shadow
//! and hair read the same, see the README, "Jewellery (JW001)"), and necklaces.
//! Measured with `examples/ornament_scan.rs`: on the 179 London studio portraits (ready and raw)
//! the gold studs of 013 are found on all three photos of them and nothing on any other (158
//! without jewellery; the other five people's studs are silver or black); on the 942 of the 1076
//! dev web photos with a colour face frame, 15 photos: one earring (a red stone on a white
//! backdrop), three coloured backdrops beside the ear, nine masks, a bandana and patterned
//! clothing. Earrings drawn on the 83 ready portraits (`examples/variants.rs`, seed 20261202):
//! gold studs 94 %, gold hoops 82 %, gold drops 100 %, red, green and blue stones 89 %, 88 %,
//! 100 %; rose gold 4 %; silver, black and pearl 0 %. About 0.5 ms a photo.

use image::RgbImage;

use super::face_frame::{pixel, ycbcr, FaceFrame, SkinRef};
use super::scene::dilate;
use crate::imaging::filters::{regions, Connectivity};

/// The zone beside each ear, in face widths (`s`, out from the axis) and face heights (`t`).
const ZONE_S: (f32, f32) = (0.40, 0.70);
const ZONE_T: (f32, f32) = (0.46, 0.80);
/// Grid step, in face widths (about one pixel on a 600×800 ID photo).
const STEP: f32 = 0.004;
/// An ornament's colour: at least this far from skin's (Cb, Cr), this much more saturated, and
/// this many degrees of hue apart.
const COLOUR_DISTANCE: f32 = 30.0;
const EXTRA_SATURATION: f32 = 15.0;
const HUE_APART: f32 = 25.0;
/// Or, of skin's hue (a red stone), far beyond any skin's saturation: this far from skin's (Cb, Cr)
/// and this many times as saturated.
const STRONG_DISTANCE: f32 = 50.0;
const STRONG_SATURATION: f32 = 2.0;
/// Skin around it: within this of the face's (Cb, Cr) and this log-luminance range (an ear is often
/// darker than the cheeks).
const SKIN_CHROMA: f32 = 18.0;
const SKIN_LUMA: (f32, f32) = (-0.9, 0.35);
/// Size: at least `MIN_SAMPLES` grid samples and `MIN_PIXELS` image pixels (a JPEG's colour
/// fringe on a small face is not an ornament), at most `MAX_SIZE` face widths long.
const MIN_SAMPLES: usize = 4;
const MIN_PIXELS: f32 = 4.0;
const MAX_SIZE: f32 = 0.12;
/// Thinner than this (image pixels) is a JPEG fringe along an edge.
const MIN_WIDTH: f32 = 2.0;
const MAX_ELONGATION: f32 = 2.5;
/// Share of the ring around it (the samples 2 to `RING_REACH` out) that is skin.
const SKIN_AROUND: f32 = 0.3;
const RING_REACH: usize = 3;

/// An ornament found: its box in working-image pixels and its colour's distance from skin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ornament {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub colour_distance: f32,
}

/// What the scan found.
#[derive(Debug, Clone, Default)]
pub struct OrnamentScan {
    /// The scan ran: a face frame and a colour skin reference (a grey photo has no colour to go by).
    pub assessed: bool,
    pub found: Vec<Ornament>,
}

/// Ornaments beside both ears of the face in `frame`.
pub fn find_ornaments(image: &RgbImage, frame: Option<FaceFrame>, skin: Option<SkinRef>) -> OrnamentScan {
    let (Some(frame), Some(skin)) = (frame, skin) else { return OrnamentScan::default() };
    if skin.gray {
        return OrnamentScan::default();
    }
    let found = [-1.0f32, 1.0].iter().flat_map(|&side| ear_ornaments(image, &frame, &skin, side)).collect();
    OrnamentScan { assessed: true, found }
}

fn ear_ornaments(image: &RgbImage, frame: &FaceFrame, skin: &SkinRef, side: f32) -> Vec<Ornament> {
    let ns = ((ZONE_S.1 - ZONE_S.0) / STEP).round() as usize;
    let nt = ((ZONE_T.1 - ZONE_T.0) / STEP).round() as usize;
    let (w, h) = (image.width() as f32, image.height() as f32);
    let at = |i: usize, j: usize| frame.point(side * (ZONE_S.0 + (i as f32 + 0.5) * STEP), ZONE_T.0 + (j as f32 + 0.5) * STEP);
    let skin_saturation = skin.cb.hypot(skin.cr);
    let skin_hue = skin.cr.atan2(skin.cb);
    let mut is_skin = vec![false; ns * nt];
    let mut ornament = vec![false; ns * nt];
    let mut distance = vec![0.0f32; ns * nt];
    for j in 0..nt {
        for i in 0..ns {
            let p = at(i, j);
            if p.x < 0.0 || p.y < 0.0 || p.x >= w || p.y >= h {
                continue;
            }
            let (y, cb, cr) = ycbcr(pixel(image, p));
            let d = (cb - skin.cb).hypot(cr - skin.cr);
            let lum = ((y + 10.0) / (skin.y + 10.0)).ln();
            let k = j * ns + i;
            is_skin[k] = lum > SKIN_LUMA.0 && lum < SKIN_LUMA.1 && d < SKIN_CHROMA;
            let mut hue_apart = (cr.atan2(cb) - skin_hue).abs();
            if hue_apart > std::f32::consts::PI {
                hue_apart = 2.0 * std::f32::consts::PI - hue_apart;
            }
            let saturation = cb.hypot(cr);
            ornament[k] = (d > COLOUR_DISTANCE && saturation > skin_saturation + EXTRA_SATURATION && hue_apart.to_degrees() >= HUE_APART)
                || (d > STRONG_DISTANCE && saturation > STRONG_SATURATION * skin_saturation);
            distance[k] = d;
        }
    }
    let sample_pixels = (STEP * frame.width).powi(2);
    let mut out = Vec::new();
    for piece in regions(&ornament, ns, nt, Connectivity::Eight) {
        if piece.len() < MIN_SAMPLES || piece.len() as f32 * sample_pixels < MIN_PIXELS {
            continue;
        }
        let (i0, j0, i1, j1) = piece.iter().fold((usize::MAX, usize::MAX, 0, 0), |(a, b, c, d), &k| {
            (a.min(k % ns), b.min(k / ns), c.max(k % ns), d.max(k / ns))
        });
        let (long, short) = ((i1 - i0 + 1).max(j1 - j0 + 1) as f32, (i1 - i0 + 1).min(j1 - j0 + 1) as f32);
        if long * STEP > MAX_SIZE || long > MAX_ELONGATION * short || short * STEP * frame.width < MIN_WIDTH {
            continue;
        }
        // The ring is measured on the piece's box and its reach only, not the whole zone.
        let (wi0, wj0) = (i0.saturating_sub(RING_REACH), j0.saturating_sub(RING_REACH));
        let (ww, wh) = ((i1 + RING_REACH).min(ns - 1) - wi0 + 1, (j1 + RING_REACH).min(nt - 1) - wj0 + 1);
        let mut mask = vec![false; ww * wh];
        for &k in &piece {
            mask[(k / ns - wj0) * ww + (k % ns - wi0)] = true;
        }
        let (near, far) = (dilate(&mask, ww, wh, 1), dilate(&mask, ww, wh, RING_REACH));
        let ring: Vec<usize> =
            (0..ww * wh).filter(|&w| far[w] && !near[w]).map(|w| (wj0 + w / ww) * ns + wi0 + w % ww).collect();
        let skin_share = ring.iter().filter(|&&k| is_skin[k]).count() as f32 / ring.len().max(1) as f32;
        if skin_share < SKIN_AROUND {
            continue;
        }
        let corners = [at(i0, j0), at(i1, j0), at(i0, j1), at(i1, j1)];
        let half = 0.5 * STEP * frame.width;
        let (x0, x1) = corners.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.x), b.max(p.x)));
        let (y0, y1) = corners.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.y), b.max(p.y)));
        let colour_distance = piece.iter().map(|&k| distance[k]).sum::<f32>() / piece.len() as f32;
        out.push(Ornament {
            x: (x0 - half).max(0.0),
            y: (y0 - half).max(0.0),
            width: x1 - x0 + 2.0 * half,
            height: y1 - y0 + 2.0 * half,
            colour_distance,
        });
    }
    out
}
