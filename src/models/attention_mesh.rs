//! MediaPipe face mesh with attention: on the same 192×192 face crop as the plain mesh, it refines
//! the eyelids (71 points per eye region) and the lips (80 points) with its own sub-networks. The
//! plain mesh's eyelids do not follow a blink and its lips close over a small gap; these do. Its
//! irises replaced the separate iris model (two 64×64 eye crops, ~10 ms a face).

use super::{nhwc_tensor, output, output_index, run, ModelFiles, Plan};
use crate::error::ModelError;
use crate::imaging::{sample_planar, Affine, Point, Pyramid};
use serde::Serialize;

const FILE: &str = "mp_face_mesh_attention.onnx";
const SIZE: usize = 192;
/// Points of each refined eye region; the first 16 are the eye opening (see [`RefinedFace::eyes`]).
const EYE_POINTS: usize = 71;
const LIP_POINTS: usize = 80;

/// One eye in the layout the eyewear features read, in image pixels.
#[derive(Debug, Clone, Serialize)]
pub struct EyeLandmarks {
    /// Eye outline: 0 inner corner, 1..=7 lower lid, 8 outer corner, 9..=15 upper lid.
    pub contour: Vec<Point>,
    /// Iris centre then four points on its edge.
    pub iris: Vec<Point>,
}

impl EyeLandmarks {
    /// Polygon of the visible eye (points 0..=8 then 15 down to 9).
    pub fn outline(&self) -> Vec<Point> {
        let c = &self.contour;
        (0..=8).chain((9..=15).rev()).map(|i| c[i]).collect()
    }
}

/// The refined eyes and lips of one face, in image pixels.
#[derive(Debug, Clone)]
pub struct RefinedFace {
    /// The subject's right eye (image left) then left eye: 16 points each, the lower lid from the
    /// outer corner to the inner corner (0..=8) then the upper lid from outer to inner (9..=15)
    /// — the mesh's eye contour 33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159,
    /// 158, 157, 173 and its mirror.
    pub eyes: [Vec<Point>; 2],
    /// 80 lip points in MediaPipe's order: outer lower lip from the left corner (0..=10), outer
    /// upper lip (11..=19), inner lower lip from the left inner corner (20..=30), inner upper lip
    /// (31..=39), then two further rings between the outer and the inner outline.
    pub lips: Vec<Point>,
    /// Iris centre then four points on its edge, same eye order as `eyes`.
    pub irises: [Vec<Point>; 2],
    /// Face-presence logit of this network.
    pub presence_logit: f32,
}

/// The plain mesh's landmark for each refined eye-opening point: the subject's right eye (image
/// left), then its mirror, the left eye.
pub const EYE_OPENING_MESH: [[usize; 16]; 2] = [
    [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173],
    [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398],
];

/// The plain mesh's landmark for each refined lip point.
pub const LIPS_MESH: [usize; LIP_POINTS] = [
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409, 78, 95, 88, 178, 87, 14, 317, 402, 318, 324,
    308, 191, 80, 81, 82, 13, 312, 311, 310, 415, 76, 77, 90, 180, 85, 16, 315, 404, 320, 307, 306, 184, 74, 73, 72, 11, 302, 303, 304,
    408, 62, 96, 89, 179, 86, 15, 316, 403, 319, 325, 292, 183, 42, 41, 38, 12, 268, 271, 272, 407,
];

/// The rings of [`RefinedFace::lips`] (outer lower, outer upper, inner lower, inner upper, two
/// between), each running from the image-left side to the image-right side: a point's left-right
/// partner is the one at the same place from the other end of its ring.
const LIP_RINGS: [std::ops::Range<usize>; 8] = [0..11, 11..20, 20..31, 31..40, 40..51, 51..60, 60..71, 71..80];

/// Each lip point's left-right partner.
pub fn lip_partner(k: usize) -> usize {
    LIP_RINGS.iter().find(|r| r.contains(&k)).map_or(k, |r| r.start + (r.end - 1 - k))
}

/// Each iris point's partner on the mirror image: the centre stays, the edge points beside it
/// swap (measured: 0 → 0, 1 → 3, 2 → 2, 3 → 1, 4 → 4 within 2.5 px on a 600×800 portrait).
const IRIS_PARTNER: [usize; 5] = [0, 3, 2, 1, 4];

/// Index of the first point of each part of [`RefinedFace::lips`].
pub mod lip {
    pub const LEFT_CORNER: usize = 0;
    pub const RIGHT_CORNER: usize = 10;
    /// Inner lower lip, left to right (MediaPipe 78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308).
    pub const INNER_LOWER: std::ops::RangeInclusive<usize> = 20..=30;
    /// Inner upper lip, left to right (191, 80, 81, 82, 13, 312, 311, 310, 415).
    pub const INNER_UPPER: std::ops::RangeInclusive<usize> = 31..=39;
}

