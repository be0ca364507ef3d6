//! Background: white (bright, near-neutral), bright enough to be white rather than a light grey,
//! plain (no objects or texture) and without a shadow behind the head. Measured on background
//! cells of the person mask only.

use serde::Deserialize;

use super::{build_with, round, CodeInfo, Context, EvalLabel, Finding, Rule, RuleSpec, Score};
use crate::analysis::scene::Scene;
use crate::imaging::median_luma;
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const BG001: &str = "BG001";
pub const BG002: &str = "BG002";
pub const BG003: &str = "BG003";
pub const BG004: &str = "BG004";
pub const BG005: &str = "BG005";

pub static SPEC: RuleSpec = RuleSpec {
    family: "background",
    codes: &[
        CodeInfo {
            code: BG001,
            name: "background_white",
            summary: "Share of background that is near-white (bright and neutral)",
            summary_zh: "背景中接近白色（明亮、无色偏）的比例",
            unit: "fraction",
            eval: Some(EvalLabel { label: "white_background", violation: false, score: Score::Measured, with: &[BG002, BG003, BG004] }),
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: BG002,
            name: "background_plain",
            summary: "Share of background with edges or texture (objects, patterns)",
            summary_zh: "背景中有边缘或纹理（物体、图案）的比例",
            unit: "fraction",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: BG004,
            name: "background_bright",
            summary: "The backdrop is bright enough to be white, not light grey (median of its cells' darkest channel)",
            summary_zh: "背景足够明亮，为白色而非浅灰（背景各格最暗通道的中位数）",
            unit: "level",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: BG005,
            name: "background_pattern",
            summary: "The backdrop has no faint pattern or texture (robust spread of its luma once its smooth shading is taken out)",
            summary_zh: "背景无浅色图案或纹理（去除平缓明暗变化后背景亮度的稳健离散度）",
            unit: "grey levels",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: BG003,
            name: "background_shadow",
            summary: "Background darkening next to the person (shadow behind the head or to one side)",
            summary_zh: "人物旁背景变暗（头后或一侧的阴影）",
            unit: "ratio",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Background { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A background cell is "white" when min(R,G,B) exceeds this…
    pub white_min_channel: u8,
    /// …and max − min of its channels is below this.
    pub white_max_spread: u8,
    pub min_white_fraction: f64,
    /// The backdrop's level (median over its cells of the darkest channel, 0..255) at least this:
    /// `white_min_channel` lets a cell of a dimly lit white wall count as white, so a backdrop
    /// that is light grey all over would pass BG001 whole.
    pub min_background_level: f64,
    /// Luma gradient (per grid cell) above which a background cell counts as an edge.
    pub edge_gradient: f32,
    pub max_edge_fraction: f64,
    pub max_shadow: f64,
    /// BG005: the most the backdrop's luma may spread (grey levels, a robust standard deviation)
    /// around its smooth shading.
    pub max_backdrop_texture: f64,
    /// Below this share of the frame there is too little background to judge.
    pub min_background_fraction: f64,
}

pub struct Background {
    c: Config,
}

impl Rule for Background {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let s = &a.scene;
        let c = &self.c;
        let cells = s.width * s.height;
        let background: Vec<usize> = (0..cells).filter(|&i| s.is_background(i)).collect();
        let share = background.len() as f64 / cells as f64;
        if share < c.min_background_fraction {
            let why = Text::new("背景露出太少，无法评估", "Too little background is visible to judge it");
            return vec![
                Finding::not_assessed(BG001, "fraction", Threshold::min(c.min_white_fraction), why.clone()),
                Finding::not_assessed(BG004, "level", Threshold::min(c.min_background_level), why.clone()),
                Finding::not_assessed(BG002, "fraction", Threshold::max(c.max_edge_fraction), why.clone()),
                Finding::not_assessed(BG003, "ratio", Threshold::max(c.max_shadow), why.clone()),
                Finding::not_assessed(BG005, "grey levels", Threshold::max(c.max_backdrop_texture), why),
            ];
        }

        let is_white = |p: [u8; 3]| {
            let (lo, hi) = (p[0].min(p[1]).min(p[2]), p[0].max(p[1]).max(p[2]));
            lo > c.white_min_channel && hi - lo < c.white_max_spread
        };
        let non_white: Vec<usize> = background.iter().copied().filter(|&i| !is_white(s.rgb[i])).collect();
        let white_fraction = 1.0 - non_white.len() as f64 / background.len() as f64;
        let mean = mean_rgb(s, &background);
        let level = background_level(s, &background);

        let smooth = crate::imaging::filters::box_blur(&s.luma, s.width, s.height, 1, crate::imaging::filters::Edges::Replicate);
        let edges: Vec<usize> =
            background.iter().copied().filter(|&i| s.is_interior_background(i) && gradient(s, &smooth, i) > c.edge_gradient).collect();
        let interior = background.iter().filter(|&&i| s.is_interior_background(i)).count().max(1);
        let edge_fraction = edges.len() as f64 / interior as f64;

        let to_region = |cells: &[usize]| cells_box(s, cells).map(|r| a.to_original(r));
        let mut out = vec![
            Finding::measured(
                BG001,
                round(white_fraction, 4),
                "fraction",
                Threshold::min(c.min_white_fraction),
                Text::new("背景为白色", "The background is white"),
                Text::new(
                    format!("背景不是白色（平均颜色 RGB {},{},{}）：请在白色墙面前重新拍摄", mean[0], mean[1], mean[2]),
                    format!(
                        "The background is not white (average colour RGB {},{},{}): retake in front of a plain white wall",
                        mean[0], mean[1], mean[2]
                    ),
                ),
            )
            .with_region_if_failed(to_region(&non_white)),
            Finding::measured(
                BG004,
                level,
                "level",
                Threshold::min(c.min_background_level),
                Text::new("背景明亮洁白", "The background is bright white"),
                Text::new(
                    format!("背景不够明亮洁白（亮度 {level:.0}，至少需要 {:.0}）：请在光线充足的白色墙面前重新拍摄", c.min_background_level),
                    format!(
                        "The background is not bright enough to be white (level {level:.0}, at least {:.0} needed): retake in front of a well-lit white wall",
                        c.min_background_level
                    ),
                ),
            ),
            Finding::measured(
                BG002,
                round(edge_fraction, 4),
                "fraction",
                Threshold::max(c.max_edge_fraction),
                Text::new("背景干净无杂物", "The background is plain"),
                Text::new(
                    "背景有物体、图案或纹理：请在纯色无杂物的墙面前拍摄",
                    "There are objects, patterns or texture in the background: use a plain, empty wall",
                ),
            )
            .with_region_if_failed(to_region(&edges)),
        ];

        match backdrop_texture(a, s) {
            Some((value, region)) => out.push(
                Finding::measured(
                    BG005,
                    round(value, 2),
                    "grey levels",
                    Threshold::max(c.max_backdrop_texture),
                    Text::new("背景平整无图案", "The backdrop has no pattern"),
                    Text::new(
                        "背景有浅色图案、条纹或纹理：请在纯白、平整的墙面或背景布前拍摄",
                        "The backdrop has a faint pattern, stripes or texture: use a plain, smooth white wall or backdrop",
                    ),
                )
                .with_region_if_failed(region),
            ),
            None => out.push(Finding::not_assessed(
                BG005,
                "grey levels",
                Threshold::max(c.max_backdrop_texture),
                Text::new("背景露出太少，无法评估是否有图案", "Too little open backdrop is visible to judge whether it has a pattern"),
            )),
        }

        match shadow(s, a.face.as_ref().map(|f| f.mesh.p(crate::analysis::lm::NOSE_TIP).x)) {
            Some((value, cells)) => out.push(
                Finding::measured(
                    BG003,
                    round(value, 4),
                    "ratio",
                    Threshold::max(c.max_shadow),
                    Text::new("背景无阴影", "No shadow on the background"),
                    Text::new(
                        "人物身后的背景上有阴影：请离墙面远一些，并从正面均匀补光",
                        "There is a shadow on the background behind you: stand further from the wall and light it evenly from the front",
                    ),
                )
                .with_region_if_failed(to_region(&cells)),
            ),
            None => out.push(Finding::not_assessed(
                BG003,
                "ratio",
                Threshold::max(c.max_shadow),
                Text::new("人物周围的背景太少，无法评估阴影", "Too little background around the person to judge shadows"),
            )),
        }
        out
    }
}

/// Width of the working image BG005 reads the backdrop on (area-averaged from the pyramid, so
/// pixel noise and fine wall grain average out).
const TEXTURE_WIDTH: usize = 200;
/// Radius (working pixels) of the box whose mean is the backdrop's smooth shading: 6 of 200 is 3 %
/// of the frame, wider than the stripes and prints of a patterned backdrop and narrower than a
/// lighting fall-off (BG003, BG004 and LI judge those).
const TEXTURE_RADIUS: usize = 6;
/// Residual (grey levels) from which a pixel is part of the region a failed BG005 shows.
const TEXTURE_REGION_RESIDUAL: f32 = 6.0;
/// Fewest open-backdrop working pixels to judge from.
const TEXTURE_MIN_PIXELS: usize = 200;

/// BG005: the robust spread of the backdrop's luma around its local mean, over working pixels whose whole
/// box is trusted background (away from the person and the image border's replicated edge), with
/// the box around them as the region. BG002 counts cells with a strong gradient on a coarse grid
/// and misses faint patterns: stripes of 10-25 grey levels left 39 of the 42 approved London ready
/// portraits approved.
fn backdrop_texture(a: &crate::analysis::Analysis, s: &Scene) -> Option<(f64, Option<Region>)> {
    use crate::imaging::filters::{box_blur, Edges};
    let img = a.image();
    let (w, h) = (img.width() as f32, img.height() as f32);
    let k = w / TEXTURE_WIDTH as f32;
    let (tw, th) = (TEXTURE_WIDTH, ((h / k).round() as usize).max(1));
    let t = crate::imaging::Affine { a: k, b: 0.0, c: 0.5 * k - 0.5, d: 0.0, e: k, f: 0.5 * k - 0.5 };
    let rgb = crate::imaging::sample_planar(&a.pyramid, &t, tw, th, [0.0; 3]);
    let n = tw * th;
    let luma = crate::imaging::planar_luma(&rgb, n);
    // Background as the scene grid says, at each working pixel's centre.
    let open: Vec<f32> = (0..n)
        .map(|i| {
            let (x, y) = (((i % tw) as f32 + 0.5) * k, ((i / tw) as f32 + 0.5) * k);
            let (gx, gy) = (((x / s.cell_w) as usize).min(s.width - 1), ((y / s.cell_h) as usize).min(s.height - 1));
            if s.is_background(gy * s.width + gx) {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let masked: Vec<f32> = luma.iter().zip(&open).map(|(l, m)| l * m).collect();
    let r = TEXTURE_RADIUS;
    let (sum, share) = (box_blur(&masked, tw, th, r, Edges::Replicate), box_blur(&open, tw, th, r, Edges::Replicate));
    let mut residuals = Vec::new();
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0usize, 0usize);
    for y in r..th.saturating_sub(r) {
        for x in r..tw.saturating_sub(r) {
            let i = y * tw + x;
            // The whole box on the backdrop: its mean is the shading there, not the person's edge.
            if open[i] < 1.0 || share[i] < 0.999 {
                continue;
            }
            let residual = (luma[i] - sum[i] / share[i]).abs();
            residuals.push(residual);
            if residual > TEXTURE_REGION_RESIDUAL {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
    }
    if residuals.len() < TEXTURE_MIN_PIXELS {
        return None;
    }
    // The median absolute residual, scaled to a standard deviation: a pattern moves most of the
    // backdrop, while an object's outline or the mask missing a strip of clothing (the licence-ready
    // portraits' dark top runs to the frame's edges) moves a thin line of it, which BG002 judges.
    let mid = residuals.len() / 2;
    let (_, &mut median, _) = residuals.select_nth_unstable_by(mid, f32::total_cmp);
    let region =
        (x1 > x0).then(|| Region::Box { x: x0 as f32 * k, y: y0 as f32 * k, width: (x1 - x0) as f32 * k, height: (y1 - y0) as f32 * k });
    Some((1.4826 * median as f64, region.map(|r| a.to_original(r))))
}

/// The median over `cells` of each cell's darkest channel: how white the backdrop is as a whole
/// (a shadow or an object on part of it moves the median little).
fn background_level(s: &Scene, cells: &[usize]) -> f64 {
    let mut darkest: Vec<u8> = cells.iter().map(|&i| s.rgb[i].into_iter().min().unwrap_or(0)).collect();
    if darkest.is_empty() {
        return 0.0;
    }
    let mid = darkest.len() / 2;
    let (_, median, _) = darkest.select_nth_unstable(mid);
    *median as f64
}

fn mean_rgb(s: &Scene, cells: &[usize]) -> [u8; 3] {
    let mut acc = [0u64; 3];
    for &i in cells {
        for c in 0..3 {
            acc[c] += s.rgb[i][c] as u64;
        }
    }
    let n = cells.len().max(1) as u64;
    [(acc[0] / n) as u8, (acc[1] / n) as u8, (acc[2] / n) as u8]
}

/// Luma gradient per cell on the smoothed grid, over a two-cell baseline: fine wall texture
/// (stucco, paper grain) averages out, while object outlines and patterns remain.
fn gradient(s: &Scene, smooth: &[f32], i: usize) -> f32 {
    let (x, y) = (i % s.width, i / s.width);
    if x < 2 || y < 2 || x + 2 >= s.width || y + 2 >= s.height {
        return 0.0;
    }
    let gx = (smooth[i + 2] - smooth[i - 2]).abs() / 4.0;
    let gy = (smooth[i + 2 * s.width] - smooth[i - 2 * s.width]).abs() / 4.0;
    gx.max(gy)
}

/// How much darker the background is next to the person than away from it, and how much darker
/// one side of the person is than the other; the larger of the two, with the shadowed cells.
fn shadow(s: &Scene, face_x: Option<f32>) -> Option<(f64, Vec<usize>)> {
    let cells = s.width * s.height;
    let near: Vec<usize> = (0..cells).filter(|&i| s.is_near_background(i)).collect();
    let far: Vec<usize> = (0..cells).filter(|&i| s.is_far_background(i)).collect();
    if near.len() < 200 {
        return None;
    }
    let lum = |v: &[usize]| -> Option<f32> { median_luma(v.iter().map(|&i| s.luma[i])) };
    let near_y = lum(&near)?;
    let mut value = 0.0f64;
    if far.len() >= 200 {
        let far_y = lum(&far)?;
        value = value.max(1.0 - (near_y as f64 + 5.0) / (far_y as f64 + 5.0));
    }
    let split = face_x.unwrap_or(s.width as f32 * s.cell_w / 2.0);
    let (left, right): (Vec<usize>, Vec<usize>) = near.iter().partition(|&&i| s.cell_centre(i).x < split);
    if left.len() >= 100 && right.len() >= 100 {
        let (l, r) = (lum(&left)? as f64 + 5.0, lum(&right)? as f64 + 5.0);
        value = value.max(1.0 - l.min(r) / l.max(r));
    }
    let dark_limit = near_y.min(lum(&far).unwrap_or(near_y)) * 0.9;
    let shadowed = near.into_iter().filter(|&i| s.luma[i] < dark_limit).collect();
    Some((value.max(0.0), shadowed))
}

/// Bounding box of grid cells, in working pixels.
fn cells_box(s: &Scene, cells: &[usize]) -> Option<Region> {
    if cells.is_empty() {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for &i in cells {
        let (x, y) = (i % s.width, i / s.width);
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x + 1);
        y1 = y1.max(y + 1);
    }
    Some(Region::Box {
        x: x0 as f32 * s.cell_w,
        y: y0 as f32 * s.cell_h,
        width: (x1 - x0) as f32 * s.cell_w,
        height: (y1 - y0) as f32 * s.cell_h,
    })
}
