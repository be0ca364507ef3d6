//! Head pose by rigid alignment: the mesh's 3D landmarks are aligned (Umeyama: rotation, uniform
//! scale and translation, least squares) to a frontal reference face, and yaw, pitch and roll are
//! read off the rotation.
//!
//! The reference (`pose_reference.json`) is the mean face mesh of frontal studio ID portraits
//! (the 48 neutral London dev photos, CC BY 4.0), made by [`build_reference`] through
//! `cargo run --release --example pose_reference`: every mesh is centred and scaled, aligned to
//! the running mean (generalised Procrustes), the mean is turned to the photos' average
//! orientation (so zero pitch is how people hold their heads for an ID photo, not the mesh's own
//! canonical tilt), then made exactly left-right symmetric about the plane through its midline, so
//! a mirrored photo gives the same pitch and the opposite yaw and roll.
//!
//! Only the upper face (forehead, eyes, brows, nose, cheeks above the mouth) is aligned: the mouth
//! and jaw move with expression and would tilt a smiling face.

use std::sync::LazyLock;

use nalgebra::{Matrix3, Vector3};
use serde::{Deserialize, Serialize};

use crate::models::attention_mesh::{lip_partner, LIPS_MESH};
use crate::report::Pose;

/// Landmarks used to place the mouth boundary of the rigid subset.
const NOSE_TIP: usize = 1;
const UPPER_LIP: usize = 13;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferenceFile {
    pub description: String,
    /// How it was made: the command and the photos.
    pub made_with: String,
    pub photos: usize,
    /// Landmarks whose mirror partner was not found consistently (kept unsymmetrised).
    pub unpaired: usize,
    /// For each landmark, its left-right partner (itself on the midline).
    pub mirror: Vec<usize>,
    /// 468 points, centred, unit RMS size; x right, y down, z away from the camera.
    pub points: Vec<[f64; 3]>,
}

pub struct Reference {
    points: Vec<Vector3<f64>>,
    /// Each landmark's left-right partner (see [`Reference::partners`]).
    partners: Vec<usize>,
    /// Indices of the rigid upper-face subset.
    subset: Vec<usize>,
}

/// The reference's 468 points (for building synthetic faces in tests).
pub fn reference_points() -> &'static [Vector3<f64>] {
    &REFERENCE.points
}

pub static REFERENCE: LazyLock<Reference> = LazyLock::new(|| {
    let file: ReferenceFile = serde_json::from_str(include_str!("pose_reference.json")).expect("built-in pose reference is valid JSON");
    Reference::new(&file)
});

impl Reference {
    pub fn new(file: &ReferenceFile) -> Reference {
        let points: Vec<Vector3<f64>> = file.points.iter().map(|p| Vector3::new(p[0], p[1], p[2])).collect();
        let subset = match (points.get(NOSE_TIP), points.get(UPPER_LIP)) {
            (Some(nose), Some(lip)) => {
                let cut = (nose.y + lip.y) / 2.0;
                (0..points.len()).filter(|&i| points[i].y < cut).collect()
            }
            _ => Vec::new(),
        };
        Reference { partners: file.mirror.clone(), points, subset }
    }

    /// Each of the 468 landmarks' left-right partner (itself on the midline): what a mesh run on
    /// the mirror image calls each point. The file carries them as [`build_reference`] paired
    /// them (lip points from the lip rings).
    pub fn partners(&self) -> &[usize] {
        &self.partners
    }

    /// Pose of a mesh (468 points, image pixels, z in the same scale). `None` for a degenerate mesh.
    pub fn pose(&self, mesh: &[[f32; 3]]) -> Option<Pose> {
        let (source, target) = self.rigid_pairs(mesh)?;
        let r = rotation(&source, &target)?;
        Some(angles(&r))
    }

