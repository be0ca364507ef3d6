//! Exactly one face, and that face fully visible: a second face anywhere, also small in the
//! background, fails; so does a face the detector finds but the face mesh cannot confirm (a mask,
//! a hand, a scarf or hair over it, or a face cut off), since no face check could be made on it.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, EvalLabel, Finding, Rule, RuleSpec, Score};
use crate::report::{Outcome, Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const FC001: &str = "FC001";
pub const FC002: &str = "FC002";

pub static SPEC: RuleSpec = RuleSpec {
    family: "face_count",
    codes: &[
        CodeInfo {
            code: FC001,
            name: "single_face",
            summary: "Exactly one face is visible",
            summary_zh: "照片中恰好一张人脸",
            unit: "faces",
            eval: Some(EvalLabel { label: "single_face", violation: false, score: Score::DistanceFromOne, with: &[] }),
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: FC002,
            name: "face_visible",
            summary: "The detected face is fully visible to the face mesh (presence logit), so every face check can be made",
            summary_zh: "检测到的人脸完整可见（面部网格的存在置信度），所有面部检查均可进行",
            unit: "logit",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| FaceCount { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Detector score from which a detection counts as a face.
    pub min_score: f64,
    /// Score from which a second detection below `min_score` sends the photo to review: a face
    /// cut by the frame's edge, small, blurred or turned away scores low and is still a face.
    pub review_score: f64,
    /// The face mesh's presence logit from which a detected face counts as analysable.
    pub min_mesh_presence: f64,
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
        let mut count =
            Finding::measured(FC001, n as f64, "faces", Threshold::range(1.0, 1.0), Text::new("检测到一张人脸", "Exactly one face"), fail)
                .with_region_if_failed(region);
        // One face counted, but something else scored as a possible face: a person looks.
        let doubtful = a
            .faces
            .iter()
            .enumerate()
            .find(|(i, f)| Some(*i) != primary && (self.c.review_score..self.c.min_score).contains(&(f.score as f64)));
        if let (1, Some((_, f))) = (n, doubtful) {
            count.outcome = Outcome::Uncertain;
            count.if_failed = Some(Text::new(
                "照片中可能还有一张人脸（画面边缘、背景或衣服上）：请单独拍摄，背景中不要有其他人或人像",
                "There may be a second face (at the edge, in the background or on the clothing): take the photo alone, with no other people or portraits behind you",
            ));
            count.region = Some(a.to_original(Region::Box { x: f.x, y: f.y, width: f.width, height: f.height }));
        }
        vec![count, self.visible(ctx)]
    }
}

impl FaceCount {
    fn visible(&self, ctx: &Context) -> Finding {
        let a = ctx.analysis;
        let t = Threshold::min(self.c.min_mesh_presence);
        let Some(presence) = a.mesh_presence else {
            return Finding::not_assessed(FC002, "logit", t, no_face());
        };
        // Name the likely cover when the appearance network, run on the detector's box, sees a mask.
        let masked = a.face.is_none() && a.appearance.as_ref().is_some_and(|m| m.output.p_mask >= 0.5);
        let fail = if masked {
            Text::new(
                "面部被遮挡（疑似口罩）：请摘下口罩，露出完整面部后重新拍摄",
                "The face is covered (it looks like a mask): take it off and retake the photo with your whole face visible",
            )
        } else {
            Text::new(
                "面部被遮挡或不完整（口罩、手、头发或围巾）：请露出完整面部后重新拍摄",
                "The face is covered or not fully visible (mask, hand, hair or scarf): retake the photo with your whole face visible",
            )
        };
        let region = a.faces.first().map(|f| a.to_original(Region::Box { x: f.x, y: f.y, width: f.width, height: f.height }));
        let mut finding =
            Finding::measured(FC002, round(presence as f64, 2), "logit", t, Text::new("面部完整可见", "The whole face is visible"), fail)
                .with_region_if_failed(region);
        // The rules examined no face: whatever the logit, this face could not be analysed.
        if a.face.is_none() && finding.outcome == Outcome::Pass {
            finding.outcome = Outcome::Fail;
            finding.message = finding.if_failed.clone().unwrap_or(finding.message);
        }
        finding
    }
}
