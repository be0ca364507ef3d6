//! Exactly one face: a second face anywhere, also small in the background, fails.

use serde::Deserialize;

use super::{build_with, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::report::{Region, Text, Threshold};

pub static SPEC: RuleSpec = RuleSpec {
    family: "face_count",
    codes: &[CodeInfo { code: "FC001", name: "single_face", summary: "Exactly one face is visible" }],
    build: |v| build_with(v, |c| FaceCount { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Detector score from which a detection counts as a face.
    pub min_score: f64,
}

pub struct FaceCount {
    c: Config,
}

impl Rule for FaceCount {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let counted: Vec<_> = a.faces.iter().filter(|f| f.score as f64 >= self.c.min_score).collect();
        let n = counted.len();
        let fail = if n == 0 {
            Text::new(
                "未检测到人脸：请正对镜头、露出完整面部后重新拍摄",
                "No face was found: face the camera with your whole face visible and retake",
            )
        } else {
            Text::new(
                format!("照片中有 {n} 张人脸：请单独拍摄，背景中不要有其他人或人像"),
                format!("{n} faces are visible: take the photo alone, with no other people or portraits behind you"),
            )
        };
        let primary = a.face.as_ref().map(|f| f.detection);
        let others: Vec<_> =
            a.faces.iter().enumerate().filter(|(i, f)| Some(*i) != primary && f.score as f64 >= self.c.min_score).collect();
        let region = others.first().map(|(_, f)| a.to_original(Region::Box { x: f.x, y: f.y, width: f.width, height: f.height }));
        vec![Finding::measured(
            "FC001",
            n as f64,
            "faces",
            Threshold::range(1.0, 1.0),
            Text::new("检测到一张人脸", "Exactly one face"),
            fail,
        )
        .with_region_if_failed(region)]
    }
}
