//! The rule registry. One file per rule family; each declares its check codes (with the rule
//! docs beside the code), parses its own thresholds from the profile and reads the analysis.
//! Adding a rule: write `src/rules/NAME.rs` with its code constants and a `SPEC` declaring them,
//! add it to [`REGISTRY`], and give its codes a severity (and its thresholds) in the profile.

pub mod background;
pub mod clothing;
pub mod expression;
pub mod eyes;
pub mod face_count;
pub mod geometry;
pub mod glasses;
pub mod hair;
pub mod hands;
pub mod headwear;
pub mod image_quality;
pub mod jewellery;
pub mod lighting;
pub mod mask;
pub mod pose;
pub mod posture;
pub mod recency;
pub mod retouch;
pub mod text;

/// Table tests per family, and the helpers a family's own tests use (`run`, `settled`, `portrait`).
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use crate::analysis::Analysis;
use crate::heads::Head;
use crate::report::{Band, Outcome, Region, Text, Threshold};

/// Every rule family, in report order.
pub const REGISTRY: &[&RuleSpec] = &[
    &image_quality::SPEC,
    &face_count::SPEC,
    &geometry::SPEC,
    &pose::SPEC,
    &eyes::SPEC,
    &headwear::SPEC,
    &glasses::SPEC,
    &mask::SPEC,
    &hair::SPEC,
    &jewellery::SPEC,
    &expression::SPEC,
    &hands::SPEC,
    &background::SPEC,
    &lighting::SPEC,
    &clothing::SPEC,
    &posture::SPEC,
    &text::SPEC,
    &recency::SPEC,
    &retouch::SPEC,
];

/// One stable check code and everything else derives from: the rules table (README, `photocheck
/// rules`), the profile's severity validation, the learned heads a profile may hold
/// ([`crate::heads::attributes`]) and the label columns `eval` scores ([`crate::eval`]).
#[derive(Debug)]
pub struct CodeInfo {
    pub code: &'static str,
    pub name: &'static str,
    /// One line for the rules table (README, `photocheck rules`).
    pub summary: &'static str,
    /// The same line in Chinese (`photocheck rules --lang zh-CN`).
    pub summary_zh: &'static str,
    /// Unit of the hand-made measured value (a learned head reports "probability" instead).
    pub unit: &'static str,
    /// The label column whose learned head (`[heads.LABEL]`) may decide this check.
    pub head: Option<HeadSlot>,
    /// How `eval` scores a label column with this check.
    pub eval: Option<EvalLabel>,
}

impl CodeInfo {
    /// For the struct-update syntax in declarations: no head, no eval label.
    pub const NONE: CodeInfo = CodeInfo { code: "", name: "", summary: "", summary_zh: "", unit: "", head: None, eval: None };
}

/// A learned head's slot on a check.
#[derive(Debug, Clone, Copy)]
pub struct HeadSlot {
    pub label: &'static str,
    /// The check measures a hand-made signal the head may use as a feature.
    pub signal: bool,
    /// The attribute sits above the brows (a hat): the head may also read the crown crop's
    /// embedding (see `analysis::CROWN_CROP_CENTRE_T`).
    pub crown: bool,
}

/// How a label column is read off a report.
#[derive(Debug, Clone, Copy)]
pub struct EvalLabel {
    pub label: &'static str,
    /// Label 1 means a violation (glasses worn) rather than the compliant state (eyes open).
    pub violation: bool,
    /// How the measured value ranks photos (AUC, EER), oriented so higher means label 1.
    pub score: Score,
    /// Other checks that decide the label together with this one (the confusion).
    pub with: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Score {
    /// The measured value itself.
    Measured,
    /// Hand-made signals where a low value is the violation (little background beside the ears);
    /// a learned head's probability already points the right way.
    LowerIsViolation,
    /// A count whose compliant value is 1 (faces).
    DistanceFromOne,
}

/// Every declared check, in report order, with its family.
pub fn declared() -> impl Iterator<Item = (&'static RuleSpec, &'static CodeInfo)> {
    REGISTRY.iter().flat_map(|s| s.codes.iter().map(move |c| (*s, c)))
}

pub struct RuleSpec {
    /// The profile section `[rules.FAMILY]` holding this rule's thresholds.
    pub family: &'static str,
    pub codes: &'static [CodeInfo],
    pub build: fn(toml::Value) -> Result<Box<dyn Rule>, String>,
}

impl RuleSpec {
    pub fn code(&self, code: &str) -> Option<&'static CodeInfo> {
        self.codes.iter().find(|c| c.code == code)
    }
}

