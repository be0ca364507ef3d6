//! Something stuck on the face (a sticker, a patch, a coloured plaster): the meshes read the
//! face's shape under it and every face check passes. A face is nearly symmetric in colour: the
//! skin at a landmark and at its mirror partner (the same point on the other half) differ little,
//! and light falling from one side changes the difference smoothly across the face. A sticker on
//! one half is a jump at the few landmarks it covers.
//!
//! The measure: at every landmark well inside the face oval (at least `INNER_MARGIN` face widths
//! from it in the frontal reference, so the backdrop or hair beside the cheek is never read), the
//! mean Cb and Cr of a square `PATCH` face widths across; for each mirror pair the difference of
//! the two, less what a straight gradient across the face explains (least squares on the pairs'
//! horizontal separation, fitted again with the worst quarter left out); the largest remaining
//! chroma distance. Chroma only: luma differences come from the light as much as from what is on
//! the face.
//!
//! Measured 2026-12-06 (stop 59, a `/tmp` prototype on the reports' landmarks, then this code):
//! at most 10.4 on the 179 London studio portraits and 9.8 on 588 light edits of the compliant
//! ones; a coloured disc 0.18 face widths across on a cheek 47-104 on all 42 compliant ready
//! portraits, a black one 16-35 (black is far from skin's chroma too); dev web photos without
//! masks, eyewear or headwear: median 14, 90th percentile 26 (coloured light and white balance
//! vary across faces outside a studio).

use std::sync::LazyLock;

use image::RgbImage;

use super::face_frame::ycbcr;
use super::lm;
use super::pose::REFERENCE;
use crate::imaging::Point;

/// Landmarks this close to the face oval (face widths, in the frontal reference) are left out.
const INNER_MARGIN: f32 = 0.1;
/// Side of the square averaged around each landmark, in face widths.
const PATCH: f32 = 0.06;

/// Mirror pairs (each once) of landmarks well inside the face oval.
static INNER_PAIRS: LazyLock<Vec<(usize, usize)>> = LazyLock::new(|| {
    let points: Vec<Point> = crate::analysis::pose::reference_points().iter().map(|p| Point::new(p.x as f32, p.y as f32)).collect();
    let partners = REFERENCE.partners();
    let (Some(right), Some(left)) = (points.get(lm::RIGHT_CHEEK_EDGE), points.get(lm::LEFT_CHEEK_EDGE)) else {
        return Vec::new();
    };
    let width = right.dist(*left);
    let oval: Vec<Point> = lm::FACE_OVAL.iter().filter_map(|&i| points.get(i).copied()).collect();
    let inner = |i: usize| points.get(i).is_some_and(|&p| distance_to_outline(p, &oval) >= INNER_MARGIN * width);
    partners.iter().enumerate().filter(|&(i, &j)| i < j && inner(i) && inner(j)).map(|(i, &j)| (i, j)).collect()
});

fn distance_to_outline(p: Point, outline: &[Point]) -> f32 {
    let n = outline.len();
    (0..n)
        .map(|k| {
            let (a, b) = (outline[k], outline[(k + 1) % n]);
            let (abx, aby) = (b.x - a.x, b.y - a.y);
            let t = (((p.x - a.x) * abx + (p.y - a.y) * aby) / (abx * abx + aby * aby).max(1e-9)).clamp(0.0, 1.0);
            p.dist(Point::new(a.x + t * abx, a.y + t * aby))
        })
        .fold(f32::INFINITY, f32::min)
}

/// What [`mirror_chroma_difference`] found.
#[derive(Debug, Clone, Copy)]
pub struct MirrorChroma {
    /// The largest chroma difference between mirror landmarks, gradient taken out.
    pub difference: f32,
    /// Of that pair, the landmark whose colour is farther from the face's median (where the
    /// sticker is), and the half side of the square read around it (working pixels).
    pub at: Point,
    pub half_side: f32,
}