    /// The rigid subset's reference points and the mesh's same points; `None` for a mesh with
    /// too few points.
    fn rigid_pairs(&self, mesh: &[[f32; 3]]) -> Option<(Vec<Vector3<f64>>, Vec<Vector3<f64>>)> {
        if mesh.len() < self.points.len() || self.subset.len() < 3 {
            return None;
        }
        let target = self.subset.iter().map(|&i| Vector3::new(mesh[i][0] as f64, mesh[i][1] as f64, mesh[i][2] as f64)).collect();
        let source = self.subset.iter().map(|&i| self.points[i]).collect();
        Some((source, target))
    }
}

impl Reference {
    /// How much wider than tall the face is, relative to the reference: the reference turned to
    /// the face's pose is fitted to the mesh's upper face with one scale across the image and one
    /// down it, and this is their ratio (1 for the reference's proportions). A photo stretched
    /// by a factor across reads that factor times the person's own ratio (as far as the mesh
    /// follows it); a turned head is the reference turned and reads 1. Measured and not used by a
    /// rule: people differ by more than a stretch moves it (README, "Face proportions").
    /// `None` for a degenerate mesh.
    pub fn aspect(&self, mesh: &[[f32; 3]]) -> Option<f64> {
        let (source, target) = self.rigid_pairs(mesh)?;
        let r = rotation(&source, &target)?;
        let turned: Vec<Vector3<f64>> = source.iter().map(|p| r * p).collect();
        let n = turned.len() as f64;
        let (mt, mq) = (target.iter().fold(Vector3::zeros(), |a, b| a + b) / n, turned.iter().fold(Vector3::zeros(), |a, b| a + b) / n);
        let scale = |axis: usize| {
            let (mut num, mut den) = (0.0, 0.0);
            for (t, q) in target.iter().zip(&turned) {
                num += (t[axis] - mt[axis]) * (q[axis] - mq[axis]);
                den += (q[axis] - mq[axis]).powi(2);
            }
            (den > 1e-12).then(|| num / den)
        };
        let (across, down) = (scale(0)?, scale(1)?);
        (across > 0.0 && down > 0.0).then(|| across / down).filter(|a| a.is_finite())
    }
}

/// Yaw, pitch and roll (degrees) of a rotation taking the frontal reference to the face, as
/// R = Rz(roll)·Rx(pitch)·Ry(yaw) (roll in the image plane last). Yaw > 0: the face turns toward
/// the image's right; pitch > 0: chin up; roll > 0: the eye line slopes down to the image's right.
/// Mirroring the image (x → −x) turns R into M·R·M (M = diag(−1, 1, 1)): yaw and roll change
/// sign, pitch does not.
pub fn angles(r: &Matrix3<f64>) -> Pose {
    let pitch = (-r[(2, 1)]).clamp(-1.0, 1.0).asin().to_degrees();
    let yaw = r[(2, 0)].atan2(r[(2, 2)]).to_degrees();
    let roll = (-r[(0, 1)]).atan2(r[(1, 1)]).to_degrees();
    Pose { yaw: yaw as f32, pitch: pitch as f32, roll: roll as f32 }
}

/// The rotation R of the least-squares similarity target ≈ s·R·source + t (Umeyama 1991).
pub fn rotation(source: &[Vector3<f64>], target: &[Vector3<f64>]) -> Option<Matrix3<f64>> {
    let n = source.len().min(target.len());
    if n < 3 {
        return None;
    }
    let mean = |v: &[Vector3<f64>]| v.iter().take(n).fold(Vector3::zeros(), |a, b| a + b) / n as f64;
    let (ms, mt) = (mean(source), mean(target));
    let mut cov = Matrix3::zeros();
    for (s, t) in source.iter().zip(target).take(n) {
        cov += (t - mt) * (s - ms).transpose();
    }
    if !cov.iter().all(|v| v.is_finite()) {
        return None;
    }
    let svd = cov.svd(true, true);
    let (u, v_t) = (svd.u?, svd.v_t?);
    let d = if (u * v_t).determinant() < 0.0 { -1.0 } else { 1.0 };
    let r = u * Matrix3::from_diagonal(&Vector3::new(1.0, 1.0, d)) * v_t;
    r.iter().all(|v| v.is_finite()).then_some(r)
}

