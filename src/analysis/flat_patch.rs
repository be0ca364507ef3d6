//! A sticker, an emoji or a painted spot on the face: a patch of one flat colour with a sharp
//! edge. Small ones leave the meshes reading the face under them, barely move the two halves'
//! colours (MK003, which needs the patch to change the chroma at a landmark) and, when white or
//! black, hide from the blur measure (RT008 leaves blown-out and crushed pixels out): varied
//! stickers 0.03-0.12 face widths on the approved London ready portraits were approved on 63 and
//! 50 of 126 (two seeds).
//!
//! A photographed face is nowhere one colour across more than a few pixels with a step all around
//! it. The measure reads the face at a fixed scale (`face_work::PATCH_WIDTH` pixels across), marks the pixels
//! whose 3×3 neighbourhood is flat (luma range at most `FLAT_LUMA`, Cb and Cr ranges at most
//! `FLAT_CHROMA`: JPEG's subsampled chroma rings on a saturated sticker), keeps those inside the
//! face oval, and joins them into regions. A region of at least `MIN_AREA` pixels whose luma
//! spreads by at most `MAX_SPREAD` (smooth skin drifts with the light; a sticker does not) is a
//! candidate unless it is centred in an eye (a dark iris and pupil against the white can be flat
//! with a step all around; a patch over an eye is EY002's to see). Its contrast is how far the
//! pixels just outside it (2-5 px away) differ from its colour (largest channel difference, their
//! `RING_QUANTILE` quantile, so that a step on most of its border counts and a skin patch
//! bordering a brow or a nostril on one side does not). The check reports the largest contrast
//! found, 0 when no region qualifies.
//!
//! Measured 2026-12-07 (stop 62; a `/tmp` prototype on the reports' landmarks, then this code):
//! see the README's "A sticker on the face".

use super::face_frame::ycbcr;
use super::face_work::{FaceWork, PATCH_WIDTH as WORK_WIDTH};
use crate::imaging::filters::{regions, Connectivity};
use crate::imaging::{bounds, inside_polygon, polygon_row_spans, quantile, Point};
use crate::models::attention_mesh::EYE_OPENING_MESH;

/// Regions keep this far (face widths) inside the face oval: the backdrop or hair beside it.
const MARGIN: f32 = 0.015;
/// A pixel is flat when its 3×3 neighbourhood's luma range is at most this…
const FLAT_LUMA: f32 = 6.0;
/// …and its Cb and Cr ranges at most this.
const FLAT_CHROMA: f32 = 16.0;
/// Fewer flat pixels than this (working pixels; a disc about 0.035 face widths across) is no
/// patch: pupils and catchlights are smaller.
const MIN_AREA: usize = 60;
/// A region whose luma spreads more than this (its 95th over its 5th percentile) is skin.
const MAX_SPREAD: f32 = 8.0;
/// The ring read around a region: this far from it (working pixels, chamfer distance).
const RING: (f32, f32) = (2.0, 5.0);
/// The ring's quantile of differences that is the region's contrast.
const RING_QUANTILE: f32 = 0.6;
/// A ring with fewer pixels than this is not read (a region against the crop's edge).
const MIN_RING: usize = 10;
/// A region centred inside an eye's outline grown this many times about its centre is the eye
/// (a dark iris and pupil against the white can be flat with a step all around): a patch over
/// an eye is EY002's to see.
const EYE_GROWTH: f32 = 1.5;
/// Fewer oval pixels than this left after the margin is no reading.
const MIN_OVAL_PIXELS: usize = 2000;