impl RefinedFace {
    /// The refined points the plain mesh's own landmarks stand for (what the attention mesh
    /// refines): for tests, and to compare the two.
    pub fn from_mesh(points: &[[f32; 3]], presence_logit: f32) -> Option<RefinedFace> {
        let at = |i: usize| points.get(i).map(|p| Point::new(p[0], p[1]));
        let eye = |e: usize| EYE_OPENING_MESH[e].iter().map(|&i| at(i)).collect::<Option<Vec<_>>>();
        let eyes = [eye(0)?, eye(1)?];
        // The mesh has no iris: a centred circle of a fifth of the eye width stands in.
        let irises = [0, 1].map(|e| {
            let (a, b) = (eyes[e][0], eyes[e][8]);
            let c = a.mid(b);
            let r = a.dist(b) / 5.0;
            vec![c, Point::new(c.x + r, c.y), Point::new(c.x, c.y - r), Point::new(c.x - r, c.y), Point::new(c.x, c.y + r)]
        });
        Some(RefinedFace { eyes, lips: LIPS_MESH.iter().map(|&i| at(i)).collect::<Option<Vec<_>>>()?, irises, presence_logit })
    }

    /// The mean of this face and the same network's reading of the mirror image (`mirrored`, in
    /// the network's numbering): each point averaged with its left-right partner's estimate. The
    /// network is not mirror-equivariant (a portrait and its mirror differed by up to 0.03 in lip
    /// gap and 0.04 in eye opening); the mean is closer to it (on the 83 London ready portraits
    /// the p95 disagreement fell from 0.018 to 0.009 in lip gap, 0.024 to 0.020 in eye opening).
    pub fn averaged_with_mirrored(&self, mirrored: &RefinedFace) -> RefinedFace {
        let mean = |a: Point, b: Point| a.mid(b);
        let eyes = [0, 1].map(|e| {
            (0..self.eyes[e].len())
                .map(|k| match mirrored.eyes[1 - e].get(k) {
                    Some(&b) => mean(self.eyes[e][k], b),
                    None => self.eyes[e][k],
                })
                .collect()
        });
        let irises = [0, 1].map(|e| {
            (0..self.irises[e].len())
                .map(|k| match mirrored.irises[1 - e].get(IRIS_PARTNER.get(k).copied().unwrap_or(k)) {
                    Some(&b) => mean(self.irises[e][k], b),
                    None => self.irises[e][k],
                })
                .collect()
        });
        let lips = (0..self.lips.len())
            .map(|k| match mirrored.lips.get(lip_partner(k)) {
                Some(&b) => mean(self.lips[k], b),
                None => self.lips[k],
            })
            .collect();
        RefinedFace { eyes, lips, irises, presence_logit: self.presence_logit.min(mirrored.presence_logit) }
    }

    /// Lid opening over eye width, averaged over the three middle lid pairs.
    pub fn eye_aspect_ratio(&self, eye: usize) -> f32 {
        let e = &self.eyes[eye];
        let width = e[0].dist(e[8]);
        if width <= f32::EPSILON {
            return 0.0;
        }
        // Upper lid 11, 12, 13 above lower lid 3, 4, 5 (mesh 160/144, 159/145, 158/153).
        (e[11].dist(e[3]) + e[12].dist(e[4]) + e[13].dist(e[5])) / (3.0 * width)
    }

    /// The eye in the iris model's layout (0 inner corner, 1..=7 lower lid, 8 outer corner,
    /// 9..=15 upper lid; the iris centre then its edge), which the eyewear features read.
    pub fn eye_landmarks(&self, eye: usize) -> EyeLandmarks {
        let e = &self.eyes[eye];
        let contour = (0..=8).map(|i| e[8 - i]).chain((0..7).map(|j| e[15 - j])).collect();
        EyeLandmarks { contour, iris: self.irises[eye].clone() }
    }

    /// Polygon of the eye opening.
    pub fn eye_outline(&self, eye: usize) -> Vec<Point> {
        let e = &self.eyes[eye];
        (0..=8).chain((9..=15).rev()).map(|i| e[i]).collect()
    }

    /// The widest gap between the inner lips over the middle third of the mouth, per mouth
    /// width (corner to corner): 0 for closed lips.
    pub fn lip_gap(&self) -> f32 {
        lip_gap(&self.lips)
    }
}

/// The widest gap between the inner lips over the middle third of the mouth, per mouth width,
/// for 80 lip points in [`RefinedFace::lips`]' order; 0 for fewer points.
pub fn lip_gap(l: &[Point]) -> f32 {
    if l.len() < 40 {
        return 0.0;
    }
    let width = l[lip::LEFT_CORNER].dist(l[lip::RIGHT_CORNER]);
    if width <= f32::EPSILON {
        return 0.0;
    }
    // Inner upper 33, 34, 35, 36, 37 (81, 82, 13, 312, 311) over inner lower 23..=27
    // (178, 87, 14, 317, 402).
    (0..5).map(|k| l[33 + k].dist(l[23 + k])).fold(0.0f32, f32::max) / width
}

pub struct AttentionMesh {
    plan: Plan,
    eyes: [usize; 2],
    irises: [usize; 2],
    lips: usize,
    presence: usize,
}