fn normalised(points: &[Vector3<f64>]) -> Vec<Vector3<f64>> {
    let n = points.len() as f64;
    let c = points.iter().fold(Vector3::zeros(), |a, b| a + b) / n;
    let rms = (points.iter().map(|p| (p - c).norm_squared()).sum::<f64>() / n).sqrt().max(1e-9);
    points.iter().map(|p| (p - c) / rms).collect()
}

/// Rotates `shape` onto `onto` (both centred) by their best rotation.
fn aligned(shape: &[Vector3<f64>], onto: &[Vector3<f64>]) -> Vec<Vector3<f64>> {
    match rotation(shape, onto) {
        Some(r) => shape.iter().map(|p| r * p).collect(),
        None => shape.to_vec(),
    }
}

/// Each point's nearest neighbour in the shape mirrored about x = 0.
fn mirror_pairs(shape: &[Vector3<f64>]) -> Vec<usize> {
    shape
        .iter()
        .map(|p| {
            let m = Vector3::new(-p.x, p.y, p.z);
            (0..shape.len()).min_by(|&a, &b| (shape[a] - m).norm_squared().total_cmp(&(shape[b] - m).norm_squared())).unwrap_or(0)
        })
        .collect()
}

/// Mirror partners with the lip points' taken from the lip rings: the inner mouth corners (78,
/// 308) sit so close to their neighbours (62, 292) that the nearest mirrored point pairs 62 with
/// 308; each lip ring, read from its other end, gives the partners by construction.
fn with_lip_partners(mut partners: Vec<usize>) -> Vec<usize> {
    for (k, &i) in LIPS_MESH.iter().enumerate() {
        if let (Some(slot), Some(&j)) = (partners.get_mut(i), LIPS_MESH.get(lip_partner(k))) {
            *slot = j;
        }
    }
    partners
}

/// The minimal rotation taking unit vector `a` onto unit vector `b`.
fn rotation_between(a: Vector3<f64>, b: Vector3<f64>) -> Matrix3<f64> {
    let v = a.cross(&b);
    let c = a.dot(&b);
    if v.norm() < 1e-12 {
        return Matrix3::identity();
    }
    let k = Matrix3::new(0.0, -v.z, v.y, v.z, 0.0, -v.x, -v.y, v.x, 0.0);
    Matrix3::identity() + k + k * k * (1.0 / (1.0 + c))
}