/// What [`sharpest_flat_patch`] found.
#[derive(Debug, Clone, Copy)]
pub struct FlatPatch {
    /// The largest contrast of a flat region with its surroundings (0: none found).
    pub contrast: f32,
    /// That region's box in the analysis image's pixels (the face's when none was found).
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

/// The flat region on the face that stands out most from what is around it (see the module's
/// doc), on the face read by `face_work::for_patches`. `None` for a face whose oval leaves too few
/// pixels: nothing was read, so nothing may pass.
pub fn sharpest_flat_patch(face: &FaceWork) -> Option<FlatPatch> {
    let work = &face.image;
    let (w, h) = (work.width() as usize, work.height() as usize);
    let pixels: Vec<[u8; 3]> = work.pixels().map(|p| p.0).collect();
    let (mut y_plane, mut cb_plane, mut cr_plane) = (vec![0.0f32; w * h], vec![0.0f32; w * h], vec![0.0f32; w * h]);
    for (i, p) in pixels.iter().enumerate() {
        (y_plane[i], cb_plane[i], cr_plane[i]) = ycbcr(*p);
    }
    let (y_range, cb_range, cr_range) = (range3(&y_plane, w, h), range3(&cb_plane, w, h), range3(&cr_plane, w, h));

    // The oval, shrunk by the margin.
    let inside = shrunk_oval(&face.oval, w, h, (MARGIN * WORK_WIDTH).round() as usize);
    if inside.iter().filter(|&&v| v).count() < MIN_OVAL_PIXELS {
        return None;
    }
    let flat: Vec<bool> = (0..w * h).map(|i| y_range[i] <= FLAT_LUMA && cb_range[i] <= FLAT_CHROMA && cr_range[i] <= FLAT_CHROMA).collect();
    let flat_inside: Vec<bool> = flat.iter().zip(&inside).map(|(&f, &i)| f && i).collect();
    let plane = Plane { pixels: &pixels, luma: &y_plane, flat: &flat, width: w, height: h };
    let eyes: Vec<Vec<Point>> = EYE_OPENING_MESH
        .iter()
        .filter_map(|eye| {
            // Lower lid outer to inner corner, then the upper lid back to the outer corner.
            let outline: Vec<Point> =
                eye[..9].iter().chain(eye[9..].iter().rev()).map(|&i| face.mesh.get(i).copied()).collect::<Option<_>>()?;
            let n = outline.len() as f32;
            let centre = Point::new(outline.iter().map(|p| p.x).sum::<f32>() / n, outline.iter().map(|p| p.y).sum::<f32>() / n);
            Some(
                outline
                    .iter()
                    .map(|p| Point::new(centre.x + EYE_GROWTH * (p.x - centre.x), centre.y + EYE_GROWTH * (p.y - centre.y)))
                    .collect(),
            )
        })
        .collect();

    let mut best: Option<(f32, (usize, usize, usize, usize))> = None;
    for region in regions(&flat_inside, w, h, Connectivity::Four) {
        if region.len() < MIN_AREA {
            continue;
        }
        let n = region.len() as f32;
        let centroid = Point::new(
            region.iter().map(|&i| (i % w) as f32 + 0.5).sum::<f32>() / n,
            region.iter().map(|&i| (i / w) as f32 + 0.5).sum::<f32>() / n,
        );
        if eyes.iter().any(|eye| inside_polygon(centroid, eye)) {
            continue;
        }
        let lumas: Vec<f32> = region.iter().map(|&i| y_plane[i]).collect();
        let (Some(low), Some(high)) = (quantile(&lumas, 0.05), quantile(&lumas, 0.95)) else { continue };
        if high - low > MAX_SPREAD {
            continue;
        }
        let Some((contrast, bbox)) = ring_contrast(&region, &plane) else { continue };
        if best.is_none_or(|(c, _)| contrast > c) {
            best = Some((contrast, bbox));
        }
    }
    let to_box = |x0: f32, y0: f32, x1: f32, y1: f32| FlatPatch {
        contrast: 0.0,
        left: face.original_x(x0),
        top: face.original_y(y0),
        width: (x1 - x0) / face.scale,
        height: (y1 - y0) / face.scale,
    };
    Some(match best {
        Some((contrast, (x0, y0, x1, y1))) => FlatPatch { contrast, ..to_box(x0 as f32, y0 as f32, (x1 + 1) as f32, (y1 + 1) as f32) },
        None => {
            let (x0, y0, x1, y1) = bounds(&face.oval);
            to_box(x0, y0, x1, y1)
        }
    })
}

/// Max − min of each pixel's 3×3 neighbourhood (clipped at the borders): row extremes over three
/// columns, then over three rows.
fn range3(plane: &[f32], w: usize, h: usize) -> Vec<f32> {
    let (mut row_max, mut row_min) = (vec![0.0f32; w * h], vec![0.0f32; w * h]);
    for y in 0..h {
        let row = &plane[y * w..(y + 1) * w];
        for x in 0..w {
            let (l, c, r) = (row[x.saturating_sub(1)], row[x], row[(x + 1).min(w - 1)]);
            row_max[y * w + x] = l.max(c).max(r);
            row_min[y * w + x] = l.min(c).min(r);
        }
    }
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        let (a, b) = (y.saturating_sub(1) * w, (y + 1).min(h - 1) * w);
        for x in 0..w {
            let hi = row_max[a + x].max(row_max[y * w + x]).max(row_max[b + x]);
            let lo = row_min[a + x].min(row_min[y * w + x]).min(row_min[b + x]);
            out[y * w + x] = hi - lo;
        }
    }
    out
}

