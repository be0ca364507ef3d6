//! PP-OCRv4 text detector (DBNet, from PyPI rapidocr-onnxruntime): a letterboxed 224×288 copy of
//! the photo → per-pixel text probability, grouped into boxes.
//!
//! The input is portrait, close to an ID photo's 3:4, so the photo nearly fills it: 288 px of a
//! 600×800 upload's height (and 11 px of padding either side) where the 192×192 square used
//! before gave it 192 and a quarter of the input was padding. Text 1/28 of the height is then
//! about 10 px tall at the network, which DBNet sees; at 192 it was 7. Measured 2026-12-05
//! (stop 44), the same binary with each input:
//! - `examples/variants` (seed 20261202): text caught 93.1 % → 95.1 %, logos 92.7 % → 92.7 %,
//!   clean portraits flagged the same 2 of 83 (at 192×256: text 94.7 %);
//! - a watermark "© STUDIO 2026" 3.5 % of the height, grey at 55 %, across the bottom-left corner
//!   (backdrop, shoulder and neck: in the margin around the person and on skin, where the mark
//!   scan does not look) of the 42 approved London ready portraits: 2 → 38 caught (192×256: 21,
//!   in a run that also kept the head's boxes);
//! - no TX001 outcome changed on the 179 London portraits; on the 1076 dev web photos 9 more
//!   flagged and 3 fewer, no verdict changed;
//! - cost: `text_ms` median 36.0 → 49.3 ms on the peer's 120-photo upload corpus (both threads
//!   busy), whole run 12.60 → 13.39 s; the network alone 14.0 → 26.7 ms on one thread.
//!
//! A second pass (since stop 50) reads the band below the chin at 608×288 (448×192 until stop
//! 54; `run_band`): see `analysis::read_band` and the README ("Print across the neckline"). A
//! third (since stop 51) reads the face at 256×256 (`run_head`): see `analysis::read_head` and
//! the README ("Watermarks read at the face's scale"); since stop 64 it reads that crop's chroma
//! relief as well (`chroma_relief`; the README's "Grey and pale marks read by their colour"), at
//! 384×384 since stop 66 ("The chroma relief at the photo's own scale").
//!
//! Each box carries its pixels' main axis (`Axis`, since stop 65), so that the caller can tell a
//! turned line from a blob.
//!
//! Boxes in the head are dropped by the caller: on faces DBNet fires on noses, mouths and teeth.

use super::{nchw_tensor, output, run, ModelFiles, Plan};
use crate::error::ModelError;
use crate::imaging::filters::{box_blur, regions, Connectivity, Edges};
use crate::imaging::{sample_planar, Affine, Point, Pyramid};