impl AttentionMesh {
    pub(crate) fn load(files: &ModelFiles) -> Result<Self, ModelError> {
        let (plan, names) = files.load(FILE, &[1, SIZE, SIZE, 3])?;
        Ok(AttentionMesh {
            // The network's "left eye" is the image-left one, the subject's right eye.
            eyes: [output_index(&names, "output_left_eye:0", FILE)?, output_index(&names, "output_right_eye:0", FILE)?],
            irises: [output_index(&names, "output_left_iris:0", FILE)?, output_index(&names, "output_right_iris:0", FILE)?],
            lips: output_index(&names, "output_lips:0", FILE)?,
            presence: output_index(&names, "conv_faceflag:0", FILE)?,
            plan,
        })
    }

    /// Runs on a square crop of `side` pixels around `centre`, rotated by `angle` (the crop the
    /// plain mesh's second pass uses).
    pub fn run(&self, img: &Pyramid, centre: Point, side: f32, angle: f32) -> Result<RefinedFace, ModelError> {
        self.run_view(img, centre, side, angle, false)
    }

    /// The same on the mirror image of that crop, mapped back to image pixels, in the network's
    /// numbering (on a mirror image its right eye is the subject's left): see
    /// [`RefinedFace::averaged_with_mirrored`].
    pub fn run_mirrored(&self, img: &Pyramid, centre: Point, side: f32, angle: f32) -> Result<RefinedFace, ModelError> {
        self.run_view(img, centre, side, angle, true)
    }

    fn run_view(&self, img: &Pyramid, centre: Point, side: f32, angle: f32, mirror: bool) -> Result<RefinedFace, ModelError> {
        let transform = Affine::square_crop(centre, side, angle, SIZE, mirror);
        let planar = sample_planar(img, &transform, SIZE, SIZE, [0.0; 3]);
        let input = nhwc_tensor(&planar, SIZE, SIZE, 1.0 / 255.0)?;
        let outputs = run(&self.plan, "attention mesh", input)?;
        let points = |index: usize, count: usize| -> Result<Vec<Point>, ModelError> {
            let raw = output(&outputs, index, "attention mesh")?;
            if raw.len() < 2 * count {
                return Err(ModelError::Run {
                    model: "attention mesh",
                    message: format!("expected {} values, got {}", 2 * count, raw.len()),
                });
            }
            Ok(raw.chunks_exact(2).take(count).map(|c| transform.apply(c[0], c[1])).collect())
        };
        let right = points(self.eyes[0], EYE_POINTS)?.into_iter().take(16).collect();
        let left = points(self.eyes[1], EYE_POINTS)?.into_iter().take(16).collect();
        let lips = points(self.lips, LIP_POINTS)?;
        let irises = [points(self.irises[0], 5)?, points(self.irises[1], 5)?];
        let presence_logit = output(&outputs, self.presence, "attention mesh")?.first().copied().unwrap_or(f32::NEG_INFINITY);
        Ok(RefinedFace { eyes: [right, left], lips, irises, presence_logit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A face from the pose reference in image pixels, and what a perfectly mirror-equivariant
    /// network would return on the mirror image of its crop, in that network's numbering: each
    /// point at the position of its left-right partner.
    fn face_and_ideal_mirror_reading() -> (RefinedFace, RefinedFace) {
        let points: Vec<[f32; 3]> = crate::analysis::pose::reference_points()
            .iter()
            .map(|p| [300.0 + 200.0 * p.x as f32, 400.0 + 200.0 * p.y as f32, 0.0])
            .collect();
        let face = RefinedFace::from_mesh(&points, 10.0).unwrap();
        let mut mirrored = face.clone();
        mirrored.eyes = [face.eyes[1].clone(), face.eyes[0].clone()];
        mirrored.lips = (0..face.lips.len()).map(|k| face.lips[lip_partner(k)]).collect();
        for e in 0..2 {
            mirrored.irises[1 - e] = (0..5).map(|k| face.irises[e][IRIS_PARTNER[k]]).collect();
        }
        (face, mirrored)
    }

    #[test]
    fn an_ideal_mirror_reading_leaves_the_face_as_it_was_and_a_shifted_one_moves_it_half_way() {
        let (face, mirrored) = face_and_ideal_mirror_reading();
        let same = face.averaged_with_mirrored(&mirrored);
        let close = |a: &[Point], b: &[Point]| a.iter().zip(b).all(|(p, q)| p.dist(*q) < 1e-3);
        assert!(close(&same.lips, &face.lips) && close(&same.eyes[0], &face.eyes[0]) && close(&same.eyes[1], &face.eyes[1]));
        assert!(close(&same.irises[0], &face.irises[0]) && close(&same.irises[1], &face.irises[1]));
        let mut shifted = mirrored.clone();
        for p in shifted.lips.iter_mut() {
            p.y += 2.0;
        }
        let moved = face.averaged_with_mirrored(&shifted);
        assert!(moved.lips.iter().zip(&face.lips).all(|(p, q)| (p.y - q.y - 1.0).abs() < 1e-3));
        assert!((moved.lip_gap() - face.lip_gap()).abs() < 1e-3);
    }
}
