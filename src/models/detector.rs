//! BlazeFace face detectors (MediaPipe): the short-range model (128×128 letterboxed input, 896
//! anchors; faces that fill much of its window) finds the applicant's face, the full-range model
//! (192×192, 2304 anchors; faces down to a few percent of the window) finds small faces anywhere
//! in the frame.

use serde::Serialize;

use super::{nchw_tensor, output, output_index, run, ModelFiles, Plan};
use crate::error::ModelError;
use crate::imaging::{sample_planar, Affine, Point, Pyramid};

/// What tells one BlazeFace model from another: file, square input side, anchor layers (grid,
/// anchors per cell) and the names of its two outputs.
pub struct DetectorSpec {
    /// How errors name it.
    name: &'static str,
    file: &'static str,
    size: usize,
    layers: &'static [(usize, usize)],
    regressors: &'static str,
    classificators: &'static str,
}

/// Short range: stride 8 (16×16 cells, 2 anchors) then stride 16 (8×8 cells, 6 anchors).
pub const SHORT_RANGE: DetectorSpec = DetectorSpec {
    name: "face detector",
    file: "mp_face_detection_short_range.onnx",
    size: 128,
    layers: &[(16, 2), (8, 6)],
    regressors: "regressors",
    classificators: "classificators",
};

/// Full range: stride 4, one anchor per cell of a 48×48 grid.
pub const FULL_RANGE: DetectorSpec = DetectorSpec {
    name: "small-face detector",
    file: "mp_face_detection_full_range.onnx",
    size: 192,
    layers: &[(48, 1)],
    regressors: "reshaped_regressor_face_4",
    classificators: "reshaped_classifier_face_4",
};

/// A face found by the detector, in image pixel coordinates.
#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    pub score: f32,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    /// Right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion (the
    /// subject's right and left: the right eye is on the image's left).
    pub keypoints: [Point; 6],
}

impl Detection {
    pub fn centre(&self) -> Point {
        Point::new(self.x + self.width / 2.0, self.y + self.height / 2.0)
    }
    fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }
    fn iou(&self, o: &Detection) -> f32 {
        let ix = (self.x + self.width).min(o.x + o.width) - self.x.max(o.x);
        let iy = (self.y + self.height).min(o.y + o.height) - self.y.max(o.y);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        inter / (self.area() + o.area() - inter)
    }
}

pub struct FaceDetector {
    plan: Plan,
    name: &'static str,
    size: usize,
    regressors: usize,
    classificators: usize,
    anchors: Vec<Point>,
}

impl FaceDetector {
    pub(crate) fn load(files: &ModelFiles, spec: &DetectorSpec) -> Result<Self, ModelError> {
        let (plan, names) = files.load(spec.file, &[1, 3, spec.size, spec.size])?;
        Ok(FaceDetector {
            plan,
            name: spec.name,
            size: spec.size,
            regressors: output_index(&names, spec.regressors, spec.file)?,
            classificators: output_index(&names, spec.classificators, spec.file)?,
            anchors: super::ssd_anchors(spec.layers),
        })
    }

    /// Detects faces in a square window of `side` pixels centred on `centre` (parts outside the
    /// image are filled with `fill`). Returns detections above `min_score`, after NMS.
    pub fn detect(&self, img: &Pyramid, centre: Point, side: f32, fill: f32, min_score: f32) -> Result<Vec<Detection>, ModelError> {
        let size = self.size;
        let transform = Affine::square_crop(centre, side, 0.0, size, false);
        let mut input = sample_planar(img, &transform, size, size, [fill; 3]);
        for v in input.iter_mut() {
            *v = *v / 127.5 - 1.0;
        }
        let outputs = run(&self.plan, self.name, nchw_tensor(input, size, size))?;
        let reg = output(&outputs, self.regressors, self.name)?;
        let cls = output(&outputs, self.classificators, self.name)?;
        if reg.len() < self.anchors.len() * 16 || cls.len() < self.anchors.len() {
            return Err(ModelError::Run { model: self.name, message: "unexpected output size".into() });
        }
        let s = size as f32;
        let mut found = Vec::new();
        for (i, anchor) in self.anchors.iter().enumerate() {
            let score = sigmoid(cls[i].clamp(-100.0, 100.0));
            if score < min_score {
                continue;
            }
            let r = &reg[i * 16..i * 16 + 16];
            // Regressor values are in input pixels; anchors in unit coordinates.
            let cx = r[0] + anchor.x * s;
            let cy = r[1] + anchor.y * s;
            let (w, h) = (r[2], r[3]);
            let corner_a = transform.apply(cx - w / 2.0, cy - h / 2.0);
            let corner_b = transform.apply(cx + w / 2.0, cy + h / 2.0);
            let mut keypoints = [Point::new(0.0, 0.0); 6];
            for (k, kp) in keypoints.iter_mut().enumerate() {
                *kp = transform.apply(r[4 + 2 * k] + anchor.x * s, r[5 + 2 * k] + anchor.y * s);
            }
            found.push(Detection {
                score,
                x: corner_a.x.min(corner_b.x),
                y: corner_a.y.min(corner_b.y),
                width: (corner_b.x - corner_a.x).abs(),
                height: (corner_b.y - corner_a.y).abs(),
                keypoints,
            });
        }
        Ok(weighted_nms(found, 0.3))
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// MediaPipe-style weighted NMS: overlapping detections are averaged, weighted by score, which
/// steadies the box and key points.
fn weighted_nms(mut dets: Vec<Detection>, iou_threshold: f32) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out: Vec<Detection> = Vec::new();
    let mut used = vec![false; dets.len()];
    for i in 0..dets.len() {
        if used[i] {
            continue;
        }
        let mut cluster = vec![i];
        for j in i + 1..dets.len() {
            if !used[j] && dets[i].iou(&dets[j]) > iou_threshold {
                used[j] = true;
                cluster.push(j);
            }
        }
        let total: f32 = cluster.iter().map(|&k| dets[k].score).sum();
        let mut merged = dets[i].clone();
        let avg = |f: &dyn Fn(&Detection) -> f32| cluster.iter().map(|&k| f(&dets[k]) * dets[k].score).sum::<f32>() / total;
        merged.x = avg(&|d| d.x);
        merged.y = avg(&|d| d.y);
        merged.width = avg(&|d| d.width);
        merged.height = avg(&|d| d.height);
        for k in 0..6 {
            merged.keypoints[k] = Point::new(avg(&|d| d.keypoints[k].x), avg(&|d| d.keypoints[k].y));
        }
        out.push(merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_layouts_match_the_models() {
        let a = super::super::ssd_anchors(SHORT_RANGE.layers);
        assert_eq!(a.len(), 896);
        assert_eq!(a[0], Point::new(1.0 / 32.0, 1.0 / 32.0));
        assert_eq!(a[512], Point::new(1.0 / 16.0, 1.0 / 16.0));
        let full = super::super::ssd_anchors(FULL_RANGE.layers);
        assert_eq!(full.len(), 2304);
        assert_eq!(full[49], Point::new(1.5 / 48.0, 1.5 / 48.0));
    }

    #[test]
    fn nms_merges_overlaps_and_keeps_separate_faces() {
        let d = |x: f32, score: f32| Detection { score, x, y: 0.0, width: 10.0, height: 10.0, keypoints: [Point::new(x, 0.0); 6] };
        let out = weighted_nms(vec![d(0.0, 0.9), d(1.0, 0.9), d(50.0, 0.6)], 0.3);
        assert_eq!(out.len(), 2);
        assert!((out[0].x - 0.5).abs() < 1e-4);
    }
}
