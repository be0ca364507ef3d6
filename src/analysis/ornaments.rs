//! Ornaments at the ears: earrings of a colour no skin, hair or backdrop has (gold, coloured
//! stones, enamel), and the glint of a stud (metal or a stone: a specular point no skin makes; see
//! `GLINT_STEP`). The notice forbids jewellery (饰品); no network here knows what an earring is,
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
//! What it does not see: a stud whose colour hair, shadow or the backdrop shares and that shows
//! no glint (a matt black stud, one at the lobe's edge against the backdrop, a blurred one),
//! and necklaces. Looked for by size and contrast and not kept: the ear's own folds, its shadow
//! and hair read like studs (see the README, "Jewellery (JW001)"); a glint is a point, which they
//! are not.
//! Measured with `examples/ornament_scan.rs`: on the 179 London studio portraits (ready and raw)
//! the gold studs of 013 are found on all three photos of them and nothing on any other (158
//! without jewellery; the other five people's studs are silver or black); on the 942 of the 1076
//! dev web photos with a colour face frame, 15 photos: one earring (a red stone on a white
//! backdrop), three coloured backdrops beside the ear, nine masks, a bandana and patterned
//! clothing. Earrings drawn on the 83 ready portraits (`examples/variants.rs`, seed 20261202):
//! gold studs 94 %, gold hoops 82 %, gold drops 100 %, red, green and blue stones 89 %, 88 %,
//! 100 %; rose gold 4 %; silver, black and pearl 0 % (before glints). About 0.5 ms a photo.
//!
//! Glints (since 2026-12-04), the same photos: the silver studs of 043 (both photos, ready and
//! raw) and 112 (ready and raw) are found, nothing on the 158 without jewellery (the strongest
//! point there reads 0.37 against the shipped limit 0.5); 3 of the 942 dev web photos:
//! a drop earring with stones, and two rough textures beside a face. The black studs of 114
//! and 042 show no point brighter than their ring and stay unseen. About 2.3 ms more a photo.
//!
//! Discs (since 2026-12-05, stop 52; see `DISC_STEP`): a small piece of one even colour set apart
//! from the lobe all round, whatever its colour: drawn black studs and pearls, which neither test
//! above sees. Nothing on the 158 London portraits without jewellery; 4 more of the 942 dev web
//! photos (a mask's strap across the lobe, a blown highlight on a turned head's lobe, a pixelated
//! face, the backdrop at a jaw's edge: all rejected for other checks). About 3.8 ms more a photo.
//!
//! Hoops (since stop 53; see `HOOP_RADII`): a thin ring hanging from the lobe, of any colour but
//! skin's: the silver hoops none of the tests above sees. Nothing counted on the 158 London
//! portraits without jewellery (the strongest reads 1.54 against the shipped 1.8). About 5 ms more
//! a photo.

use image::RgbImage;

use super::face_frame::{pixel, ycbcr, FaceFrame, SkinRef};
use super::scene::dilate;
use crate::imaging::filters::{regions, Connectivity};
use crate::imaging::Point;

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

/// Glints: the specular highlight of a metal stud or a stone — a point brighter than everything
/// on a ring `GLINT_RING` samples of `GLINT_STEP` face widths around it (a skin highlight is
/// broad, the ear's rim a line: both reach the ring), by at least `GLINT_CANDIDATE` in log luma,
/// a local maximum within `GLINT_PEAK` samples, sitting on skin (`GLINT_SKIN_SHARE` of the rings
/// `GLINT_SKIN_RINGS` samples out are skin or the white backdrop, at least `GLINT_SKIN_MIN` skin:
/// the backdrop glimpsed through dark hair is a bright point too, with hair around it), in the
/// lobe's zone `GLINT_ZONE_S` × `GLINT_ZONE_T`. The backdrop can only be on the outer rings: on
/// the inner ring it is as bright as any glint. Looked for only where the ring is at least
/// `GLINT_MIN_RING_PX` image pixels wide (a stud on a small face is a pixel or two).
const GLINT_STEP: f32 = 0.003;
const GLINT_RING: i32 = 3;
const GLINT_PEAK: i32 = 2;
const GLINT_SKIN_RINGS: [i32; 3] = [4, 5, 6];
const GLINT_SKIN_SHARE: f32 = 0.5;
/// … of which skin at least this much: a stud at the lobe's edge has the backdrop on one side (a
/// stud painted there on London 032_03 was missed with skin alone counted; on the London portraits
/// and their variants the backdrop changed no glint's fate).
const GLINT_SKIN_MIN: f32 = 0.25;
/// The white backdrop: at least this luma, within this of neutral (Cb, Cr).
const GLINT_BACKDROP_LUMA: f32 = 200.0;
const GLINT_BACKDROP_CHROMA: f32 = 12.0;
/// Skin for the glint's rings: within this of the face's (Cb, Cr) (wider than `SKIN_CHROMA`: the
/// lobe's skin beside a stud is redder or darker than the cheeks; at 18, a portrait 8 % brighter
/// lost its stud), in `SKIN_LUMA`.
const GLINT_SKIN_CHROMA: f32 = 24.0;
/// … and at least this share of the face's saturation: at 24 from a fair skin's (Cb, Cr) lies
/// grey, and grey is the backdrop blended into dark curly hair (without it, London 069_03 with a
/// gamma of 1.15 or sensor noise showed a "glint" of 0.61–0.65 there; at 0.3, the lobe around
/// 043's silver studs, darker and greyer than the face, was no longer skin).
const GLINT_SKIN_SATURATION: f32 = 0.15;
/// The weakest glint reported (log luma over the ring); the profile's `[rules.jewellery]
/// min_glint_contrast` decides which count (0.5 in the shipped one). Measured for that limit: on
/// the 158 London portraits without jewellery (ready and raw) and 1130 variants of them
/// (mirror, 0.9×, 1.3×, 520 px wide, q80, 8 % brighter, a 0.8 px blur; on four, gammas 1.15 and
/// 0.87, q65 and noise) no point reached 0.45; the silver studs of 043 read 0.48–1.34 over their
/// variants, the smaller one of 112 at most 0.72 and under 0.5 in 9 of its 22 photos and variants.
const GLINT_CANDIDATE: f32 = 0.3;
const GLINT_ZONE_S: (f32, f32) = (0.42, 0.70);
const GLINT_ZONE_T: (f32, f32) = (0.46, 0.80);
const GLINT_MIN_RING_PX: f32 = 1.5;
/// Glints closer than this (face widths) are one ornament.
const GLINT_APART: f32 = 0.03;
/// Points on each ring (offsets rounded to the grid; repeats dropped).
const RING_POINTS: usize = 24;

