//! Pixel helpers shared by the analysis stages: similarity transforms, anti-aliased crops into
//! model tensors, box downscaling, resizing (`fast_image_resize`) and luma planes.

use image::RgbImage;

pub mod filters;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    pub const fn new(x: f32, y: f32) -> Self {
        Point { x, y }
    }
    pub fn dist(self, o: Point) -> f32 {
        ((self.x - o.x).powi(2) + (self.y - o.y).powi(2)).sqrt()
    }
    pub fn mid(self, o: Point) -> Point {
        Point::new((self.x + o.x) / 2.0, (self.y + o.y) / 2.0)
    }
}

/// Maps crop pixel coordinates (u, v) to image coordinates:
/// x = a*u + b*v + c, y = d*u + e*v + f.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    pub a: f32,
    pub b: f32,
    pub c: f32,
    pub d: f32,
    pub e: f32,
    pub f: f32,
}

impl Affine {
    /// A square crop of `side` image pixels centred on `centre`, rotated by `angle` radians
    /// (the crop's x axis points along `angle` in the image), sampled to `out` × `out` pixels.
    /// With `mirror`, the crop's x axis is flipped.
    pub fn square_crop(centre: Point, side: f32, angle: f32, out: usize, mirror: bool) -> Affine {
        let s = side / out as f32;
        let (sin, cos) = angle.sin_cos();
        let m = if mirror { -1.0 } else { 1.0 };
        let half = out as f32 / 2.0;
        // x = centre + R * (m*(u - half)*s, (v - half)*s)
        let a = cos * s * m;
        let b = -sin * s;
        let d = sin * s * m;
        let e = cos * s;
        Affine { a, b, c: centre.x - a * half - b * half, d, e, f: centre.y - d * half - e * half }
    }

    /// The whole `width` × `height` image, centred and scaled to fit `out_w` × `out_h` pixels
    /// (upright, the same scale both ways; the rest of the output is padding).
    pub fn letterbox(width: f32, height: f32, out_w: usize, out_h: usize) -> Affine {
        let s = (width / out_w as f32).max(height / out_h as f32);
        Affine { a: s, b: 0.0, c: (width - s * out_w as f32) / 2.0, d: 0.0, e: s, f: (height - s * out_h as f32) / 2.0 }
    }

    pub fn apply(&self, u: f32, v: f32) -> Point {
        Point::new(self.a * u + self.b * v + self.c, self.d * u + self.e * v + self.f)
    }

    /// Image pixels per crop pixel.
    pub fn scale(&self) -> f32 {
        (self.a * self.e - self.b * self.d).abs().sqrt()
    }
}

/// An image and its successive halvings, so that any crop can be sampled from a level where one
/// output pixel covers at most about two source pixels: sampling cost then depends on the crop
/// size, not on the photo's resolution.
#[derive(Debug, Clone)]
pub struct Pyramid {
    pub levels: Vec<RgbImage>,
}

impl Pyramid {
    pub fn new(base: RgbImage) -> Pyramid {
        let mut levels = vec![base];
        while let Some(last) = levels.last() {
            if last.width().min(last.height()) < 96 {
                break;
            }
            let next = halve(last);
            levels.push(next);
        }
        Pyramid { levels }
    }

    pub fn base(&self) -> &RgbImage {
        &self.levels[0]
    }
}

/// 2×2 box average (odd last row/column dropped).
fn halve(img: &RgbImage) -> RgbImage {
    let (w, h) = (img.width() / 2, img.height() / 2);
    let sw = img.width() as usize;
    let src = img.as_raw();
    let mut out = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h as usize {
        let r0 = &src[(2 * y) * sw * 3..(2 * y + 1) * sw * 3];
        let r1 = &src[(2 * y + 1) * sw * 3..(2 * y + 2) * sw * 3];
        for x in 0..w as usize {
            let i = 6 * x;
            for c in 0..3 {
                let sum = r0[i + c] as u16 + r0[i + 3 + c] as u16 + r1[i + c] as u16 + r1[i + 3 + c] as u16;
                out.push(((sum + 2) / 4) as u8);
            }
        }
    }
    RgbImage::from_raw(w, h, out).unwrap_or_else(|| RgbImage::new(1, 1))
}