/// What a scan's finding that could be something innocent does to the verdict (a mark on the
/// clothing could be a button; an ornament found by colour alone could be a patch of backdrop):
/// `review` (a person looks) or `fail`.
#[derive(Debug, Clone, Copy, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WhenFound {
    Review,
    Fail,
}

/// The box enclosing every (x, y, width, height) box given, in working-image pixels; `None`
/// for none.
pub(crate) fn enclosing_box(boxes: impl IntoIterator<Item = (f32, f32, f32, f32)>) -> Option<Region> {
    let (x0, y0, x1, y1) = boxes
        .into_iter()
        .fold((f32::MAX, f32::MAX, f32::MIN, f32::MIN), |m, (x, y, w, h)| (m.0.min(x), m.1.min(y), m.2.max(x + w), m.3.max(y + h)));
    (x0 <= x1).then_some(Region::Box { x: x0, y: y0, width: x1 - x0, height: y1 - y0 })
}

/// What a rule sees.
pub struct Context<'a> {
    pub analysis: &'a Analysis,
    pub as_of: DateTime<Utc>,
    /// The profile's learned heads by label column (see [`crate::heads`]).
    pub heads: &'a BTreeMap<String, Head>,
}

impl Context<'_> {
    /// The head crop's appearance embedding, when it was computed.
    pub fn embedding(&self) -> Option<&[f32]> {
        self.analysis.appearance.as_ref().map(|a| a.output.embedding.as_slice())
    }

    /// The crown crop's appearance embedding (the head above the brows), when it was computed.
    pub fn crown_embedding(&self) -> Option<&[f32]> {
        self.analysis.appearance.as_ref().and_then(|a| a.crown.as_deref())
    }

    /// Decides an attribute check with the profile's learned head for `label` when there is
    /// one; otherwise the rule's own (hand-made) finding stands. `hand` is that finding, built
    /// without a region; `region` is attached only if the final decision fails.
    pub fn decide(&self, label: &str, hand: Finding, pass: Text, fail: Text, region: Option<Region>) -> Finding {
        let Some(head) = self.heads.get(label) else {
            return hand.with_region_if_failed(region);
        };
        let signal = if hand.outcome == Outcome::NotAssessed { None } else { hand.measured };
        let decided = if let Some(threshold) = head.signal_threshold() {
            // A recalibrated hand-made signal: keep showing it in its own units.
            let band = head.signal_band();
            match signal {
                Some(s) => Finding::measured(hand.code, s, hand.unit, threshold, pass, fail).with_band(band),
                None => Finding { threshold, band, ..hand },
            }
        } else {
            let t = Threshold::max(head.threshold);
            // A cut-off at the threshold is no band (calibrate drops a band that catches nothing).
            let band =
                head.review_below.filter(|b| *b < head.threshold).map(|below| Band { pass_within: Threshold::max(below), fail_outside: t });
            match head.score(self.embedding(), self.crown_embedding(), signal) {
                // As many decimals as the fitted threshold, so rounding does not blur the comparison.
                Some(p) => Finding::measured(hand.code, round(p, 4), "probability", t, pass, fail).with_band(band),
                None if hand.outcome == Outcome::NotAssessed => Finding { threshold: t, unit: "probability", band, ..hand },
                None => Finding::not_assessed(
                    hand.code,
                    "probability",
                    t,
                    Text::new("外观模型未能运行，无法评估", "The appearance model could not run, so this could not be assessed"),
                ),
            }
        };
        decided.with_region_if_failed(region)
    }
}

pub trait Rule: Send + Sync {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding>;
}

