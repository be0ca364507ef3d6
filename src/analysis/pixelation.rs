//! A pixelated (mosaic) patch on the face: blocks of one flat colour with steps between them.
//! The meshes read the face's shape through it, the patch keeps the face's colours (so MK003 does
//! not see it) and its steps keep the face's detail (so IQ004 does not either): pixelated squares
//! 0.25 face widths across were approved on 38 of the 42 compliant London ready portraits.
//!
//! What only a mosaic has is a grid: the luma steps line up on columns and rows a fixed period
//! apart, the same period both ways, and between them the blocks are flat. The measure: over
//! windows `WINDOWS` face widths across, stepped a third of a window over the face, each wholly
//! inside the face oval, the column profile of |horizontal luma step| (each column's mean over the
//! window's rows) and the row profile of |vertical step|; for every period from 3 px to a quarter of the window (in
//! quarter pixels, so a resize's uneven blocks still line up) and every phase, the mean step on
//! the grid's columns over the mean off them; the smaller of the two directions' best ratios at
//! that period; the largest over periods and windows. Natural skin, hair and features have no
//! grid in both directions at once.
//!
//! A JPEG's own 8×8 blocks are such a grid where it was compressed hard: the columns and rows at
//! its block edges (their phase found over the whole photo, where they stand out from the other
//! residues; the period scaled to the working image) are left out of every window, so a mosaic
//! whose blocks fall exactly on a hard-compressed JPEG's grid is not seen.
//!
//! Measured 2026-12-06 (stop 60, a `/tmp` prototype on the reports' landmarks, then this code):
//! see the README's "A pixelated patch on the face".

use image::RgbImage;

use super::lm;
use crate::imaging::{bounds, inside_polygon, luma, Point};

/// Window sides, in face widths (the landmarks' horizontal extent): the smaller finds small
/// patches of small blocks, the larger has room for four steps of blocks up to 8 % of the face.
const WINDOWS: [f32; 2] = [0.2, 0.32];
/// Added to both means of the ratio: a flat, noise-free window (a plain backdrop) has no grid.
const FLOOR: f32 = 0.3;
/// The JPEG grid's phase is read on every this many rows (for the columns) and columns (for the
/// rows) of the photo: its block edges run the photo's whole length.
const SAMPLE_EVERY: usize = 4;
/// A JPEG grid is left out only where its block edges' mean step is at least this many times the
/// median residue's. Measured over whole photos (stop 60): q50 re-saves of the London portraits
/// 1.47-1.73 (the strongest residue the block edge on 35 of 42), the London ready portraits (q95)
/// 1.05-1.12 at their 10th-90th percentiles (the strongest residue chance), dev web photos 1.04-1.26.
const JPEG_EVIDENT: f32 = 1.2;
/// The face is read at most this wide (larger faces are box-averaged to it first): the periods a
/// mosaic can have scale with the face, and the search's cost with the period range.
const MAX_FACE_WIDTH: f32 = 420.0;

/// What [`mosaic_on_face`] found.
#[derive(Debug, Clone, Copy)]
pub struct Pixelation {
    /// The largest grid ratio (1 = no grid).
    pub ratio: f32,
    /// The window where it was found (working pixels: left, top, side).
    pub left: f32,
    pub top: f32,
    pub side: f32,
    /// The grid's period there (working pixels).
    pub period: f32,
}