/// Bilinear sample at (x, y) in pixel units (centres at +0.5). Within one pixel outside the image
/// the border is extended (no dark seams); further out gives `fill`.
#[inline(always)]
fn bilinear(raw: &[u8], w: i32, h: i32, x: f32, y: f32, fill: [f32; 3]) -> [f32; 3] {
    let fx = x - 0.5;
    let fy = y - 0.5;
    if !(fx >= -1.0 && fy >= -1.0 && fx <= w as f32 && fy <= h as f32) {
        return fill;
    }
    // Truncation of a shifted positive value is floor, without a libm call.
    let x0 = (fx + 2.0) as i32 - 2;
    let y0 = (fy + 2.0) as i32 - 2;
    let tx = fx - x0 as f32;
    let ty = fy - y0 as f32;
    let stride = w as usize * 3;
    let (i00, i10, i01, i11) = if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h {
        let i = y0 as usize * stride + x0 as usize * 3;
        debug_assert!(i + stride + 5 < raw.len());
        // SAFETY: x0+1 < w and y0+1 < h, so every index below is inside the w*h*3 buffer.
        let px = |j: usize| unsafe { *raw.get_unchecked(j) as f32 };
        let mut out = [0.0; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let (p00, p10, p01, p11) = (px(i + c), px(i + 3 + c), px(i + stride + c), px(i + stride + 3 + c));
            let top = p00 + (p10 - p00) * tx;
            let bottom = p01 + (p11 - p01) * tx;
            *o = top + (bottom - top) * ty;
        }
        return out;
    } else {
        let xa = x0.clamp(0, w - 1) as usize;
        let xb = (x0 + 1).clamp(0, w - 1) as usize;
        let ya = y0.clamp(0, h - 1) as usize;
        let yb = (y0 + 1).clamp(0, h - 1) as usize;
        (ya * stride + xa * 3, ya * stride + xb * 3, yb * stride + xa * 3, yb * stride + xb * 3)
    };
    let mut out = [0.0; 3];
    for c in 0..3 {
        let (p00, p10, p01, p11) = (raw[i00 + c] as f32, raw[i10 + c] as f32, raw[i01 + c] as f32, raw[i11 + c] as f32);
        let top = p00 + (p10 - p00) * tx;
        let bottom = p01 + (p11 - p01) * tx;
        out[c] = top + (bottom - top) * ty;
    }
    out
}

/// Samples an `out_w` × `out_h` crop through `affine` (crop → base-image pixels) into a planar
/// (CHW) RGB buffer in 0..255, from the pyramid level that matches the crop's scale, with 2×2
/// sub-samples when the crop still shrinks that level.
pub fn sample_planar(pyr: &Pyramid, affine: &Affine, out_w: usize, out_h: usize, fill: [f32; 3]) -> Vec<f32> {
    let scale = affine.scale().max(1e-6);
    let mut level = 0usize;
    // Deepest level at which the crop still samples at most two source pixels per output pixel
    // (plain bilinear is then close enough to an area average for the networks).
    while level + 1 < pyr.levels.len() && scale / (1u32 << level) as f32 > 2.0 {
        level += 1;
    }
    let img = &pyr.levels[level];
    let k = pyr.levels[0].width() as f32 / img.width() as f32;
    let t = Affine { a: affine.a / k, b: affine.b / k, c: affine.c / k, d: affine.d / k, e: affine.e / k, f: affine.f / k };
    let n = if t.scale() > 2.5 { 2 } else { 1 };
    let inv = 1.0 / (n * n) as f32;
    let (w, h) = (img.width() as i32, img.height() as i32);
    let raw = img.as_raw();
    let plane = out_w * out_h;
    let mut out = vec![0.0f32; plane * 3];
    let offsets: Vec<f32> = (0..n).map(|s| (s as f32 + 0.5) / n as f32).collect();
    let (r_plane, rest) = out.split_at_mut(plane);
    let (g_plane, b_plane) = rest.split_at_mut(plane);
    for v in 0..out_h {
        let row = v * out_w;
        for u in 0..out_w {
            let mut acc = [0.0f32; 3];
            for &oy in &offsets {
                for &ox in &offsets {
                    let p = t.apply(u as f32 + ox, v as f32 + oy);
                    let s = bilinear(raw, w, h, p.x, p.y, fill);
                    acc[0] += s[0];
                    acc[1] += s[1];
                    acc[2] += s[2];
                }
            }
            r_plane[row + u] = acc[0] * inv;
            g_plane[row + u] = acc[1] * inv;
            b_plane[row + u] = acc[2] * inv;
        }
    }
    out
}

