//! PP-OCRv4 text detector (DBNet, from PyPI rapidocr-onnxruntime): a letterboxed 192×192 copy of
//! the photo → per-pixel text probability, grouped into boxes. 192 px still finds digits a
//! twentieth of the frame tall and costs about 11 ms (320 px: 27 ms).

use super::{nchw_tensor, output, run, ModelFiles, Plan};
use crate::error::ModelError;
use crate::imaging::filters::{regions, Connectivity};
use crate::imaging::{sample_planar, Affine, Point, Pyramid};

const FILE: &str = "ppocrv4_det.onnx";
const SIZE: usize = 192;
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
}

pub struct TextDetector {
    plan: Plan,
}

impl TextDetector {
    pub(crate) fn load(files: &ModelFiles) -> Result<Self, ModelError> {
        let (plan, _) = files.load(FILE, &[1, 3, SIZE, SIZE])?;
        Ok(TextDetector { plan })
    }

    pub fn run(&self, img: &Pyramid) -> Result<Vec<TextBox>, ModelError> {
        let (w, h) = (img.base().width() as f32, img.base().height() as f32);
        let transform = Affine::square_crop(Point::new(w / 2.0, h / 2.0), w.max(h), 0.0, SIZE, false);
        let mut input = sample_planar(img, &transform, SIZE, SIZE, [128.0; 3]);
        // The network reads BGR scaled to −1..1.
        let n = SIZE * SIZE;
        let (red, rest) = input.split_at_mut(n);
        red.swap_with_slice(&mut rest[n..2 * n]);
        for v in input.iter_mut() {
            *v = *v / 127.5 - 1.0;
        }
        let outputs = run(&self.plan, "text detector", nchw_tensor(input, SIZE, SIZE))?;
        let prob = output(&outputs, 0, "text detector")?;
        if prob.len() != n {
            return Err(ModelError::Run { model: "text detector", message: format!("expected {n} values, got {}", prob.len()) });
        }
        Ok(components(&prob, SIZE)
            .into_iter()
            .map(|(x0, y0, x1, y1, score)| {
                let a = transform.apply(x0 as f32, y0 as f32);
                let b = transform.apply(x1 as f32 + 1.0, y1 as f32 + 1.0);
                TextBox { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y, score }
            })
            .collect())
    }
}

/// 4-connected components of pixels above the pixel threshold whose mean probability passes the
/// box threshold: (x0, y0, x1, y1, mean).
fn components(prob: &[f32], size: usize) -> Vec<(usize, usize, usize, usize, f32)> {
    let text: Vec<bool> = prob.iter().map(|&p| p > PIXEL_THRESHOLD).collect();
    regions(&text, size, size, Connectivity::Four)
        .into_iter()
        .filter_map(|pixels| {
            let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
            let mut sum = 0.0f32;
            for &i in &pixels {
                let (x, y) = (i % size, i / size);
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
                sum += prob[i];
            }
            let mean = sum / pixels.len() as f32;
            (pixels.len() >= 3 && mean > BOX_THRESHOLD).then_some((x0, y0, x1, y1, mean))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_keep_confident_blobs_only() {
        let mut p = vec![0.0f32; 100];
        for i in [11, 12, 13, 21, 22, 23] {
            p[i] = 0.9;
        }
        for i in [77, 78] {
            p[i] = 0.35; // weak and tiny: dropped
        }
        let c = components(&p, 10);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].0, c[0].1, c[0].2, c[0].3), (1, 1, 3, 2));
    }
}
