//! Glasses and sunglasses. No registry ships an eyewear model, so two small logistic models read
//! features of an eye-aligned canvas (research notes in ../shared/RECIPES.md, measured on the dev
//! photos): a frame model (a thin bright/dark line over the nose bridge, a lower rim under the
//! eyes) and a tint model (the band under the eyes darker than the cheeks, little visible sclera).
//! Either firing means eyewear; the tint model alone means sunglasses.
//!
//! Where a learned head decides GL001 and GL002 (the shipped profile), the head leans on the
//! appearance network's embedding, fitted on web photos, and gives the hand-made model little
//! weight. On studio portraits the network misses thin or drawn frames that the frame model sees
//! plainly, so GL003 keeps the hand-made model's own verdict as a backstop: either check failing
//! means eyewear.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, EvalLabel, Finding, HeadSlot, Rule, RuleSpec, Score};
use crate::analysis::{lm, Analysis, FaceAnalysis};
use crate::imaging::filters::max_filter;
use crate::imaging::{inside_polygon, polygon_row_spans, sample_planar, Affine, Plane, Point};
use crate::report::{Outcome, Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const GL001: &str = "GL001";
pub const GL002: &str = "GL002";
pub const GL003: &str = "GL003";
pub const GL004: &str = "GL004";

pub static SPEC: RuleSpec = RuleSpec {
    family: "glasses",
    codes: &[
        CodeInfo {
            code: GL001,
            name: "no_glasses",
            summary: "No eyewear over the eyes (probability from frame and tint features)",
            summary_zh: "眼部无眼镜（镜框与镜片色调特征的概率）",
            unit: "probability",
            head: Some(HeadSlot { label: "glasses", signal: true, crown: false }),
            eval: Some(EvalLabel { label: "glasses", violation: true, score: Score::Measured, with: &[GL002, GL003, GL004] }),
        },
        CodeInfo {
            code: GL002,
            name: "no_sunglasses",
            summary: "No sunglasses or tinted lenses (probability from the tint features)",
            summary_zh: "未戴墨镜或有色镜片（色调特征的概率）",
            unit: "probability",
            head: Some(HeadSlot { label: "sunglasses", signal: true, crown: false }),
            eval: Some(EvalLabel { label: "sunglasses", violation: true, score: Score::Measured, with: &[] }),
        },
        CodeInfo {
            code: GL003,
            name: "no_eyewear_frames",
            summary: "No eyewear by the hand-made frame and tint model alone (a backstop to GL001's learned head: thin or drawn frames the appearance network does not see)",
            summary_zh: "仅凭镜框与镜片色调特征判断未佩戴眼镜（补充 GL001 的学习模型：外观网络看不到的细镜框）",
            unit: "probability",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: GL004,
            name: "no_rims",
            summary: "No frame rim closing around both eyes: the line strength along the best ring around the less-ringed eye, over the face's contrast (rims drawn or thin, which neither GL001 nor GL003 sees)",
            summary_zh: "双眼周围没有闭合的镜框轮廓：沿环绕眼睛的最佳环线的线条强度（取较弱一只眼，相对面部对比度；补充 GL001、GL003 看不到的细镜框）",
            unit: "ratio",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Glasses { c }),
};

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Any eyewear fails.
    Reject,
    /// Clear glasses are a warning; sunglasses and tinted lenses fail.
    RejectTinted,
    /// Clear glasses pass with a note; sunglasses still follow GL002.
    Allow,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub policy: Policy,
    pub max_glasses_probability: f64,
    pub max_sunglasses_probability: f64,
    /// GL003: the hand-made eyewear probability (frame or tint model) beyond which eyewear is
    /// found whatever a learned head says.
    pub max_hand_made_probability: f64,
    /// GL003 also reads the frame model on the chroma planes, its line values multiplied by this
    /// (0 turns it off).
    pub chroma_line_gain: f64,
    /// GL004: the highest rim strength (line over the face's contrast) of a face without eyewear.
    pub max_rim_line: f64,
    /// GL004 reads the rings on the chroma planes too, their values multiplied by this.
    pub rim_chroma_gain: f64,
    /// Logistic models: [intercept, weights…] over the features named in `features()`.
    pub frame_model: [f64; 3],
    pub tint_model: [f64; 3],
}

pub struct Glasses {
    c: Config,
}

/// Canvas resolution: pixels per inter-ocular distance.
const P: f32 = 64.0;
const X0: f32 = -1.3;
const X1: f32 = 1.3;
const Y0: f32 = -1.0;
const Y1: f32 = 1.4;

/// The eyewear features of one face.
#[derive(Debug, Clone, Copy)]
pub struct EyewearFeatures {
    pub bridge: f64,
    pub rim_low: f64,
    /// `bridge` and `rim_low` read on the chroma planes (same normalisers): GL003 only.
    pub bridge_colour: f64,
    pub rim_low_colour: f64,
    pub under_dark: f64,
    pub scl_iris: f64,
    /// GL004: how strongly a rim rings the less-ringed eye (see [`rim_strength`]), over the
    /// face's contrast: the strongest of the luma plane and the chroma planes times
    /// `rim_chroma_gain`.
    pub rim: f64,
}

impl EyewearFeatures {
    pub fn probabilities(&self, frame: &[f64; 3], tint: &[f64; 3]) -> (f64, f64) {
        let pf = frame_probability(frame, self.bridge, self.rim_low);
        let pt = sigmoid(tint[0] + tint[1] * ln_clipped(self.under_dark) + tint[2] * self.scl_iris);
        (1.0 - (1.0 - pf) * (1.0 - pt), pt)
    }

    /// The frame model on the chroma planes' lines, scaled by `gain` (a chroma line of a gold or
    /// silver rim is weaker than a dark rim's luma line against the same normalisers); 0 when
    /// `gain` is 0.
    pub fn colour_frame_probability(&self, frame: &[f64; 3], gain: f64) -> f64 {
        if gain <= 0.0 {
            return 0.0;
        }
        frame_probability(frame, gain * self.bridge_colour, gain * self.rim_low_colour)
    }
}

/// The frame model: σ(a + b·ln(bridge) + c·ln(rim_low)).
fn frame_probability(frame: &[f64; 3], bridge: f64, rim_low: f64) -> f64 {
    sigmoid(frame[0] + frame[1] * ln_clipped(bridge) + frame[2] * ln_clipped(rim_low))
}

/// ln, clipped at 1e-3 (a feature of 0 is "no line", not minus infinity).
fn ln_clipped(x: f64) -> f64 {
    x.max(1e-3).ln()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

struct Canvas {
    y: Plane,
    gy: Vec<f32>,
    lyy: Vec<f32>,
    /// The same derivatives of the two chroma planes (Cb, Cr), for frames whose brightness is
    /// close to skin's (gold, silver, coloured rims).
    chroma: [(Vec<f32>, Vec<f32>); 2],
    /// The blurred chroma planes themselves (Cb, Cr), for the rims.
    chroma_planes: [Plane; 2],
    mid: Point,
    angle: f32,
    iod: f32,
}

impl Canvas {
    fn new(a: &Analysis, face: &FaceAnalysis) -> Option<Canvas> {
        let (er, el) = (face.eye_centre(0), face.eye_centre(1));
        let iod = er.dist(el);
        if iod < 8.0 {
            return None;
        }
        let angle = (el.y - er.y).atan2(el.x - er.x);
        let mid = er.mid(el);
        let (w, h) = (((X1 - X0) * P) as usize, ((Y1 - Y0) * P) as usize);
        let s = iod / P;
        let (sin, cos) = angle.sin_cos();
        // canvas (u, v) → offset ((u/P + X0)·iod, (v/P + Y0)·iod) rotated, around the eye midpoint.
        let (a_, b_, d_, e_) = (cos * s, -sin * s, sin * s, cos * s);
        let (ou, ov) = (X0 * iod, Y0 * iod);
        let to_image = Affine { a: a_, b: b_, c: mid.x + cos * ou - sin * ov, d: d_, e: e_, f: mid.y + sin * ou + cos * ov };
        let rgb = sample_planar(&a.pyramid, &to_image, w, h, [0.0; 3]);
        let n = w * h;
        let luma = crate::imaging::planar_luma(&rgb, n);
        let y = gaussian_blur_1px(&Plane { width: w, height: h, data: luma });
        let (gy, lyy) = vertical_derivatives(&y);
        let chroma_plane = |weights: [f32; 3]| {
            let data = (0..n).map(|i| weights[0] * rgb[i] + weights[1] * rgb[n + i] + weights[2] * rgb[2 * n + i]).collect();
            gaussian_blur_1px(&Plane { width: w, height: h, data })
        };
        // BT.601 Cb and Cr without their offset (only differences are read).
        let chroma_planes = [chroma_plane([-0.168_736, -0.331_264, 0.5]), chroma_plane([0.5, -0.418_688, -0.081_312])];
        let chroma = [vertical_derivatives(&chroma_planes[0]), vertical_derivatives(&chroma_planes[1])];
        Some(Canvas { y, gy, lyy, chroma, chroma_planes, mid, angle, iod })
    }

    /// Image point → canvas pixel coordinates.
    fn to_canvas(&self, p: Point) -> Point {
        let (dx, dy) = (p.x - self.mid.x, p.y - self.mid.y);
        let (sin, cos) = self.angle.sin_cos();
        let (rx, ry) = (dx * cos + dy * sin, -dx * sin + dy * cos);
        Point::new((rx / self.iod - X0) * P, (ry / self.iod - Y0) * P)
    }

    /// Line-not-step value of one canvas row over columns [c0, c1]: |mean Lyy| − 0.5·mean|gy|.
    fn row_value(&self, v: i32, c0: f32, c1: f32) -> Option<f32> {
        self.row_value_of(&self.gy, &self.lyy, v, c0, c1)
    }

    /// The largest line-not-step value of one row on the chroma planes.
    fn chroma_row_value(&self, v: i32, c0: f32, c1: f32) -> Option<f32> {
        let [(gb, lb), (gr, lr)] = &self.chroma;
        Some(self.row_value_of(gb, lb, v, c0, c1)?.max(self.row_value_of(gr, lr, v, c0, c1)?))
    }

    fn row_value_of(&self, gy_plane: &[f32], lyy_plane: &[f32], v: i32, c0: f32, c1: f32) -> Option<f32> {
        let (w, h) = (self.y.width as i32, self.y.height as i32);
        if v < 1 || v >= h - 1 {
            return None;
        }
        let (u0, u1) = ((c0.floor() as i32).max(0), (c1.ceil() as i32).min(w - 1));
        if u1 < u0 {
            return None;
        }
        let (mut lyy, mut gy, mut n) = (0.0f32, 0.0f32, 0.0f32);
        for u in u0..=u1 {
            let i = (v * w + u) as usize;
            lyy += lyy_plane[i];
            gy += gy_plane[i].abs();
            n += 1.0;
        }
        Some((lyy / n).abs() - 0.5 * gy / n)
    }

    fn median_in(&self, inside: impl Fn(f32, f32) -> bool, u0: f32, u1: f32, v0: f32, v1: f32) -> Option<f32> {
        let mut values = Vec::new();
        let (w, h) = (self.y.width as i32, self.y.height as i32);
        for v in (v0.floor() as i32).max(0)..=(v1.ceil() as i32).min(h - 1) {
            for u in (u0.floor() as i32).max(0)..=(u1.ceil() as i32).min(w - 1) {
                if inside(u as f32 + 0.5, v as f32 + 0.5) {
                    values.push(self.y.at(u as usize, v as usize));
                }
            }
        }
        crate::imaging::quantile(&values, 0.5)
    }
}

/// Central first and second differences down the canvas (zero on the first and last rows).
fn vertical_derivatives(p: &Plane) -> (Vec<f32>, Vec<f32>) {
    let (w, h) = (p.width, p.height);
    let (mut gy, mut lyy) = (vec![0.0; w * h], vec![0.0; w * h]);
    for v in 1..h.saturating_sub(1) {
        for u in 0..w {
            let i = v * w + u;
            gy[i] = (p.data[i + w] - p.data[i - w]) / 2.0;
            lyy[i] = p.data[i + w] - 2.0 * p.data[i] + p.data[i - w];
        }
    }
    (gy, lyy)
}

/// [1 2 1]/4 applied twice per axis ([1 4 6 4 1]/16, σ = 1 px), clamped at the borders.
fn gaussian_blur_1px(p: &Plane) -> Plane {
    const K: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];
    let (w, h) = (p.width, p.height);
    let mut tmp = vec![0.0f32; w * h];
    for v in 0..h {
        let row = &p.data[v * w..(v + 1) * w];
        for u in 0..w {
            let mut acc = 0.0;
            for (k, weight) in K.iter().enumerate() {
                acc += weight * row[(u as isize + k as isize - 2).clamp(0, w as isize - 1) as usize];
            }
            tmp[v * w + u] = acc;
        }
    }
    let mut out = vec![0.0f32; w * h];
    for v in 0..h {
        for (k, weight) in K.iter().enumerate() {
            let src = (v as isize + k as isize - 2).clamp(0, h as isize - 1) as usize;
            let (dst_row, src_row) = (&mut out[v * w..(v + 1) * w], &tmp[src * w..(src + 1) * w]);
            for (d, s) in dst_row.iter_mut().zip(src_row) {
                *d += weight * s;
            }
        }
    }
    Plane { width: w, height: h, data: out }
}

/// Rims (GL004): a frame is a line that closes around each eye, which no face has: a brow is a
/// line above the eye only, a lid crease or a bag one below it. Rings of several sizes and
/// shapes (superellipses from an oval to a rectangle, shifted a little out and down, in
/// inter-ocular distances: a lens sits around the eye, not on its corners) are laid around each
/// eye on the canvas, over two line planes (dark lines and bright ones, whatever their direction,
/// less half the gradient there: a rim is a line, the edge of a lid or a brow is a step), each
/// dilated by `RIM_SNAP` pixels so that a ring counts a rim near it. A ring counts by its
/// `RIM_QUANTILE` point (a rim must run around most of the ring; a brow covers its top third
/// only); each eye by its best ring, the photo by its less-ringed eye. The grid and the snap were
/// chosen on rims drawn on the London ready portraits and measured on the dev web photos (README,
/// "Rims around the eyes"): without the snap, thin rims (2 px on a 600 px portrait) fell between
/// the grid's rings.
const RIM_SHIFT_OUT: [f32; 3] = [-0.05, 0.0, 0.05];
const RIM_SHIFT_DOWN: [f32; 4] = [-0.05, 0.0, 0.05, 0.1];
const RIM_HALF_WIDTH: [f32; 5] = [0.30, 0.36, 0.42, 0.48, 0.54];
const RIM_HALF_HEIGHT: [f32; 5] = [0.18, 0.23, 0.28, 0.33, 0.38];
/// Superellipse powers: an oval (2), a rounded rectangle (4), a rectangle (8).
const RIM_POWER: [f32; 3] = [2.0, 4.0, 8.0];
const RIM_POINTS: usize = 72;
const RIM_QUANTILE: f32 = 0.4;

/// How far (canvas pixels) a ring reaches for a line: half the grid's step in size (0.06 IOD).
const RIM_SNAP: usize = 2;

/// One ring shape around the origin, in inter-ocular distances.
struct RimShape {
    points: [(f32, f32); RIM_POINTS],
}

fn rim_shapes() -> &'static [RimShape] {
    static SHAPES: std::sync::OnceLock<Vec<RimShape>> = std::sync::OnceLock::new();
    SHAPES.get_or_init(|| {
        let mut shapes = Vec::new();
        for &a in &RIM_HALF_WIDTH {
            for &b in RIM_HALF_HEIGHT.iter().filter(|&&b| b <= a) {
                for &power in &RIM_POWER {
                    let mut shape = RimShape { points: [(0.0, 0.0); RIM_POINTS] };
                    for k in 0..RIM_POINTS {
                        // Points in a spread order (29 is prime to 72), so that a ring left
                        // early has been looked at all round.
                        let t = ((k * 29) % RIM_POINTS) as f32 * std::f32::consts::TAU / RIM_POINTS as f32;
                        let (st, ct) = t.sin_cos();
                        // |x/a|^p + |y/b|^p = 1, parametrised by the angle.
                        let (ex, ey) = (ct.signum() * ct.abs().powf(2.0 / power), st.signum() * st.abs().powf(2.0 / power));
                        shape.points[k] = (a * ex, b * ey);
                    }
                    shapes.push(shape);
                }
            }
        }
        shapes
    })
}