/// The convolution filter of a [`resize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resample {
    /// Triangle (bilinear) kernel widened to the scale factor: analysis resampling.
    Bilinear,
    /// Lanczos-3: pictures people look at (the archive crop).
    Lanczos3,
    /// Box kernel widened to the scale factor: an area average when shrinking, which adds no
    /// interpolation blur of its own (detail measures that must compare photos of any size).
    Area,
}

/// Resizes to `width` × `height` with `fast_image_resize` (separable convolution in SIMD; the
/// same kernels as `image::imageops::resize`, faster: `cargo bench --bench pipeline -- resize`).
/// Should it refuse the buffers, `image`'s resize does the work.
pub fn resize(img: &RgbImage, width: u32, height: u32, filter: Resample) -> RgbImage {
    use fast_image_resize as fr;
    if width == 0 || height == 0 || img.width() == 0 || img.height() == 0 {
        return RgbImage::new(width, height);
    }
    let kernel = match filter {
        Resample::Bilinear => fr::FilterType::Bilinear,
        Resample::Lanczos3 => fr::FilterType::Lanczos3,
        Resample::Area => fr::FilterType::Box,
    };
    let fast = || -> Option<RgbImage> {
        let src = fr::images::ImageRef::new(img.width(), img.height(), img.as_raw(), fr::PixelType::U8x3).ok()?;
        let mut dst = fr::images::Image::new(width, height, fr::PixelType::U8x3);
        let options = fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(kernel));
        fr::Resizer::new().resize(&src, &mut dst, &options).ok()?;
        RgbImage::from_raw(width, height, dst.into_vec())
    };
    fast().unwrap_or_else(|| {
        let fallback = match filter {
            Resample::Bilinear | Resample::Area => image::imageops::FilterType::Triangle,
            Resample::Lanczos3 => image::imageops::FilterType::Lanczos3,
        };
        image::imageops::resize(img, width, height, fallback)
    })
}