/// Parses a rule's section of the profile into its typed config and builds the rule.
pub fn build_with<C: DeserializeOwned, R: Rule + 'static>(section: toml::Value, make: fn(C) -> R) -> Result<Box<dyn Rule>, String> {
    let config: C = section.try_into().map_err(|e: toml::de::Error| e.message().to_string())?;
    Ok(Box::new(make(config)))
}

/// One check's result before the profile's severity is applied.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub outcome: Outcome,
    pub measured: Option<f64>,
    pub unit: &'static str,
    pub threshold: Threshold,
    /// The uncertainty band the check decided with, when it brings its own (a learned head's
    /// two cut-offs); otherwise the profile's `[bands]` entry for the code applies.
    pub band: Option<Band>,
    pub message: Text,
    /// What to tell the applicant should the value turn out uncertain or failing: kept even
    /// when the finding passes, so a value in the band can still say what to fix.
    pub if_failed: Option<Text>,
    pub region: Option<Region>,
}

impl Finding {
    /// Pass when `threshold` admits `measured`, fail otherwise.
    pub fn measured(code: &'static str, measured: f64, unit: &'static str, threshold: Threshold, pass: Text, fail: Text) -> Finding {
        let ok = threshold.admits(measured);
        Finding {
            code,
            outcome: if ok { Outcome::Pass } else { Outcome::Fail },
            measured: Some(measured),
            unit,
            threshold,
            band: None,
            if_failed: Some(fail.clone()),
            message: if ok { pass } else { fail },
            region: None,
        }
    }

    /// A yes/no check: `found` (what it looks for is there: an editor's name, transparency) is 1
    /// and fails, its absence 0 and passes.
    pub fn flag(code: &'static str, found: bool, pass: Text, fail: Text) -> Finding {
        Finding::measured(code, found as u8 as f64, "flag", Threshold::max(0.0), pass, fail)
    }

    pub fn with_band(mut self, band: Option<Band>) -> Finding {
        self.band = band;
        self
    }

    pub fn not_assessed(code: &'static str, unit: &'static str, threshold: Threshold, why: Text) -> Finding {
        Finding {
            code,
            outcome: Outcome::NotAssessed,
            measured: None,
            unit,
            threshold,
            band: None,
            message: why,
            if_failed: None,
            region: None,
        }
    }

    pub fn with_region(mut self, region: Option<Region>) -> Finding {
        self.region = region;
        self
    }

    /// Attaches the region unless the check passed clearly: it marks what to look at. (A pass
    /// may still land in the profile's uncertainty band, so the region is kept for any measured
    /// value; the report drops it again for a clear pass.)
    pub fn with_region_if_failed(self, region: Option<Region>) -> Finding {
        if self.outcome != Outcome::NotAssessed {
            self.with_region(region)
        } else {
            self
        }
    }
}

/// A check read on part of the chosen face (a window or a patch the analysis singled out: RT007,
/// RT008, MK003, MK004), declared once with its texts. Without a face it is not assessed for that
/// reason; without a reading (a face too small or incomplete) for `not_read`; either way a
/// mandatory check then sends the photo to review. Otherwise it is measured, and the part is the
/// region a failure points at.
pub struct FacePartCheck {
    pub code: &'static str,
    pub unit: &'static str,
    pub threshold: Threshold,
    pub not_read: Text,
    pub passed: Text,
    pub failed: Text,
}

impl FacePartCheck {
    /// The finding for `reading`: the measured value (already rounded) and the part, in the
    /// analysis image's pixels.
    pub fn finding(self, a: &Analysis, reading: Option<(f64, Region)>) -> Finding {
        if a.face.is_none() {
            return Finding::not_assessed(self.code, self.unit, self.threshold, no_face());
        }
        let Some((value, region)) = reading else {
            return Finding::not_assessed(self.code, self.unit, self.threshold, self.not_read);
        };
        Finding::measured(self.code, value, self.unit, self.threshold, self.passed, self.failed)
            .with_region_if_failed(Some(a.to_original(region)))
    }
}

/// Shared reasons for checks that cannot be assessed.
pub fn no_face() -> Text {
    Text::new("未检测到人脸，无法评估", "No face was found, so this could not be assessed")
}

/// Rounds for display and for stable JSON.
pub fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}
