//! Printed marks on the background and the clothing: text in any script, digits, logos and
//! symbols, dark or light, opaque or faint. The text detector (PP-OCR, 192 px over the whole
//! photo) only sees large text; a licence photo's background is plain white and its clothing
//! plain, so anything that stands out from its own surroundings there is a mark, whatever it
//! depicts.
//!
//! The scan works at about 400 px tall. On the background, each colour channel minus its local
//! mean over background pixels only (a box of ~3.5 % of the height, normalised by the share of
//! background in it, so the person beside it does not leak in): strokes and small shapes stand
//! out, a shadow or a light gradient does not. On the clothing, only thin structures count: a
//! channel's top-hat or black-hat by a small square (what an opening or closing removes), since a
//! garment's own edges are steps that survive both, while strokes and the thin parts of a logo do
//! not; the limit rises with the fabric's own texture. Marked pixels are grouped into regions
//! (letters of a word and parts of a logo join across small gaps); a region counts when it is
//! large enough to be read, is not a tall thin edge, and does not hang off the edge of the zones.
//! Where the scan looks:
//! - the background at least 2 % of the height from the person's outline (the mask's own error
//!   and stray hair);
//! - the clothing: the person below the chin, two strokes' width from the outline and from skin
//!   (a collar's opening, a hand).
//!
//! Its parameters are the detector's own, like a network's pixel thresholds; what a mark does to
//! the verdict (fail, or review on clothing) is the profile's (`[rules.text]`).

use super::face_frame::{FaceFrame, SkinRef};
use super::scene::{dilate, Scene};
use crate::imaging::{chroma, luma, quantile, Point, Pyramid};
use crate::models::TextBox;

/// The working height the scan picks its pyramid level for (the smallest level at least this).
const WORK_HEIGHT: u32 = 360;
/// Local-mean box, as a share of the working height.
const BLUR: f32 = 0.035;
/// The background is looked at this far (share of the height) from the person's outline: the
/// mask's own error and stray hair.
const BACKGROUND_MARGIN: f32 = 0.02;
/// Residual (0..255, the largest of the three channels) a mark's pixels reach.
const CONTRAST_BACKGROUND: f32 = 26.0;
const CONTRAST_CLOTHING: f32 = 34.0;
/// On textured fabric the clothing's limit is at least this multiple of the fabric's own 95th
/// percentile (creases and knit of light cloth stay under it).
const FABRIC_TEXTURE: f32 = 3.0;
/// Marks closer than this (share of the height) form one region: the letters of a word.
const JOIN: f32 = 0.012;
/// A mark pixel this close (working pixels) to the edge of the zones is "at the edge"; a region
/// with more than `MAX_EDGE_SHARE` of its mark pixels there hangs off something beyond the zones.
/// Measured on the 83 London ready portraits and their text/logo variants (examples/variants):
/// at 0 no clean portrait is flagged but 60 % of the marks are lost (text near the hair), at 0.1
/// two are (white flecks the recolouring of their T-shirt left), at 0.2 four.
const TOUCH: usize = 2;
const MAX_EDGE_SHARE: f32 = 0.1;
/// A region counts when its longer side is at least this share of the height (text 1/25 of the
/// height has letters about this tall) and its shorter side at least `MIN_THICKNESS` (a hair is
/// long but one or two pixels thin).
const MIN_SIZE: f32 = 0.022;
const MIN_THICKNESS: f32 = 0.009;
/// Height over width beyond which a region is a vertical edge (a wall's corner), not a mark.
const MAX_TALLNESS: f32 = 4.0;
/// Fewest mark pixels in a region, as a share of the square of the height.
const MIN_PIXELS: f32 = 0.00012;
/// On clothing, structures thinner than twice this share of the height (plus one pixel) are
/// marks: strokes of text down to 1/25 of the height and up to about 1/9, thin parts of logos.
const STROKE: f32 = 0.012;
/// Share of a surface's pixels marked beyond which the surface is cluttered, not plain.
const CLUTTER: f32 = 0.15;
/// Below the chin by this share of the face height the person is clothing.
const CLOTHING_BELOW_CHIN: f32 = 0.30;

/// Where a mark was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The plain backdrop: nothing belongs there.
    Background,
    /// The clothing: a garment has its own small features (buttons, a zip, seams, flecks), so a
    /// mark there is less certain.
    Clothing,
}

/// A printed mark: its box in working-image pixels (`score` = the region's mean residual / 255)
/// and the surface it is on.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    pub bbox: TextBox,
    pub surface: Surface,
}