/// The strongest pixel grid in the face (see the module's doc). `mesh` is the face mesh in working
/// pixels; `jpeg_block` the JPEG block side in working pixels when the photo is a JPEG read at a
/// whole-pixel block side (8 at full size). `None` for a face under 40 px wide, or when no window
/// fits inside its oval: nothing was read, so nothing may pass.
pub fn mosaic_on_face(image: &RgbImage, mesh: &[[f32; 3]], jpeg_block: Option<u32>) -> Option<Pixelation> {
    let points: Vec<Point> = mesh.iter().map(|p| Point::new(p[0], p[1])).collect();
    let (x0, y0, x1, y1) = bounds(&points);
    let face_width = x1 - x0;
    if !(face_width.is_finite() && face_width >= 40.0) {
        return None;
    }
    // The face's box, clamped to the photo, as luma, shrunk by a whole factor if it is large.
    let shrink = (face_width / MAX_FACE_WIDTH).ceil().max(1.0) as u32;
    let (left, top) = (x0.max(0.0).floor() as u32, y0.max(0.0).floor() as u32);
    let (right, bottom) = ((x1.ceil() as u32).min(image.width()), (y1.ceil() as u32).min(image.height()));
    if right <= left + 2 * shrink || bottom <= top + 2 * shrink {
        return None;
    }
    let (w, h) = (((right - left) / shrink) as usize, ((bottom - top) / shrink) as usize);
    let mut plane = vec![0.0f32; w * h];
    for (i, v) in plane.iter_mut().enumerate() {
        let (x, y) = ((i % w) as u32 * shrink + left, (i / w) as u32 * shrink + top);
        let mut sum = 0.0;
        for dy in 0..shrink {
            for dx in 0..shrink {
                sum += luma(image.get_pixel(x + dx, y + dy).0);
            }
        }
        *v = sum / (shrink * shrink) as f32;
    }
    let at = |x: usize, y: usize| plane[y * w + x];
    // Running sums of the steps, so each window's column and row profiles cost one subtraction a
    // position: `down[y * w + x]` sums |horizontal step at x| over the rows above y, `across[y *
    // (w + 1) + x]` |vertical step at y| over the columns left of x (f64: the sums reach 10^7).
    let mut down = vec![0.0f64; (h + 1) * w];
    for y in 0..h {
        for x in 0..w - 1 {
            down[(y + 1) * w + x] = down[y * w + x] + (at(x + 1, y) - at(x, y)).abs() as f64;
        }
    }
    let mut across = vec![0.0f64; h * (w + 1)];
    for y in 0..h - 1 {
        for x in 0..w {
            across[y * (w + 1) + x + 1] = across[y * (w + 1) + x] + (at(x, y + 1) - at(x, y)).abs() as f64;
        }
    }
    // The JPEG grid's edges, as columns/rows of the plane to leave out: where the step from pixel
    // k to k + 1 crosses a block edge. Its phase is where the whole photo's steps are largest (not
    // the face's alone, where a large mosaic could set it).
    let block = jpeg_block.filter(|&b| b >= 2 && shrink == 1).map(|b| b as usize);
    let (col_phase, row_phase) = match block {
        Some(b) => jpeg_grid_phase(image, b),
        None => (None, None),
    };
    let skip = |k: usize, origin: u32, phase: Option<usize>| match (block, phase) {
        (Some(b), Some(p)) => (k + origin as usize) % b == p,
        _ => false,
    };

    // Windows lie wholly inside the face oval: the backdrop beside a cheek can be squared paper.
    let oval: Vec<Point> = lm::FACE_OVAL.iter().filter_map(|&i| points.get(i).copied()).collect();
    let inside = |x: usize, y: usize, side: usize| {
        let s = shrink as f32;
        let (l, t, r, b) = (
            left as f32 + x as f32 * s,
            top as f32 + y as f32 * s,
            left as f32 + (x + side) as f32 * s,
            top as f32 + (y + side) as f32 * s,
        );
        [(l, t), (r, t), (l, b), (r, b)].iter().all(|&(px, py)| inside_polygon(Point::new(px, py), &oval))
    };
    let mut best: Option<Pixelation> = None;
    let mut read = 0usize;
    for fraction in WINDOWS {
        let side = ((fraction * face_width / shrink as f32).round() as usize).max(16);
        if side + 1 > w || side + 1 > h {
            continue;
        }
        let step = (side / 3).max(4);
        for wy in (0..h - side).step_by(step) {
            for wx in (0..w - side).step_by(step) {
                if !inside(wx, wy, side) {
                    continue;
                }
                read += 1;
                let cols: Vec<f32> =
                    (wx..wx + side).map(|x| ((down[(wy + side) * w + x] - down[wy * w + x]) / side as f64) as f32).collect();
                let rows: Vec<f32> =
                    (wy..wy + side).map(|y| ((across[y * (w + 1) + wx + side] - across[y * (w + 1) + wx]) / side as f64) as f32).collect();
                let keep_cols: Vec<bool> = (0..side).map(|k| !skip(wx + k, left, col_phase)).collect();
                let keep_rows: Vec<bool> = (0..side).map(|k| !skip(wy + k, top, row_phase)).collect();
                let beat = best.map_or(1.0, |b| b.ratio);
                if let Some((ratio, period)) = grid_ratio(&Profile::new(cols, keep_cols), &Profile::new(rows, keep_rows), beat) {
                    let s = shrink as f32;
                    best = Some(Pixelation {
                        ratio,
                        left: left as f32 + wx as f32 * s,
                        top: top as f32 + wy as f32 * s,
                        side: side as f32 * s,
                        period: period * s,
                    });
                }
            }
        }
    }
    if read == 0 {
        return None;
    }
    best.or(Some(Pixelation { ratio: 1.0, left: x0, top: y0, side: 0.0, period: 0.0 }))
}