/// How strongly a rim rings the less-ringed of the two eyes centred at `eyes` (canvas pixels,
/// with the side's sign: −1 for the eye on the image's left): the best ring's `RIM_QUANTILE`
/// line-not-step value, in the plane's units; `floor` where that is lower (the rings that cannot
/// beat it are left early). The line planes are dilated by `RIM_SNAP` pixels,
/// so that a ring counts a rim within that distance of it (a drawn or real rim is no exact
/// superellipse of the grid, and a thin one is narrower than the grid's step).
fn rim_strength(plane: &Plane, eyes: &[(Point, f32); 2], floor: f32) -> f32 {
    let lines = line_planes(plane).map(|l| max_filter(&l.data, l.width, l.height, RIM_SNAP));
    let (w, h) = (plane.width as i32, plane.height as i32);
    let at = ((RIM_POINTS - 1) as f32 * RIM_QUANTILE).round() as usize;
    let mut values = [0.0f32; RIM_POINTS];
    let mut less_ringed = f32::MAX;
    for &(centre, side) in eyes {
        // Values up to `floor` are not asked for, and the second eye matters only up to the first's.
        let mut best = floor;
        'rings: for &shift_out in &RIM_SHIFT_OUT {
            for &shift_down in &RIM_SHIFT_DOWN {
                let (cx, cy) = (centre.x + side * shift_out * P, centre.y + shift_down * P);
                for shape in rim_shapes() {
                    for line in &lines {
                        if best >= less_ringed {
                            break 'rings;
                        }
                        // The nearest pixel: the dilated planes are flat over a rim's width. The
                        // ring's k-th value beats `best` only if at most k values do not, so the
                        // ring is left as soon as more do (its points come spread around it).
                        let (mut n, mut not_above, mut off) = (0, 0, 0);
                        for &(px, py) in &shape.points {
                            let (x, y) = ((cx + side * px * P).round() as i32, (cy + py * P).round() as i32);
                            if x < 2 || y < 2 || x > w - 3 || y > h - 3 {
                                off += 1;
                                continue;
                            }
                            let v = line[(y * w + x) as usize];
                            values[n] = v;
                            n += 1;
                            not_above += (v <= best) as usize;
                            if not_above > at {
                                break;
                            }
                        }
                        // A ring mostly off the canvas says nothing.
                        if not_above > at || off * 10 > RIM_POINTS {
                            continue;
                        }
                        let k = (at * n) / RIM_POINTS;
                        let (_, v, _) = values[..n].select_nth_unstable_by(k, f32::total_cmp);
                        best = best.max(*v);
                    }
                }
            }
        }
        less_ringed = less_ringed.min(best);
    }
    less_ringed
}