/// Discs: a small piece of one even colour on the lobe (`DISC_ZONE_S` × `DISC_ZONE_T`, which is
/// the coloured scan's zone), set apart from what lies around it on every side. For each centre
/// on a grid of `DISC_STEP` face widths and each radius `r` of `DISC_RADII`: the mean and the
/// luma's spread of the square `DISC_INNER`·r wide on it, and the mean of `DISC_DIRECTIONS`
/// squares `DISC_OUTER`·r wide, `DISC_REACH`·r away all round. Its strength is the smallest
/// colour distance (luma, and Cb and Cr weighted by `DISC_CHROMA_WEIGHT`) from the inside to any
/// of them, over the inside's luma spread plus `DISC_NOISE`: a stud differs from the lobe all
/// round and is even inside; the ear's folds and shadows are lines and gradients, like the lobe
/// on some side, or uneven. At least `DISC_SKIN_AROUND` of the squares around must be skin
/// (within `DISC_SKIN_CHROMA` of the face's (Cb, Cr), `DISC_SKIN_SATURATION` of its saturation,
/// in `SKIN_LUMA`): a patch of backdrop seen through curly hair is a disc too, with hair around
/// it. Radii under `DISC_MIN_RADIUS_PX` image pixels are left out: on small web photos a pixel
/// or two of a mask's print, a glasses frame's corner or a strap reads as a disc. Centres lie
/// `r / DISC_STRIDE` samples apart (at least one), so each radius costs about as much as the
/// smallest.
///
/// How it was set (2026-12-05, stop 52; a `/tmp` Python prototype of the same measure on the
/// ear zones first, then this code through `examples/ornament_scan`): on the 158 London portraits
/// without jewellery (ready and raw) no disc reaches `DISC_CANDIDATE`, and no variant of the
/// `stability` runs (both sets) brought one over the profile's 4.5; drawn black studs and pearls
/// read a median 4.9 and 7.8, silver and rose-gold studs 3.5-3.6 (their highlight is part of the
/// inside's spread). The real studs on the London portraits read under 3.1: small and soft at
/// those portraits' scale, they are left to the glint test. `[rules.jewellery] min_disc_contrast`
/// says which count: on the 942 dev web photos with a colour face frame, discs alone would flag 4
/// photos at 4.5, 8 at 4.0, 16 at 3.5. A step of 0.002 face widths found one drawn earring fewer
/// and cost 9 ms a photo, not 6.6 (both median, two photos at a time).
const DISC_STEP: f32 = 0.003;
const DISC_ZONE_S: (f32, f32) = ZONE_S;
const DISC_ZONE_T: (f32, f32) = ZONE_T;
const DISC_RADII: [f32; 5] = [0.009, 0.012, 0.016, 0.021, 0.027];
const DISC_INNER: f32 = 1.2;
const DISC_OUTER: f32 = 0.4;
const DISC_REACH: f32 = 1.5;
const DISC_DIRECTIONS: usize = 16;
const DISC_CHROMA_WEIGHT: f32 = 2.0;
const DISC_NOISE: f32 = 4.0;
const DISC_SKIN_AROUND: usize = 6;
const DISC_SKIN_CHROMA: f32 = 12.0;
const DISC_SKIN_SATURATION: f32 = 0.5;
const DISC_MIN_RADIUS_PX: f32 = 2.5;
/// The weakest disc reported (the profile's limit is above it).
const DISC_CANDIDATE: f32 = 3.0;
/// Discs closer than this (face widths) are one ornament.
const DISC_APART: f32 = 0.04;
const DISC_STRIDE: f32 = 3.0;

