//! Synthetic analyses for the rules' unit tests: an image, a person mask, faces and a mesh built
//! from the frontal reference face — no model runs, so every rule family can be tested in
//! isolation (pass, fail, not assessed, the boundary) in milliseconds.

use chrono::NaiveDateTime;
use image::RgbImage;
use nalgebra::Matrix3;

use super::{pose, Analysis, FaceAnalysis, FaceFrame, Scene, SkinRef, StageTimings, TextScan};
use crate::decode::SourceInfo;
use crate::exif::{CaptureDate, DateSource, ExifInfo, ExifStatus};
use crate::imaging::{Plane, Point, Pyramid};
use crate::models::{Detection, HandCandidate, MeshResult, PersonMask, RefinedFace, TextBox};

pub struct Builder {
    image: RgbImage,
    person: Box<dyn Fn(f32, f32) -> f32>,
    exif: ExifInfo,
    faces: Vec<Detection>,
    mesh: Option<(MeshResult, usize)>,
    mesh_presence: Option<f32>,
    text: TextScan,
    format: &'static str,
    /// Lid opening scale (1 = the reference's open eyes) and inner-lip gap per mouth width.
    eye_opening: f32,
    lip_gap: f32,
    hands: Vec<HandCandidate>,
    appearance: Option<super::Appearance>,
}

impl Builder {
    /// A plain image of `w`×`h` in `colour`, no person, no face, no EXIF.
    pub fn new(w: u32, h: u32, colour: [u8; 3]) -> Builder {
        Builder {
            image: RgbImage::from_pixel(w, h, image::Rgb(colour)),
            person: Box::new(|_, _| 0.0),
            exif: ExifInfo::missing(),
            faces: Vec::new(),
            mesh: None,
            mesh_presence: None,
            text: TextScan::default(),
            format: "png",
            eye_opening: 1.0,
            lip_gap: 0.0,
            hands: Vec::new(),
            appearance: None,
        }
    }

    /// The appearance network's output: the head crop's embedding (placed on the mesh) and the
    /// crown crop's, when given.
    pub fn appearance(mut self, embedding: Vec<f32>, crown: Option<Vec<f32>>) -> Builder {
        let output = crate::models::MaskOutput { p_mask: 0.0, embedding };
        let crop = super::AppearanceCrop::HeadCrop;
        self.appearance = Some(super::Appearance { output, crown, crop, centre: Point::new(0.0, 0.0), side: 1.0 });
        self
    }

    /// Paints pixels for which `inside(x, y)` holds.
    pub fn paint(mut self, colour: [u8; 3], inside: impl Fn(u32, u32) -> bool) -> Builder {
        for (x, y, p) in self.image.enumerate_pixels_mut() {
            if inside(x, y) {
                *p = image::Rgb(colour);
            }
        }
        self
    }

    /// Replaces every pixel's colour by `f(x, y, colour)` (light falling from one side, a cast).
    pub fn recolour(mut self, f: impl Fn(u32, u32, [u8; 3]) -> [u8; 3]) -> Builder {
        for (x, y, p) in self.image.enumerate_pixels_mut() {
            *p = image::Rgb(f(x, y, p.0));
        }
        self
    }

    /// The person mask: probability at an image point.
    pub fn person(mut self, f: impl Fn(f32, f32) -> f32 + 'static) -> Builder {
        self.person = Box::new(f);
        self
    }

    pub fn captured(mut self, local: NaiveDateTime) -> Builder {
        self.exif.status = ExifStatus::Ok;
        self.exif.capture_date = Some(CaptureDate { local, offset: None, source: DateSource::DateTimeOriginal });
        self
    }

    /// A detection without a mesh (the mesh gave it `presence` logit), as a masked face gets.
    pub fn detection(mut self, x: f32, y: f32, size: f32, score: f32, presence: f32) -> Builder {
        let c = Point::new(x + size / 2.0, y + size / 2.0);
        self.faces.push(Detection { score, x, y, width: size, height: size, keypoints: [c; 6] });
        self.mesh_presence = Some(self.mesh_presence.map_or(presence, |p: f32| p.max(presence)));
        self
    }

