//! A blurred or smoothed-over patch on the face: a retouch that hides part of it. A blur keeps
//! the face's colours (so MK003 does not see it), its shape (so the meshes read through it) and
//! its steps at the patch's border (so the face's overall sharpness, IQ004, barely moves): local
//! blurs (Gaussian, box or median, 2-8 px, squares or ellipses 0.15-0.4 face widths, some
//! feathered) were approved on 117 of 126 variants of the compliant London ready portraits.
//!
//! What a blur takes away is the fine detail (pores, stubble, fine hair, the camera's noise) that
//! every part of a photographed face has. The measure reads the face at a fixed scale
//! (`face_work::PATCH_WIDTH` pixels across), takes its fine detail (|luma − luma blurred at σ = 1 px|, lightly
//! smoothed) and, over windows `WINDOW` face widths across wholly inside the face oval (kept
//! `MARGIN` face widths from its edge), compares the window with the least detail to the face's
//! smoother windows (their lower quartile): a natural face's smoothest skin still has a share of
//! the detail of its other smooth skin, a blurred patch almost none. The ratio is scale-free, so
//! dark or light skin, a soft or a crisp photo read alike; a face whose whole skin is smooth (a
//! beauty filter, a small photo enlarged) reads near 1 here and is RT004's and IQ008's business.
//!
//! Measured 2026-12-06 (stop 61; a `/tmp` prototype on the reports' landmarks, then this code):
//! see the README's "A blurred patch on the face".

use super::face_work::{FaceWork, PATCH_WIDTH as WORK_WIDTH};
use crate::imaging::filters::{box_blur, Edges};
use crate::imaging::{luma, polygon_row_spans, quantile};

/// Window side, in face widths: room for a patch down to about 0.15 face widths once its blur
/// has faded in at the border.
const WINDOW: f32 = 0.09;
/// Windows keep this far (face widths) inside the face oval: the jaw line, the hairline and the
/// ears' shadow are no skin to compare.
const MARGIN: f32 = 0.06;
/// Windows are stepped this many working pixels.
const STEP: usize = 2;
/// Fewer windows than this is no reading.
const MIN_WINDOWS: usize = 20;
/// Added to both sides of the ratio (luma levels): a flat synthetic face is even, not void.
const FLOOR: f32 = 0.02;
/// Luma (working plane) where detail can be read: outside it the pixel is blown out or crushed.
const EXPOSED: (f32, f32) = (6.0, 248.0);

/// What [`smoothest_patch`] found.
#[derive(Debug, Clone, Copy)]
pub struct BlurredPatch {
    /// The lower quartile of the windows' fine detail over the least (1 = even).
    pub ratio: f32,
    /// The window with the least detail (working pixels of the analysis image: left, top, side).
    pub left: f32,
    pub top: f32,
    pub side: f32,
}

/// The face's fine detail at its least against its smooth skin's (see the module's doc), on the
/// face read by `face_work::for_patches`. `None` for a face whose oval holds too few windows:
/// nothing was read, so nothing may pass.
pub fn smoothest_patch(face: &FaceWork) -> Option<BlurredPatch> {
    let work = &face.image;
    let (w, h) = (work.width() as usize, work.height() as usize);
    let plane: Vec<f32> = work.pixels().map(|p| luma(p.0)).collect();

    // Fine detail: |luma − luma under a [1 4 6 4 1]/16 kernel (σ = 1 px)|, smoothed by two 5×5
    // box passes so that one pore or noise speck does not make a window.
    let soft = binomial4(&plane, w, h);
    let detail: Vec<f32> = plane.iter().zip(&soft).map(|(a, b)| (a - b).abs()).collect();
    let detail = box_blur(&box_blur(&detail, w, h, 2, Edges::Replicate), w, h, 2, Edges::Replicate);

    // Integral images of the detail and of the pixels it is read on, for each window's mean in
    // four reads each. Blown-out and crushed pixels have no detail whatever the photo was (a
    // flash's glare on the nose, 255 across: dev web photos read 3.5-7.6 on it), so they are left
    // out, and a window with fewer than half its pixels left is not read (exposure is IQ005's).
    let (mut sum, mut count) = (vec![0.0f64; (w + 1) * (h + 1)], vec![0u32; (w + 1) * (h + 1)]);
    for y in 0..h {
        let (mut row, mut row_count) = (0.0f64, 0u32);
        for x in 0..w {
            if (EXPOSED.0..=EXPOSED.1).contains(&plane[y * w + x]) {
                row += detail[y * w + x] as f64;
                row_count += 1;
            }
            sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1] + row;
            count[(y + 1) * (w + 1) + x + 1] = count[y * (w + 1) + x + 1] + row_count;
        }
    }
    let side = ((WINDOW * WORK_WIDTH).round() as usize).max(4);
    let margin = MARGIN * WORK_WIDTH;
    if side + 1 > w || side + 1 > h {
        return None;
    }
    let oval = &face.oval;
    // A window with its margin lies inside the oval when the oval's row spans at its top and
    // bottom edge each hold it whole (for a convex oval, its four corners inside), read once a
    // window row.
    let holds = |spans: &[(f32, f32)], l: f32, r: f32| spans.iter().any(|&(a, b)| a <= l && r <= b);
    let area = (side * side) as u32;
    let window = |table: &[f64], x: usize, y: usize| {
        table[(y + side) * (w + 1) + x + side] - table[y * (w + 1) + x + side] - table[(y + side) * (w + 1) + x] + table[y * (w + 1) + x]
    };
    let mut windows: Vec<(f32, usize, usize)> = Vec::new();
    for y in (0..h - side).step_by(STEP) {
        let top_spans = polygon_row_spans(y as f32 - margin, oval);
        let bottom_spans = polygon_row_spans((y + side) as f32 + margin, oval);
        for x in (0..w - side).step_by(STEP) {
            let (l, r) = (x as f32 - margin, (x + side) as f32 + margin);
            if !holds(&top_spans, l, r) || !holds(&bottom_spans, l, r) {
                continue;
            }
            let read = count[(y + side) * (w + 1) + x + side] + count[y * (w + 1) + x]
                - count[y * (w + 1) + x + side]
                - count[(y + side) * (w + 1) + x];
            if 2 * read < area {
                continue;
            }
            windows.push(((window(&sum, x, y) / read as f64) as f32, x, y));
        }
    }
    if windows.len() < MIN_WINDOWS {
        return None;
    }
    let values: Vec<f32> = windows.iter().map(|v| v.0).collect();
    let smooth_skin = quantile(&values, 0.25)?;
    let &(least, x, y) = windows.iter().min_by(|a, b| a.0.total_cmp(&b.0))?;
    Some(BlurredPatch {
        ratio: (smooth_skin + FLOOR) / (least.max(0.0) + FLOOR),
        left: face.original_x(x as f32),
        top: face.original_y(y as f32),
        side: side as f32 / face.scale,
    })
}