/// Line-not-step planes, whatever the line's direction: a dark line's value is the Hessian's
/// larger eigenvalue (the curvature across a valley), a bright line's minus the smaller, each
/// less half the gradient's magnitude (an edge has a gradient, a line's middle none). Central
/// differences of central differences (a 5-pixel stencil); 0 within 2 pixels of the border.
fn line_planes(plane: &Plane) -> [Plane; 2] {
    let (w, h) = (plane.width, plane.height);
    let p = &plane.data;
    let (mut dark, mut bright) = (vec![0.0f32; w * h], vec![0.0f32; w * h]);
    for v in 2..h.saturating_sub(2) {
        for u in 2..w.saturating_sub(2) {
            let i = v * w + u;
            let (gx, gy) = (0.5 * (p[i + 1] - p[i - 1]), 0.5 * (p[i + w] - p[i - w]));
            let gxx = 0.25 * (p[i + 2] - 2.0 * p[i] + p[i - 2]);
            let gyy = 0.25 * (p[i + 2 * w] - 2.0 * p[i] + p[i - 2 * w]);
            let gxy = 0.25 * (p[i + w + 1] - p[i + w - 1] - p[i - w + 1] + p[i - w - 1]);
            let mean = 0.5 * (gxx + gyy);
            let spread = (0.25 * (gxx - gyy) * (gxx - gyy) + gxy * gxy).sqrt();
            let step = 0.5 * gx.hypot(gy);
            dark[i] = (mean + spread) - step;
            bright[i] = -(mean - spread) - step;
        }
    }
    [Plane { width: w, height: h, data: dark }, Plane { width: w, height: h, data: bright }]
}

