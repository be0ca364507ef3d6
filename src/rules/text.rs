//! Text, digits, letters and logos anywhere on the photo (background, clothing): fail, with boxes.
//! The PP-OCR detector runs only where there is structure for text to be in (see
//! `analysis::TextScan`); text on the face or hair is not looked for.

use serde::Deserialize;

use super::{build_with, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const TX001: &str = "TX001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "text",
    codes: &[CodeInfo {
        code: TX001,
        name: "no_text",
        summary: "Text regions found outside the face and hair (PP-OCR detector)",
        summary_zh: "面部和头发以外的文字区域（PP-OCR 检测器）",
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
}

pub struct TextRule {
    c: Config,
}

impl Rule for TextRule {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let h = a.image().height() as f64;
        let boxes: Vec<_> = a.text.boxes.iter().filter(|b| b.height as f64 >= self.c.min_text_height * h).collect();
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
                format!("照片中有 {n} 处文字、数字或标志：请在没有文字图案的背景前、穿无图案的衣服重新拍摄"),
                format!("{n} area(s) of text, digits or logos: retake in front of a plain background, in clothing without print"),
            ),
        );
        if n > 0 {
            let (x0, y0) = boxes.iter().fold((f32::MAX, f32::MAX), |m, b| (m.0.min(b.x), m.1.min(b.y)));
            let (x1, y1) = boxes.iter().fold((f32::MIN, f32::MIN), |m, b| (m.0.max(b.x + b.width), m.1.max(b.y + b.height)));
            finding = finding.with_region_if_failed(Some(a.to_original(Region::Box { x: x0, y: y0, width: x1 - x0, height: y1 - y0 })));
        }
        vec![finding]
    }
}