    /// A frontal face mesh (the pose reference, scaled so the face is `height` px from forehead
    /// to chin) centred at (`cx`, `cy`), turned by yaw/pitch/roll degrees; with its detection.
    pub fn face(mut self, cx: f32, cy: f32, height: f32, yaw: f64, pitch: f64, roll: f64) -> Builder {
        let r = rotation(yaw, pitch, roll);
        let reference = pose::reference_points();
        let span = (reference[152].y - reference[10].y).abs().max(1e-6);
        let scale = height as f64 / span;
        let points: Vec<[f32; 3]> = reference
            .iter()
            .map(|p| {
                let q = r * p * scale;
                [cx + q.x as f32, cy + q.y as f32, q.z as f32]
            })
            .collect();
        let size = height * 1.1;
        let index = self.faces.len();
        self = self.detection(cx - size / 2.0, cy - size / 2.0, size, 0.95, 20.0);
        self.mesh = Some((MeshResult { points, presence_logit: 20.0 }, index));
        self
    }

    /// A palm at (`x`, `y`) of `side` px whose hand crop the landmark network gave `presence`.
    pub fn hand(mut self, x: f32, y: f32, side: f32, presence: f32) -> Builder {
        self.hands.push(HandCandidate { palm_score: 0.8, presence, centre: Point::new(x, y), side });
        self
    }

    /// Scales both eyes' lid opening (0 = shut) in the refined eyelids.
    pub fn eye_opening(mut self, scale: f32) -> Builder {
        self.eye_opening = scale;
        self
    }

    /// Parts the refined inner lips by `gap` mouth widths (the lower lip moves down).
    pub fn lip_gap(mut self, gap: f32) -> Builder {
        self.lip_gap = gap;
        self
    }

    pub fn text_boxes(mut self, boxes: Vec<TextBox>) -> Builder {
        self.text.edge_share = 0.1;
        self.text.detector_ran = true;
        self.text.boxes = boxes;
        self
    }

    /// Detector boxes over the face or hair that read like a line of text (a watermark).
    pub fn face_text_boxes(mut self, boxes: Vec<TextBox>) -> Builder {
        self.text.edge_share = 0.1;
        self.text.detector_ran = true;
        self.text.face_boxes = boxes;
        self
    }

    /// Marks the fine-scale scan found on the background or clothing.
    pub fn marks(mut self, marks: Vec<crate::analysis::marks::Mark>) -> Builder {
        self.text.marks = marks;
        self
    }

    /// The mark scan found the clothing patterned all over.
    pub fn clothing_cluttered(mut self) -> Builder {
        self.text.clothing_cluttered = true;
        self
    }