/// Computes the eyewear features; `None` when the face is too small or an eye is missing.
/// `rim_chroma_gain` weighs the rims' chroma planes against their luma plane (GL004).
pub fn eyewear_features(a: &Analysis, face: &FaceAnalysis, rim_chroma_gain: f32) -> Option<EyewearFeatures> {
    let [Some(right), Some(left)] = &face.eyes else {
        return None;
    };
    let canvas = Canvas::new(a, face)?;
    let q = |i: usize| canvas.to_canvas(face.mesh.p(i));
    let (w, h) = (canvas.y.width, canvas.y.height);

    // Normalisers over the face oval on the canvas.
    let oval: Vec<Point> = lm::FACE_OVAL.iter().map(|&i| q(i)).collect();
    let (mut gsum, mut ysum, mut y2sum, mut n) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for v in 1..h - 1 {
        for (x0, x1) in polygon_row_spans(v as f32 + 0.5, &oval) {
            let (u0, u1) = (((x0 - 0.5).ceil().max(1.0)) as usize, ((x1 - 0.5).ceil().min((w - 1) as f32)) as usize);
            for u in u0..u1 {
                let i = v * w + u;
                let gx = (canvas.y.data[i + 1] - canvas.y.data[i - 1]) / 2.0;
                let g = (gx * gx + canvas.gy[i] * canvas.gy[i]).sqrt() as f64;
                let y = canvas.y.data[i] as f64;
                gsum += g;
                ysum += y;
                y2sum += y * y;
                n += 1.0;
            }
        }
    }
    if n < 100.0 {
        return None;
    }
    let face_g = 0.5 + gsum / n;
    let face_std = 1.0 + (y2sum / n - (ysum / n).powi(2)).max(0.0).sqrt();

    // Bridge: rows from above the nose bridge to just below it, a window around the midline.
    let (b0, b1, b2) = (q(168), q(6), q(197));
    let midline_x = |v: f32| {
        // Least-squares line x(v) through the three nose-bridge points.
        let pts = [b0, b1, b2];
        let mv = pts.iter().map(|p| p.y).sum::<f32>() / 3.0;
        let mx = pts.iter().map(|p| p.x).sum::<f32>() / 3.0;
        let var = pts.iter().map(|p| (p.y - mv).powi(2)).sum::<f32>();
        let slope = if var > 1e-3 { pts.iter().map(|p| (p.y - mv) * (p.x - mx)).sum::<f32>() / var } else { 0.0 };
        mx + slope * (v - mv)
    };
    let (mut bridge, mut bridge_colour) = (f32::MIN, f32::MIN);
    for v in (b0.y - 0.2 * P).floor() as i32..=(b1.y + 0.05 * P).ceil() as i32 {
        let x = midline_x(v as f32);
        if let Some(val) = canvas.row_value(v, x - 0.1 * P, x + 0.1 * P) {
            bridge = bridge.max(val);
        }
        if let Some(val) = canvas.chroma_row_value(v, x - 0.1 * P, x + 0.1 * P) {
            bridge_colour = bridge_colour.max(val);
        }
    }

    // Per eye: centre and width in canvas units, from the iris model's contour.
    let eyes: Vec<(Point, f32, Vec<Point>, Point, f32)> = [right, left]
        .iter()
        .map(|e| {
            let outline: Vec<Point> = e.outline().into_iter().map(|p| canvas.to_canvas(p)).collect();
            let (c0, c8) = (canvas.to_canvas(e.contour[0]), canvas.to_canvas(e.contour[8]));
            let centre = c0.mid(c8);
            let iris_c = canvas.to_canvas(e.iris[0]);
            let iris_r = e.iris[1..].iter().map(|p| canvas.to_canvas(*p).dist(iris_c)).sum::<f32>() / 4.0;
            (centre, c0.dist(c8), outline, iris_c, iris_r)
        })
        .collect();

    let (mut rim_low, mut rim_low_colour) = (f32::MIN, f32::MIN);
    for (c, ew, ..) in &eyes {
        for v in (c.y + 0.2 * P).floor() as i32..=(c.y + 0.5 * P).ceil() as i32 {
            if let Some(val) = canvas.row_value(v, c.x - 0.15 * ew, c.x + 0.15 * ew) {
                rim_low = rim_low.max(val);
            }
            if let Some(val) = canvas.chroma_row_value(v, c.x - 0.15 * ew, c.x + 0.15 * ew) {
                rim_low_colour = rim_low_colour.max(val);
            }
        }
    }

    let cheek = |p: Point| {
        canvas.median_in(|u, v| Point::new(u, v).dist(p) <= 0.12 * P, p.x - 0.12 * P, p.x + 0.12 * P, p.y - 0.12 * P, p.y + 0.12 * P)
    };
    let cheeks = [cheek(q(lm::RIGHT_CHEEK))?, cheek(q(lm::LEFT_CHEEK))?];
    let c_ref = (cheeks[0] + cheeks[1]) as f64 / 2.0;
    let mut under = 0.0f64;
    for (c, ew, ..) in &eyes {
        under += canvas.median_in(|_, _| true, c.x - 0.4 * ew, c.x + 0.4 * ew, c.y + 0.16 * P, c.y + 0.40 * P)? as f64 / 2.0;
    }
    let under_dark = (under + 5.0) / (c_ref + 5.0);

    let mut scl = 0.0f64;
    for (_, _, outline, iris_c, iris_r) in &eyes {
        let (x0, y0, x1, y1) = crate::imaging::bounds(outline);
        let (mut sclera, mut ns, mut iris, mut ni) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for v in (y0.floor() as i32).max(0)..=(y1.ceil() as i32).min(h as i32 - 1) {
            for u in (x0.floor() as i32).max(0)..=(x1.ceil() as i32).min(w as i32 - 1) {
                let p = Point::new(u as f32 + 0.5, v as f32 + 0.5);
                if !inside_polygon(p, outline) {
                    continue;
                }
                let y = canvas.y.at(u as usize, v as usize) as f64;
                if p.dist(*iris_c) <= *iris_r {
                    iris += y;
                    ni += 1.0;
                } else {
                    sclera += y;
                    ns += 1.0;
                }
            }
        }
        if ns > 0.0 && ni > 0.0 {
            scl += (sclera / ns - iris / ni) / 2.0;
        }
    }
    let scl_iris = scl / (c_ref + 5.0);

    // Rims: around each eye's corner midpoint, shifted out from the face's axis.
    let rim_centres = [(q(lm::RIGHT_EYE_OUTER).mid(q(lm::RIGHT_EYE_INNER)), -1.0), (q(lm::LEFT_EYE_OUTER).mid(q(lm::LEFT_EYE_INNER)), 1.0)];
    // The strongest of the three planes; a chroma plane is only asked for more than is found
    // already (its rings below that are skipped).
    let mut rim = rim_strength(&canvas.y, &rim_centres, f32::MIN);
    if rim_chroma_gain > 0.0 {
        for chroma in &canvas.chroma_planes {
            rim = rim.max(rim_chroma_gain * rim_strength(chroma, &rim_centres, rim / rim_chroma_gain));
        }
    }

    Some(EyewearFeatures {
        bridge: bridge.max(0.0) as f64 / face_g,
        rim_low: rim_low.max(0.0) as f64 / face_std,
        bridge_colour: bridge_colour.max(0.0) as f64 / face_g,
        rim_low_colour: rim_low_colour.max(0.0) as f64 / face_std,
        under_dark,
        scl_iris,
        rim: rim.max(0.0) as f64 / face_std,
    })
}

