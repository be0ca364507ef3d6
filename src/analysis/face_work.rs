//! The chosen face read at a fixed scale: the measures that look for a patch on the face (a blur,
//! RT008; a sticker, MK004) compare windows or regions in pixels, so they read every face at the
//! same width whatever the photo's size.

use image::RgbImage;

use super::lm;
use crate::imaging::{bounds, resize, Point, Resample};

/// The face width (its landmarks' horizontal extent, in pixels) the patch measures read at.
pub const PATCH_WIDTH: f32 = 256.0;
/// Room around the landmarks for the patch measures, in face widths.
const PATCH_PAD: f32 = 0.05;

/// The face's box (with room around it) resampled so that the face is `width` pixels across.
pub struct FaceWork {
    /// The resampled crop.
    pub image: RgbImage,
    /// Where the crop starts in the analysis image (pixels).
    pub left: u32,
    pub top: u32,
    /// Working pixels per analysis-image pixel.
    pub scale: f32,
    /// The face oval in working pixels.
    pub oval: Vec<Point>,
    /// Every mesh landmark in working pixels.
    pub mesh: Vec<Point>,
}

impl FaceWork {
    /// The analysis image's x of a working x.
    pub fn original_x(&self, x: f32) -> f32 {
        self.left as f32 + x / self.scale
    }

    /// The analysis image's y of a working y.
    pub fn original_y(&self, y: f32) -> f32 {
        self.top as f32 + y / self.scale
    }

    /// The working point of an analysis-image point.
    pub fn working(&self, x: f32, y: f32) -> Point {
        Point::new((x - self.left as f32) * self.scale, (y - self.top as f32) * self.scale)
    }
}

/// The face (`mesh` in the analysis image's pixels) cropped with `pad` face widths around its
/// landmarks, clamped to the photo, and resampled to `width` pixels of face width: shrinking
/// averages areas (no interpolation blur of its own), enlarging interpolates. `None` for a face
/// under 40 px wide or a crop too thin to read.
pub fn face_at_width(image: &RgbImage, mesh: &[[f32; 3]], width: f32, pad: f32) -> Option<FaceWork> {
    let points: Vec<Point> = mesh.iter().map(|p| Point::new(p[0], p[1])).collect();
    let (x0, y0, x1, y1) = bounds(&points);
    let face_width = x1 - x0;
    if !(face_width.is_finite() && face_width >= 40.0) {
        return None;
    }
    let pad = pad * face_width;
    let left = (x0 - pad).max(0.0).floor() as u32;
    let top = (y0 - pad).max(0.0).floor() as u32;
    let right = ((x1 + pad).ceil().max(0.0) as u32).min(image.width());
    let bottom = ((y1 + pad).ceil().max(0.0) as u32).min(image.height());
    if right <= left + 8 || bottom <= top + 8 {
        return None;
    }
    let scale = width / face_width;
    let (w, h) = ((((right - left) as f32 * scale).round() as u32).max(8), (((bottom - top) as f32 * scale).round() as u32).max(8));
    let crop = image::imageops::crop_imm(image, left, top, right - left, bottom - top).to_image();
    let filter = if scale < 1.0 { Resample::Area } else { Resample::Bilinear };
    let mut face = FaceWork { image: resize(&crop, w, h, filter), left, top, scale, oval: Vec::new(), mesh: Vec::new() };
    face.mesh = points.iter().map(|p| face.working(p.x, p.y)).collect();
    face.oval = lm::FACE_OVAL.iter().filter_map(|&i| face.mesh.get(i).copied()).collect();
    Some(face)
}

/// The face as the patch measures read it ([`PATCH_WIDTH`] across): built once per photo and
/// shared by RT008 (`blurred_patch`) and MK004 (`flat_patch`).
pub fn for_patches(image: &RgbImage, mesh: &[[f32; 3]]) -> Option<FaceWork> {
    face_at_width(image, mesh, PATCH_WIDTH, PATCH_PAD)
}

/// Test fixtures shared by the measures read on a [`FaceWork`].
#[cfg(test)]
pub(crate) mod fixtures {
    use image::RgbImage;

    use crate::analysis::lm;

    /// A 400×480 image of skin speckled by a fixed pseudo-random sequence (`seed`; each pixel
    /// `-amplitude..amplitude` levels on every channel, as a photo's grain) and a 468-point mesh
    /// whose oval points ring an ellipse 300 × 400 px around (200, 240), the others at its centre.
    pub fn speckled_face(seed: u32, amplitude: i32) -> (RgbImage, Vec<[f32; 3]>) {
        let mut state = seed;
        let img = RgbImage::from_fn(400, 480, |_, _| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let n = ((state >> 24) as i32 % (2 * amplitude)) - amplitude;
            image::Rgb([(200 + n) as u8, (160 + n) as u8, (135 + n) as u8])
        });
        let mut mesh = vec![[200.0f32, 240.0, 0.0]; 468];
        for (k, &i) in lm::FACE_OVAL.iter().enumerate() {
            let a = k as f32 / lm::FACE_OVAL.len() as f32 * std::f32::consts::TAU;
            mesh[i] = [200.0 + 150.0 * a.sin(), 240.0 - 200.0 * a.cos(), 0.0];
        }
        (img, mesh)
    }
}
