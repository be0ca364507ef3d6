//! Text, digits, letters and logos anywhere on the photo (background, clothing): fail, with boxes.
//! Two sources: the PP-OCR detector (large text over the whole photo, where there is structure
//! for text to be in, see `analysis::TextScan`; and small print in the band below the chin, read
//! again at twice the scale whatever lies under it, skin or fabric) and the fine-scale mark scan (`analysis::marks`: text in
//! any script, logos and symbols down to about 1/40 of the height, on the plain background and
//! plain clothing). A mark that overlaps a detected text box is the same region, counted once.
//! Clothing the scan finds patterned all over is not known to be free of print: review.
//! Over the face and hair only the detector looks, for a line of text laid over the portrait (a
//! watermark, a stamp): the detector also fires on a face's own features now and then, so what
//! that finding does is the profile's (`face_text`).

use serde::Deserialize;

use super::{build_with, enclosing_box, CodeInfo, Context, Finding, Rule, RuleSpec, WhenFound};
use crate::analysis::marks::{Mark, Surface};
use crate::models::TextBox;
use crate::report::{Outcome, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const TX001: &str = "TX001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "text",
    codes: &[CodeInfo {
        code: TX001,
        name: "no_text",
        summary: "Text, logos or printed marks outside the face and hair (PP-OCR detector and a fine-scale mark scan), and a line of text over the face or hair such as a watermark (detector)",
        summary_zh: "面部和头发以外的文字、标志或图案（PP-OCR 检测器与细尺度标记扫描），以及覆盖在面部或头发上的文字如水印（检测器）",
        unit: "regions",
        ..CodeInfo::NONE
    }],
    build: |v| build_with(v, |c| TextRule { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub max_text_regions: usize,
    /// Boxes smaller than this share of the image height are noise, not legible text.
    pub min_text_height: f64,
    /// What a mark found only on the clothing does (the mark scan is less sure there: a garment
    /// has buttons, a zip, seams): `review` (a person looks) or `fail`.
    pub clothing_marks: WhenFound,
    /// What a line of text the detector reads over the face or hair does (a watermark; the
    /// detector now and then reads a face's own features as text): `review` or `fail`.
    pub face_text: WhenFound,
}

pub struct TextRule {
    c: Config,
}

impl Rule for TextRule {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let h = a.image().height() as f64;
        let text: Vec<&TextBox> = a.text.boxes.iter().filter(|b| b.height as f64 >= self.c.min_text_height * h).collect();
        let marks: Vec<&Mark> = a.text.marks.iter().filter(|m| !text.iter().any(|t| m.bbox.overlaps(t))).collect();
        let on_clothing = marks.iter().filter(|m| m.surface == Surface::Clothing).count();
        let over_face = a.text.face_boxes.len();
        // Text the detector read and marks on the plain backdrop are certain; marks on the
        // clothing alone and text over the face are as the profile says.
        let certain = text.len()
            + (marks.len() - on_clothing)
            + if self.c.clothing_marks == WhenFound::Fail { on_clothing } else { 0 }
            + if self.c.face_text == WhenFound::Fail { over_face } else { 0 };
        let boxes: Vec<&TextBox> = text.iter().copied().chain(marks.iter().map(|m| &m.bbox)).chain(a.text.face_boxes.iter()).collect();
        let n = boxes.len();
        let pass = if a.text.detector_ran {
            Text::new("未发现文字或标志", "No text or logos found")
        } else {
            Text::new("背景和衣着平整，无文字或标志", "Background and clothing are plain: no text or logos")
        };
        let mut finding = Finding::measured(
            TX001,
            n as f64,
            "regions",
            Threshold::max(self.c.max_text_regions as f64),
            pass,
            Text::new(
                format!("照片中有 {n} 处文字、数字、标志或图案：请在没有文字图案的背景前、穿无图案的衣服重新拍摄"),
                format!("{n} area(s) of text, digits, logos or print: retake in front of a plain background, in clothing without print"),
            ),
        );
        if finding.outcome == Outcome::Fail && certain <= self.c.max_text_regions {
            // Only what the profile sends to review was found. The review sentence is built from
            // `if_failed` (pipeline::settle).
            finding.outcome = Outcome::Uncertain;
            finding.if_failed = Some(if over_face > 0 && on_clothing > 0 {
                Text::new(
                    format!("面部或头发上疑似有文字或水印，衣服上有 {on_clothing} 处疑似文字、标志或图案：请上传无水印的原始照片，并穿无图案的深色衣服"),
                    format!("Possible text or a watermark over the face or hair, and {on_clothing} possible mark(s) or logo on the clothing: upload the original photo without a watermark, in plain dark clothing"),
                )
            } else if over_face > 0 {
                Text::new(
                    "面部或头发上疑似有文字或水印：请上传无水印的原始照片",
                    "Possible text or a watermark over the face or hair: upload the original photo without a watermark",
                )
            } else {
                Text::new(
                    format!("衣服上有 {n} 处疑似文字、标志或图案：请穿无图案的深色衣服"),
                    format!("{n} possible mark(s), print or logo on the clothing: wear plain dark clothing"),
                )
            });
        }
        // Clothing with structure all over (a pattern, a busy print) hides whatever print is on
        // it: the scan could not decide, so a person looks.
        if finding.outcome == Outcome::Pass && a.text.clothing_cluttered {
            finding.outcome = Outcome::Uncertain;
            finding.if_failed = Some(Text::new(
                "衣服上有花纹或大面积图案，无法排除文字或标志：请穿无图案的深色衣服",
                "The clothing is patterned or busy, so print on it cannot be ruled out: wear plain dark clothing",
            ));
        }
        if let Some(region) = enclosing_box(boxes.iter().map(|b| (b.x, b.y, b.width, b.height))) {
            finding = finding.with_region_if_failed(Some(a.to_original(region)));
        }
        vec![finding]
    }
}