/// Hoops (since stop 53): a thin ring hanging from the lobe, of any colour but skin's (a silver
/// hoop has neither a colour of its own nor a disc's filled inside). Centres on every pixel of a
/// zone just under the lobe (`HOOP_ZONE_S`, `HOOP_ZONE_T`: a hoop's centre hangs a radius below
/// where it is worn); radii from `HOOP_RADII.0` to `.1` face widths (at least
/// `HOOP_MIN_RADIUS_PX`), a factor `HOOP_RADIUS_STEP` apart. At each of `HOOP_ANGLES` angles the
/// ring is the most distinct of three samples a pixel apart across the radius (what the radii's
/// steps and a thicker ring need), against one sample inside and one outside, `HOOP_GAP` of the
/// radius (at least `HOOP_MIN_GAP_PX`) beyond them: colour distance, Cb and Cr counted
/// `HOOP_CHROMA_WEIGHT` times. An angle is weak under `HOOP_MIN_CONTRAST`, or where no ring
/// sample is a thin-line pixel; at most `HOOP_WEAK_ANGLES` may be (where the ring crosses the
/// lobe or something of its own colour). Strength: the weakest angle left, over the ring's
/// unevenness from one angle to the next plus `HOOP_NOISE` (a metal ring's shading changes
/// slowly round it; hair and texture do not). A ring of skin's hue (`HOOP_SKIN_HUE` degrees,
/// `HOOP_SKIN_SATURATION` of its saturation at least) is a fold of the ear, not a hoop.
/// Measured with `examples/ornament_scan.rs` on the 179 London portraits (none without
/// jewellery reads over 1.54), hoops drawn by `examples/variants.rs` (silver, shaded, seed
/// 20261202: 1.98–7.6) and the 1076 dev web photos (see the README, "Hoops").
const HOOP_RADII: (f32, f32) = (0.016, 0.06);
/// Faces wider than this (pixels) are read on averaged blocks, so that the scan's cost stays
/// that of a face this wide (a ring a thousandth of such a face thick is no hoop one sees).
const HOOP_FACE_PX: f32 = 400.0;
const HOOP_MIN_RADIUS_PX: f32 = 4.0;
const HOOP_RADIUS_STEP: f32 = 1.2;
const HOOP_ZONE_S: (f32, f32) = (0.42, 0.70);
const HOOP_ZONE_T: (f32, f32) = (0.52, 0.74);
const HOOP_ANGLES: usize = 24;
const HOOP_GAP: f32 = 0.2;
const HOOP_MIN_GAP_PX: f32 = 1.5;
const HOOP_CHROMA_WEIGHT: f32 = 2.0;
const HOOP_MIN_CONTRAST: f32 = 12.0;
const HOOP_WEAK_ANGLES: usize = 5;
/// Of the first third of the angles (every third angle), at most this many may be weak: most
/// centres are dropped after three or four readings.
const HOOP_WEAK_FIRST: usize = 2;
/// Centres are first tried every second pixel, asking only that the first third of the ring
/// lies within this many pixels of a thin-line pixel; the four centres around one that passes
/// are then read in full: the same hoops as reading every centre in full on the London portraits
/// and the drawn hoops, in half the time (one photo at a time, 9.3 → 4.3 ms).
const HOOP_COARSE_REACH: usize = 2;
const HOOP_SKIN_HUE: f32 = 25.0;
const HOOP_SKIN_SATURATION: f32 = 0.5;
/// Every third angle, then the rest.
const HOOP_ORDER: [usize; HOOP_ANGLES] = {
    let mut order = [0; HOOP_ANGLES];
    let mut n = 0;
    while n < HOOP_ANGLES {
        order[n] = (n % (HOOP_ANGLES / 3)) * 3 + n / (HOOP_ANGLES / 3);
        n += 1;
    }
    order
};
const HOOP_NOISE: f32 = 4.0;
/// The weakest hoop reported (the profile's limit is above it).
const HOOP_CANDIDATE: f32 = 1.0;
/// Hoops closer than this (face widths) are one ornament.
const HOOP_APART: f32 = 0.04;

/// How an ornament was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrnamentKind {
    /// A colour no skin has (gold, a coloured stone, enamel).
    Coloured,
    /// A specular point on the lobe (a metal stud, a stone, a pearl).
    Glint,
    /// A small disc of one even colour on the lobe, apart from everything around it (a stud, a
    /// pearl, a stone or a hoop of any colour: silver and black ones, which neither the colour
    /// nor the glint test sees).
    Disc,
    /// A thin ring of one colour hanging from the lobe, set apart from what lies inside and
    /// outside it all round (a hoop of any colour: silver ones, which no test above sees).
    Hoop,
}

/// An ornament found: its box in working-image pixels, how it was found, and how strongly: the
/// colour's distance from skin in CbCr (coloured) or the glint's log-luma contrast over its ring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ornament {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub kind: OrnamentKind,
    pub strength: f32,
}

impl Ornament {
    /// A square `half` pixels either side of `centre`, cut at the image's top and left edges.
    fn square(centre: Point, half: f32, kind: OrnamentKind, strength: f32) -> Ornament {
        let (x, y) = ((centre.x - half).max(0.0), (centre.y - half).max(0.0));
        Ornament { x, y, width: 2.0 * half, height: 2.0 * half, kind, strength }
    }

    fn centre(&self) -> Point {
        Point::new(self.x + 0.5 * self.width, self.y + 0.5 * self.height)
    }

    /// Whether JW001 counts it: every coloured ornament; a glint, a disc or a hoop from its limit.
    pub fn counts(&self, limits: &OrnamentLimits) -> bool {
        match self.kind {
            OrnamentKind::Coloured => true,
            OrnamentKind::Glint => self.strength >= limits.glint,
            OrnamentKind::Disc => self.strength >= limits.disc,
            OrnamentKind::Hoop => self.strength >= limits.hoop,
        }
    }
}