/// The phase of the JPEG block edges (columns, rows): for each direction the `k % block` whose
/// steps from pixel k to k + 1 are largest over the whole photo, where they stand out
/// (`JPEG_EVIDENT`).
fn jpeg_grid_phase(image: &RgbImage, block: usize) -> (Option<usize>, Option<usize>) {
    let (w, h) = (image.width() as usize, image.height() as usize);
    if w < 2 * block || h < 2 * block {
        return (None, None);
    }
    // Column steps are summed on every SAMPLE_EVERY-th row, row steps on every SAMPLE_EVERY-th
    // column: the block edges run the photo's whole length, so a sample of the lines across them
    // finds their phase (the sampling is along the edge, so it is tied to no block side, but every
    // residue of k is still visited along the other direction).
    let y_at = |x: usize, y: usize| luma(image.get_pixel(x as u32, y as u32).0);
    let (mut cols, mut rows) = (vec![0.0f32; block], vec![0.0f32; block]);
    for y in (0..h).step_by(SAMPLE_EVERY) {
        let row: Vec<f32> = (0..w).map(|x| y_at(x, y)).collect();
        for x in 0..w - 1 {
            cols[x % block] += (row[x + 1] - row[x]).abs();
        }
    }
    let sampled = |y: usize| -> Vec<f32> { (0..w).step_by(SAMPLE_EVERY).map(|x| y_at(x, y)).collect() };
    let mut previous = sampled(0);
    for y in 1..h {
        let current = sampled(y);
        rows[(y - 1) % block] += current.iter().zip(&previous).map(|(a, b)| (a - b).abs()).sum::<f32>();
        previous = current;
    }
    // The strongest residue, where it stands out: at high quality the block edges are no stronger
    // than the rest and the strongest residue is chance (then nothing is left out).
    let evident = |v: &[f32]| -> Option<usize> {
        let strongest = (0..block).max_by(|&a, &b| v[a].total_cmp(&v[b]))?;
        let median = crate::imaging::quantile(v, 0.5)?;
        (v[strongest] >= JPEG_EVIDENT * median).then_some(strongest)
    };
    (evident(&cols), evident(&rows))
}

/// A window's step profile in one direction, positions on the JPEG grid marked off.
struct Profile {
    values: Vec<f32>,
    keep: Vec<bool>,
    /// Sum and count of the kept values.
    total: f32,
    kept: usize,
}

impl Profile {
    fn new(values: Vec<f32>, keep: Vec<bool>) -> Profile {
        let (total, kept) = values.iter().zip(&keep).filter(|(_, &k)| k).fold((0.0f32, 0usize), |(s, n), (v, _)| (s + v, n + 1));
        Profile { values, keep, total, kept }
    }

    /// The best phase's on-grid over off-grid ratio at a period; 1 when too few positions are on
    /// or off the grid.
    fn best_phase(&self, period: f32) -> f32 {
        let mut best = 1.0f32;
        let mut phase = 0.0f32;
        while phase < period {
            let (mut on, mut n_on) = (0.0f32, 0usize);
            let mut k = 0.0f32;
            loop {
                // Rounded by adding a half and truncating (positive values): `round` is a libm call on
                // the portable target, and this loop is the search's inner one.
                let at = (phase + k * period + 0.5) as usize;
                if at >= self.values.len() {
                    break;
                }
                if self.keep[at] {
                    on += self.values[at];
                    n_on += 1;
                }
                k += 1.0;
            }
            let n_off = self.kept - n_on;
            if n_on >= 3 && n_off >= 3 {
                let r = (on / n_on as f32 + FLOOR) / ((self.total - on) / n_off as f32 + FLOOR);
                best = best.max(r);
            }
            phase += 1.0;
        }
        best
    }
}