const FILE: &str = "ppocrv4_det.onnx";
/// Input width and height (multiples of 32, as DBNet's strides need).
const WIDTH: usize = 224;
const HEIGHT: usize = 288;
/// The band below the chin (neck, chest and clothing) is read a second time at this input, the
/// photo's own scale on a 600×800 ID photo (about 2.8 times the whole pass's): print there is where
/// applicants' clothing has it, and it runs across the neckline onto the skin, where the mark scan
/// cannot tell it from the neck's own shading (`analysis::marks`). See `TextDetector::run_band`. At
/// 448×192 (about 0.7 of that scale, stop 50) DBNet gave no pixel above 0.3 on many lines 20–45 px
/// tall that cross the neckline or lie on the navy fabric; measured on the `variants` chest print
/// family (seed 20261202, 249 drawn): 448×192 caught 196, 544×256 (about 0.9) 217, 608×288 (about
/// 1) 227, 704×320 229 with a third clean portrait flagged. The network alone (one thread): 26 ms
/// at 448×192, 55–65 ms at 608×288.
const BAND_WIDTH: usize = 608;
const BAND_HEIGHT: usize = 288;
/// The face is read a second time at this input, about 1.8 times the whole photo's scale on an ID
/// photo: a watermark or a stamp over the face, faint or short, is often no box at all at the
/// whole photo's scale. See `TextDetector::run_head` and `analysis::read_head`.
const HEAD_WIDTH: usize = 256;
const HEAD_HEIGHT: usize = 256;
/// The face's chroma relief (`chroma_relief`) is read a second time at this input (square),
/// about the photo's own scale on a 600×800 ID photo, where `HEAD_WIDTH` is about 0.6 of it: grey,
/// pale and coloured marks 3-5 % of the photo's height over the face, Chinese characters most of
/// all, are often no box at 256 and a clear one here. Measured 2026-12-07 (stop 66) on the
/// `variants` watermark family (seed 20261202, 249 drawn; every box of each reading dumped and
/// replayed through the caller's limits), marks with a box kept / London portraits (179) with one:
/// the relief at 256 196 / 0, at 320 215 / 4, at 352 220 / 10, at 384 228 / 15; with the limits
/// on this reading (`analysis::RELIEF_LINE_SCORE`, `RELIEF_LINE_THICKNESS`) at 320 201 / 0, at 352
/// 208 / 0, at 384 217 / 0. At this scale the face's own features (nostrils, the bridge between
/// the eyes) read as thick lines. The reading costs about 65 ms on one thread (`text_ms` median
/// over the 83 ready portraits, one photo at a time, two runs each: 208 → 268-276 ms).
const RELIEF_SIDE: usize = 384;
/// The face's 256 crop, as it is and as its relief, is read again turned this many degrees either
/// way (since stop 70): DBNet reads lines up to about 30° from level, and a proof stamp laid from
/// corner to corner is 40-65°. Measured on the `variants` stamp family (40-65° either way, seed
/// 20261202, 249 drawn): without these readings 155 caught, with the plain ones 182, with the
/// relief's (limited as `analysis::TURNED_RELIEF_SCORE` says) 174, with both 192. The four
/// readings cost 80-90 ms on one thread (`text_ms` median over the 83 ready portraits, one
/// thread, two runs: 178 → 257 and 176 → 266 ms); they run on the face's side of the analysis
/// (`analysis::read_turned_head`). See the README ("Stamps laid diagonally").
const TURN_DEGREES: f32 = 45.0;
/// The band's input has its detail against a blur of about 6.5 px (three box means of radius
/// `BAND_DETAIL_RADIUS`) raised by this share before the network reads it (an unsharp mask):
/// print on the neck or a light top in grey at 30-60 % differs from what is around it by 15-30
/// levels, where DBNet gave no pixel above 0.1. Measured on the `variants` text, logo and chest
/// print families (three seeds, 2228 drawn): 0.5 caught 27 more and lost none; 1.0 caught 36 more
/// and lost 1, and over the dev web photos lost three real lines of text (a stock photo's
/// watermark, print on a bag, a column of kana) where 0.5 lost one. See the README ("Faint print
/// below the chin").
const BAND_DETAIL_GAIN: f32 = 0.5;
const BAND_DETAIL_RADIUS: usize = 6;
/// DBNet's usual settings: pixels above 0.3 form candidates, kept when their mean exceeds 0.5.
const PIXEL_THRESHOLD: f32 = 0.3;
const BOX_THRESHOLD: f32 = 0.5;

/// A text candidate in working-image pixels.
#[derive(Debug, Clone, Copy)]
pub struct TextBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub score: f32,
    /// Its pixels' main axis (the upright box's own for boxes that are not the detector's).
    pub axis: Axis,
}

/// A text candidate's main axis, from the second moments of its pixels: its length along that
/// axis and its thickness across it (working pixels; a filled rectangle's sides) and the axis'
/// slope in degrees from the horizontal (−90 to 90). A line of text turned by 30° fills much of
/// its upright box, which then reads as a blob; its axis still reads it as a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub length: f32,
    pub thickness: f32,
    pub slope: f32,
}

impl Axis {
    /// The axis of an upright box filled evenly: along its longer side.
    pub fn upright(width: f32, height: f32) -> Axis {
        if width >= height {
            Axis { length: width, thickness: height, slope: 0.0 }
        } else {
            Axis { length: height, thickness: width, slope: 90.0 }
        }
    }