/// The strengths from which JW001 counts a glint, a disc and a hoop (the profile's
/// `[rules.jewellery]` `min_glint_contrast`, `min_disc_contrast` and `min_hoop_contrast`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrnamentLimits {
    pub glint: f32,
    pub disc: f32,
    pub hoop: f32,
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
    let found = [-1.0f32, 1.0]
        .iter()
        .flat_map(|&side| {
            let mut found = ear_ornaments(image, &frame, &skin, side);
            // A glint or a disc inside a coloured ornament found already is that ornament's sheen
            // or the ornament itself.
            for g in ear_glints(image, &frame, &skin, side)
                .into_iter()
                .chain(ear_discs(image, &frame, &skin, side))
                .chain(ear_hoops(image, &frame, &skin, side))
            {
                let c = g.centre();
                if !found.iter().any(|o| c.x >= o.x && c.x <= o.x + o.width && c.y >= o.y && c.y <= o.y + o.height) {
                    found.push(g);
                }
            }
            found
        })
        .collect();
    OrnamentScan { assessed: true, found }
}

fn ear_ornaments(image: &RgbImage, frame: &FaceFrame, skin: &SkinRef, side: f32) -> Vec<Ornament> {
    let ns = ((ZONE_S.1 - ZONE_S.0) / STEP).round() as usize;
    let nt = ((ZONE_T.1 - ZONE_T.0) / STEP).round() as usize;
    let at = |i: usize, j: usize| frame.point(side * (ZONE_S.0 + (i as f32 + 0.5) * STEP), ZONE_T.0 + (j as f32 + 0.5) * STEP);
    let skin_saturation = skin.cb.hypot(skin.cr);
    let skin_hue = skin.cr.atan2(skin.cb);
    let mut is_skin = vec![false; ns * nt];
    let mut ornament = vec![false; ns * nt];
    let mut distance = vec![0.0f32; ns * nt];
    for (k, sample) in sample_grid(image, ns, nt, at).into_iter().enumerate() {
        let Some((y, cb, cr)) = sample else { continue };
        let d = (cb - skin.cb).hypot(cr - skin.cr);
        let lum = ((y + 10.0) / (skin.y + 10.0)).ln();
        is_skin[k] = lum > SKIN_LUMA.0 && lum < SKIN_LUMA.1 && d < SKIN_CHROMA;
        let apart = hue_apart(cb, cr, skin_hue);
        let saturation = cb.hypot(cr);
        ornament[k] = (d > COLOUR_DISTANCE && saturation > skin_saturation + EXTRA_SATURATION && apart.to_degrees() >= HUE_APART)
            || (d > STRONG_DISTANCE && saturation > STRONG_SATURATION * skin_saturation);
        distance[k] = d;
    }
    let sample_pixels = (STEP * frame.width).powi(2);
    let mut out = Vec::new();
    for piece in regions(&ornament, ns, nt, Connectivity::Eight) {
        if piece.len() < MIN_SAMPLES || piece.len() as f32 * sample_pixels < MIN_PIXELS {
            continue;
        }
        let (i0, j0, i1, j1) = piece
            .iter()
            .fold((usize::MAX, usize::MAX, 0, 0), |(a, b, c, d), &k| (a.min(k % ns), b.min(k / ns), c.max(k % ns), d.max(k / ns)));
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
        let ring: Vec<usize> = (0..ww * wh).filter(|&w| far[w] && !near[w]).map(|w| (wj0 + w / ww) * ns + wi0 + w % ww).collect();
        let skin_share = ring.iter().filter(|&&k| is_skin[k]).count() as f32 / ring.len().max(1) as f32;
        if skin_share < SKIN_AROUND {
            continue;
        }
        let corners = [at(i0, j0), at(i1, j0), at(i0, j1), at(i1, j1)];
        let half = 0.5 * STEP * frame.width;
        let (x0, y0, x1, y1) = bounds(&corners);
        let colour_distance = piece.iter().map(|&k| distance[k]).sum::<f32>() / piece.len() as f32;
        out.push(Ornament {
            x: (x0 - half).max(0.0),
            y: (y0 - half).max(0.0),
            width: x1 - x0 + 2.0 * half,
            height: y1 - y0 + 2.0 * half,
            kind: OrnamentKind::Coloured,
            strength: colour_distance,
        });
    }
    out
}

/// The ring of `RING_POINTS` grid offsets at radius `r` samples.
fn ring(r: i32) -> Vec<(i32, i32)> {
    let mut points: Vec<(i32, i32)> = (0..RING_POINTS)
        .map(|k| {
            let a = k as f32 * std::f32::consts::TAU / RING_POINTS as f32;
            ((r as f32 * a.cos()).round() as i32, (r as f32 * a.sin()).round() as i32)
        })
        .collect();
    points.sort_unstable();
    points.dedup();
    points
}