/// Marks found on the background and the clothing.
pub fn find_marks(image: &Pyramid, scene: &Scene, frame: Option<FaceFrame>, skin: Option<SkinRef>) -> Vec<Mark> {
    let level = image.levels.iter().rev().find(|l| l.height() >= WORK_HEIGHT).unwrap_or(image.base());
    let (w, h) = (level.width() as usize, level.height() as usize);
    if w < 16 || h < 16 {
        return Vec::new();
    }
    let to_base = image.base().height() as f32 / h as f32;
    let radius = ((BLUR * h as f32).round() as usize).max(3);

    // Zones on the scene grid: background away from the person by more than the mask's own
    // uncertainty and stray hair, clothing inside the person by the blur's reach.
    let cells_for = |px: f32| ((px * to_base / scene.cell_w.min(scene.cell_h)).ceil() as usize).max(1);
    // The clothing's thin-structure measure is blind to steps, so its margins need only cover
    // the outline's own error and a stroke's width, not the blur's reach.
    let stroke = ((STROKE * h as f32).round() as usize).max(1);
    let margin_cells = cells_for(2.0 * stroke as f32);
    let near_person = dilate(&scene.person, scene.width, scene.height, cells_for(BACKGROUND_MARGIN * h as f32));
    let not_person: Vec<bool> = scene.person.iter().map(|p| !p).collect();
    let near_outside = dilate(&not_person, scene.width, scene.height, margin_cells);
    let cell_of = |x: usize, y: usize| -> usize {
        let gx = ((x as f32 + 0.5) * to_base / scene.cell_w) as usize;
        let gy = ((y as f32 + 0.5) * to_base / scene.cell_h) as usize;
        gy.min(scene.height - 1) * scene.width + gx.min(scene.width - 1)
    };
    let is_clothing_place = |p: Point| -> bool {
        match frame {
            Some(f) => {
                let (s, t) = f.coords(p);
                t > 1.0 + CLOTHING_BELOW_CHIN && !((-0.9..=0.9).contains(&s) && t <= 1.15)
            }
            None => false,
        }
    };

    // Skin (a collar's opening, the neck, a hand) and everything within the blur's reach of it is
    // not clothing: its edge against the fabric would read as a mark.
    let raw = level.as_raw();
    let is_skin = |i: usize| -> bool {
        let Some(s) = skin else { return false };
        let p = [raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]];
        let y = luma(p);
        if s.gray {
            return (y - s.y).abs() < 0.25 * s.y.max(1.0);
        }
        let (cb, cr) = chroma(p);
        ((cb - s.cb).powi(2) + (cr - s.cr).powi(2)).sqrt() <= 14.0 && (0.4..=1.7).contains(&(y / s.y.max(1.0)))
    };
    // Only the person can be skin (the clothing's neighbourhood is all that matters).
    let skin_mask: Vec<bool> = (0..w * h).map(|i| scene.person[cell_of(i % w, i / w)] && is_skin(i)).collect();
    let near_skin = dilate(&skin_mask, w, h, 2 * stroke);

    // 0 = not looked at, 1 = background, 2 = clothing.
    let zone: Vec<u8> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            if x < 2 || y < 2 || x + 2 >= w || y + 2 >= h {
                return 0;
            }
            let c = cell_of(x, y);
            if !near_person[c] {
                1
            } else if scene.person[c] && !near_outside[c] && !near_skin[i] {
                let p = Point::new((x as f32 + 0.5) * to_base, (y as f32 + 0.5) * to_base);
                if is_clothing_place(p) {
                    2
                } else {
                    0
                }
            } else {
                0
            }
        })
        .collect();
    if zone.iter().all(|&z| z == 0) {
        return Vec::new();
    }

    // Residual on the background: the largest channel's distance from its local mean (anything
    // that stands out). On the clothing only thin structures count — the largest channel's
    // top-hat or black-hat (what an opening or closing by a small square removes) — since a
    // garment's own edges (a collar, a hem, a seam between colours) are steps, which survive an
    // opening and a closing, while strokes and the thin parts of a logo do not.
    // The background's local mean is taken over background pixels only (a normalised box
    // filter), so the person next to it does not leak in and the scan can come close to the head.
    let weight: Vec<f32> = zone.iter().map(|&z| (z == 1) as u8 as f32).collect();
    let weight_mean = box_blur(&weight, w, h, radius);
    // The clothing's thin-structure measure runs on the clothing's bounding box only.
    let clothing_box = bounding_box(&zone, w, h, 2).map(|(x0, y0, x1, y1)| {
        let pad = 2 * stroke + 1;
        (x0.saturating_sub(pad), y0.saturating_sub(pad), (x1 + pad + 1).min(w), (y1 + pad + 1).min(h))
    });
    let mut residual = vec![0.0f32; w * h];
    for c in 0..3 {
        let channel: Vec<f32> = (0..w * h).map(|i| raw[3 * i + c] as f32).collect();
        if weight_mean.iter().any(|&m| m > 0.0) {
            let weighted: Vec<f32> = channel.iter().zip(&weight).map(|(v, m)| v * m).collect();
            let background_mean = box_blur(&weighted, w, h, radius);
            for i in 0..w * h {
                if zone[i] == 1 {
                    residual[i] = residual[i].max((channel[i] - background_mean[i] / weight_mean[i].max(1e-3)).abs());
                }
            }
        }
        if let Some((x0, y0, x1, y1)) = clothing_box {
            let (bw, bh) = (x1 - x0, y1 - y0);
            let part: Vec<f32> = (y0..y1).flat_map(|y| channel[y * w + x0..y * w + x1].iter().copied()).collect();
            let opened = max_filter(&min_filter(&part, bw, bh, stroke), bw, bh, stroke);
            let closed = min_filter(&max_filter(&part, bw, bh, stroke), bw, bh, stroke);
            for y in y0..y1 {
                for x in x0..x1 {
                    let (i, j) = (y * w + x, (y - y0) * bw + (x - x0));
                    if zone[i] == 2 {
                        residual[i] = residual[i].max((part[j] - opened[j]).max(closed[j] - part[j]));
                    }
                }
            }
        }
    }
    // Fabric with its own texture (creases, a knit, light cloth's shading) raises the clothing's
    // limit to a multiple of its own 95th-percentile thin-structure contrast.
    let fabric: Vec<f32> = (0..w * h).step_by(3).filter(|&i| zone[i] == 2).map(|i| residual[i]).collect();
    let clothing_limit = quantile(&fabric, 0.95).map_or(CONTRAST_CLOTHING, |q| CONTRAST_CLOTHING.max(FABRIC_TEXTURE * q));
    let mut marked: Vec<bool> = (0..w * h)
        .map(|i| match zone[i] {
            1 => residual[i] >= CONTRAST_BACKGROUND,
            2 => residual[i] >= clothing_limit,
            _ => false,
        })
        .collect();
    // A surface with structure all over is not plain — a room behind the person, a patterned
    // shirt — and print on it cannot be told from the rest: the background checks speak for
    // such a backdrop, and the text detector still reads large text on either.
    for z in [1u8, 2] {
        let (looked, hit) = (0..w * h).filter(|&i| zone[i] == z).fold((0usize, 0usize), |(n, m), i| (n + 1, m + marked[i] as usize));
        if hit as f32 > CLUTTER * looked as f32 {
            for i in 0..w * h {
                if zone[i] == z {
                    marked[i] = false;
                }
            }
        }
    }

    // What reaches the edge of the looked-at zones is part of something beyond them — a strand
    // of hair off the head, a garment's edge, a fleck of the outline — not a mark on a plain
    // surface; the photo's own border does not count as an edge.
    let excluded: Vec<bool> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            let border = x < 2 || y < 2 || x + 2 >= w || y + 2 >= h;
            // ...except where the clothing meets it: the frame cuts a garment at its folds and
            // the arms' edges, which would otherwise read as marks.
            let inside = y.clamp(2, h - 3) * w + x.clamp(2, w - 3);
            zone[i] == 0 && (!border || zone[inside] == 2)
        })
        .collect();
    let at_zone_edge = dilate(&excluded, w, h, TOUCH);
    let join = ((JOIN * h as f32).round() as usize).max(1);
    let joined = dilate(&marked, w, h, join);
    let min_size = MIN_SIZE * h as f32;
    let min_thickness = MIN_THICKNESS * h as f32;
    let min_pixels = (MIN_PIXELS * (h * h) as f32).max(6.0) as usize;
    regions(&joined, w, h)
        .into_iter()
        .filter_map(|pixels| {
            let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
            let (mut n, mut sum) = (0usize, 0.0f32);
            for &i in &pixels {
                if marked[i] {
                    let (x, y) = (i % w, i / w);
                    x0 = x0.min(x);
                    y0 = y0.min(y);
                    x1 = x1.max(x);
                    y1 = y1.max(y);
                    n += 1;
                    sum += residual[i];
                }
            }
            let touching = pixels.iter().filter(|&&i| marked[i] && at_zone_edge[i]).count();
            if n < min_pixels || touching as f32 > MAX_EDGE_SHARE * n as f32 {
                return None;
            }
            let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
            // A tall thin region is an edge in the scene (a wall's corner, a door frame, a strand of
            // hair hanging), not print: text runs across, logos are compact.
            if bw.max(bh) < min_size || bw.min(bh) < min_thickness || bh > MAX_TALLNESS * bw {
                return None;
            }
            let on_clothing = pixels.iter().filter(|&&i| marked[i] && zone[i] == 2).count() * 2 > n;
            Some(Mark {
                bbox: TextBox {
                    x: x0 as f32 * to_base,
                    y: y0 as f32 * to_base,
                    width: bw * to_base,
                    height: bh * to_base,
                    score: sum / n as f32 / 255.0,
                },
                surface: if on_clothing { Surface::Clothing } else { Surface::Background },
            })
        })
        .collect()
}