    pub fn build(self) -> Analysis {
        let (w, h) = self.image.dimensions();
        let (pw, ph) = (64usize, 64usize);
        let mut data = Vec::with_capacity(pw * ph);
        for gy in 0..ph {
            for gx in 0..pw {
                data.push((self.person)((gx as f32 + 0.5) * w as f32 / pw as f32, (gy as f32 + 0.5) * h as f32 / ph as f32));
            }
        }
        let person = PersonMask { plane: Plane { width: pw, height: ph, data }, image_width: w, image_height: h };
        let scene = Scene::new(&self.image, &person);
        let face = self.mesh.map(|(mesh, detection)| {
            let pose = pose::REFERENCE.pose(&mesh.points);
            let refined = RefinedFace::from_mesh(&mesh.points, 10.0).map(|mut r| {
                for eye in r.eyes.iter_mut() {
                    // Move every lid point toward the corner line.
                    let (a, b) = (eye[0], eye[8]);
                    for (_, p) in eye.iter_mut().enumerate().filter(|(i, _)| *i != 0 && *i != 8) {
                        let t = ((p.x - a.x) * (b.x - a.x) + (p.y - a.y) * (b.y - a.y)) / a.dist(b).powi(2).max(1e-6);
                        let on_line = Point::new(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y));
                        *p = Point::new(on_line.x + self.eye_opening * (p.x - on_line.x), on_line.y + self.eye_opening * (p.y - on_line.y));
                    }
                }
                // Close the inner lips (the mean face's mesh holds them slightly apart), then part
                // them by the gap asked for.
                let width = r.lips[0].dist(r.lips[10]);
                let apart = (0..5).map(|k| r.lips[33 + k].y - r.lips[23 + k].y).sum::<f32>() / 5.0;
                for p in r.lips[20..=30].iter_mut() {
                    p.y += apart + self.lip_gap * width;
                }
                for k in 0..5 {
                    r.lips[23 + k] = Point::new(r.lips[33 + k].x, r.lips[33 + k].y + self.lip_gap * width);
                }
                r
            });
            let eyes = [0, 1].map(|e| refined.as_ref().map(|r| r.eye_landmarks(e)));
            FaceAnalysis { detection, mesh, pose, eyes, refined, wide_crop_lips: None }
        });
        let face_frame = face.as_ref().and_then(|f| FaceFrame::from_mesh(&f.mesh));
        let skin = face_frame.and_then(|f| SkinRef::measure(&self.image, false, &f));
        let face_luma = face.as_ref().map(|f| super::sample_face_luma(&self.image, f)).unwrap_or_default();
        let lip_colour = super::lips_against_skin(&self.image, face.as_ref(), skin.as_ref());
        let eye_contrast = super::eyes_shown(&self.image, face.as_ref());
        let mirror_chroma = face.as_ref().and_then(|f| super::face_cover::mirror_chroma_difference(&self.image, &f.mesh.points));
        let pixelation = face.as_ref().and_then(|f| super::pixelation::mosaic_on_face(&self.image, &f.mesh.points, None));
        let patch_face = face.as_ref().and_then(|f| super::face_work::for_patches(&self.image, &f.mesh.points));
        let blurred_patch = patch_face.as_ref().and_then(super::blurred_patch::smoothest_patch);
        let flat_patch = patch_face.as_ref().and_then(super::flat_patch::sharpest_flat_patch);
        let ornaments = super::ornaments::find_ornaments(&self.image, face_frame, skin);
        let source = SourceInfo {
            format: self.format,
            stored_width: w,
            stored_height: h,
            color: "rgb8".into(),
            bits_per_channel: 8,
            has_alpha: false,
            alpha_used: false,
            file_bytes: 0,
            orientation_applied: 1,
            colour_profile: None,
            jpeg: None,
            lossy_webp: false,
            webp_quantiser: None,
        };
        Analysis {
            pyramid: Pyramid::new(self.image),
            stored_colours: None,
            scale: 1.0,
            original_width: w,
            original_height: h,
            source,
            exif: self.exif,
            faces: self.faces,
            face,
            mesh_presence: self.mesh_presence,
            appearance: self.appearance,
            person,
            scene,
            hands: super::HandScan { skin_outside: Some(0.0), detector_ran: !self.hands.is_empty(), hands: self.hands },
            text: self.text,
            face_frame,
            skin,
            ornaments,
            lip_colour,
            eye_contrast,
            mirror_chroma,
            pixelation,
            blurred_patch,
            flat_patch,
            face_luma,
            timings: StageTimings::default(),
        }
    }
}

/// R = Rz(roll)·Rx(pitch)·Ry(yaw), the convention of [`pose::angles`].
pub fn rotation(yaw: f64, pitch: f64, roll: f64) -> Matrix3<f64> {
    let (y, p, r) = (yaw.to_radians(), pitch.to_radians(), roll.to_radians());
    let rz = Matrix3::new(r.cos(), -r.sin(), 0.0, r.sin(), r.cos(), 0.0, 0.0, 0.0, 1.0);
    let rx = Matrix3::new(1.0, 0.0, 0.0, 0.0, p.cos(), p.sin(), 0.0, -p.sin(), p.cos());
    let ry = Matrix3::new(y.cos(), 0.0, -y.sin(), 0.0, 1.0, 0.0, y.sin(), 0.0, y.cos());
    rz * rx * ry
}