/// The best grid shared by both directions, if it beats `beat`: for each period (3 px to a quarter
/// of the window, in quarter pixels) the smaller of the two directions' best on-grid over
/// off-grid ratio; the largest such ratio and its period. (The rows are read only at periods
/// where the columns alone beat `beat`: the smaller of the two cannot beat it otherwise.)
fn grid_ratio(cols: &Profile, rows: &Profile, beat: f32) -> Option<(f32, f32)> {
    let side = cols.values.len();
    let mut best: Option<(f32, f32)> = None;
    let mut period = 3.0f32;
    while period <= side as f32 / 4.0 {
        let floor = best.map_or(beat, |b| b.0);
        let across = cols.best_phase(period);
        if across > floor {
            let r = across.min(rows.best_phase(period));
            if r > floor {
                best = Some((r, period));
            }
        }
        period += 0.25;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A face-sized mesh: landmarks spread over a square from (100, 100), `side` pixels across,
    /// the face oval's on the circle inside it.
    fn square_mesh(side: f32) -> Vec<[f32; 3]> {
        let mut mesh: Vec<[f32; 3]> =
            (0..468).map(|i| [100.0 + side * (i % 22) as f32 / 21.0, 100.0 + side * (i / 22) as f32 / 21.0, 0.0]).collect();
        let n = lm::FACE_OVAL.len() as f32;
        for (k, &i) in lm::FACE_OVAL.iter().enumerate() {
            let angle = std::f32::consts::TAU * k as f32 / n;
            mesh[i] = [100.0 + side / 2.0 * (1.0 + angle.cos()), 100.0 + side / 2.0 * (1.0 + angle.sin()), 0.0];
        }
        mesh
    }

    /// Skin-like texture: a smooth gradient plus deterministic grain.
    fn skin(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let grain = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104729)).wrapping_mul(2654435761) >> 28) as f32 - 8.0;
            let v = (150.0 + 0.1 * x as f32 + 0.05 * y as f32 + grain).clamp(0.0, 255.0) as u8;
            image::Rgb([v.saturating_add(30), v, v.saturating_sub(20)])
        })
    }

    #[test]
    fn a_mosaic_patch_is_a_grid_and_skin_is_not() {
        let mesh = square_mesh(300.0);
        let clean = skin(500, 500);
        let plain = mosaic_on_face(&clean, &mesh, Some(8)).expect("a face");
        assert!(plain.ratio < 1.6, "{plain:?}");
        // Blocks of 9 px over a square 90 px across, each the mean of its pixels.
        let mut pixelated = clean.clone();
        let (x0, y0, block) = (200u32, 220u32, 9u32);
        for by in 0..10 {
            for bx in 0..10 {
                let (mut sum, mut n) = ([0u32; 3], 0u32);
                for y in 0..block {
                    for x in 0..block {
                        let p = clean.get_pixel(x0 + bx * block + x, y0 + by * block + y).0;
                        (0..3).for_each(|c| sum[c] += p[c] as u32);
                        n += 1;
                    }
                }
                let mean = image::Rgb(sum.map(|s| (s / n) as u8));
                for y in 0..block {
                    for x in 0..block {
                        pixelated.put_pixel(x0 + bx * block + x, y0 + by * block + y, mean);
                    }
                }
            }
        }
        let found = mosaic_on_face(&pixelated, &mesh, Some(8)).expect("a face");
        assert!(found.ratio > 2.0 * plain.ratio, "{found:?} against {plain:?}");
        assert!((found.period - 9.0).abs() <= 0.5, "{found:?}");
        assert!(found.left < 290.0 && found.left + found.side > 200.0 && found.top < 310.0 && found.top + found.side > 220.0, "{found:?}");
    }

    #[test]
    fn jpeg_block_edges_are_not_a_grid() {
        // Flat 8×8 blocks aligned on the JPEG grid (what hard compression leaves on smooth skin).
        let mesh = square_mesh(300.0);
        let img = RgbImage::from_fn(500, 500, |x, y| {
            let v = 140 + ((x / 8 * 5 + y / 8 * 3) % 7) as u8;
            image::Rgb([v + 30, v, v - 20])
        });
        let found = mosaic_on_face(&img, &mesh, Some(8)).expect("a face");
        assert!(found.ratio < 1.6, "{found:?}");
        // Without knowing the JPEG grid it is one.
        assert!(mosaic_on_face(&img, &mesh, None).expect("a face").ratio > 4.0);
    }

    #[test]
    fn a_face_too_small_or_without_room_inside_its_oval_is_not_read() {
        assert!(mosaic_on_face(&skin(100, 100), &square_mesh(30.0), Some(8)).is_none());
        // The oval squeezed to a sliver: no window fits, so there is no reading (not a pass).
        let mut mesh = square_mesh(300.0);
        for &i in lm::FACE_OVAL.iter() {
            mesh[i][1] = 250.0 + (mesh[i][1] - 250.0) * 0.05;
        }
        assert!(mosaic_on_face(&skin(500, 500), &mesh, Some(8)).is_none());
    }
}
