//! No hands or gestures (不打手势): no hand anywhere in the photo.
//!
//! Reads the analysis's hand scan: the palm detector's palms, each confirmed by the hand landmark
//! network's presence (the palm alone fires on necklines and skin folds). The palm detector always
//! searches the square around the head (on an ID-framed photo, the whole photo), and the whole
//! photo too where the person shows skin beside the head or nothing can be ruled out; a photo
//! whose wider search did not run passes with that said.

use serde::Deserialize;

use super::{build_with, round, CodeInfo, Context, EvalLabel, Finding, Rule, RuleSpec, Score};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const HD001: &str = "HD001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "hands",
    codes: &[CodeInfo {
        code: HD001,
        name: "no_hands",
        summary: "No hand or gesture in the photo (hand presence of the strongest palm found)",
        summary_zh: "画面中无手部或手势（检出手掌处的手部存在概率）",
        unit: "probability",
        eval: Some(EvalLabel { label: "hand", violation: true, score: Score::Measured, with: &[] }),
        ..CodeInfo::NONE
    }],
    build: |v| build_with(v, |c| Hands { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Highest hand presence allowed for any palm found.
    pub max_hand_presence: f64,
}

pub struct Hands {
    c: Config,
}

impl Rule for Hands {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let t = Threshold::max(self.c.max_hand_presence);
        let strongest = a.hands.hands.iter().max_by(|x, y| x.presence.total_cmp(&y.presence));
        let presence = strongest.map_or(0.0, |h| h.presence as f64);
        let pass = if a.hands.detector_ran {
            Text::new("画面中没有手", "No hand in the photo")
        } else {
            Text::new("头部周围没有手（画面其余部分无肤色区域）", "No hand around the head (no skin elsewhere beside it)")
        };
        let fail = Text::new(
            "画面中有手或手势：请放下双手，不要做手势，重新拍摄",
            "A hand or gesture is in the photo: lower your hands, no gestures, and retake",
        );
        let region = strongest.map(|h| {
            let half = 1.3 * h.side;
            a.to_original(Region::Box { x: h.centre.x - half, y: h.centre.y - half, width: 2.0 * half, height: 2.0 * half })
        });
        let finding = Finding::measured(HD001, round(presence, 3), "probability", t, pass, fail);
        vec![match region {
            Some(region) => finding.with_region_if_failed(Some(region)),
            None => finding,
        }]
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::synthetic::Builder;
    use crate::report::Outcome::*;
    use crate::rules::tests::{outcome, portrait, run, settled};

    #[test]
    fn no_hand_a_doubtful_palm_and_a_hand() {
        // Profile: max 0.65, band 0.05 below and 0.15 above (pass <= 0.6, fail > 0.8).
        let none = run(&portrait(0.0, 0.0, 0.0).build(), "hands");
        assert_eq!(settled(&none, "HD001"), Pass);
        let neckline = run(&portrait(0.0, 0.0, 0.0).hand(300.0, 690.0, 200.0, 0.03).build(), "hands");
        assert_eq!(settled(&neckline, "HD001"), Pass, "a palm the landmark network does not confirm");
        let neckline_lifted = run(&portrait(0.0, 0.0, 0.0).hand(300.0, 690.0, 200.0, 0.55).build(), "hands");
        assert_eq!(settled(&neckline_lifted, "HD001"), Pass, "below the band: no hand read that low on the labelled photos");
        let doubtful = run(&portrait(0.0, 0.0, 0.0).hand(80.0, 300.0, 90.0, 0.7).build(), "hands");
        assert_eq!((outcome(&doubtful, "HD001"), settled(&doubtful, "HD001")), (Fail, Uncertain));
        let raised = run(&portrait(0.0, 0.0, 0.0).hand(80.0, 300.0, 90.0, 0.03).hand(520.0, 280.0, 90.0, 0.97).build(), "hands");
        assert_eq!(settled(&raised, "HD001"), Fail, "the strongest hand decides");
        assert!(raised[0].region.is_some(), "the failing hand is drawn");
        // No face at all: the scan ran on the whole photo and found nothing.
        assert_eq!(settled(&run(&Builder::new(600, 800, [250, 250, 250]).build(), "hands"), "HD001"), Pass);
    }
}