/// Mean over a (2r+1)² box, the box clipped at the borders (separable running sums; the vertical
/// pass runs over whole rows, so memory is read in order).
fn box_blur(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut rows = vec![0.0f32; w * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let out = &mut rows[y * w..(y + 1) * w];
        let mut sum: f32 = row[..(r + 1).min(w)].iter().sum();
        for x in 0..w {
            let (a, b) = (x.saturating_sub(r), (x + r + 1).min(w));
            out[x] = sum / (b - a) as f32;
            if x + r + 1 < w {
                sum += row[x + r + 1];
            }
            if x >= r {
                sum -= row[x - r];
            }
        }
    }
    let mut out = vec![0.0f32; w * h];
    let mut sums = vec![0.0f32; w];
    for y in 0..(r + 1).min(h) {
        for (s, v) in sums.iter_mut().zip(&rows[y * w..(y + 1) * w]) {
            *s += v;
        }
    }
    for y in 0..h {
        let (a, b) = (y.saturating_sub(r), (y + r + 1).min(h));
        let n = (b - a) as f32;
        for (o, s) in out[y * w..(y + 1) * w].iter_mut().zip(&sums) {
            *o = s / n;
        }
        if y + r + 1 < h {
            for (s, v) in sums.iter_mut().zip(&rows[(y + r + 1) * w..(y + r + 2) * w]) {
                *s += v;
            }
        }
        if y >= r {
            for (s, v) in sums.iter_mut().zip(&rows[(y - r) * w..(y - r + 1) * w]) {
                *s -= v;
            }
        }
    }
    out
}

