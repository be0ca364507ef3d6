//! A face-relative coordinate frame and a skin reference, shared by the appearance rules.
//! Face coordinate (s, t) is the pixel O + s·W·r + t·H·d, with O the top of the forehead (mesh
//! 10), r the unit vector across the face (234 → 454), d = r turned toward the chin, W the face
//! width and H the forehead-to-chin height. Regions like "beside the ears" or "the top below the
//! chin" are then the same numbers on every photo.

use image::RgbImage;

use super::lm;
use crate::imaging::Point;
use crate::models::MeshResult;

#[derive(Debug, Clone, Copy)]
pub struct FaceFrame {
    pub origin: Point,
    pub across: (f32, f32),
    pub down: (f32, f32),
    pub width: f32,
    pub height: f32,
}

impl FaceFrame {
    /// The face coordinates (s, t) of an image point (the inverse of [`FaceFrame::point`]).
    pub fn coords(&self, p: Point) -> (f32, f32) {
        let (dx, dy) = (p.x - self.origin.x, p.y - self.origin.y);
        ((dx * self.across.0 + dy * self.across.1) / self.width, (dx * self.down.0 + dy * self.down.1) / self.height)
    }

    pub fn from_mesh(m: &MeshResult) -> Option<FaceFrame> {
        let (a, b) = (m.p(lm::RIGHT_CHEEK_EDGE), m.p(lm::LEFT_CHEEK_EDGE));
        let width = a.dist(b);
        if width < 4.0 {
            return None;
        }
        let across = ((b.x - a.x) / width, (b.y - a.y) / width);
        let down = (-across.1, across.0);
        let origin = m.p(lm::FOREHEAD_TOP);
        let chin = m.p(lm::CHIN);
        let height = (chin.x - origin.x) * down.0 + (chin.y - origin.y) * down.1;
        (height > 4.0).then_some(FaceFrame { origin, across, down, width, height })
    }

    pub fn point(&self, s: f32, t: f32) -> Point {
        Point::new(
            self.origin.x + s * self.width * self.across.0 + t * self.height * self.down.0,
            self.origin.y + s * self.width * self.across.1 + t * self.height * self.down.1,
        )
    }

    /// Grid samples over [s0,s1]×[t0,t1], about 24 per unit (at least 3 each way), dropping
    /// those outside the image. Returns the samples and how many were asked for.
    pub fn samples(&self, image: &RgbImage, s0: f32, s1: f32, t0: f32, t1: f32) -> (Vec<Point>, usize) {
        let ns = (((s1 - s0) * 24.0).round() as usize).max(3);
        let nt = (((t1 - t0) * 24.0).round() as usize).max(3);
        let (w, h) = (image.width() as f32, image.height() as f32);
        let mut out = Vec::with_capacity(ns * nt);
        for j in 0..nt {
            for i in 0..ns {
                let s = s0 + (s1 - s0) * (i as f32 + 0.5) / ns as f32;
                let t = t0 + (t1 - t0) * (j as f32 + 0.5) / nt as f32;
                let p = self.point(s, t);
                if p.x >= 0.0 && p.y >= 0.0 && p.x < w && p.y < h {
                    out.push(p);
                }
            }
        }
        (out, ns * nt)
    }

    /// The region's outline in image pixels (for reports).
    pub fn polygon(&self, s0: f32, s1: f32, t0: f32, t1: f32) -> Vec<Point> {
        vec![self.point(s0, t0), self.point(s1, t0), self.point(s1, t1), self.point(s0, t1)]
    }
}

/// BT.601 Y, Cb, Cr (Cb/Cr centred on 0).
pub fn ycbcr(p: [u8; 3]) -> (f32, f32, f32) {
    let (cb, cr) = crate::imaging::chroma(p);
    (crate::imaging::luma(p), cb, cr)
}

/// RGB of a BT.601 (Y, Cb, Cr) colour: the inverse of [`ycbcr`].
pub fn rgb(y: f32, cb: f32, cr: f32) -> [u8; 3] {
    let c = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    [c(y + 1.402 * cr), c(y - 0.344_136 * cb - 0.714_136 * cr), c(y + 1.772 * cb)]
}

pub fn pixel(img: &RgbImage, p: Point) -> [u8; 3] {
    let x = (p.x as u32).min(img.width() - 1);
    let y = (p.y as u32).min(img.height() - 1);
    img.get_pixel(x, y).0
}

/// The subject's skin colour, from patches that are skin on nearly every face.
#[derive(Debug, Clone, Copy)]
pub struct SkinRef {
    pub y: f32,
    pub cb: f32,
    pub cr: f32,
    /// Grayscale photo: only luminance can be compared.
    pub gray: bool,
}

impl SkinRef {
    /// Median YCbCr of the glabella, both cheeks and the nose.
    pub fn measure(image: &RgbImage, stored_as_grey: bool, frame: &FaceFrame) -> Option<SkinRef> {
        let patches = [(-0.08, 0.08, 0.10, 0.19), (-0.32, -0.18, 0.42, 0.52), (0.18, 0.32, 0.42, 0.52), (-0.05, 0.05, 0.40, 0.52)];
        let mut ys = Vec::new();
        let mut cbs = Vec::new();
        let mut crs = Vec::new();
        for (s0, s1, t0, t1) in patches {
            for p in frame.samples(image, s0, s1, t0, t1).0 {
                let (y, cb, cr) = ycbcr(pixel(image, p));
                ys.push(y);
                cbs.push(cb);
                crs.push(cr);
            }
        }
        let q = |v: &[f32]| crate::imaging::quantile(v, 0.5);
        let gray = stored_as_grey || (q(&cbs)?.abs() < 1.5 && q(&crs)?.abs() < 1.5);
        Some(SkinRef { y: q(&ys)?, cb: q(&cbs)?, cr: q(&crs)?, gray })
    }

    /// The reference colour as RGB.
    pub fn rgb(&self) -> [u8; 3] {
        rgb(self.y, self.cb, self.cr)
    }

    pub fn is_skin(&self, p: [u8; 3]) -> bool {
        let (y, cb, cr) = ycbcr(p);
        let lum = ((y + 10.0) / (self.y + 10.0)).ln().abs();
        if self.gray {
            return lum < 0.21;
        }
        lum < 0.35 && ((cb - self.cb).powi(2) + (cr - self.cr).powi(2)).sqrt() < 10.0
    }
}