/// Builds the frontal reference from meshes of frontal portraits (see the module docs).
pub fn build_reference(meshes: &[Vec<[f32; 3]>], made_with: &str) -> Option<ReferenceFile> {
    let shapes: Vec<Vec<Vector3<f64>>> = meshes
        .iter()
        .filter(|m| !m.is_empty())
        .map(|m| normalised(&m.iter().map(|p| Vector3::new(p[0] as f64, p[1] as f64, p[2] as f64)).collect::<Vec<_>>()))
        .collect();
    let first = shapes.first()?;
    let count = first.len();
    if shapes.iter().any(|s| s.len() != count) {
        return None;
    }
    // Generalised Procrustes: align every shape to the running mean.
    let mut mean = first.clone();
    for _ in 0..6 {
        let mut sum = vec![Vector3::zeros(); count];
        for s in &shapes {
            for (acc, p) in sum.iter_mut().zip(aligned(s, &mean)) {
                *acc += p;
            }
        }
        mean = normalised(&sum);
    }
    // Turn the mean to the photos' average orientation (chordal mean of the rotations).
    let mut rotations = Matrix3::zeros();
    for s in &shapes {
        rotations += rotation(&mean, s)?;
    }
    let svd = rotations.svd(true, true);
    let (u, v_t) = (svd.u?, svd.v_t?);
    let average = u * v_t;
    let mut shape: Vec<Vector3<f64>> = mean.iter().map(|p| average * p).collect();

    // Find the midline plane and turn its normal onto x (removes mean yaw and roll, keeps pitch);
    // twice, since the mirror pairing is better once the face is straighter.
    let mut pairs = with_lip_partners(mirror_pairs(&shape));
    for _ in 0..3 {
        let mut scatter = Matrix3::zeros();
        for (i, &j) in pairs.iter().enumerate() {
            let d = shape[i] - shape[j];
            scatter += d * d.transpose();
        }
        let eig = scatter.symmetric_eigen();
        let k = eig.eigenvalues.imax();
        let mut normal: Vector3<f64> = eig.eigenvectors.column(k).into();
        if normal.x < 0.0 {
            normal = -normal;
        }
        let turn = rotation_between(normal.normalize(), Vector3::x());
        shape = shape.iter().map(|p| turn * p).collect();
        let centre = shape.iter().fold(Vector3::zeros(), |a, b| a + b) / count as f64;
        shape = shape.iter().map(|p| p - Vector3::new(centre.x, 0.0, 0.0)).collect();
        pairs = with_lip_partners(mirror_pairs(&shape));
    }
    // Exact symmetry where the pairing is consistent (i ↔ j both ways).
    let mut unpaired = 0;
    let symmetric: Vec<Vector3<f64>> = (0..count)
        .map(|i| {
            let j = pairs[i];
            if pairs[j] != i {
                unpaired += 1;
                return shape[i];
            }
            let m = Vector3::new(-shape[j].x, shape[j].y, shape[j].z);
            (shape[i] + m) / 2.0
        })
        .collect();
    let mirror = (0..count).map(|i| if pairs[pairs[i]] == i { pairs[i] } else { i }).collect();
    let points = normalised(&symmetric).iter().map(|p| [round6(p.x), round6(p.y), round6(p.z)]).collect();
    Some(ReferenceFile {
        description: "Frontal reference face for head pose: mean MediaPipe face mesh of frontal studio ID portraits, \
                      average orientation, left-right symmetric, centred, unit RMS size"
            .into(),
        made_with: made_with.into(),
        photos: shapes.len(),
        unpaired,
        mirror,
        points,
    })
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rot(yaw: f64, pitch: f64, roll: f64) -> Matrix3<f64> {
        // Inverse of `angles` for small angles: roll about z, pitch about x (chin up), yaw about y.
        let (y, p, r) = (yaw.to_radians(), pitch.to_radians(), roll.to_radians());
        let rz = Matrix3::new(r.cos(), -r.sin(), 0.0, r.sin(), r.cos(), 0.0, 0.0, 0.0, 1.0);
        let rx = Matrix3::new(1.0, 0.0, 0.0, 0.0, p.cos(), p.sin(), 0.0, -p.sin(), p.cos());
        let ry = Matrix3::new(y.cos(), 0.0, -y.sin(), 0.0, 1.0, 0.0, y.sin(), 0.0, y.cos());
        rz * rx * ry
    }

    fn mesh_from(r: &Matrix3<f64>, scale: f64, shift: Vector3<f64>) -> Vec<[f32; 3]> {
        REFERENCE
            .points
            .iter()
            .map(|p| {
                let q = r * p * scale + shift;
                [q.x as f32, q.y as f32, q.z as f32]
            })
            .collect()
    }

    #[test]
    fn recovers_known_rotations_whatever_the_scale_and_position() {
        for (yaw, pitch, roll) in [(0.0, 0.0, 0.0), (10.0, 0.0, 0.0), (0.0, -8.0, 0.0), (0.0, 0.0, 12.0), (6.0, 4.0, -5.0)] {
            let mesh = mesh_from(&rot(yaw, pitch, roll), 180.0, Vector3::new(300.0, 400.0, 10.0));
            let pose = REFERENCE.pose(&mesh).unwrap();
            assert!((pose.yaw as f64 - yaw).abs() < 0.3, "{yaw} {pitch} {roll}: {pose:?}");
            assert!((pose.pitch as f64 - pitch).abs() < 0.3, "{yaw} {pitch} {roll}: {pose:?}");
            assert!((pose.roll as f64 - roll).abs() < 0.3, "{yaw} {pitch} {roll}: {pose:?}");
        }
    }

    #[test]
    fn aspect_reads_a_stretch_across_the_image_and_not_a_turn_in_it() {
        for roll in [0.0, 12.0] {
            let mesh = mesh_from(&rot(0.0, 0.0, roll), 150.0, Vector3::new(300.0, 400.0, 0.0));
            assert!((REFERENCE.aspect(&mesh).unwrap() - 1.0).abs() < 1e-3, "roll {roll}");
            let stretched: Vec<[f32; 3]> = mesh.iter().map(|p| [300.0 + 1.2 * (p[0] - 300.0), p[1], p[2]]).collect();
            let aspect = REFERENCE.aspect(&stretched).unwrap();
            // Rolled, the stretch is partly along the face's height, so it reads a little less.
            assert!(aspect > 1.15 && aspect < 1.201, "roll {roll}: {aspect}");
        }
        // A turned head is the reference turned: its narrower outline is not a stretch.
        let turned = REFERENCE.aspect(&mesh_from(&rot(15.0, -8.0, 0.0), 150.0, Vector3::zeros())).unwrap();
        assert!((turned - 1.0).abs() < 1e-3, "{turned}");
    }

    #[test]
    fn signs_follow_the_image() {
        // Nose moves to the image's right: yaw > 0. Chin up: the nose moves up (−y): pitch > 0.
        let pose = REFERENCE.pose(&mesh_from(&rot(10.0, 0.0, 0.0), 100.0, Vector3::zeros())).unwrap();
        let nose = rot(10.0, 0.0, 0.0) * REFERENCE.points[NOSE_TIP];
        assert!(pose.yaw > 0.0 && nose.x > REFERENCE.points[NOSE_TIP].x);
        let up = rot(0.0, 10.0, 0.0) * REFERENCE.points[NOSE_TIP];
        assert!(up.y < REFERENCE.points[NOSE_TIP].y);
    }

    #[test]
    fn every_landmark_has_one_partner_and_the_eyes_and_lips_pair_up() {
        let partners = REFERENCE.partners();
        assert_eq!(partners.len(), 468);
        assert!((0..468).all(|i| partners[partners[i]] == i), "partners are an involution");
        // MediaPipe's midline: nose bridge to chin.
        for i in [0, 1, 4, 6, 13, 14, 17, 152, 168, 199] {
            assert_eq!(partners[i], i, "{i} is on the midline");
        }
        for (a, b) in [(33, 263), (133, 362), (61, 291), (78, 308), (62, 292), (234, 454)] {
            assert_eq!(partners[a], b);
        }
        for (&a, &b) in crate::models::attention_mesh::EYE_OPENING_MESH[0].iter().zip(&crate::models::attention_mesh::EYE_OPENING_MESH[1]) {
            assert_eq!(partners[a], b);
        }
    }

    #[test]
    fn the_reference_is_mirror_symmetric() {
        let file: ReferenceFile = serde_json::from_str(include_str!("pose_reference.json")).unwrap();
        let mirrored: Vec<[f32; 3]> = (0..file.points.len())
            .map(|i| {
                let p = file.points[file.mirror[i]];
                [-p[0] as f32, p[1] as f32, p[2] as f32]
            })
            .collect();
        let pose = REFERENCE.pose(&mirrored).unwrap();
        assert!(pose.yaw.abs() < 0.01 && pose.roll.abs() < 0.01 && pose.pitch.abs() < 0.01, "{pose:?}");
    }
}