    /// The axis of a set of pixels (x, y): the square roots of twelve times the variances along
    /// and across the principal direction, which are a filled rectangle's sides.
    fn of_pixels(pixels: impl Iterator<Item = (f32, f32)> + Clone) -> Axis {
        let (mut n, mut sx, mut sy) = (0.0f32, 0.0f32, 0.0f32);
        for (x, y) in pixels.clone() {
            n += 1.0;
            sx += x;
            sy += y;
        }
        let (mx, my) = (sx / n.max(1.0), sy / n.max(1.0));
        let (mut xx, mut yy, mut xy) = (0.0f32, 0.0f32, 0.0f32);
        for (x, y) in pixels {
            let (dx, dy) = (x - mx, y - my);
            xx += dx * dx;
            yy += dy * dy;
            xy += dx * dy;
        }
        let (xx, yy, xy) = (xx / n.max(1.0), yy / n.max(1.0), xy / n.max(1.0));
        let half_trace = (xx + yy) / 2.0;
        let spread = ((xx - yy) * (xx - yy) / 4.0 + xy * xy).sqrt();
        // Pixels are unit squares: each adds 1/12 to the variance along either direction.
        let along = (12.0 * (half_trace + spread) + 1.0).sqrt();
        let across = (12.0 * (half_trace - spread).max(0.0) + 1.0).sqrt();
        let slope = 0.5 * (2.0 * xy).atan2(xx - yy);
        Axis { length: along, thickness: across, slope: slope.to_degrees() }
    }

    fn scaled(self, by: f32) -> Axis {
        Axis { length: self.length * by, thickness: self.thickness * by, slope: self.slope }
    }

    /// The axis turned by `degrees` (the slope kept within −90 to 90).
    fn turned(self, degrees: f32) -> Axis {
        let slope = (self.slope + degrees + 90.0).rem_euclid(180.0) - 90.0;
        Axis { slope, ..self }
    }
}

impl TextBox {
    /// A box with its upright axis (`Axis::upright`).
    pub fn upright(x: f32, y: f32, width: f32, height: f32, score: f32) -> TextBox {
        TextBox { x, y, width, height, score, axis: Axis::upright(width, height) }
    }