/// Running extreme over a (2r+1)² square, the window clipped at the borders: separable, each
/// pass van Herk / Gil-Werman (three comparisons a pixel whatever the window); the vertical pass
/// works on whole rows, so memory is read in order.
fn extreme_filter(src: &[f32], w: usize, h: usize, r: usize, pick: fn(f32, f32) -> f32) -> Vec<f32> {
    let mut rows = vec![0.0f32; w * h];
    let mut line = Vec::new();
    for y in 0..h {
        running_extreme(&src[y * w..(y + 1) * w], r, pick, &mut line);
        rows[y * w..(y + 1) * w].copy_from_slice(&line);
    }
    let k = 2 * r + 1;
    let (mut prefix, mut suffix) = (rows.clone(), rows.clone());
    for y in 1..h {
        if y % k != 0 {
            let (done, rest) = prefix.split_at_mut(y * w);
            for (p, q) in rest[..w].iter_mut().zip(&done[(y - 1) * w..]) {
                *p = pick(*p, *q);
            }
        }
    }
    for y in (0..h.saturating_sub(1)).rev() {
        if (y + 1) % k != 0 {
            let (head, later) = suffix.split_at_mut((y + 1) * w);
            for (p, q) in head[y * w..].iter_mut().zip(&later[..w]) {
                *p = pick(*p, *q);
            }
        }
    }
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
        let row = &mut out[y * w..(y + 1) * w];
        if a / k == b / k {
            row.copy_from_slice(&rows[a * w..(a + 1) * w]);
            for yy in a + 1..=b {
                for (o, v) in row.iter_mut().zip(&rows[yy * w..(yy + 1) * w]) {
                    *o = pick(*o, *v);
                }
            }
        } else {
            for ((o, s), p) in row.iter_mut().zip(&suffix[a * w..(a + 1) * w]).zip(&prefix[b * w..(b + 1) * w]) {
                *o = pick(*s, *p);
            }
        }
    }
    out
}