impl Rule for Glasses {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let c = &self.c;
        let tg = Threshold::max(c.max_glasses_probability);
        let ts = Threshold::max(c.max_sunglasses_probability);
        let th = Threshold::max(c.max_hand_made_probability);
        let tr = Threshold::max(c.max_rim_line);
        let Some(face) = a.face.as_ref() else {
            return vec![
                Finding::not_assessed(GL001, "probability", tg, no_face()),
                Finding::not_assessed(GL002, "probability", ts, no_face()),
                Finding::not_assessed(GL003, "probability", th, no_face()),
                Finding::not_assessed(GL004, "ratio", tr, no_face()),
            ];
        };
        let Some(features) = eyewear_features(a, face, c.rim_chroma_gain as f32) else {
            let why =
                Text::new("眼部区域太小或无法定位，无法评估眼镜", "The eye region is too small or could not be located to judge eyewear");
            // GL001 and GL002 may still be decided by a learned head on the embedding; the
            // hand-made backstop cannot look, so a mandatory GL003 sends the photo to a person.
            return vec![
                Finding::not_assessed(GL001, "probability", tg, why.clone()),
                Finding::not_assessed(GL002, "probability", ts, why.clone()),
                Finding::not_assessed(GL003, "probability", th, why.clone()),
                Finding::not_assessed(GL004, "ratio", tr, why),
            ];
        };
        let (p_glasses, p_sun) = features.probabilities(&c.frame_model, &c.tint_model);
        let (x0, y0, x1, y1) = eye_band(face);
        let region = Some(a.to_original(Region::Box { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }));

