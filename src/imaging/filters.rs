//! Window filters on planes of f32 (row-major, `w` × `h`) and connected regions of binary grids:
//! the pieces the mark scan, the focus measure, the background checks and the text detector's
//! post-processing share.

/// What a window does at the image's border.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edges {
    /// The window is clipped: the mean of the pixels inside the image.
    Shrink,
    /// The border pixels repeat outward: the window always holds (2r+1)² values.
    Replicate,
}

/// Mean over a (2r+1)² box (separable running sums, O(1) a pixel; the vertical pass runs over
/// whole rows, so memory is read in order).
pub fn box_blur(src: &[f32], w: usize, h: usize, r: usize, edges: Edges) -> Vec<f32> {
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let clamp = |i: isize, n: usize| i.clamp(0, n as isize - 1) as usize;
    let mut rows = vec![0.0f32; w * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let out = &mut rows[y * w..(y + 1) * w];
        match edges {
            Edges::Shrink => {
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
            Edges::Replicate => {
                let at = |i: isize| row[clamp(i, w)];
                let norm = 1.0 / (2 * r + 1) as f32;
                let mut sum: f32 = (-(r as isize)..=r as isize).map(at).sum();
                for (x, o) in out.iter_mut().enumerate() {
                    *o = sum * norm;
                    sum += at(x as isize + r as isize + 1) - at(x as isize - r as isize);
                }
            }
        }
    }
    let mut out = vec![0.0f32; w * h];
    let mut sums = vec![0.0f32; w];
    let row = |y: usize| &rows[y * w..(y + 1) * w];
    match edges {
        Edges::Shrink => {
            for y in 0..(r + 1).min(h) {
                for (s, v) in sums.iter_mut().zip(row(y)) {
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
                    for (s, v) in sums.iter_mut().zip(row(y + r + 1)) {
                        *s += v;
                    }
                }
                if y >= r {
                    for (s, v) in sums.iter_mut().zip(row(y - r)) {
                        *s -= v;
                    }
                }
            }
        }
        Edges::Replicate => {
            for k in -(r as isize)..=r as isize {
                for (s, v) in sums.iter_mut().zip(row(clamp(k, h))) {
                    *s += v;
                }
            }
            let norm = 1.0 / (2 * r + 1) as f32;
            for y in 0..h {
                for (o, s) in out[y * w..(y + 1) * w].iter_mut().zip(&sums) {
                    *o = s * norm;
                }
                let (add, sub) = (clamp(y as isize + r as isize + 1, h), clamp(y as isize - r as isize, h));
                for ((s, v), u) in sums.iter_mut().zip(row(add)).zip(row(sub)) {
                    *s += v - u;
                }
            }
        }
    }
    out
}

/// Running extreme over a (2r+1)² square, the window clipped at the borders: separable, each
/// pass van Herk / Gil-Werman (three comparisons a pixel whatever the window); the vertical pass
/// works on whole rows, so memory is read in order.
// Generic over `pick` (not a fn pointer) so each use is compiled with its comparison inlined:
// through a pointer, across codegen units, the per-pixel call cost the mark scan 17 ms a photo.
fn extreme_filter<F: Fn(f32, f32) -> f32 + Copy>(src: &[f32], w: usize, h: usize, r: usize, pick: F) -> Vec<f32> {
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
fn running_extreme<F: Fn(f32, f32) -> f32 + Copy>(line: &[f32], r: usize, pick: F, out: &mut Vec<f32>) {
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

/// Minimum over a (2r+1)² square, the window clipped at the borders.
pub fn min_filter(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    extreme_filter(src, w, h, r, f32::min)
}

/// Maximum over a (2r+1)² square, the window clipped at the borders.
pub fn max_filter(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    extreme_filter(src, w, h, r, f32::max)
}

/// Which neighbours join pixels into one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connectivity {
    /// Left, right, up, down.
    Four,
    /// Those and the diagonals.
    Eight,
}

/// Connected regions of the set cells of a grid, each as its cell indices (row-major).
pub fn regions(grid: &[bool], w: usize, h: usize, connectivity: Connectivity) -> Vec<Vec<usize>> {
    // Cells beyond the grid's length count as unset.
    let mut seen = vec![false; grid.len().max(w * h)];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    let reach: i64 = 1;
    for start in 0..grid.len().min(w * h) {
        if seen[start] || !grid[start] {
            continue;
        }
        let mut pixels = Vec::new();
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            pixels.push(i);
            let (x, y) = ((i % w) as i64, (i / w) as i64);
            for dy in -reach..=reach {
                for dx in -reach..=reach {
                    if (dx == 0 && dy == 0) || (connectivity == Connectivity::Four && dx != 0 && dy != 0) {
                        continue;
                    }
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if grid.get(j).copied().unwrap_or(false) && !seen[j] {
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
        assert!(box_blur(&flat, 20, 10, 3, Edges::Shrink).iter().all(|v| (v - 7.0).abs() < 1e-4));
        let step: Vec<f32> = (0..20 * 10).map(|i| if i % 20 < 10 { 0.0 } else { 70.0 }).collect();
        let blurred = box_blur(&step, 20, 10, 3, Edges::Shrink);
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
            let (fast_max, fast_mean) = (max_filter(&src, w, h, r), box_blur(&src, w, h, r, Edges::Shrink));
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
    fn diagonal_neighbours_join_only_eight_connected_regions() {
        // 0 and 6 touch diagonally, 6 and 7 side by side, 24 is far away.
        let mut grid = vec![false; 5 * 5];
        for i in [0, 6, 7, 24] {
            grid[i] = true;
        }
        let sizes = |c: Connectivity| {
            let mut s: Vec<usize> = regions(&grid, 5, 5, c).iter().map(Vec::len).collect();
            s.sort();
            s
        };
        assert_eq!(sizes(Connectivity::Eight), vec![1, 3]);
        assert_eq!(sizes(Connectivity::Four), vec![1, 1, 2]);
    }

    #[test]
    fn replicated_edges_match_a_direct_average_with_clamped_indices() {
        let (w, h) = (7usize, 5usize);
        let src: Vec<f32> = (0..w * h).map(|i| ((i * 37) % 11) as f32).collect();
        for r in [1usize, 2, 4] {
            let fast = box_blur(&src, w, h, r, Edges::Replicate);
            for y in 0..h {
                for x in 0..w {
                    let mut direct = 0.0;
                    for dy in -(r as i32)..=r as i32 {
                        for dx in -(r as i32)..=r as i32 {
                            let xx = (x as i32 + dx).clamp(0, w as i32 - 1) as usize;
                            let yy = (y as i32 + dy).clamp(0, h as i32 - 1) as usize;
                            direct += src[yy * w + xx];
                        }
                    }
                    direct /= ((2 * r + 1) * (2 * r + 1)) as f32;
                    assert!((fast[y * w + x] - direct).abs() < 1e-4, "r {r} at {x},{y}");
                }
            }
        }
    }
}