/// The oval's inside, shrunk by `margin` pixels (a square erosion), as a mask: each row's span
/// (the widest, should an odd mesh give a row two) narrowed by the margin and cut to what the
/// rows `margin` above and below it hold.
fn shrunk_oval(oval: &[crate::imaging::Point], w: usize, h: usize, margin: usize) -> Vec<bool> {
    // Pixel columns [from, to) inside the oval on each row (pixel centres).
    let spans: Vec<Option<(usize, usize)>> = (0..h)
        .map(|y| {
            let spans = polygon_row_spans(y as f32 + 0.5, oval);
            let (a, b) = spans.iter().copied().max_by(|p, q| (p.1 - p.0).total_cmp(&(q.1 - q.0)))?;
            let from = (a - 0.5).ceil().max(0.0) as usize;
            let to = (((b - 0.5).floor() + 1.0).max(0.0) as usize).min(w);
            (from < to).then_some((from, to))
        })
        .collect();
    let mut inside = vec![false; w * h];
    for y in margin..h.saturating_sub(margin) {
        let window = &spans[y - margin..=y + margin];
        let Some(from) = window.iter().map(|s| s.map(|s| s.0)).try_fold(0, |m, v| v.map(|v| m.max(v))) else { continue };
        let Some(to) = window.iter().map(|s| s.map(|s| s.1)).try_fold(w, |m, v| v.map(|v| m.min(v))) else { continue };
        let (from, to) = (from + margin, to.saturating_sub(margin));
        if from < to {
            inside[y * w + from..y * w + to].iter_mut().for_each(|v| *v = true);
        }
    }
    inside
}

/// The working crop as the ring is read on it.
struct Plane<'a> {
    pixels: &'a [[u8; 3]],
    luma: &'a [f32],
    /// Flat pixels anywhere, the oval's margin not applied.
    flat: &'a [bool],
    width: usize,
    height: usize,
}