/// Glints on the lobe beside the ear on `side` (see `GLINT_STEP`).
fn ear_glints(image: &RgbImage, frame: &FaceFrame, skin: &SkinRef, side: f32) -> Vec<Ornament> {
    if GLINT_RING as f32 * GLINT_STEP * frame.width < GLINT_MIN_RING_PX {
        return Vec::new();
    }
    // The zone and a margin as wide as the outermost skin ring.
    let pad = GLINT_SKIN_RINGS[2];
    let ns = ((GLINT_ZONE_S.1 - GLINT_ZONE_S.0) / GLINT_STEP).round() as i32 + 2 * pad;
    let nt = ((GLINT_ZONE_T.1 - GLINT_ZONE_T.0) / GLINT_STEP).round() as i32 + 2 * pad;
    let at = |i: i32, j: i32| {
        frame.point(side * (GLINT_ZONE_S.0 + ((i - pad) as f32 + 0.5) * GLINT_STEP), GLINT_ZONE_T.0 + ((j - pad) as f32 + 0.5) * GLINT_STEP)
    };
    let skin_saturation = skin.cb.hypot(skin.cr);
    // Per sample: luma + 10 (the log contrast's offset; NaN off the image), compared by ratio so
    // that no sample needs a log, and whether it is skin.
    let mut luma = vec![f32::NAN; (ns * nt) as usize];
    let skin_luma = (SKIN_LUMA.0.exp() * (skin.y + 10.0), SKIN_LUMA.1.exp() * (skin.y + 10.0));
    let min_ratio = GLINT_CANDIDATE.exp();
    let mut is_skin = vec![false; (ns * nt) as usize];
    let mut is_backdrop = vec![false; (ns * nt) as usize];
    for (k, sample) in sample_grid(image, ns as usize, nt as usize, |i, j| at(i as i32, j as i32)).into_iter().enumerate() {
        let Some((y, cb, cr)) = sample else { continue };
        luma[k] = y + 10.0;
        is_skin[k] = luma[k] > skin_luma.0
            && luma[k] < skin_luma.1
            && (cb - skin.cb).hypot(cr - skin.cr) < GLINT_SKIN_CHROMA
            && cb.hypot(cr) >= GLINT_SKIN_SATURATION * skin_saturation;
        is_backdrop[k] = y >= GLINT_BACKDROP_LUMA && cb.hypot(cr) < GLINT_BACKDROP_CHROMA;
    }
    let get = |i: i32, j: i32| if i < 0 || j < 0 || i >= ns || j >= nt { f32::NAN } else { luma[(j * ns + i) as usize] };
    let bright_ring = ring(GLINT_RING);
    let skin_rings: Vec<Vec<(i32, i32)>> = GLINT_SKIN_RINGS.iter().map(|&r| ring(r)).collect();
    let sample_px = GLINT_STEP * frame.width;
    let mut out = Vec::new();
    for j in pad..nt - pad {
        for i in pad..ns - pad {
            let centre = get(i, j);
            if centre.is_nan() {
                continue;
            }
            // A local maximum (ties allowed: a saturated highlight is flat on top). Tested first:
            // most samples have a brighter neighbour among the first few looked at.
            let peak = (-GLINT_PEAK..=GLINT_PEAK).all(|dj| (-GLINT_PEAK..=GLINT_PEAK).all(|di| !(get(i + di, j + dj) > centre)));
            if !peak {
                continue;
            }
            let ring_max = bright_ring.iter().map(|&(di, dj)| get(i + di, j + dj)).filter(|v| !v.is_nan()).fold(f32::MIN, f32::max);
            // No ring on the image (luma + 10 is at least 10 wherever there is one): no contrast.
            if ring_max <= 0.0 || centre < min_ratio * ring_max {
                continue;
            }
            let (mut skin, mut open, mut rings) = (0.0f32, 0.0f32, 0);
            for points in &skin_rings {
                let inside: Vec<usize> = points
                    .iter()
                    .filter_map(|&(di, dj)| {
                        let (a, b) = (i + di, j + dj);
                        (a >= 0 && b >= 0 && a < ns && b < nt).then_some((b * ns + a) as usize)
                    })
                    .collect();
                let n = points.len() as f32;
                skin += inside.iter().filter(|&&k| is_skin[k]).count() as f32 / n;
                open += inside.iter().filter(|&&k| is_skin[k] || is_backdrop[k]).count() as f32 / n;
                rings += 1;
            }
            if skin / (rings as f32) < GLINT_SKIN_MIN || open / (rings as f32) < GLINT_SKIN_SHARE {
                continue;
            }
            out.push(Ornament::square(at(i, j), GLINT_RING as f32 * sample_px, OrnamentKind::Glint, (centre / ring_max).ln()));
        }
    }
    // One ornament per stud: of glints closer than `GLINT_APART` face widths (a stud's size), the
    // strongest stands for them.
    strongest_apart(out, GLINT_APART * frame.width)
}

/// The angle (radians, 0 to π) between the hue of (`cb`, `cr`) and `hue`.
fn hue_apart(cb: f32, cr: f32, hue: f32) -> f32 {
    let apart = (cr.atan2(cb) - hue).abs();
    if apart > std::f32::consts::PI {
        std::f32::consts::TAU - apart
    } else {
        apart
    }
}

/// The box (x0, y0, x1, y1) around `points`.
fn bounds(points: &[Point]) -> (f32, f32, f32, f32) {
    points.iter().fold((f32::MAX, f32::MAX, f32::MIN, f32::MIN), |(x0, y0, x1, y1), p| (x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y)))
}

/// Of ornaments whose centres lie closer than `apart` pixels, the strongest.
fn strongest_apart(mut found: Vec<Ornament>, apart: f32) -> Vec<Ornament> {
    found.sort_by(|a, b| b.strength.total_cmp(&a.strength));
    let mut kept: Vec<Ornament> = Vec::new();
    for o in found {
        if kept.iter().all(|k| k.centre().dist(o.centre()) > apart) {
            kept.push(o);
        }
    }
    kept
}

/// Summed-area tables of a grid's Y, Cb, Cr, Y² and validity (on the image), interleaved, for
/// box means.
struct BoxSums {
    ns: usize,
    nt: usize,
    sums: Vec<[f64; 5]>,
    /// Every sample lies on the image (the usual case): boxes need no validity test.
    whole: bool,
}