/// out[i] = extreme of line[i-r ..= i+r] (clipped), by block-wise prefix and suffix extremes.
fn running_extreme(line: &[f32], r: usize, pick: fn(f32, f32) -> f32, out: &mut Vec<f32>) {
    let n = line.len();
    out.clear();
    if n == 0 {
        return;
    }
    let k = 2 * r + 1;
    let (mut prefix, mut suffix) = (vec![0.0f32; n], vec![0.0f32; n]);
    for i in 0..n {
        prefix[i] = if i % k == 0 { line[i] } else { pick(prefix[i - 1], line[i]) };
    }
    for i in (0..n).rev() {
        suffix[i] = if i + 1 == n || (i + 1) % k == 0 { line[i] } else { pick(suffix[i + 1], line[i]) };
    }
    for i in 0..n {
        let (a, b) = (i.saturating_sub(r), (i + r).min(n - 1));
        // [a, b] spans at most two blocks: the suffix from a to its block's end and the prefix
        // from b's block start to b.
        out.push(if a / k == b / k { (a..=b).map(|j| line[j]).reduce(pick).unwrap_or(line[i]) } else { pick(suffix[a], prefix[b]) });
    }
}

/// The bounding box (x0, y0, x1, y1 inclusive) of the cells with value `z`.
fn bounding_box(grid: &[u8], w: usize, h: usize, z: u8) -> Option<(usize, usize, usize, usize)> {
    let mut found: Option<(usize, usize, usize, usize)> = None;
    for y in 0..h {
        for x in 0..w {
            if grid[y * w + x] == z {
                found = Some(match found {
                    None => (x, y, x, y),
                    Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
                });
            }
        }
    }
    found
}

fn min_filter(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    extreme_filter(src, w, h, r, f32::min)
}

fn max_filter(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    extreme_filter(src, w, h, r, f32::max)
}

/// 8-connected regions of a binary grid, each as its pixel indices.
fn regions(grid: &[bool], w: usize, h: usize) -> Vec<Vec<usize>> {
    let mut seen = vec![false; grid.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..grid.len() {
        if seen[start] || !grid[start] {
            continue;
        }
        let mut pixels = Vec::new();
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            pixels.push(i);
            let (x, y) = (i % w, i / w);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if grid[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        out.push(pixels);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_blur_of_a_constant_is_the_constant_and_a_step_is_smoothed() {
        let flat = vec![7.0f32; 20 * 10];
        assert!(box_blur(&flat, 20, 10, 3).iter().all(|v| (v - 7.0).abs() < 1e-4));
        let step: Vec<f32> = (0..20 * 10).map(|i| if i % 20 < 10 { 0.0 } else { 70.0 }).collect();
        let blurred = box_blur(&step, 20, 10, 3);
        assert!(blurred[5 * 20 + 9] > 0.0 && blurred[5 * 20 + 9] < 70.0);
        assert_eq!(blurred[5 * 20], 0.0);
    }

    #[test]
    fn running_extremes_match_the_naive_window() {
        let line: Vec<f32> = (0..37).map(|i| ((i * 7919) % 23) as f32).collect();
        for r in [1usize, 2, 5] {
            let mut fast = Vec::new();
            running_extreme(&line, r, f32::max, &mut fast);
            for i in 0..line.len() {
                let naive = line[i.saturating_sub(r)..=(i + r).min(line.len() - 1)].iter().copied().fold(f32::MIN, f32::max);
                assert_eq!(fast[i], naive, "r {r} at {i}");
            }
        }
    }

    #[test]
    fn square_filters_match_the_naive_window() {
        let (w, h) = (13usize, 11usize);
        let src: Vec<f32> = (0..w * h).map(|i| ((i * 7919) % 31) as f32).collect();
        for r in [1usize, 3] {
            let (fast_max, fast_mean) = (max_filter(&src, w, h, r), box_blur(&src, w, h, r));
            for y in 0..h {
                for x in 0..w {
                    let window: Vec<f32> = (y.saturating_sub(r)..=(y + r).min(h - 1))
                        .flat_map(|yy| (x.saturating_sub(r)..=(x + r).min(w - 1)).map(move |xx| (xx, yy)))
                        .map(|(xx, yy)| src[yy * w + xx])
                        .collect();
                    let max = window.iter().copied().fold(f32::MIN, f32::max);
                    let mean = window.iter().sum::<f32>() / window.len() as f32;
                    assert_eq!(fast_max[y * w + x], max, "max r {r} at {x},{y}");
                    assert!((fast_mean[y * w + x] - mean).abs() < 1e-3, "mean r {r} at {x},{y}");
                }
            }
        }
    }

    #[test]
    fn regions_are_eight_connected() {
        // Two diagonal pixels touch; a third far away is its own region.
        let mut grid = vec![false; 5 * 5];
        grid[0] = true;
        grid[6] = true;
        grid[24] = true;
        let mut sizes: Vec<usize> = regions(&grid, 5, 5).iter().map(Vec::len).collect();
        sizes.sort();
        assert_eq!(sizes, vec![1, 2]);
    }
}