/// Shrinks by an integer factor with a box filter: cheap, alias-free enough for analysis.
pub fn box_downscale(img: &RgbImage, factor: u32) -> RgbImage {
    if factor <= 1 {
        return img.clone();
    }
    let (w, h) = (img.width() / factor, img.height() / factor);
    let (w, h) = (w.max(1), h.max(1));
    let mut out = RgbImage::new(w, h);
    let src = img.as_raw();
    let (sw, sh) = (img.width() as usize, img.height() as usize);
    let f = factor as usize;
    // Each source pixel is read once: the block of an output pixel is clipped to the source, so
    // the cost is linear in the source size whatever its shape (a 1-px-high strip included).
    for y in 0..h as usize {
        let (y0, y1) = ((y * f).min(sh - 1), ((y + 1) * f).min(sh).max((y * f).min(sh - 1) + 1));
        for x in 0..w as usize {
            let (x0, x1) = ((x * f).min(sw - 1), ((x + 1) * f).min(sw).max((x * f).min(sw - 1) + 1));
            let mut acc = [0u64; 3];
            for row in y0..y1 {
                for p in src[(row * sw + x0) * 3..(row * sw + x1) * 3].chunks_exact(3) {
                    acc[0] += p[0] as u64;
                    acc[1] += p[1] as u64;
                    acc[2] += p[2] as u64;
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as u64;
            out.put_pixel(x as u32, y as u32, image::Rgb([(acc[0] / n) as u8, (acc[1] / n) as u8, (acc[2] / n) as u8]));
        }
    }
    out
}

/// BT.601 luma, 0..255.
#[inline]
/// Luma (BT.601) of a planar (CHW) RGB buffer of `n` pixels, as `sample_planar` returns it.
pub fn planar_luma(rgb: &[f32], n: usize) -> Vec<f32> {
    (0..n).map(|i| 0.299 * rgb[i] + 0.587 * rgb[n + i] + 0.114 * rgb[2 * n + i]).collect()
}

pub fn luma(p: [u8; 3]) -> f32 {
    0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32
}

/// BT.601 (Cb, Cr) offsets from neutral, roughly −128..127.
#[inline]
pub fn chroma(p: [u8; 3]) -> (f32, f32) {
    let (r, g, b) = (p[0] as f32, p[1] as f32, p[2] as f32);
    let cb = -0.168_736 * r - 0.331_264 * g + 0.5 * b;
    let cr = 0.5 * r - 0.418_688 * g - 0.081_312 * b;
    (cb, cr)
}

/// A single-channel f32 plane.
#[derive(Debug, Clone)]
pub struct Plane {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl Plane {
    #[inline]
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// Bilinear lookup in the plane's own pixel units (centres at +0.5); clamps at the border.
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        let fx = (x - 0.5).clamp(0.0, (self.width - 1) as f32);
        let fy = (y - 0.5).clamp(0.0, (self.height - 1) as f32);
        let x0 = fx.floor() as usize;
        let y0 = fy.floor() as usize;
        let x1 = (x0 + 1).min(self.width - 1);
        let y1 = (y0 + 1).min(self.height - 1);
        let tx = fx - x0 as f32;
        let ty = fy - y0 as f32;
        let top = self.at(x0, y0) + (self.at(x1, y0) - self.at(x0, y0)) * tx;
        let bottom = self.at(x0, y1) + (self.at(x1, y1) - self.at(x0, y1)) * tx;
        top + (bottom - top) * ty
    }
}

/// Median of values in 0..=255 through a 256-bin histogram: O(n), no sorting.
pub fn median_luma(values: impl Iterator<Item = f32>) -> Option<f32> {
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for v in values {
        hist[v.clamp(0.0, 255.0) as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return None;
    }
    let mut seen = 0;
    for (bin, count) in hist.iter().enumerate() {
        seen += count;
        if seen * 2 >= n {
            return Some(bin as f32 + 0.5);
        }
    }
    Some(255.5)
}

/// Quantile of a slice (sorts a copy); `None` when empty.
pub fn quantile(values: &[f32], q: f32) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    let mut v: Vec<f32> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let idx = ((v.len() - 1) as f32 * q.clamp(0.0, 1.0)).round() as usize;
    Some(v[idx])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_crop_maps_centre_to_centre_and_mirrors() {
        let c = Point::new(50.0, 40.0);
        let t = Affine::square_crop(c, 20.0, 0.3, 10, false);
        let p = t.apply(5.0, 5.0);
        assert!((p.x - 50.0).abs() < 1e-4 && (p.y - 40.0).abs() < 1e-4);
        assert!((t.scale() - 2.0).abs() < 1e-4);
        let m = Affine::square_crop(c, 20.0, 0.0, 10, true);
        assert!(m.apply(0.0, 5.0).x > m.apply(10.0, 5.0).x);
    }

    #[test]
    fn letterbox_fits_the_whole_image_centred() {
        // A 600×800 portrait fills a 224×288 input's height, with equal padding on either side.
        let t = Affine::letterbox(600.0, 800.0, 224, 288);
        let (a, b) = (t.apply(0.0, 0.0), t.apply(224.0, 288.0));
        assert!(a.y.abs() < 1e-2 && (b.y - 800.0).abs() < 1e-2, "{a:?} {b:?}");
        assert!(a.x < 0.0 && (a.x + b.x - 600.0).abs() < 1e-2 && b.x - 600.0 < 0.03 * 600.0, "{a:?} {b:?}");
        // A landscape photo is fitted by its width and padded above and below, centre to centre.
        let t = Affine::letterbox(1000.0, 500.0, 224, 288);
        let c = t.apply(112.0, 144.0);
        assert!((c.x - 500.0).abs() < 1e-3 && (c.y - 250.0).abs() < 1e-3);
        assert!((t.apply(0.0, 0.0).x).abs() < 1e-3 && t.apply(0.0, 0.0).y < 0.0);
    }

    #[test]
    fn sampling_a_flat_image_is_flat() {
        let img = RgbImage::from_pixel(300, 300, image::Rgb([10, 20, 30]));
        let t = Affine::square_crop(Point::new(150.0, 150.0), 200.0, 0.7, 8, false);
        let out = sample_planar(&Pyramid::new(img), &t, 8, 8, [0.0; 3]);
        assert!(out[..64].iter().all(|v| (v - 10.0).abs() < 1e-3));
        assert!(out[128..].iter().all(|v| (v - 30.0).abs() < 1e-3));
    }

    #[test]
    fn pyramid_levels_agree_on_a_smooth_image() {
        let img = RgbImage::from_fn(400, 400, |x, y| image::Rgb([(x / 2) as u8, (y / 2) as u8, 100]));
        let pyr = Pyramid::new(img);
        assert!(pyr.levels.len() >= 3);
        // A strongly shrinking crop (level ≥ 2) and the same crop from the base agree.
        let t = Affine::square_crop(Point::new(200.0, 200.0), 320.0, 0.0, 16, false);
        let coarse = sample_planar(&pyr, &t, 16, 16, [0.0; 3]);
        let fine = sample_planar(&Pyramid { levels: vec![pyr.levels[0].clone()] }, &t, 16, 16, [0.0; 3]);
        for (a, b) in coarse.iter().zip(&fine) {
            assert!((a - b).abs() < 3.0, "{a} vs {b}");
        }
    }

    #[test]
    fn row_spans_agree_with_the_point_test() {
        let poly = [Point::new(0.0, 0.0), Point::new(10.0, 0.0), Point::new(5.0, 5.0), Point::new(10.0, 10.0), Point::new(0.0, 10.0)];
        for yi in 0..10 {
            let y = yi as f32 + 0.5;
            let spans = polygon_row_spans(y, &poly);
            for xi in 0..10 {
                let x = xi as f32 + 0.5;
                let in_span = spans.iter().any(|(a, b)| x >= *a && x < *b);
                assert_eq!(in_span, inside_polygon(Point::new(x, y), &poly), "({x},{y})");
            }
        }
    }

    #[test]
    fn box_downscale_averages() {
        let img = RgbImage::from_fn(4, 2, |x, _| if x % 2 == 0 { image::Rgb([0, 0, 0]) } else { image::Rgb([200, 100, 50]) });
        let out = box_downscale(&img, 2);
        assert_eq!(out.dimensions(), (2, 1));
        assert_eq!(out.get_pixel(0, 0).0, [100, 50, 25]);
    }
}

/// Even-odd point-in-polygon test.
pub fn inside_polygon(p: Point, poly: &[Point]) -> bool {
    let mut inside = false;
    let mut j = poly.len().wrapping_sub(1);
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// For the horizontal line y, the x intervals inside a polygon (even-odd rule), sorted: a whole
/// row's membership at the cost of one pass over the edges.
pub fn polygon_row_spans(y: f32, poly: &[Point]) -> Vec<(f32, f32)> {
    let mut xs = Vec::new();
    let mut j = poly.len().wrapping_sub(1);
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a.y > y) != (b.y > y) {
            xs.push((b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x);
        }
        j = i;
    }
    xs.sort_by(f32::total_cmp);
    xs.chunks_exact(2).map(|c| (c[0], c[1])).collect()
}

/// Axis-aligned bounds (x0, y0, x1, y1) of points.
pub fn bounds(points: &[Point]) -> (f32, f32, f32, f32) {
    points.iter().fold((f32::MAX, f32::MAX, f32::MIN, f32::MIN), |b, p| (b.0.min(p.x), b.1.min(p.y), b.2.max(p.x), b.3.max(p.y)))
}

#[cfg(test)]
mod downscale_tests {
    use super::*;

    #[test]
    fn box_downscale_averages_blocks_whatever_the_shape() {
        // A strip 1 px high: the block is clipped to the one row there is.
        let strip = RgbImage::from_fn(100_000, 1, |x, _| image::Rgb([(x % 2 * 200) as u8, 50, 0]));
        let small = box_downscale(&strip, 100);
        assert_eq!(small.dimensions(), (1000, 1));
        assert_eq!(small.get_pixel(3, 0).0, [100, 50, 0]);
        // A square: exact block means.
        let sq = RgbImage::from_fn(4, 4, |x, y| image::Rgb([(x * 10 + y) as u8, 0, 255]));
        let half = box_downscale(&sq, 2);
        // (2,2) (3,2) (2,3) (3,3) hold 22, 32, 23, 33: mean 27.5, truncated.
        assert_eq!(half.get_pixel(1, 1).0, [27, 0, 255]);
    }
}

#[cfg(test)]
mod resize_tests {
    use super::*;

    /// Mean absolute difference per channel value between two images of one size.
    fn mean_difference(a: &RgbImage, b: &RgbImage) -> f64 {
        let sum: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| (*x as i64 - *y as i64).unsigned_abs()).sum();
        sum as f64 / a.as_raw().len() as f64
    }

    #[test]
    fn resize_matches_the_image_crates_kernels_on_a_photo() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let photo = image::open(root.join("sample_photos/grace_hopper.jpg")).expect("sample").to_rgb8();
        let differences: Vec<(Resample, (u32, u32), f64)> = [
            (Resample::Bilinear, image::imageops::FilterType::Triangle, (300, 352)),
            (Resample::Lanczos3, image::imageops::FilterType::Lanczos3, (260, 378)),
            (Resample::Bilinear, image::imageops::FilterType::Triangle, (1030, 1201)),
        ]
        .into_iter()
        .map(|(filter, reference, size)| {
            let ours = resize(&photo, size.0, size.1, filter);
            assert_eq!(ours.dimensions(), size);
            (filter, size, mean_difference(&ours, &image::imageops::resize(&photo, size.0, size.1, reference)))
        })
        .collect();
        // Rounding apart, the same picture (measured: 0.15 to 0.17 of a level).
        assert!(differences.iter().all(|d| d.2 < 1.0), "mean difference from image's resize: {differences:?}");
    }

    #[test]
    fn resize_of_odd_and_degenerate_shapes() {
        let strip = RgbImage::from_fn(5000, 1, |x, _| image::Rgb([(x % 256) as u8, 7, 200]));
        let small = resize(&strip, 50, 1, Resample::Bilinear);
        assert_eq!(small.dimensions(), (50, 1));
        assert!(small.pixels().all(|p| p.0[1] == 7 && p.0[2] == 200));
        assert_eq!(resize(&strip, 0, 3, Resample::Lanczos3).dimensions(), (0, 3));
        assert_eq!(resize(&RgbImage::new(0, 0), 4, 4, Resample::Bilinear).dimensions(), (4, 4));
    }
}