impl BoxSums {
    fn new(samples: &[Option<(f32, f32, f32)>], ns: usize, nt: usize) -> BoxSums {
        let w = ns + 1;
        let mut sums = vec![[0.0f64; 5]; w * (nt + 1)];
        for j in 0..nt {
            for i in 0..ns {
                let v = samples[j * ns + i].map_or([0.0; 5], |(y, cb, cr)| [y as f64, cb as f64, cr as f64, (y * y) as f64, 1.0]);
                let at = (j + 1) * w + i + 1;
                let (left, up, diagonal) = (sums[at - 1], sums[at - w], sums[at - w - 1]);
                sums[at] = std::array::from_fn(|c| v[c] + left[c] + up[c] - diagonal[c]);
            }
        }
        BoxSums { ns, nt, sums, whole: samples.iter().all(Option::is_some) }
    }

    /// Means of Y, Cb, Cr and Y² over the `side` × `side` box centred at (i, j); None unless it
    /// lies wholly on the grid and the image.
    fn mean(&self, i: i32, j: i32, side: i32) -> Option<[f32; 4]> {
        let (i0, j0) = (i - side / 2, j - side / 2);
        let (i1, j1) = (i0 + side, j0 + side);
        if i0 < 0 || j0 < 0 || i1 > self.ns as i32 || j1 > self.nt as i32 {
            return None;
        }
        let w = self.ns + 1;
        let (i0, j0, i1, j1) = (i0 as usize, j0 as usize, i1 as usize, j1 as usize);
        let (a, b, c, d) = (self.sums[j1 * w + i1], self.sums[j0 * w + i1], self.sums[j1 * w + i0], self.sums[j0 * w + i0]);
        let sum = |k: usize| a[k] - b[k] - c[k] + d[k];
        let n = (side * side) as f64;
        if !self.whole && sum(4) < n - 0.5 {
            return None;
        }
        Some([(sum(0) / n) as f32, (sum(1) / n) as f32, (sum(2) / n) as f32, (sum(3) / n) as f32])
    }
}

/// Discs on the lobe beside the ear on `side` (see `DISC_STEP`).
fn ear_discs(image: &RgbImage, frame: &FaceFrame, skin: &SkinRef, side: f32) -> Vec<Ornament> {
    let sample_px = DISC_STEP * frame.width;
    // Rows step as far as columns: t is in face heights.
    let t_step = DISC_STEP * frame.width / frame.height.max(1.0);
    let reach = DISC_RADII[DISC_RADII.len() - 1] * (DISC_REACH + DISC_OUTER) / DISC_STEP;
    let pad = reach.ceil() as i32 + 1;
    let ns = ((DISC_ZONE_S.1 - DISC_ZONE_S.0) / DISC_STEP).round() as i32 + 2 * pad;
    let nt = ((DISC_ZONE_T.1 - DISC_ZONE_T.0) / t_step).round() as i32 + 2 * pad;
    if ns <= 2 * pad || nt <= 2 * pad {
        return Vec::new();
    }
    let at = |i: i32, j: i32| frame.point(side * (DISC_ZONE_S.0 + (i - pad) as f32 * DISC_STEP), DISC_ZONE_T.0 + (j - pad) as f32 * t_step);
    let samples = sample_grid(image, ns as usize, nt as usize, |i, j| at(i as i32, j as i32));
    let sums = BoxSums::new(&samples, ns as usize, nt as usize);
    let skin_saturation = skin.cb.hypot(skin.cr);
    let skin_luma = (SKIN_LUMA.0.exp() * (skin.y + 10.0), SKIN_LUMA.1.exp() * (skin.y + 10.0));
    let is_skin = |m: &[f32; 4]| {
        let (y, cb, cr) = (m[0] + 10.0, m[1], m[2]);
        y > skin_luma.0
            && y < skin_luma.1
            && (cb - skin.cb).hypot(cr - skin.cr) < DISC_SKIN_CHROMA
            && cb.hypot(cr) >= DISC_SKIN_SATURATION * skin_saturation
    };
    let mut out = Vec::new();
    for r in DISC_RADII {
        if r * frame.width < DISC_MIN_RADIUS_PX {
            continue;
        }
        let rs = r / DISC_STEP;
        let inner = ((DISC_INNER * rs).round() as i32).max(1);
        let outer = ((DISC_OUTER * rs).round() as i32).max(1);
        let offsets: Vec<(i32, i32)> = (0..DISC_DIRECTIONS)
            .map(|k| {
                let a = k as f32 * std::f32::consts::TAU / DISC_DIRECTIONS as f32;
                ((DISC_REACH * rs * a.cos()).round() as i32, (DISC_REACH * rs * a.sin()).round() as i32)
            })
            .collect();
        // Centres a third of the radius apart (`DISC_STRIDE`): the inside's square still lies
        // on the disc, and the larger radii cost a fraction of the smallest.
        let stride = ((rs / DISC_STRIDE).ceil() as usize).max(1);
        for j in (pad..nt - pad).step_by(stride) {
            for i in (pad..ns - pad).step_by(stride) {
                let Some(m) = sums.mean(i, j, inner) else { continue };
                let spread = (m[3] - m[0] * m[0]).max(0.0).sqrt() + DISC_NOISE;
                // The weakest side decides; most centres have one like them among the first few.
                let mut weakest = f32::INFINITY;
                let mut skin_around = 0;
                for &(di, dj) in &offsets {
                    let Some(o) = sums.mean(i + di, j + dj, outer) else {
                        weakest = 0.0;
                        break;
                    };
                    let d = ((m[0] - o[0]).powi(2)
                        + (DISC_CHROMA_WEIGHT * (m[1] - o[1])).powi(2)
                        + (DISC_CHROMA_WEIGHT * (m[2] - o[2])).powi(2))
                    .sqrt();
                    weakest = weakest.min(d);
                    if weakest < DISC_CANDIDATE * spread {
                        break;
                    }
                    skin_around += usize::from(is_skin(&o));
                }
                let strength = weakest / spread;
                if strength < DISC_CANDIDATE || skin_around < DISC_SKIN_AROUND {
                    continue;
                }
                out.push(Ornament::square(at(i, j), rs * sample_px, OrnamentKind::Disc, strength));
            }
        }
    }
    strongest_apart(out, DISC_APART * frame.width)
}