/// The plane under the separable [1 4 6 4 1]/16 kernel (a binomial of variance 1), borders
/// repeated.
fn binomial4(src: &[f32], w: usize, h: usize) -> Vec<f32> {
    const K: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];
    let mut across = vec![0.0f32; w * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        for x in 0..w {
            across[y * w + x] = K.iter().enumerate().map(|(k, c)| c * row[(x + k).saturating_sub(2).min(w - 1)]).sum();
        }
    }
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        for (k, c) in K.iter().enumerate() {
            let from = (y + k).saturating_sub(2).min(h - 1);
            for x in 0..w {
                out[y * w + x] += c * across[from * w + x];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use image::RgbImage;

    use super::*;
    use crate::analysis::face_work::{fixtures::speckled_face, for_patches};

    fn read(image: &RgbImage, mesh: &[[f32; 3]]) -> Option<BlurredPatch> {
        for_patches(image, mesh).and_then(|face| smoothest_patch(&face))
    }

    /// A face-sized oval of textured skin (a fixed pseudo-random speckle) and a mesh whose oval
    /// points ring it; `blur` flattens a square of it to its mean.
    fn textured_face(blur: Option<(u32, u32, u32)>) -> (RgbImage, Vec<[f32; 3]>) {
        let (mut img, mesh) = speckled_face(12345, 12);
        if let Some((bx, by, s)) = blur {
            for y in by..by + s {
                for x in bx..bx + s {
                    img.put_pixel(x, y, image::Rgb([200, 160, 135]));
                }
            }
        }
        (img, mesh)
    }

    #[test]
    fn an_even_face_reads_near_one_and_a_flattened_square_far_above() {
        let (even, mesh) = textured_face(None);
        let plain = read(&even, &mesh).expect("a reading");
        assert!(plain.ratio < 1.5, "{plain:?}");
        let (patched, mesh) = textured_face(Some((150, 200, 70)));
        let found = read(&patched, &mesh).expect("a reading");
        assert!(found.ratio > 5.0, "{found:?}");
        // The least-detail window lies in the square.
        let (cx, cy) = (found.left + found.side / 2.0, found.top + found.side / 2.0);
        assert!((150.0..220.0).contains(&cx) && (200.0..270.0).contains(&cy), "{found:?}");
    }

    #[test]
    fn a_face_too_small_or_without_room_is_not_read() {
        let (img, mesh) = textured_face(None);
        let small: Vec<[f32; 3]> = mesh.iter().map(|p| [p[0] * 0.08, p[1] * 0.08, 0.0]).collect();
        assert!(read(&img, &small).is_none());
        // An oval squeezed to a sliver holds no window.
        let sliver: Vec<[f32; 3]> = mesh.iter().map(|p| [200.0 + (p[0] - 200.0), 240.0 + (p[1] - 240.0) * 0.05, 0.0]).collect();
        assert!(read(&img, &sliver).is_none());
    }
}
