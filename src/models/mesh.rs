//! MediaPipe 468-point face mesh: a rotated 192×192 face crop → landmarks and a presence logit.

use super::{nchw_tensor, output, output_index, run, ModelFiles, Plan};
use crate::error::ModelError;
use crate::imaging::{sample_planar, Affine, Point, Pyramid};

const FILE: &str = "mp_face_landmark_468_relu.onnx";
const SIZE: usize = 192;
pub const POINTS: usize = 468;

#[derive(Debug, Clone)]
pub struct MeshResult {
    /// Landmarks in image pixels; z is depth in the same pixel scale (smaller = nearer the camera).
    pub points: Vec<[f32; 3]>,
    /// Face-presence logit: > 0 means the crop holds a face.
    pub presence_logit: f32,
}

impl MeshResult {
    pub fn p(&self, i: usize) -> Point {
        Point::new(self.points[i][0], self.points[i][1])
    }
}

pub struct FaceMesh {
    plan: Plan,
    landmarks: usize,
    presence: usize,
}

impl FaceMesh {
    pub(crate) fn load(files: &ModelFiles) -> Result<Self, ModelError> {
        let (plan, names) = files.load(FILE, &[1, 3, SIZE, SIZE])?;
        Ok(FaceMesh { plan, landmarks: output_index(&names, "conv2d_20", FILE)?, presence: output_index(&names, "conv2d_30", FILE)? })
    }

    /// Runs the mesh on a square crop of `side` pixels around `centre`, rotated by `angle`.
    pub fn run(&self, img: &Pyramid, centre: Point, side: f32, angle: f32) -> Result<MeshResult, ModelError> {
        self.run_view(img, centre, side, angle, false)
    }

    /// The same on the mirror image of that crop, mapped back to image pixels. The landmarks keep
    /// the network's numbering, which on a mirror image names each point after its left-right
    /// partner (its "right eye" is the subject's left eye): renumber before use.
    pub fn run_mirrored(&self, img: &Pyramid, centre: Point, side: f32, angle: f32) -> Result<MeshResult, ModelError> {
        self.run_view(img, centre, side, angle, true)
    }

    fn run_view(&self, img: &Pyramid, centre: Point, side: f32, angle: f32, mirror: bool) -> Result<MeshResult, ModelError> {
        let transform = Affine::square_crop(centre, side, angle, SIZE, mirror);
        let mut input = sample_planar(img, &transform, SIZE, SIZE, [0.0; 3]);
        for v in input.iter_mut() {
            *v /= 255.0;
        }
        let outputs = run(&self.plan, "face mesh", nchw_tensor(input, SIZE, SIZE))?;
        let raw = output(&outputs, self.landmarks, "face mesh")?;
        if raw.len() < POINTS * 3 {
            return Err(ModelError::Run { model: "face mesh", message: format!("expected 1404 values, got {}", raw.len()) });
        }
        let presence_logit = output(&outputs, self.presence, "face mesh")?.first().copied().unwrap_or(f32::NEG_INFINITY);
        let scale = transform.scale();
        let points = raw
            .chunks_exact(3)
            .take(POINTS)
            .map(|c| {
                let p = transform.apply(c[0], c[1]);
                [p.x, p.y, c[2] * scale]
            })
            .collect();
        Ok(MeshResult { points, presence_logit })
    }
}