/// Hoops hanging from the lobe beside the ear on `side` (see `HOOP_RADII`).
fn ear_hoops(image: &RgbImage, frame: &FaceFrame, skin: &SkinRef, side: f32) -> Vec<Ornament> {
    // A large face is read on blocks of `scale` × `scale` pixels averaged (see `HOOP_FACE_PX`);
    // radii, margins and offsets below are in those blocks.
    let scale = (frame.width / HOOP_FACE_PX).ceil().max(1.0) as usize;
    let face_width = frame.width / scale as f32;
    let (r_min, r_max) = ((HOOP_RADII.0 * face_width).max(HOOP_MIN_RADIUS_PX), HOOP_RADII.1 * face_width);
    if r_min > r_max {
        return Vec::new();
    }
    let gap_of = |r: f32| (HOOP_GAP * r).max(HOOP_MIN_GAP_PX);
    let margin = (r_max + 1.0 + gap_of(r_max) + 1.0).ceil() as i32 * scale as i32;
    // The zone's box in the image, and the margin the largest hoop's outside reaches.
    let corners =
        [(HOOP_ZONE_S.0, HOOP_ZONE_T.0), (HOOP_ZONE_S.1, HOOP_ZONE_T.0), (HOOP_ZONE_S.0, HOOP_ZONE_T.1), (HOOP_ZONE_S.1, HOOP_ZONE_T.1)]
            .map(|(s, t)| frame.point(side * s, t));
    let (x0, y0, x1, y1) = bounds(&corners);
    let bx0 = (x0.floor() as i32 - margin).max(0) as usize;
    let by0 = (y0.floor() as i32 - margin).max(0) as usize;
    let bx1 = (x1.ceil() as i32 + margin).clamp(0, image.width() as i32) as usize;
    let by1 = (y1.ceil() as i32 + margin).clamp(0, image.height() as i32) as usize;
    let (bw, bh) = (bx1.saturating_sub(bx0) / scale, by1.saturating_sub(by0) / scale);
    if bw * scale <= 2 * margin as usize || bh * scale <= 2 * margin as usize {
        return Vec::new();
    }
    let mut buf = Vec::with_capacity(bw * bh);
    let blocks = (scale * scale) as f32;
    for by in 0..bh {
        for bx in 0..bw {
            let mut sum = [0.0f32; 3];
            for y in by0 + by * scale..by0 + (by + 1) * scale {
                for x in bx0 + bx * scale..bx0 + (bx + 1) * scale {
                    let (l, cb, cr) = ycbcr(image.get_pixel(x as u32, y as u32).0);
                    sum = [sum[0] + l, sum[1] + cb, sum[2] + cr];
                }
            }
            buf.push([sum[0] / blocks, HOOP_CHROMA_WEIGHT * sum[1] / blocks, HOOP_CHROMA_WEIGHT * sum[2] / blocks]);
        }
    }
    let centre_of = |p: usize| {
        let k = scale as f32;
        Point::new(bx0 as f32 + ((p % bw) as f32 + 0.5) * k, by0 as f32 + ((p / bw) as f32 + 0.5) * k)
    };
    let in_zone: Vec<bool> = (0..bw * bh)
        .map(|p| {
            let (s, t) = frame.coords(centre_of(p));
            let s = side * s;
            s >= HOOP_ZONE_S.0 && s <= HOOP_ZONE_S.1 && t >= HOOP_ZONE_T.0 && t <= HOOP_ZONE_T.1
        })
        .collect();
    let (skin_saturation, skin_hue) = (skin.cb.hypot(skin.cr), skin.cr.atan2(skin.cb));
    let skin_hued = |ring: &[[f32; 3]; HOOP_ANGLES]| {
        let (cb, cr) = ring.iter().fold((0.0, 0.0), |(b, r), c| (b + c[1], r + c[2]));
        let (cb, cr) = (cb / (HOOP_CHROMA_WEIGHT * HOOP_ANGLES as f32), cr / (HOOP_CHROMA_WEIGHT * HOOP_ANGLES as f32));
        cb.hypot(cr) >= HOOP_SKIN_SATURATION * skin_saturation && hue_apart(cb, cr, skin_hue) <= HOOP_SKIN_HUE.to_radians()
    };
    let squared = |a: &[f32; 3], b: &[f32; 3]| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2);
    let min_contrast2 = HOOP_MIN_CONTRAST.powi(2);
    // Thin-line pixels: unlike both neighbours two pixels away along some direction (a ring's
    // pixel is, across the ring). An angle whose three ring samples are none of them is weak
    // without further reading: on plain skin and backdrop nearly every angle is.
    let line: Vec<bool> = {
        let (w, h) = (bw as isize, bh as isize);
        let steps = [2, 2 * w, 2 * w + 2, 2 * w - 2];
        (0..bw * bh)
            .map(|p| {
                let (x, y) = ((p % bw) as isize, (p / bw) as isize);
                if x < 2 || y < 2 || x >= w - 2 || y >= h - 2 {
                    return false;
                }
                let c = &buf[p];
                steps.iter().any(|&d| {
                    let p = p as isize;
                    squared(c, &buf[(p - d) as usize]) >= min_contrast2 && squared(c, &buf[(p + d) as usize]) >= min_contrast2
                })
            })
            .collect()
    };
    // Within two pixels of a line pixel: what a ring's sample may be from a centre on the coarse
    // grid (every second pixel), whose fine centres lie a pixel away at most.
    let near_line = dilate(&line, bw, bh, HOOP_COARSE_REACH);
    let mut out = Vec::new();
    let mut r = r_min;
    while r <= r_max * 1.001 {
        let gap = gap_of(r);
        // Per angle: the buffer offsets of the inside, the three ring samples and the outside.
        let offsets: Vec<[isize; 5]> = (0..HOOP_ANGLES)
            .map(|k| {
                let a = k as f32 * std::f32::consts::TAU / HOOP_ANGLES as f32;
                let (c, s) = (a.cos(), a.sin());
                [r - 1.0 - gap, r - 1.0, r, r + 1.0, r + 1.0 + gap]
                    .map(|d| (d * s).round() as isize * bw as isize + (d * c).round() as isize)
            })
            .collect();
        // The strength of a hoop centred on buffer pixel `at`, if it is one.
        let hoop = |at: isize| -> Option<f32> {
            let mut contrasts = [0.0f32; HOOP_ANGLES];
            let mut ring = [[0.0f32; 3]; HOOP_ANGLES];
            let mut weak = 0;
            for (n, &k) in HOOP_ORDER.iter().enumerate() {
                let o = &offsets[k];
                let on_line = [1, 2, 3].map(|n| line[(at + o[n]) as usize]);
                let (mut best, mut best_c) = (0.0f32, buf[(at + o[2]) as usize]);
                if on_line.iter().any(|&l| l) {
                    let (inside, outside) = (&buf[(at + o[0]) as usize], &buf[(at + o[4]) as usize]);
                    for n in (1..4).filter(|&n| on_line[n - 1]) {
                        let sample = &buf[(at + o[n]) as usize];
                        let c = squared(sample, inside).min(squared(sample, outside));
                        if c > best {
                            (best, best_c) = (c, *sample);
                        }
                    }
                }
                contrasts[k] = best;
                ring[k] = best_c;
                weak += usize::from(best < min_contrast2);
                // Every third angle first: a ring weak on more than `HOOP_WEAK_FIRST` of those
                // is no hoop.
                if weak > HOOP_WEAK_ANGLES || (n + 1 == HOOP_ANGLES / 3 && weak > HOOP_WEAK_FIRST) {
                    return None;
                }
            }
            // A ring of skin's hue is a fold of the ear or its shadow.
            if skin_hued(&ring) {
                return None;
            }
            let mut sorted = contrasts;
            sorted.sort_unstable_by(f32::total_cmp);
            // The ring's own unevenness, from one angle to the next: a metal ring's shading
            // changes slowly round it, texture does not.
            let spread = (0..HOOP_ANGLES).map(|k| squared(&ring[k], &ring[(k + 1) % HOOP_ANGLES])).sum::<f32>().sqrt()
                / (2.0 * HOOP_ANGLES as f32).sqrt();
            Some(sorted[HOOP_WEAK_ANGLES].sqrt() / (spread + HOOP_NOISE))
        };
        let reach = (r + 1.0 + gap).ceil() as usize + 1;
        let (lo_x, hi_x, lo_y, hi_y) = (reach, bw.saturating_sub(reach + 1), reach, bh.saturating_sub(reach + 1));
        for y in (lo_y..hi_y).step_by(2) {
            for x in (lo_x..hi_x).step_by(2) {
                let at = y * bw + x;
                let fines = [at, at + 1, at + bw, at + bw + 1];
                if !fines.iter().any(|&f| in_zone[f]) {
                    continue;
                }
                // The coarse test: the first third of the angles near a line pixel.
                let far = HOOP_ORDER[..HOOP_ANGLES / 3].iter().filter(|&&k| !near_line[(at as isize + offsets[k][2]) as usize]).count();
                if far > HOOP_WEAK_FIRST {
                    continue;
                }
                for fine in fines {
                    if !in_zone[fine] {
                        continue;
                    }
                    if let Some(strength) = hoop(fine as isize).filter(|&s| s >= HOOP_CANDIDATE) {
                        out.push(Ornament::square(centre_of(fine), (r + 1.0) * scale as f32, OrnamentKind::Hoop, strength));
                    }
                }
            }
        }
        r *= HOOP_RADIUS_STEP;
    }
    strongest_apart(out, HOOP_APART * frame.width)
}

/// (Y, Cb, Cr) at each point of an `ns` × `nt` grid placed by `at`, row by row; `None` off the
/// image.
fn sample_grid(image: &RgbImage, ns: usize, nt: usize, at: impl Fn(usize, usize) -> Point) -> Vec<Option<(f32, f32, f32)>> {
    let (w, h) = (image.width() as f32, image.height() as f32);
    (0..nt)
        .flat_map(|j| (0..ns).map(move |i| (i, j)))
        .map(|(i, j)| {
            let p = at(i, j);
            (p.x >= 0.0 && p.y >= 0.0 && p.x < w && p.y < h).then(|| ycbcr(pixel(image, p)))
        })
        .collect()
}
