//! The photo on the person mask's grid: colour and luma per cell, and which cells are person,
//! the halo around the person (where the mask edge is unsure), and the band just beyond it
//! (where a shadow behind the head falls). Computed once; background and lighting rules read it.

use image::RgbImage;

use crate::imaging::{luma, Point};
use crate::models::PersonMask;

/// Cells within this share of the frame from the person are neither person nor trusted background.
const HALO: f32 = 0.012;
/// The "near" band reaches this share of the frame from the person.
const NEAR: f32 = 0.08;

pub struct Scene {
    pub width: usize,
    pub height: usize,
    /// Image pixels per cell in x and y (working resolution).
    pub cell_w: f32,
    pub cell_h: f32,
    pub rgb: Vec<[u8; 3]>,
    pub luma: Vec<f32>,
    pub person: Vec<bool>,
    halo: Vec<bool>,
    near: Vec<bool>,
}

impl Scene {
    pub fn new(image: &RgbImage, mask: &PersonMask) -> Scene {
        let (width, height) = (mask.plane.width, mask.plane.height);
        let cell_w = image.width() as f32 / width as f32;
        let cell_h = image.height() as f32 / height as f32;
        let mut rgb = Vec::with_capacity(width * height);
        for gy in 0..height {
            for gx in 0..width {
                let x = (((gx as f32 + 0.5) * cell_w) as u32).min(image.width() - 1);
                let y = (((gy as f32 + 0.5) * cell_h) as u32).min(image.height() - 1);
                rgb.push(image.get_pixel(x, y).0);
            }
        }
        let luma = rgb.iter().map(|p| luma(*p)).collect();
        let person: Vec<bool> = mask.plane.data.iter().map(|&p| p >= 0.5).collect();
        let cells = |share: f32| ((share * width as f32).round() as usize).max(1);
        let halo = dilate(&person, width, height, cells(HALO));
        let near = dilate(&person, width, height, cells(NEAR));
        Scene { width, height, cell_w, cell_h, rgb, luma, person, halo, near }
    }

    /// Trusted background: away from the person by more than the halo.
    pub fn is_background(&self, i: usize) -> bool {
        !self.halo[i]
    }

    /// Background in the band around the person.
    pub fn is_near_background(&self, i: usize) -> bool {
        !self.halo[i] && self.near[i]
    }

    pub fn is_far_background(&self, i: usize) -> bool {
        !self.near[i]
    }

    /// Centre of cell `i` in working-image pixels.
    pub fn cell_centre(&self, i: usize) -> Point {
        let (gx, gy) = (i % self.width, i / self.width);
        Point::new((gx as f32 + 0.5) * self.cell_w, (gy as f32 + 0.5) * self.cell_h)
    }

    /// Background cells, all 8-neighbours also background.
    pub fn is_interior_background(&self, i: usize) -> bool {
        let (x, y) = (i % self.width, i / self.width);
        if x == 0 || y == 0 || x + 1 >= self.width || y + 1 >= self.height {
            return false;
        }
        self.is_background(i)
            && self.is_background(i - 1)
            && self.is_background(i + 1)
            && self.is_background(i - self.width)
            && self.is_background(i + self.width)
    }
}

/// Binary dilation by a (2r+1)² square, separable running counts.
pub fn dilate(grid: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    let mut rows = vec![false; w * h];
    for y in 0..h {
        let row = &grid[y * w..(y + 1) * w];
        let mut count = 0usize;
        for x in 0..(r.min(w)) {
            count += row[x] as usize;
        }
        for x in 0..w {
            if x + r < w {
                count += row[x + r] as usize;
            }
            if x > r {
                count -= row[x - r - 1] as usize;
            }
            rows[y * w + x] = count > 0;
        }
    }
    let mut out = vec![false; w * h];
    for x in 0..w {
        let mut count = 0usize;
        for y in 0..(r.min(h)) {
            count += rows[y * w + x] as usize;
        }
        for y in 0..h {
            if y + r < h {
                count += rows[(y + r) * w + x] as usize;
            }
            if y > r {
                count -= rows[(y - r - 1) * w + x] as usize;
            }
            out[y * w + x] = count > 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dilation_grows_a_point_into_a_square() {
        let (w, h) = (9, 9);
        let mut g = vec![false; w * h];
        g[4 * w + 4] = true;
        let d = dilate(&g, w, h, 2);
        assert_eq!(d.iter().filter(|&&b| b).count(), 25);
        assert!(d[2 * w + 2] && d[6 * w + 6] && !d[1 * w + 4]);
    }
}