/// The largest chroma difference between mirror landmarks once a straight gradient across the
/// face is taken out (see the module's doc). `mesh` is the face mesh in working pixels; `None`
/// for a mesh too small or too degenerate to read.
pub fn mirror_chroma_difference(image: &RgbImage, mesh: &[[f32; 3]]) -> Option<MirrorChroma> {
    let pairs = &*INNER_PAIRS;
    if pairs.len() < 20 || mesh.len() < 468 {
        return None;
    }
    let at = |i: usize| Point::new(mesh[i][0], mesh[i][1]);
    let face_width = at(lm::RIGHT_CHEEK_EDGE).dist(at(lm::LEFT_CHEEK_EDGE));
    if !(face_width.is_finite() && face_width >= 20.0) {
        return None;
    }
    let half = ((PATCH * face_width / 2.0).round() as i64).max(1);
    let (w, h) = (image.width() as i64, image.height() as i64);
    // Mean Cb, Cr of the square around a point, its pixels clamped to the photo.
    let chroma = |p: Point| -> [f32; 2] {
        let (cx, cy) = (p.x.round() as i64, p.y.round() as i64);
        let mut sum = [0.0f32; 2];
        let mut n = 0.0f32;
        for y in (cy - half)..=(cy + half) {
            for x in (cx - half)..=(cx + half) {
                let (_, cb, cr) = ycbcr(image.get_pixel(x.clamp(0, w - 1) as u32, y.clamp(0, h - 1) as u32).0);
                sum[0] += cb;
                sum[1] += cr;
                n += 1.0;
            }
        }
        [sum[0] / n, sum[1] / n]
    };
    let mut separation = Vec::with_capacity(pairs.len());
    let mut diff: [Vec<f32>; 2] = [Vec::with_capacity(pairs.len()), Vec::with_capacity(pairs.len())];
    let mut colours = Vec::with_capacity(pairs.len());
    for &(i, j) in pairs {
        let (a, b) = (chroma(at(i)), chroma(at(j)));
        separation.push((at(i).x - at(j).x) / face_width);
        diff[0].push(a[0] - b[0]);
        diff[1].push(a[1] - b[1]);
        colours.push((a, b));
    }
    let [cb, cr] = diff.map(|d| without_gradient(&d, &separation));
    let (worst, difference) = cb.iter().zip(&cr).map(|(b, r)| (b * b + r * r).sqrt()).enumerate().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let all: Vec<[f32; 2]> = colours.iter().flat_map(|&(a, b)| [a, b]).collect();
    let median = [0, 1].map(|c| crate::imaging::quantile(&all.iter().map(|v| v[c]).collect::<Vec<f32>>(), 0.5).unwrap_or(128.0));
    let off = |v: [f32; 2]| (v[0] - median[0]).hypot(v[1] - median[1]);
    let (i, j) = pairs[worst];
    let (a, b) = colours[worst];
    let at = if off(a) >= off(b) { at(i) } else { at(j) };
    Some(MirrorChroma { difference, at, half_side: half as f32 })
}

/// `values` less `k · separation`, `k` fitted by least squares through the origin, then fitted
/// again on the three quarters of the pairs it explains best (a sticker's pairs are the worst, so
/// they do not pull the gradient towards themselves).
fn without_gradient(values: &[f32], separation: &[f32]) -> Vec<f32> {
    let mut kept = vec![true; values.len()];
    let mut residual: Vec<f32> = values.to_vec();
    for _ in 0..2 {
        let (num, den) = values
            .iter()
            .zip(separation)
            .zip(&kept)
            .filter(|(_, &k)| k)
            .fold((0.0f32, 0.0f32), |(n, d), ((v, s), _)| (n + v * s, d + s * s));
        let k = if den > 1e-9 { num / den } else { 0.0 };
        residual = values.iter().zip(separation).map(|(v, s)| v - k * s).collect();
        let mut magnitudes: Vec<f32> = residual.iter().map(|r| r.abs()).collect();
        magnitudes.sort_by(|a, b| a.total_cmp(b));
        let cut = magnitudes[((magnitudes.len() - 1) as f32 * 0.75).round() as usize];
        kept = residual.iter().map(|r| r.abs() <= cut).collect();
    }
    residual
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_inside_the_face_and_mirror_each_other() {
        let pairs = &*INNER_PAIRS;
        assert!(pairs.len() > 100, "{} pairs", pairs.len());
        let partners = REFERENCE.partners();
        for &(i, j) in pairs {
            assert_eq!(partners[j], i);
            assert!(!lm::FACE_OVAL.contains(&i) && !lm::FACE_OVAL.contains(&j));
        }
    }

    #[test]
    fn a_straight_gradient_is_explained_and_a_jump_is_not() {
        let separation: Vec<f32> = (0..40).map(|k| 0.1 + 0.02 * k as f32).collect();
        let mut values: Vec<f32> = separation.iter().map(|s| 12.0 * s).collect();
        assert!(without_gradient(&values, &separation).iter().all(|r| r.abs() < 1e-3));
        values[7] += 30.0;
        let r = without_gradient(&values, &separation);
        assert!((r[7] - 30.0).abs() < 0.5, "{}", r[7]);
        assert!(r.iter().enumerate().filter(|&(k, _)| k != 7).all(|(_, r)| r.abs() < 0.5));
    }
}
