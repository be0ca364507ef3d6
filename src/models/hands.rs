//! Hands (MediaPipe): the palm detector on the whole photo (192×192 letterboxed, 2016 anchors),
//! then the hand landmark network on each palm's hand crop (224×224) to confirm it. The palm
//! detector alone fires on skin folds and necklines (0.86 on a V-neck in a studio portrait); the
//! landmark network's hand presence tells a hand from those. Both are MediaPipe's "full" variants
//! since 2026-12-04: with palms from 0.5 they found 66 of 108 hands on the labelled web photos
//! against the "lite" pair's 63, flagged 7 of 631 hand-free photos against 16, and read at most
//! 0.05 on the London studio portraits against 0.35 (from 0.3, as `analysis` asks: 70 and 8), for
//! about 4 ms more per palm search and 9 ms more per palm confirmed (README, "Hands").

use serde::Serialize;

use super::{nhwc_tensor, output, output_index, run, ModelFiles, Plan};
use crate::error::ModelError;
use crate::imaging::{sample_planar, Affine, Point, Pyramid};

const PALM_FILE: &str = "mp_palm_detection_full_relu.onnx";
const PALM_SIZE: usize = 192;
const LANDMARK_FILE: &str = "mp_hand_landmark_full.onnx";
const LANDMARK_SIZE: usize = 224;
/// The hand crop around a palm box, as MediaPipe places it: 2.6 times the palm's side, moved
/// half a side toward the fingers.
const HAND_CROP_SCALE: f32 = 2.6;
const HAND_CROP_SHIFT: f32 = 0.5;
/// Palms confirmed per photo at most (strongest first): bounds the cost of a busy photo.
pub const MAX_PALMS: usize = 4;

/// A palm the detector found and what the landmark network said about the hand around it.
#[derive(Debug, Clone, Serialize)]
pub struct HandCandidate {
    pub palm_score: f32,
    /// Probability that the hand crop holds a hand.
    pub presence: f32,
    /// Palm box centre and side, image pixels.
    pub centre: Point,
    pub side: f32,
}

pub struct HandDetector {
    palm: Plan,
    boxes: usize,
    scores: usize,
    anchors: Vec<Point>,
    landmark: Plan,
    presence: usize,
}

impl HandDetector {
    pub(crate) fn load(files: &ModelFiles) -> Result<Self, ModelError> {
        let (palm, palm_names) = files.load(PALM_FILE, &[1, PALM_SIZE, PALM_SIZE, 3])?;
        let (landmark, landmark_names) = files.load(LANDMARK_FILE, &[1, LANDMARK_SIZE, LANDMARK_SIZE, 3])?;
        Ok(HandDetector {
            boxes: output_index(&palm_names, "Identity", PALM_FILE)?,
            scores: output_index(&palm_names, "Identity_1", PALM_FILE)?,
            palm,
            anchors: anchors(),
            presence: output_index(&landmark_names, "Identity_1", LANDMARK_FILE)?,
            landmark,
        })
    }

    /// Every palm above `min_palm_score` (up to [`MAX_PALMS`], strongest first, overlapping ones
    /// merged), each with the hand presence of its hand crop.
    pub fn find(&self, img: &Pyramid, min_palm_score: f32) -> Result<Vec<HandCandidate>, ModelError> {
        let (w, h) = (img.base().width() as f32, img.base().height() as f32);
        self.find_in_square(img, Point::new(w / 2.0, h / 2.0), w.max(h), min_palm_score)
    }

    /// [`HandDetector::find`] in the square of `side` pixels around `centre` (outside the photo
    /// reads as black, as MediaPipe's letterbox): where a hand near a small face is big enough
    /// for the palm model.
    pub fn find_in_square(&self, img: &Pyramid, centre: Point, side: f32, min_palm_score: f32) -> Result<Vec<HandCandidate>, ModelError> {
        let transform = Affine::square_crop(centre, side.max(4.0), 0.0, PALM_SIZE, false);
        let input = nhwc_tensor(&sample_planar(img, &transform, PALM_SIZE, PALM_SIZE, [0.0; 3]), PALM_SIZE, PALM_SIZE, 1.0 / 255.0)?;
        let outputs = run(&self.palm, "palm detector", input)?;
        let boxes = output(&outputs, self.boxes, "palm detector")?;
        let scores = output(&outputs, self.scores, "palm detector")?;
        if boxes.len() < self.anchors.len() * 18 || scores.len() < self.anchors.len() {
            return Err(ModelError::Run { model: "palm detector", message: "unexpected output size".into() });
        }
        let s = PALM_SIZE as f32;
        let mut palms: Vec<(f32, Point, f32, Point, Point)> = Vec::new();
        let mut order: Vec<usize> = (0..self.anchors.len()).filter(|&i| sigmoid(scores[i]) >= min_palm_score).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        for i in order {
            let (a, r) = (self.anchors[i], &boxes[i * 18..i * 18 + 18]);
            let centre = transform.apply(r[0] + a.x * s, r[1] + a.y * s);
            let side = r[2].max(r[3]) * transform.scale();
            // Overlapping anchors see the same palm: keep the strongest.
            if palms.iter().any(|p| p.1.dist(centre) < 0.5 * p.2.max(side)) {
                continue;
            }
            let wrist = transform.apply(r[4] + a.x * s, r[5] + a.y * s);
            let middle_base = transform.apply(r[8] + a.x * s, r[9] + a.y * s);
            palms.push((sigmoid(scores[i]), centre, side, wrist, middle_base));
            if palms.len() == MAX_PALMS {
                break;
            }
        }
        palms
            .into_iter()
            .filter(|p| p.2.is_finite() && p.2 > 2.0)
            .map(|(palm_score, centre, side, wrist, middle_base)| {
                Ok(HandCandidate { palm_score, presence: self.presence(img, centre, side, wrist, middle_base)?, centre, side })
            })
            .collect()
    }

    /// The landmark network's hand presence on the crop MediaPipe derives from a palm: rotated so
    /// the wrist→middle-finger direction points up, scaled and moved toward the fingers.
    fn presence(&self, img: &Pyramid, centre: Point, side: f32, wrist: Point, middle_base: Point) -> Result<f32, ModelError> {
        let (dx, dy) = (middle_base.x - wrist.x, middle_base.y - wrist.y);
        let len = (dx * dx + dy * dy).sqrt().max(1e-6);
        let (ux, uy) = (dx / len, dy / len);
        // The crop's y axis (−sin θ, cos θ) must point from the fingers to the wrist.
        let angle = ux.atan2(-uy);
        let crop_centre = Point::new(centre.x + HAND_CROP_SHIFT * side * ux, centre.y + HAND_CROP_SHIFT * side * uy);
        let transform = Affine::square_crop(crop_centre, HAND_CROP_SCALE * side, angle, LANDMARK_SIZE, false);
        let planar = sample_planar(img, &transform, LANDMARK_SIZE, LANDMARK_SIZE, [0.0; 3]);
        let outputs = run(&self.landmark, "hand landmarks", nhwc_tensor(&planar, LANDMARK_SIZE, LANDMARK_SIZE, 1.0 / 255.0)?)?;
        Ok(output(&outputs, self.presence, "hand landmarks")?.first().copied().unwrap_or(0.0).clamp(0.0, 1.0))
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-100.0, 100.0)).exp())
}

/// The palm model's anchors: stride 8 (24×24 cells, 2 anchors) then stride 16 (12×12 cells, 6
/// anchors), centres at cell middles in unit coordinates, fixed size.
fn anchors() -> Vec<Point> {
    super::ssd_anchors(&[(24, 2), (12, 6)])
}