        let sun_pass = Text::new("未佩戴墨镜", "No sunglasses");
        let sun_fail =
            Text::new("检测到墨镜或有色镜片：请摘下后重新拍摄", "Sunglasses or tinted lenses detected: take them off and retake the photo");
        let sun = Finding::measured(GL002, round(p_sun, 3), "probability", ts, sun_pass.clone(), sun_fail.clone());
        let sun = ctx.decide("sunglasses", sun, sun_pass, sun_fail, region.clone());

        let pass = Text::new("未佩戴眼镜", "No glasses");
        let fail = Text::new("检测到佩戴眼镜：请摘下眼镜后重新拍摄", "Glasses detected: take off your glasses and retake the photo");
        let glasses = Finding::measured(GL001, round(p_glasses, 3), "probability", tg, pass.clone(), fail.clone());
        let glasses = ctx.decide("glasses", glasses, pass, fail, region.clone());
        let p_colour_frame = features.colour_frame_probability(&c.frame_model, c.chroma_line_gain);
        let frames = Finding::measured(
            GL003,
            round(p_glasses.max(p_colour_frame), 3),
            "probability",
            th,
            Text::new("眼部周围未见镜框或有色镜片的特征", "No eyewear frame lines or tinted lenses around the eyes"),
            Text::new(
                "眼部周围有镜框特征（眼镜）：请摘下眼镜后重新拍摄",
                "Eyewear frame lines around the eyes (glasses): take off your glasses and retake the photo",
            ),
        )
        .with_region_if_failed(region.clone());
        let rims = Finding::measured(
            GL004,
            round(features.rim, 3),
            "ratio",
            tr,
            Text::new("双眼周围未见镜框轮廓", "No frame rim around the eyes"),
            Text::new(
                "双眼周围有镜框轮廓（眼镜）：请摘下眼镜后重新拍摄",
                "A frame rim rings both eyes (glasses): take off your glasses and retake the photo",
            ),
        )
        .with_region_if_failed(region);
        let sun_failed = sun.outcome == Outcome::Fail;
        vec![self.under_policy(glasses, sun_failed), sun, self.under_policy(frames, sun_failed), self.under_policy(rims, sun_failed)]
    }
}