    pub fn centre(&self) -> Point {
        Point::new(self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Whether the two boxes share any area.
    pub fn overlaps(&self, other: &TextBox) -> bool {
        self.x < other.x + other.width && other.x < self.x + self.width && self.y < other.y + other.height && other.y < self.y + self.height
    }
}

pub struct TextDetector {
    plan: Plan,
    band_plan: Plan,
    head_plan: Plan,
    fine_relief_plan: Plan,
}

/// What the head pass read (`TextDetector::run_head`): the crop as it is and its chroma relief at
/// 256×256 and the relief once more at `RELIEF_SIDE`², each apart, since the caller holds the fine
/// relief's boxes to stricter limits.
#[derive(Debug, Clone, Default)]
pub struct HeadReading {
    pub plain: Vec<TextBox>,
    pub relief: Vec<TextBox>,
    pub fine_relief: Vec<TextBox>,
}

/// The head pass's 256 crop read turned by `TURN_DEGREES` either way (`TextDetector::run_head_turned`),
/// as it is and as its relief, each apart: the caller holds the turned relief's boxes to stricter
/// limits.
#[derive(Debug, Clone, Default)]
pub struct TurnedReading {
    pub plain: Vec<TextBox>,
    pub relief: Vec<TextBox>,
}

/// The head pass's crop of `x0..x1` × `y0..y1` at `width`×`height`: letterboxed about its centre,
/// never enlarged.
fn head_crop(x0: f32, y0: f32, x1: f32, y1: f32, width: usize, height: usize) -> Affine {
    let (w, h) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
    let s = (w / width as f32).max(h / height as f32).max(1.0);
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    Affine { a: s, b: 0.0, c: cx - s * width as f32 / 2.0, d: 0.0, e: s, f: cy - s * height as f32 / 2.0 }
}

impl TextDetector {
    pub(crate) fn load(files: &ModelFiles) -> Result<Self, ModelError> {
        let (plan, _) = files.load(FILE, &[1, 3, HEIGHT, WIDTH])?;
        let (band_plan, _) = files.load(FILE, &[1, 3, BAND_HEIGHT, BAND_WIDTH])?;
        let (head_plan, _) = files.load(FILE, &[1, 3, HEAD_HEIGHT, HEAD_WIDTH])?;
        let (fine_relief_plan, _) = files.load(FILE, &[1, 3, RELIEF_SIDE, RELIEF_SIDE])?;
        Ok(TextDetector { plan, band_plan, head_plan, fine_relief_plan })
    }

    /// The whole photo, letterboxed into 224×288.
    pub fn run(&self, img: &Pyramid) -> Result<Vec<TextBox>, ModelError> {
        let (w, h) = (img.base().width() as f32, img.base().height() as f32);
        detect(&self.plan, img, Affine::letterbox(w, h, WIDTH, HEIGHT), WIDTH, HEIGHT, 0.0)
    }

    /// The photo's full width from row `top` (working pixels) to its bottom, letterboxed into
    /// 608×288: on a 600×800 ID photo whose chin is at 70 % of the height, the photo's own scale
    /// where the whole-photo pass reads it at 0.36, so a line 1/25 of the height is about 32 px
    /// tall at the network instead of 11.
    pub fn run_band(&self, img: &Pyramid, top: f32) -> Result<Vec<TextBox>, ModelError> {
        let (w, h) = (img.base().width() as f32, img.base().height() as f32);
        let top = top.clamp(0.0, h - 1.0);
        let mut transform = Affine::letterbox(w, h - top, BAND_WIDTH, BAND_HEIGHT);
        transform.f += top;
        detect(&self.band_plan, img, transform, BAND_WIDTH, BAND_HEIGHT, BAND_DETAIL_GAIN)
    }

    /// The rectangle `x0..x1` × `y0..y1` (working pixels: the face), letterboxed into 256×256 and
    /// never enlarged: a small face in a large photo is read at the photo's own scale with more of
    /// its surroundings, since enlarging adds no detail and the detector reads faces' features
    /// more readily.
    ///
    /// The crop is read three times: as it is, and as its chroma relief (`chroma_relief`) at
    /// 256×256 and at `RELIEF_SIDE`² (never enlarged either), where a grey or pale watermark over
    /// skin (which keeps the skin's brightness and takes away its colour) stands out as a dark
    /// line on even grey. The plain reading sees what the relief cannot: dark or light text on
    /// grey hair or a white backdrop, where there is no colour to lose. The same crop turned either
    /// way is `run_head_turned`.
    pub fn run_head(&self, img: &Pyramid, x0: f32, y0: f32, x1: f32, y1: f32) -> Result<HeadReading, ModelError> {
        let place = |width: usize, height: usize| head_crop(x0, y0, x1, y1, width, height);
        // The 256 crop is sampled once; its relief is made from a copy of it.
        let transform = place(HEAD_WIDTH, HEAD_HEIGHT);
        let crop = sample_planar(img, &transform, HEAD_WIDTH, HEAD_HEIGHT, [128.0; 3]);
        let mut relief = crop.clone();
        chroma_relief(&mut relief, HEAD_WIDTH, HEAD_HEIGHT);
        let fine_transform = place(RELIEF_SIDE, RELIEF_SIDE);
        let mut fine_relief = sample_planar(img, &fine_transform, RELIEF_SIDE, RELIEF_SIDE, [128.0; 3]);
        chroma_relief(&mut fine_relief, RELIEF_SIDE, RELIEF_SIDE);
        Ok(HeadReading {
            plain: detect_planes(&self.head_plan, crop, transform, HEAD_WIDTH, HEAD_HEIGHT)?,
            relief: detect_planes(&self.head_plan, relief, transform, HEAD_WIDTH, HEAD_HEIGHT)?,
            fine_relief: detect_planes(&self.fine_relief_plan, fine_relief, fine_transform, RELIEF_SIDE, RELIEF_SIDE)?,
        })
    }

    /// `run_head`'s 256 crop of `x0..x1` × `y0..y1` turned `TURN_DEGREES` either way (its own
    /// sampling, about the same centre and at the same scale), as it is and as its chroma relief:
    /// a proof stamp laid diagonally. Apart from `run_head` so that the analysis can run it on its
    /// other thread.
    pub fn run_head_turned(&self, img: &Pyramid, x0: f32, y0: f32, x1: f32, y1: f32) -> Result<TurnedReading, ModelError> {
        let scale = head_crop(x0, y0, x1, y1, HEAD_WIDTH, HEAD_HEIGHT).a;
        let mut reading = TurnedReading::default();
        for degrees in [TURN_DEGREES, -TURN_DEGREES] {
            let centre = crate::imaging::Point::new((x0 + x1) / 2.0, (y0 + y1) / 2.0);
            let turned = Affine::square_crop(centre, scale * HEAD_WIDTH as f32, degrees.to_radians(), HEAD_WIDTH, false);
            let crop = sample_planar(img, &turned, HEAD_WIDTH, HEAD_WIDTH, [128.0; 3]);
            let mut relief = crop.clone();
            chroma_relief(&mut relief, HEAD_WIDTH, HEAD_WIDTH);
            reading.relief.extend(detect_planes(&self.head_plan, relief, turned, HEAD_WIDTH, HEAD_WIDTH)?);
            reading.plain.extend(detect_planes(&self.head_plan, crop, turned, HEAD_WIDTH, HEAD_WIDTH)?);
        }
        Ok(reading)
    }
}

/// The chroma relief: each pixel's saturation (the length of its BT.601 (Cb, Cr), 0-255 scale)
/// less a near-Gaussian blur of it (three box means of radius `CHROMA_BLUR_RADIUS`), times
/// `CHROMA_GAIN`, about `CHROMA_GREY`, written to all three planes. Skin is evenly saturated, so
/// it turns to even grey; a grey or white mark on it is less saturated than the skin around it
/// and turns dark, a coloured one bright. The eyes' whites and irises, the other unsaturated
/// parts of a face, read as lines too; the caller drops boxes on the eyes from both readings.
/// Measured with `examples/variants` (watermark family, seed 20261202, 249 drawn): gains 3, 6
/// and 10 and radii 3, 6 and 10 caught within 2 of one another (186–188 with the eyes' lines
/// dropped afterwards); a relief of the chroma vector's distance from its blur (hue changes too)
/// caught fewer.
fn chroma_relief(planes: &mut [f32], width: usize, height: usize) {
    let n = width * height;
    let saturation: Vec<f32> = (0..n)
        .map(|i| {
            let (red, green, blue) = (planes[i], planes[n + i], planes[2 * n + i]);
            let cb = -0.168736 * red - 0.331264 * green + 0.5 * blue;
            let cr = 0.5 * red - 0.418688 * green - 0.081312 * blue;
            (cb * cb + cr * cr).sqrt()
        })
        .collect();
    let mut blur = box_blur(&saturation, width, height, CHROMA_BLUR_RADIUS, Edges::Replicate);
    for _ in 0..2 {
        blur = box_blur(&blur, width, height, CHROMA_BLUR_RADIUS, Edges::Replicate);
    }
    for i in 0..n {
        let v = (CHROMA_GREY + CHROMA_GAIN * (saturation[i] - blur[i])).clamp(0.0, 255.0);
        planes[i] = v;
        planes[n + i] = v;
        planes[2 * n + i] = v;
    }
}

/// A saturation step of 10 becomes 60 grey levels: skin's saturation is a few tens (RGB 220,
/// 170, 140 reads 36; 120, 80, 60 reads 27), and a grey mark at half opacity halves it. The
/// relief is clipped to 0-255 about `CHROMA_GREY`, light enough that dark strokes have room.
const CHROMA_GAIN: f32 = 6.0;
/// Box-mean radius (network pixels) of the blur the saturation is compared to: wider than a
/// watermark's stroke, narrower than a cheek.
const CHROMA_BLUR_RADIUS: usize = 6;
const CHROMA_GREY: f32 = 200.0;

/// Runs `plan` on the crop `transform` maps (network pixels → image pixels), its detail raised by
/// `detail_gain` (`raise_detail`; 0 leaves it as sampled), and returns the boxes in image pixels.
fn detect(
    plan: &Plan,
    img: &Pyramid,
    transform: Affine,
    width: usize,
    height: usize,
    detail_gain: f32,
) -> Result<Vec<TextBox>, ModelError> {
    detect_with(plan, img, transform, width, height, |p, w, h| {
        if detail_gain > 0.0 {
            raise_detail(p, w, h, detail_gain)
        }
    })
}

/// `detect` with `prepare` in place of the detail gain: it rewrites the sampled planes (R, G, B,
/// 0-255, each `width` × `height`) before they are scaled for the network.
fn detect_with(
    plan: &Plan,
    img: &Pyramid,
    transform: Affine,
    width: usize,
    height: usize,
    prepare: impl Fn(&mut [f32], usize, usize),
) -> Result<Vec<TextBox>, ModelError> {
    let mut input = sample_planar(img, &transform, width, height, [128.0; 3]);
    prepare(&mut input, width, height);
    detect_planes(plan, input, transform, width, height)
}

/// The detector on planes already sampled through `transform` (R, G, B, 0-255, each `width` ×
/// `height`): its boxes in working pixels.
fn detect_planes(plan: &Plan, mut input: Vec<f32>, transform: Affine, width: usize, height: usize) -> Result<Vec<TextBox>, ModelError> {
    // The network reads BGR scaled to −1..1.
    let n = width * height;
    let (red, rest) = input.split_at_mut(n);
    red.swap_with_slice(&mut rest[n..2 * n]);
    for v in input.iter_mut() {
        *v = *v / 127.5 - 1.0;
    }
    let outputs = run(plan, "text detector", nchw_tensor(input, height, width))?;
    let prob = output(&outputs, 0, "text detector")?;
    if prob.len() != n {
        return Err(ModelError::Run { model: "text detector", message: format!("expected {n} values, got {}", prob.len()) });
    }
    Ok(components(&prob, width, height).into_iter().map(|c| in_photo(c, &transform)).collect())
}

/// A component of the network's input as a box in the photo's pixels. The transforms here scale
/// both ways alike (letterbox, crop, turned crop): a turned crop (`Affine::square_crop`) maps the
/// component's box to a turned rectangle, whose upright box holds all four corners, and its axis
/// turns with the crop.
fn in_photo(Component { x0, y0, x1, y1, score, axis }: Component, transform: &Affine) -> TextBox {
    let scale = transform.a.hypot(transform.d);
    let turn = transform.d.atan2(transform.a).to_degrees();
    let (u0, v0, u1, v1) = (x0 as f32, y0 as f32, x1 as f32 + 1.0, y1 as f32 + 1.0);
    let corners = [transform.apply(u0, v0), transform.apply(u1, v0), transform.apply(u0, v1), transform.apply(u1, v1)];
    let left = corners.iter().map(|p| p.x).fold(f32::INFINITY, f32::min);
    let right = corners.iter().map(|p| p.x).fold(f32::NEG_INFINITY, f32::max);
    let top = corners.iter().map(|p| p.y).fold(f32::INFINITY, f32::min);
    let bottom = corners.iter().map(|p| p.y).fold(f32::NEG_INFINITY, f32::max);
    TextBox { x: left, y: top, width: right - left, height: bottom - top, score, axis: axis.scaled(scale).turned(turn) }
}

/// An unsharp mask on each plane (0-255): each value moves away from a near-Gaussian blur of its
/// plane (three box means of radius `BAND_DETAIL_RADIUS`, borders repeated) by `gain` times its
/// difference from it, clipped to 0-255.
fn raise_detail(planes: &mut [f32], width: usize, height: usize, gain: f32) {
    for plane in planes.chunks_mut(width * height) {
        let mut blur = box_blur(plane, width, height, BAND_DETAIL_RADIUS, Edges::Replicate);
        for _ in 0..2 {
            blur = box_blur(&blur, width, height, BAND_DETAIL_RADIUS, Edges::Replicate);
        }
        for (v, b) in plane.iter_mut().zip(&blur) {
            *v = (*v + gain * (*v - b)).clamp(0.0, 255.0);
        }
    }
}

/// A detector component in network pixels: its box (inclusive), mean probability and axis.
#[derive(Debug, Clone, Copy)]
struct Component {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
    score: f32,
    axis: Axis,
}

/// 4-connected components of pixels above the pixel threshold whose mean probability passes the
/// box threshold.
fn components(prob: &[f32], width: usize, height: usize) -> Vec<Component> {
    let text: Vec<bool> = prob.iter().map(|&p| p > PIXEL_THRESHOLD).collect();
    regions(&text, width, height, Connectivity::Four)
        .into_iter()
        .filter_map(|pixels| {
            let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
            let mut sum = 0.0f32;
            for &i in &pixels {
                let (x, y) = (i % width, i / width);
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
                sum += prob[i];
            }
            let score = sum / pixels.len() as f32;
            (pixels.len() >= 3 && score > BOX_THRESHOLD).then(|| {
                let axis = Axis::of_pixels(pixels.iter().map(|&i| ((i % width) as f32, (i / width) as f32)));
                Component { x0, y0, x1, y1, score, axis }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A level line in a crop turned 45° is a line turned 45° in the photo: its upright box holds
    /// the turned rectangle, its axis keeps its length and thickness (times the crop's scale) and
    /// turns with the crop; an upright crop's boxes are as before.
    #[test]
    fn a_line_read_in_a_turned_crop_is_turned_in_the_photo() {
        let level = Component { x0: 10, y0: 20, x1: 49, y1: 29, score: 0.9, axis: Axis { length: 40.0, thickness: 10.0, slope: 0.0 } };
        let centre = crate::imaging::Point::new(300.0, 400.0);
        let turned = in_photo(level, &Affine::square_crop(centre, 200.0, 45f32.to_radians(), 100, false));
        assert!((turned.axis.slope - 45.0).abs() < 1e-3, "{:?}", turned.axis);
        assert!((turned.axis.length - 80.0).abs() < 1e-3 && (turned.axis.thickness - 20.0).abs() < 1e-3, "{:?}", turned.axis);
        // (40 + 10) × 2 px along the two sides, each side contributing cos 45° to either extent.
        let extent = (40.0 + 10.0) * 2.0 * std::f32::consts::FRAC_1_SQRT_2;
        assert!((turned.width - extent).abs() < 1e-2 && (turned.height - extent).abs() < 1e-2, "{turned:?}");
        let back = in_photo(level, &Affine::square_crop(centre, 200.0, (-45f32).to_radians(), 100, false));
        assert!((back.axis.slope + 45.0).abs() < 1e-3, "{:?}", back.axis);
        // A steep line turned past the vertical wraps round to the other side.
        let steep = Component { axis: Axis { slope: 80.0, ..level.axis }, ..level };
        assert!((in_photo(steep, &Affine::square_crop(centre, 200.0, 45f32.to_radians(), 100, false)).axis.slope + 55.0).abs() < 1e-3);
        let upright = in_photo(level, &Affine { a: 2.0, b: 0.0, c: 5.0, d: 0.0, e: 2.0, f: 7.0 });
        assert_eq!((upright.x, upright.y, upright.width, upright.height), (25.0, 47.0, 80.0, 20.0));
        assert_eq!(upright.axis, Axis { length: 80.0, thickness: 20.0, slope: 0.0 });
    }

    #[test]
    fn components_keep_confident_blobs_only() {
        let mut p = vec![0.0f32; 100];
        for i in [11, 12, 13, 21, 22, 23] {
            p[i] = 0.9;
        }
        for i in [77, 78] {
            p[i] = 0.35; // weak and tiny: dropped
        }
        let c = components(&p, 10, 10);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].x0, c[0].y0, c[0].x1, c[0].y1), (1, 1, 3, 2));
    }

    #[test]
    fn a_turned_line_reads_long_and_thin_along_its_axis() {
        // A stroke 40 px long and 4 thick, turned 30° (down to the right).
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let pixels: Vec<(f32, f32)> =
            (0..40).flat_map(|u| (0..4).map(move |v| (u as f32 * c - v as f32 * s, u as f32 * s + v as f32 * c))).collect();
        let axis = Axis::of_pixels(pixels.iter().copied());
        assert!((axis.length - 40.0).abs() < 1.5, "{axis:?}");
        assert!((axis.thickness - 4.0).abs() < 1.0, "{axis:?}");
        assert!((axis.slope - 30.0).abs() < 1.0, "{axis:?}");
        let upright = Axis::of_pixels((0..30).flat_map(|x| (0..10).map(move |y| (x as f32, y as f32))));
        assert!((upright.length - 30.0).abs() < 0.5 && (upright.thickness - 10.0).abs() < 0.5 && upright.slope.abs() < 0.5, "{upright:?}");
        assert_eq!(Axis::upright(5.0, 20.0), Axis { length: 20.0, thickness: 5.0, slope: 90.0 });
    }
}
