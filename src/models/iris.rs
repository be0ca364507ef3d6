//! MediaPipe iris landmark model: a 64×64 eye crop → 71 eye-contour/brow points and 5 iris points.
//! It only knows the subject's left eye; the right eye is fed mirrored.

use serde::Serialize;

use super::{nchw_tensor, output, output_index, run, ModelFiles, Plan};
use crate::error::ModelError;
use crate::imaging::{sample_planar, Affine, Point, Pyramid};

const FILE: &str = "mp_iris_landmark_relu.onnx";
const SIZE: usize = 64;

/// One eye's landmarks in image pixels.
#[derive(Debug, Clone, Serialize)]
pub struct EyeLandmarks {
    /// Eye outline: 0 inner corner, 1..=7 lower lid, 8 outer corner, 9..=15 upper lid.
    pub contour: Vec<Point>,
    /// Iris centre then four points on its edge.
    pub iris: Vec<Point>,
}

impl EyeLandmarks {
    /// Eye aspect ratio: lid opening over eye width. Open eyes sit near 0.3, closed below 0.2.
    pub fn aspect_ratio(&self) -> f32 {
        let c = &self.contour;
        let width = c[0].dist(c[8]);
        if width <= f32::EPSILON {
            return 0.0;
        }
        (c[11].dist(c[3]) + c[13].dist(c[5])) / (2.0 * width)
    }

    /// Polygon of the visible eye (points 0..=8 then 15 down to 9).
    pub fn outline(&self) -> Vec<Point> {
        let c = &self.contour;
        (0..=8).chain((9..=15).rev()).map(|i| c[i]).collect()
    }
}

pub struct IrisModel {
    plan: Plan,
    contours: usize,
    iris: usize,
}

impl IrisModel {
    pub(crate) fn load(files: &ModelFiles) -> Result<Self, ModelError> {
        let (plan, names) = files.load(FILE, &[1, 3, SIZE, SIZE])?;
        Ok(IrisModel {
            plan,
            contours: output_index(&names, "output_eyes_contours_and_brows", FILE)?,
            iris: output_index(&names, "output_iris", FILE)?,
        })
    }

    /// `inner` and `outer` are the eye corners from the mesh. `mirror` is true for the subject's
    /// right eye (on the image's left), which the model expects flipped.
    pub fn run(&self, img: &Pyramid, inner: Point, outer: Point, mirror: bool) -> Result<EyeLandmarks, ModelError> {
        let centre = inner.mid(outer);
        let side = 2.3 * inner.dist(outer);
        // The crop's x axis runs along the eye line, image left to right, for either eye: the
        // mirror then puts the inner corner on the crop's left, as for the left eye.
        let (from, to) = if mirror { (outer, inner) } else { (inner, outer) };
        let angle = (to.y - from.y).atan2(to.x - from.x);
        let transform = Affine::square_crop(centre, side.max(4.0), angle, SIZE, mirror);
        let mut input = sample_planar(img, &transform, SIZE, SIZE, [0.0; 3]);
        for v in input.iter_mut() {
            *v /= 255.0;
        }
        let outputs = run(&self.plan, "iris", nchw_tensor(input, SIZE, SIZE))?;
        let to_points = |index: usize, count: usize| -> Result<Vec<Point>, ModelError> {
            let raw = output(&outputs, index, "iris")?;
            if raw.len() < count * 3 {
                return Err(ModelError::Run { model: "iris", message: format!("short output: {}", raw.len()) });
            }
            Ok(raw.chunks_exact(3).take(count).map(|c| transform.apply(c[0], c[1])).collect())
        };
        Ok(EyeLandmarks { contour: to_points(self.contours, 16)?, iris: to_points(self.iris, 5)? })
    }
}
