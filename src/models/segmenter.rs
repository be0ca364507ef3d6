//! MediaPipe selfie segmentation: the whole image stretched to 256×256 → person probability.


use super::{nchw_tensor, output, run, ModelFiles, Plan};
use crate::error::ModelError;
use crate::imaging::{sample_planar, Pyramid, Affine, Plane};

const FILE: &str = "mp_selfie_segmentation_256.onnx";
const SIZE: usize = 256;

/// Person probability over the image, stored at the model's resolution.
#[derive(Debug, Clone)]
pub struct PersonMask {
    pub plane: Plane,
    /// Size of the image the mask covers.
    pub image_width: u32,
    pub image_height: u32,
}

impl PersonMask {
    /// Person probability at an image pixel.
    pub fn at(&self, x: f32, y: f32) -> f32 {
        let sx = x * self.plane.width as f32 / self.image_width as f32;
        let sy = y * self.plane.height as f32 / self.image_height as f32;
        self.plane.sample(sx, sy)
    }
}

pub struct PersonSegmenter {
    plan: Plan,
}

impl PersonSegmenter {
    pub(crate) fn load(files: &ModelFiles) -> Result<Self, ModelError> {
        let (plan, _) = files.load(FILE, &[1, 3, SIZE, SIZE])?;
        Ok(PersonSegmenter { plan })
    }

    pub fn run(&self, img: &Pyramid) -> Result<PersonMask, ModelError> {
        let (w, h) = (img.base().width() as f32, img.base().height() as f32);
        let stretch = Affine { a: w / SIZE as f32, b: 0.0, c: 0.0, d: 0.0, e: h / SIZE as f32, f: 0.0 };
        let mut input = sample_planar(img, &stretch, SIZE, SIZE, [0.0; 3]);
        for v in input.iter_mut() {
            *v /= 255.0;
        }
        let outputs = run(&self.plan, "segmenter", nchw_tensor(input, SIZE, SIZE))?;
        let data = output(&outputs, 0, "segmenter")?;
        if data.len() != SIZE * SIZE {
            return Err(ModelError::Run { model: "segmenter", message: format!("expected 65536 values, got {}", data.len()) });
        }
        Ok(PersonMask { plane: Plane { width: SIZE, height: SIZE, data }, image_width: img.base().width(), image_height: img.base().height() })
    }
}