impl Glasses {
    /// Clear glasses under a lenient policy: say so, do not reject (sunglasses still fail GL002).
    fn under_policy(&self, mut found: Finding, sunglasses_failed: bool) -> Finding {
        if found.outcome == Outcome::Fail && self.c.policy != Policy::Reject && !sunglasses_failed {
            found.outcome = if self.c.policy == Policy::RejectTinted { Outcome::Warn } else { Outcome::Pass };
            found.message = Text::new(
                "检测到眼镜（当前政策允许无色镜片）：请确保镜片无反光、不遮挡眼睛",
                "Glasses detected (clear lenses are allowed by this profile): make sure there is no glare and the eyes are visible",
            );
        }
        found
    }
}

/// Box around both eyes and brows, in working pixels.
fn eye_band(face: &FaceAnalysis) -> (f32, f32, f32, f32) {
    let pts: Vec<Point> = [lm::RIGHT_EYE_OUTER, lm::RIGHT_EYE_INNER, lm::LEFT_EYE_INNER, lm::LEFT_EYE_OUTER, 168, 6]
        .iter()
        .map(|&i| face.mesh.p(i))
        .collect();
    let (x0, y0, x1, y1) = crate::imaging::bounds(&pts);
    let pad = (x1 - x0) * 0.15;
    (x0 - pad, y0 - pad * 1.5, x1 + pad, y1 + pad * 1.5)
}

#[cfg(test)]
mod tests {
    use super::{Config, Glasses, Policy};
    use crate::report::Outcome::*;
    use crate::rules::tests::{as_of, outcome, portrait, run};
    use crate::rules::{Context, Rule};

    #[test]
    fn bare_eyes_pass_dark_lenses_fail_on_the_hand_made_signal() {
        // No learned heads in the context: the hand-made eyewear signal decides.
        let bare = run(&portrait(0.0, 0.0, 0.0).build(), "glasses");
        assert_eq!((outcome(&bare, "GL001"), outcome(&bare, "GL002")), (Pass, Pass), "{bare:?}");
        let probe = portrait(0.0, 0.0, 0.0).build();
        let face = probe.face.as_ref().expect("a face");
        let (r, l, radius) = (face.eye_centre(0), face.eye_centre(1), 0.55 * face.inter_ocular());
        let lens = move |x: u32, y: u32| {
            let (x, y) = (x as f32, y as f32);
            (x - r.x).hypot(y - r.y) < radius || (x - l.x).hypot(y - l.y) < radius || ((r.x..l.x).contains(&x) && (y - r.y).abs() < 4.0)
        };
        let sunglasses = run(&portrait(0.0, 0.0, 0.0).paint([20, 20, 24], lens).build(), "glasses");
        assert_eq!(outcome(&sunglasses, "GL002"), Fail, "{sunglasses:?}");
    }