/// A region's contrast with the ring around it (see the module's doc) and its box (x0, y0, x1,
/// y1, inclusive, working pixels); `None` when the ring is too thin to read. Ring pixels that
/// are flat and of the region's luma are the patch itself going on past the oval's margin (a
/// sticker on the jaw line), not its surroundings, and are left out.
fn ring_contrast(region: &[usize], plane: &Plane) -> Option<(f32, (usize, usize, usize, usize))> {
    let Plane { pixels, luma, flat, width: w, height: h } = *plane;
    let n = region.len() as f32;
    let mean_luma = region.iter().map(|&i| luma[i]).sum::<f32>() / n;
    let mut mean = [0.0f32; 3];
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for &i in region {
        for (m, &v) in mean.iter_mut().zip(&pixels[i]) {
            *m += v as f32 / n;
        }
        let (x, y) = (i % w, i / w);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    // Chamfer distance from the region over its box grown by the ring's width.
    let grow = RING.1.ceil() as usize + 1;
    let (gx0, gy0) = (x0.saturating_sub(grow), y0.saturating_sub(grow));
    let (gx1, gy1) = ((x1 + grow).min(w - 1), (y1 + grow).min(h - 1));
    let (gw, gh) = (gx1 - gx0 + 1, gy1 - gy0 + 1);
    let mut distance = vec![f32::INFINITY; gw * gh];
    for &i in region {
        distance[(i / w - gy0) * gw + (i % w - gx0)] = 0.0;
    }
    chamfer(&mut distance, gw, gh);
    let diffs: Vec<f32> = (0..gw * gh)
        .filter(|&j| (RING.0..=RING.1).contains(&distance[j]))
        .map(|j| (gy0 + j / gw) * w + gx0 + j % gw)
        .filter(|&i| !(flat[i] && (luma[i] - mean_luma).abs() <= MAX_SPREAD))
        .map(|i| (0..3).map(|c| (pixels[i][c] as f32 - mean[c]).abs()).fold(0.0, f32::max))
        .collect();
    if diffs.len() < MIN_RING {
        return None;
    }

    Some((quantile(&diffs, RING_QUANTILE)?, (x0, y0, x1, y1)))
}

/// Two-pass 3×3 chamfer distance (steps 1 and √2) from the zero cells, in place.
fn chamfer(d: &mut [f32], w: usize, h: usize) {
    const DIAGONAL: f32 = std::f32::consts::SQRT_2;
    for y in 0..h {
        for x in 0..w {
            let mut v = d[y * w + x];
            if x > 0 {
                v = v.min(d[y * w + x - 1] + 1.0);
            }
            if y > 0 {
                v = v.min(d[(y - 1) * w + x] + 1.0);
                if x > 0 {
                    v = v.min(d[(y - 1) * w + x - 1] + DIAGONAL);
                }
                if x + 1 < w {
                    v = v.min(d[(y - 1) * w + x + 1] + DIAGONAL);
                }
            }
            d[y * w + x] = v;
        }
    }
    for y in (0..h).rev() {
        for x in (0..w).rev() {
            let mut v = d[y * w + x];
            if x + 1 < w {
                v = v.min(d[y * w + x + 1] + 1.0);
            }
            if y + 1 < h {
                v = v.min(d[(y + 1) * w + x] + 1.0);
                if x + 1 < w {
                    v = v.min(d[(y + 1) * w + x + 1] + DIAGONAL);
                }
                if x > 0 {
                    v = v.min(d[(y + 1) * w + x - 1] + DIAGONAL);
                }
            }
            d[y * w + x] = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use image::RgbImage;

    use super::*;
    use crate::analysis::face_work::for_patches;

    fn sharpest_flat_patch(image: &RgbImage, mesh: &[[f32; 3]]) -> Option<FlatPatch> {
        for_patches(image, mesh).and_then(|face| super::sharpest_flat_patch(&face))
    }

    /// A face-sized oval of speckled skin (a photo's grain) and a mesh whose oval points ring
    /// it; `sticker` paints a disc (centre x, y, radius, colour).
    fn speckled_face(sticker: Option<(f32, f32, f32, [u8; 3])>) -> (RgbImage, Vec<[f32; 3]>) {
        let (mut img, mesh) = crate::analysis::face_work::fixtures::speckled_face(777, 8);
        if let Some((cx, cy, r, colour)) = sticker {
            for (x, y, p) in img.enumerate_pixels_mut() {
                if (x as f32 + 0.5 - cx).hypot(y as f32 + 0.5 - cy) <= r {
                    p.0 = colour;
                }
            }
        }
        (img, mesh)
    }

    #[test]
    fn speckled_skin_has_no_flat_patch_and_a_white_or_black_disc_stands_out_where_it_is() {
        let (skin, mesh) = speckled_face(None);
        let plain = sharpest_flat_patch(&skin, &mesh).expect("a reading");
        assert!(plain.contrast < 1.0, "{plain:?}");
        for colour in [[250, 250, 250], [20, 20, 20]] {
            // 0.05 face widths in radius, on the cheek.
            let (stuck, mesh) = speckled_face(Some((260.0, 300.0, 15.0, colour)));
            let found = sharpest_flat_patch(&stuck, &mesh).expect("a reading");
            assert!(found.contrast > 100.0, "{colour:?} {found:?}");
            let (cx, cy) = (found.left + found.width / 2.0, found.top + found.height / 2.0);
            assert!((cx - 260.0).abs() < 4.0 && (cy - 300.0).abs() < 4.0, "{found:?}");
        }
        // A disc smaller than a pupil is no patch.
        let (dot, mesh) = speckled_face(Some((260.0, 300.0, 3.0, [20, 20, 20])));
        assert!(sharpest_flat_patch(&dot, &mesh).expect("a reading").contrast < 1.0);
    }

    #[test]
    fn a_disc_of_the_skins_own_colour_has_no_contrast_and_a_tiny_face_is_not_read() {
        // Flat, but no step around it: what this measure cannot see (MK003 and RT008 look at it).
        let (same, mesh) = speckled_face(Some((260.0, 300.0, 15.0, [200, 160, 135])));
        assert!(sharpest_flat_patch(&same, &mesh).expect("a reading").contrast < 10.0);
        let (img, mesh) = speckled_face(None);
        let small: Vec<[f32; 3]> = mesh.iter().map(|p| [p[0] * 0.08, p[1] * 0.08, 0.0]).collect();
        assert!(sharpest_flat_patch(&img, &small).is_none());
    }

    #[test]
    fn a_dark_disc_in_an_eye_is_the_eye_and_the_same_disc_on_the_cheek_is_a_sticker() {
        // The subject's right eye: an outline 40 x 16 px around (150, 200).
        let with_eye = |mut mesh: Vec<[f32; 3]>| {
            for (k, &i) in EYE_OPENING_MESH[0].iter().enumerate() {
                // Lower lid (0..=8) from the outer corner to the inner one, then the upper lid
                // (9..=15) from outer to inner.
                let t = if k <= 8 { k as f32 / 8.0 } else { (k - 8) as f32 / 8.0 };
                let x = 130.0 + 40.0 * t;
                let lid = 8.0 * (std::f32::consts::PI * t).sin();
                mesh[i] = [x, if k <= 8 { 200.0 + lid } else { 200.0 - lid }, 0.0];
            }
            mesh
        };
        let (iris, mesh) = speckled_face(Some((150.0, 200.0, 8.0, [15, 15, 15])));
        assert!(sharpest_flat_patch(&iris, &with_eye(mesh)).expect("a reading").contrast < 1.0);
        let (mole, mesh) = speckled_face(Some((260.0, 300.0, 8.0, [15, 15, 15])));
        assert!(sharpest_flat_patch(&mole, &with_eye(mesh)).expect("a reading").contrast > 100.0);
    }

    #[test]
    fn chamfer_distance_is_one_across_and_root_two_diagonally() {
        let mut d = vec![f32::INFINITY; 25];
        d[12] = 0.0;
        chamfer(&mut d, 5, 5);
        assert_eq!(d[13], 1.0);
        assert!((d[18] - std::f32::consts::SQRT_2).abs() < 1e-6);
        assert!((d[24] - 2.0 * std::f32::consts::SQRT_2).abs() < 1e-6);
        assert_eq!(d[14], 2.0);
    }
}