    #[test]
    fn gl004_sees_a_rim_closing_around_each_eye_and_not_a_bare_face_or_one_eye_ringed() {
        let bare = run(&portrait(0.0, 0.0, 0.0).build(), "glasses");
        let gl004 = |found: &[crate::rules::Finding]| found.iter().find(|f| f.code == "GL004").cloned().expect("GL004");
        let bare = gl004(&bare);
        assert_eq!(bare.outcome, Pass, "{bare:?}");
        let probe = portrait(0.0, 0.0, 0.0).build();
        let face = probe.face.as_ref().expect("a face");
        let (r, l, iod) = (face.eye_centre(0), face.eye_centre(1), face.inter_ocular());
        // Oval rims 2 px thick, a little below the eyes, no bridge and no temples: what GL003's
        // bridge and lower-rim lines read least.
        let (half_w, half_h, t) = (0.44 * iod, 0.3 * iod, 2.0);
        let rim = move |c: crate::imaging::Point, x: f32, y: f32| {
            let d = ((x - c.x) / half_w).hypot((y - c.y - 0.05 * iod) / half_h);
            d <= 1.0 && d > 1.0 - t / half_h
        };
        let both =
            portrait(0.0, 0.0, 0.0).paint([60, 50, 45], move |x, y| rim(r, x as f32, y as f32) || rim(l, x as f32, y as f32)).build();
        let found = gl004(&run(&both, "glasses"));
        assert_eq!(found.outcome, Fail, "{found:?}");
        // One ringed eye is not a pair of glasses (a monocle aside): the less-ringed eye decides.
        let one = portrait(0.0, 0.0, 0.0).paint([60, 50, 45], move |x, y| rim(r, x as f32, y as f32)).build();
        let one = gl004(&run(&one, "glasses"));
        assert_eq!(one.outcome, Pass, "{one:?}");
    }

    #[test]
    fn gl003_sees_thin_frames_dark_or_as_bright_as_skin_and_follows_the_policy() {
        let bare = run(&portrait(0.0, 0.0, 0.0).build(), "glasses");
        assert_eq!(outcome(&bare, "GL003"), Pass, "{bare:?}");
        let probe = portrait(0.0, 0.0, 0.0).build();
        let face = probe.face.as_ref().expect("a face");
        let (r, l, iod) = (face.eye_centre(0), face.eye_centre(1), face.inter_ocular());
        // Two rectangular rims 3 px thick around the eyes and a bridge between them, clear lenses.
        let (half_w, half_h, t) = (0.4 * iod, 0.25 * iod, 3.0);
        let frames = move |x: u32, y: u32| {
            let (x, y) = (x as f32, y as f32);
            let rim = |c: crate::imaging::Point| {
                let (dx, dy) = ((x - c.x).abs(), (y - c.y).abs());
                dx <= half_w && dy <= half_h && (dx > half_w - t || dy > half_h - t)
            };
            rim(r) || rim(l) || ((r.x + half_w..l.x - half_w).contains(&x) && (y - (r.y - 0.1 * iod)).abs() < t / 2.0)
        };
        let glasses = portrait(0.0, 0.0, 0.0).paint([25, 22, 20], frames).build();
        let found = run(&glasses, "glasses");
        let gl003 = found.iter().find(|f| f.code == "GL003").expect("GL003");
        assert_eq!(gl003.outcome, Fail, "{gl003:?}");
        assert!(gl003.measured.is_some_and(|p| p >= 0.8), "{gl003:?}");
        // Under a policy that allows clear glasses, the backstop says so and does not reject.
        let lenient = Glasses {
            c: Config {
                policy: Policy::Allow,
                max_glasses_probability: 0.5,
                max_sunglasses_probability: 0.5,
                max_hand_made_probability: 0.65,
                chroma_line_gain: 4.0,
                max_rim_line: 0.3,
                rim_chroma_gain: 8.0,
                frame_model: [2.3692, 1.3695, 1.4874],
                tint_model: [-2.2210, -7.0306, -7.5758],
            },
        };
        let heads = Default::default();
        let allowed = lenient.evaluate(&Context { analysis: &glasses, as_of: as_of(), heads: &heads });
        let gl003 = allowed.iter().find(|f| f.code == "GL003").expect("GL003");
        assert_eq!(gl003.outcome, Pass, "{gl003:?}");
        assert!(gl003.message.en.contains("allowed"), "{gl003:?}");

        // Rims as bright as the skin (luma 168 against 171) but of another hue: the luma lines
        // alone do not see them, the chroma lines do.
        let same_brightness = portrait(0.0, 0.0, 0.0).paint([140, 170, 230], frames).build();
        let with_gain = |chroma_line_gain: f64| Glasses { c: Config { policy: Policy::Reject, chroma_line_gain, ..lenient.c.clone() } };
        let read = |rule: &Glasses| {
            let found = rule.evaluate(&Context { analysis: &same_brightness, as_of: as_of(), heads: &heads });
            found.iter().find(|f| f.code == "GL003").and_then(|f| f.measured).expect("GL003 measured")
        };
        let (luma_only, with_chroma) = (read(&with_gain(0.0)), read(&with_gain(4.0)));
        assert!(luma_only < 0.5, "{luma_only}");
        assert!(with_chroma >= 0.8, "{with_chroma}");
    }
}
