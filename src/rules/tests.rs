//! Each rule family on synthetic analyses (no models): pass, fail, not assessed and the
//! boundary, with the thresholds of the hand-written base profile.

use chrono::{DateTime, Duration, Utc};

use super::{Context, Finding, REGISTRY};
use crate::analysis::synthetic::Builder;
use crate::analysis::Analysis;
use crate::models::TextBox;
use crate::profile::Profile;
use crate::report::Outcome::{self, *};

/// `colour` speckled ±10 levels by a fixed hash of the pixel's place: a photographed face's fine
/// detail, which the synthetic portrait's flat skin lacks.
pub(crate) fn speckle(x: u32, y: u32, colour: [u8; 3]) -> [u8; 3] {
    let hash = x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663);
    let n = (hash.wrapping_mul(2_654_435_761) >> 27) as i16 - 16;
    colour.map(|c| (c as i16 + n * 10 / 16).clamp(0, 255) as u8)
}

pub(crate) fn as_of() -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc()
}

pub(crate) fn run(a: &Analysis, family: &str) -> Vec<Finding> {
    let profile = Profile::builtin("cn-driving-licence-base").unwrap();
    let (_, rule) = profile.rules.iter().find(|(s, _)| s.family == family).expect("family");
    let heads = Default::default();
    rule.evaluate(&Context { analysis: a, as_of: as_of(), heads: &heads })
}

pub(crate) fn outcome(findings: &[Finding], code: &str) -> Outcome {
    findings.iter().find(|f| f.code == code).unwrap_or_else(|| panic!("no {code}")).outcome
}

/// The outcome after the profile's uncertainty band (what the report shows).
pub(crate) fn settled(findings: &[Finding], code: &str) -> Outcome {
    let profile = Profile::builtin("cn-driving-licence-base").unwrap();
    let f = findings.iter().find(|f| f.code == code).unwrap_or_else(|| panic!("no {code}"));
    crate::pipeline::settle(f, profile.band_for(code, f.threshold), crate::report::Severity::Fail, crate::report::Lang::En).0
}

pub(crate) fn measured(findings: &[Finding], code: &str) -> f64 {
    findings.iter().find(|f| f.code == code).and_then(|f| f.measured).unwrap_or_else(|| panic!("{code} not measured"))
}

/// A licence-style frame: white backdrop, a frontal face of 0.55 of the height, a person mask
/// covering the head (ellipse) and the shoulders.
pub(crate) fn portrait(yaw: f64, pitch: f64, roll: f64) -> Builder {
    let (w, h) = (600u32, 800u32);
    let (cx, cy, fh) = (300.0f32, 330.0f32, 330.0f32);
    Builder::new(w, h, [246, 246, 244])
        .paint([205, 160, 135], move |x, y| ((x as f32 - cx) / 150.0).powi(2) + ((y as f32 - cy) / 200.0).powi(2) < 1.0)
        .paint([40, 45, 70], |_, y| y > 620)
        .person(move |x, y| if ((x - cx) / 170.0).powi(2) + ((y - cy + 20.0) / 225.0).powi(2) < 1.0 || y > 600.0 { 1.0 } else { 0.0 })
        .face(cx, cy, fh, yaw, pitch, roll)
}

#[test]
fn without_a_face_every_face_check_is_not_assessed_and_every_code_is_declared() {
    let a = Builder::new(600, 800, [246, 246, 244]).build();
    let face_codes = [
        "FC002", "GE001", "GE002", "GE003", "GE004", "GE005", "PO001", "PO002", "PO003", "EY001", "EY002", "HW001", "GL001", "GL002",
        "GL003", "GL004", "MK001", "MK002", "MK003", "HR001", "HR002", "EX001", "EX002", "EX003", "EX004", "LI001", "LI002", "LI004",
        "CL001", "CL002", "IQ004", "IQ005", "IQ007", "IQ008", "IQ009", "IQ010", "RT007",
    ];
    for spec in REGISTRY {
        for f in run(&a, spec.family) {
            assert!(spec.code(f.code).is_some(), "{} emitted undeclared {}", spec.family, f.code);
            if face_codes.contains(&f.code) {
                assert_eq!(f.outcome, NotAssessed, "{}: {:?}", f.code, f.message);
                assert!(f.measured.is_none(), "{}", f.code);
            }
        }
    }
    assert_eq!(outcome(&run(&a, "face_count"), "FC001"), Fail, "no face is a failure, not a pass");
    assert_eq!(outcome(&run(&a, "recency"), "DT001"), NotAssessed, "no capture date: review, never a pass");
}

#[test]
fn face_count_and_a_face_the_mesh_gave_up_on() {
    let one = run(&portrait(0.0, 0.0, 0.0).build(), "face_count");
    assert_eq!((outcome(&one, "FC001"), outcome(&one, "FC002")), (Pass, Pass));
    let two = run(&portrait(0.0, 0.0, 0.0).detection(20.0, 20.0, 60.0, 0.9, 5.0).build(), "face_count");
    assert_eq!((outcome(&two, "FC001"), measured(&two, "FC001")), (Fail, 2.0));
    // A second detection between the profile's review score (0.35) and count score (0.5) is not
    // counted, but a person looks; below the review score it is ignored.
    let doubtful = run(&portrait(0.0, 0.0, 0.0).detection(20.0, 20.0, 60.0, 0.42, 5.0).build(), "face_count");
    assert_eq!((outcome(&doubtful, "FC001"), measured(&doubtful, "FC001")), (Uncertain, 1.0));
    let faint = run(&portrait(0.0, 0.0, 0.0).detection(20.0, 20.0, 60.0, 0.3, 5.0).build(), "face_count");
    assert_eq!(outcome(&faint, "FC001"), Pass);
    // Detected, but the mesh does not confirm it (a mask): FC002 fails with the logit shown.
    let covered = run(&Builder::new(600, 800, [246, 246, 244]).detection(200.0, 200.0, 200.0, 0.9, -2.5).build(), "face_count");
    assert_eq!((outcome(&covered, "FC001"), outcome(&covered, "FC002")), (Pass, Fail));
    assert_eq!(measured(&covered, "FC002"), -2.5);
    // A low but positive logit with no mesh analysed still fails: no face check could be made.
    let odd = run(&Builder::new(600, 800, [246, 246, 244]).detection(200.0, 200.0, 200.0, 0.9, 0.5).build(), "face_count");
    assert_eq!(outcome(&odd, "FC002"), Fail);
}

#[test]
fn pose_reads_the_angles_it_was_given_and_fails_past_the_limits() {
    let level = run(&portrait(0.0, 0.0, 0.0).build(), "pose");
    for code in ["PO001", "PO002", "PO003"] {
        assert_eq!(outcome(&level, code), Pass, "{code}");
        assert!(measured(&level, code).abs() < 0.3, "{code}: {}", measured(&level, code));
    }
    for (yaw, pitch, roll, code, want) in [
        (4.0, 0.0, 0.0, "PO001", Pass),
        (12.0, 0.0, 0.0, "PO001", Fail),
        (-12.0, 0.0, 0.0, "PO001", Fail),
        (0.0, 9.0, 0.0, "PO002", Pass),   // chin up, inside 10
        (0.0, 14.0, 0.0, "PO002", Fail),  // chin up beyond 10
        (0.0, -11.0, 0.0, "PO002", Pass), // chin down, inside 12
        (0.0, 0.0, 6.0, "PO003", Pass),
        (0.0, 0.0, -11.0, "PO003", Fail),
    ] {
        let f = run(&portrait(yaw, pitch, roll).build(), "pose");
        let expected = [yaw, pitch, roll][["PO001", "PO002", "PO003"].iter().position(|c| *c == code).unwrap()];
        assert!((measured(&f, code) - expected).abs() < 0.6, "{code}: {} vs {expected}", measured(&f, code));
        assert_eq!(outcome(&f, code), want, "{code} at {expected}");
    }
}

#[test]
fn recency_within_old_future_and_missing() {
    let date = |days: i64| (as_of() - Duration::days(days)).naive_utc();
    for (days, want) in [(30, Pass), (170, Pass), (200, Fail), (-10, Fail)] {
        let f = run(&Builder::new(600, 800, [246, 246, 244]).captured(date(days)).build(), "recency");
        assert_eq!(outcome(&f, "DT001"), want, "{days} days old");
    }
    assert_eq!(outcome(&run(&Builder::new(600, 800, [246, 246, 244]).build(), "recency"), "DT001"), NotAssessed);
}

#[test]
fn text_regions_count_above_the_minimum_height() {
    let tb = |h: f32| TextBox::upright(20.0, 20.0, 120.0, h, 0.9);
    let clean = run(&Builder::new(600, 800, [246, 246, 244]).build(), "text");
    assert_eq!(outcome(&clean, "TX001"), Pass);
    let tiny = run(&Builder::new(600, 800, [246, 246, 244]).text_boxes(vec![tb(5.0)]).build(), "text");
    assert_eq!(outcome(&tiny, "TX001"), Pass, "under 1.2% of the height is noise");
    let two = run(&Builder::new(600, 800, [246, 246, 244]).text_boxes(vec![tb(30.0), tb(12.0)]).build(), "text");
    assert_eq!((outcome(&two, "TX001"), measured(&two, "TX001")), (Fail, 2.0));
    assert!(two[0].region.is_some());
}

#[test]
fn marks_fail_on_the_background_go_to_review_on_clothing_and_count_once_over_text() {
    use crate::analysis::marks::{Mark, Surface};
    let tb = |x: f32, y: f32| TextBox::upright(x, y, 120.0, 30.0, 0.9);
    let mark = |x: f32, y: f32, surface| Mark { bbox: tb(x, y), surface };
    let plain = || Builder::new(600, 800, [246, 246, 244]);
    let logo = run(&plain().marks(vec![mark(20.0, 60.0, Surface::Background)]).build(), "text");
    assert_eq!((outcome(&logo, "TX001"), measured(&logo, "TX001")), (Fail, 1.0), "a mark on the backdrop fails");
    let print = run(&plain().marks(vec![mark(400.0, 700.0, Surface::Clothing)]).build(), "text");
    assert_eq!(outcome(&print, "TX001"), Uncertain, "a mark on the clothing alone: a person looks");
    let both = run(&plain().marks(vec![mark(400.0, 700.0, Surface::Clothing), mark(20.0, 60.0, Surface::Background)]).build(), "text");
    assert_eq!((outcome(&both, "TX001"), measured(&both, "TX001")), (Fail, 2.0));
    let same =
        plain().text_boxes(vec![tb(20.0, 20.0)]).marks(vec![mark(40.0, 25.0, Surface::Background), mark(400.0, 700.0, Surface::Clothing)]);
    assert_eq!(measured(&run(&same.build(), "text"), "TX001"), 2.0, "the mark on the text box is the same region");
}

#[test]
fn a_line_of_text_over_the_face_goes_to_review_and_fails_beside_text_on_the_backdrop() {
    use crate::analysis::marks::{Mark, Surface};
    let tb = |x: f32, y: f32| TextBox::upright(x, y, 160.0, 40.0, 0.95);
    let plain = || Builder::new(600, 800, [246, 246, 244]);
    let watermark = run(&plain().face_text_boxes(vec![tb(220.0, 300.0)]).build(), "text");
    assert_eq!((outcome(&watermark, "TX001"), measured(&watermark, "TX001")), (Uncertain, 1.0), "the profile sends it to review");
    let why = watermark[0].if_failed.as_ref().expect("a review sentence");
    assert!(why.en.contains("watermark"), "{}", why.en);
    assert!(watermark[0].region.is_some(), "the box is shown");
    let with_logo = run(
        &plain().face_text_boxes(vec![tb(220.0, 300.0)]).marks(vec![Mark { bbox: tb(20.0, 60.0), surface: Surface::Background }]).build(),
        "text",
    );
    assert_eq!((outcome(&with_logo, "TX001"), measured(&with_logo, "TX001")), (Fail, 2.0));
    let with_print = run(
        &plain().face_text_boxes(vec![tb(220.0, 300.0)]).marks(vec![Mark { bbox: tb(400.0, 700.0), surface: Surface::Clothing }]).build(),
        "text",
    );
    assert_eq!(outcome(&with_print, "TX001"), Uncertain);
    let why = with_print[0].if_failed.as_ref().expect("a review sentence");
    assert!(why.en.contains("watermark") && why.en.contains("clothing"), "{}", why.en);
    // A profile that fails on a line over the face.
    let strict = Profile::from_toml(
        "[profile]\nname='strict'\nversion='1'\nextends='cn-driving-licence-base'\n[rules.text]\nface_text='fail'\n",
        "test",
    )
    .unwrap();
    let (_, rule) = strict.rules.iter().find(|(s, _)| s.family == "text").expect("family");
    let heads = Default::default();
    let a = plain().face_text_boxes(vec![tb(220.0, 300.0)]).build();
    let failed = rule.evaluate(&Context { analysis: &a, as_of: as_of(), heads: &heads });
    assert_eq!(outcome(&failed, "TX001"), Fail);
}

#[test]
fn patterned_clothing_goes_to_review_unless_a_mark_already_fails() {
    use crate::analysis::marks::{Mark, Surface};
    let plain = || Builder::new(600, 800, [246, 246, 244]);
    let patterned = run(&plain().clothing_cluttered().build(), "text");
    assert_eq!((outcome(&patterned, "TX001"), measured(&patterned, "TX001")), (Uncertain, 0.0), "print cannot be ruled out");
    let mark = Mark { bbox: TextBox::upright(20.0, 60.0, 120.0, 30.0, 0.9), surface: Surface::Background };
    let logo = run(&plain().clothing_cluttered().marks(vec![mark]).build(), "text");
    assert_eq!(outcome(&logo, "TX001"), Fail, "a mark on the backdrop still fails");
}

#[test]
fn image_size_and_aspect_at_their_limits() {
    for (w, h, want_width, want_aspect) in [
        (600, 800, Pass, Pass),
        (520, 780, Pass, Pass),
        (519, 740, Fail, Pass),
        (600, 600, Pass, Fail),
        (520, 900, Pass, Fail),
        // A 3:4 photo resized to 520 px wide (693.3 high) and a 2:3 one to 521 (781.5): the
        // half pixel the resize rounds off is allowed, one pixel more is not.
        (520, 693, Pass, Pass),
        (521, 782, Pass, Pass),
        (522, 695, Pass, Fail),
        (520, 782, Pass, Fail),
    ] {
        let f = run(&Builder::new(w, h, [246, 246, 244]).build(), "image_quality");
        assert_eq!(outcome(&f, "IQ001"), want_width, "{w}x{h}");
        assert_eq!(outcome(&f, "IQ002"), want_aspect, "{w}x{h}");
    }
}

#[test]
fn background_white_or_not() {
    let white = run(&portrait(0.0, 0.0, 0.0).build(), "background");
    assert_eq!(outcome(&white, "BG001"), Pass, "{:?}", white[0]);
    let blue = portrait(0.0, 0.0, 0.0).paint([60, 90, 170], |x, y| {
        let (dx, dy) = ((x as f32 - 300.0) / 175.0, (y as f32 - 310.0) / 230.0);
        dx * dx + dy * dy >= 1.0 && y < 600
    });
    let f = run(&blue.build(), "background");
    assert_eq!(outcome(&f, "BG001"), Fail);
    assert!(measured(&f, "BG001") < 0.2);
    assert_eq!(outcome(&white, "BG004"), Pass);
    assert!(measured(&white, "BG004") >= 240.0, "{:?}", white);
}

#[test]
fn a_light_grey_backdrop_counts_as_white_cells_but_not_as_a_white_backdrop() {
    // A backdrop of RGB 200: every cell is "white" for BG001 (from 190, a white wall in dim
    // light), but the backdrop as a whole is below BG004's level.
    let grey = portrait(0.0, 0.0, 0.0).paint([200, 200, 200], |x, y| {
        let (dx, dy) = ((x as f32 - 300.0) / 175.0, (y as f32 - 310.0) / 230.0);
        dx * dx + dy * dy >= 1.0 && y < 600
    });
    let f = run(&grey.build(), "background");
    assert_eq!(outcome(&f, "BG001"), Pass);
    assert_eq!(outcome(&f, "BG004"), Fail);
    assert!((measured(&f, "BG004") - 200.0).abs() <= 3.0, "{:?}", f);
}

#[test]
fn faint_stripes_on_the_backdrop_fail_bg005_where_bg002_sees_no_edge() {
    let plain = run(&portrait(0.0, 0.0, 0.0).build(), "background");
    assert_eq!(outcome(&plain, "BG005"), Pass, "{:?}", plain);
    assert!(measured(&plain, "BG005") < 0.5, "{:?}", plain);
    // Stripes 12 px wide, 14 grey levels darker than the white between them.
    let striped = portrait(0.0, 0.0, 0.0).paint([232, 232, 230], |x, y| {
        let (dx, dy) = ((x as f32 - 300.0) / 175.0, (y as f32 - 310.0) / 230.0);
        dx * dx + dy * dy >= 1.0 && y < 600 && (x / 12) % 2 == 0
    });
    let f = run(&striped.build(), "background");
    assert_eq!(outcome(&f, "BG002"), Pass, "BG002 alone lets faint stripes through: {:?}", f);
    assert_eq!(outcome(&f, "BG005"), Fail, "{:?}", f);
}

#[test]
fn geometry_centred_and_cut_off() {
    let centred = run(&portrait(0.0, 0.0, 0.0).build(), "geometry");
    assert_eq!(outcome(&centred, "GE002"), Pass, "{:?}", centred[1]);
    assert_eq!(outcome(&centred, "GE001"), Pass);
    // The same head 90 px to the right: off-centre.
    let (cx, cy) = (390.0f32, 330.0f32);
    let shifted = Builder::new(600, 800, [246, 246, 244])
        .person(move |x, y| if ((x - cx) / 170.0).powi(2) + ((y - cy + 20.0) / 225.0).powi(2) < 1.0 || y > 600.0 { 1.0 } else { 0.0 })
        .face(cx, cy, 330.0, 0.0, 0.0, 0.0)
        .build();
    let f = run(&shifted, "geometry");
    assert_eq!(outcome(&f, "GE002"), Fail);
    assert!(measured(&f, "GE002") > 0.1);
    // A head whose crown is above the top edge: cut off.
    let (cx, cy) = (300.0f32, 150.0f32);
    let cut = Builder::new(600, 800, [246, 246, 244])
        .person(move |x, y| if ((x - cx) / 170.0).powi(2) + ((y - cy + 20.0) / 225.0).powi(2) < 1.0 || y > 500.0 { 1.0 } else { 0.0 })
        .face(cx, cy, 330.0, 0.0, 0.0, 0.0)
        .build();
    let f = run(&cut, "geometry");
    assert_eq!((outcome(&f, "GE001"), measured(&f, "GE001")), (Fail, 0.0));
}

#[test]
fn expression_neutral_mouth_passes_on_the_reference_face() {
    let f = run(&portrait(0.0, 0.0, 0.0).build(), "expression");
    assert_eq!(outcome(&f, "EX001"), Pass, "{:?}", f[0]);
    assert_eq!(outcome(&f, "EX004"), Pass, "the mean neutral face does not smile: {}", measured(&f, "EX004"));
    assert!(measured(&f, "EX004").abs() < 0.1);
}

#[test]
fn mouth_open_from_the_refined_lips_with_its_review_band() {
    // Profile: max 0.03, band 0.01 each side (pass <= 0.02, fail > 0.04).
    let at = |gap: f32| run(&portrait(0.0, 0.0, 0.0).lip_gap(gap).build(), "expression");
    for (gap, expected) in [(0.0, Pass), (0.015, Pass), (0.03, Uncertain), (0.05, Fail), (0.2, Fail)] {
        let f = at(gap);
        assert_eq!(settled(&f, "EX001"), expected, "gap {gap}: {:?}", f[0]);
    }
    assert!((measured(&at(0.05), "EX001") - 0.05).abs() < 0.006, "the measured gap is the one drawn");
}

#[test]
fn eyes_open_half_closed_and_shut() {
    // Profile: min 0.185, band 0.045 each side (pass >= 0.23, fail < 0.14).
    let at = |scale: f32| run(&portrait(0.0, 0.0, 0.0).eye_opening(scale).build(), "eyes");
    let open = measured(&at(1.0), "EY001");
    assert!(open > 0.23, "the reference face's eyes are open: {open}");
    assert_eq!(settled(&at(1.0), "EY001"), Pass);
    let half = at(0.2 / open as f32);
    assert_eq!((settled(&half, "EY001"), outcome(&half, "EY001")), (Uncertain, Pass), "half-closed: a person looks");
    assert_eq!(settled(&at(0.1), "EY001"), Fail);
    assert_eq!(settled(&at(0.0), "EY001"), Fail);
}

#[test]
fn every_finding_reports_its_declared_unit() {
    let analyses = [Builder::new(600, 800, [246, 246, 244]).build(), portrait(3.0, -2.0, 1.0).captured(as_of().naive_utc()).build()];
    for a in &analyses {
        for spec in REGISTRY {
            for f in run(a, spec.family) {
                let info = spec.code(f.code).expect("declared");
                assert_eq!(f.unit, info.unit, "{} reports {:?}, declares {:?}", f.code, f.unit, info.unit);
            }
        }
    }
}

#[test]
fn heads_and_eval_labels_are_derived_from_the_declarations() {
    let heads: Vec<_> = crate::heads::attributes().map(|a| (a.label, a.code)).collect();
    assert!(heads.contains(&("headwear", "HW001")) && heads.contains(&("mask", "MK001")), "{heads:?}");
    assert!(!crate::heads::attribute("headwear").unwrap().has_signal);
    let labels: Vec<_> = super::declared().filter_map(|(_, c)| c.eval.map(|e| e.label)).collect();
    for l in [
        "eyes_open",
        "white_background",
        "single_face",
        "glasses",
        "sunglasses",
        "headwear",
        "mask",
        "ears_covered",
        "hair_over_brows",
        "clothing_light",
    ] {
        assert!(labels.contains(&l), "{l}");
    }
}

#[test]
fn a_colour_cast_on_the_skin_fails_iq009_and_skin_without_colour_is_not_assessed() {
    let face = |x: u32, y: u32| ((x as f32 - 300.0) / 150.0).powi(2) + ((y as f32 - 330.0) / 200.0).powi(2) < 1.0;
    // The portrait's skin (205, 160, 135): Cb -20, Cr +25, a hue of about 129 degrees.
    let natural = run(&portrait(0.0, 0.0, 0.0).build(), "image_quality");
    assert_eq!(outcome(&natural, "IQ009"), Pass, "{:?}", natural);
    assert!((124.0..134.0).contains(&measured(&natural, "IQ009")), "{:?}", natural);
    // The same skin through a green cast (R x0.82, G x1.05, B x0.85, the probe of stop 42):
    // Cr drops to about 4 and the hue turns past 170 degrees.
    let green = run(&portrait(0.0, 0.0, 0.0).paint([168, 168, 115], face).build(), "image_quality");
    assert_eq!(outcome(&green, "IQ009"), Fail, "{:?}", green);
    assert!(measured(&green, "IQ009") > 160.0, "{:?}", green);
    // Magenta (more red and blue, less green): Cb turns positive, the hue falls to about 87.
    let magenta = run(&portrait(0.0, 0.0, 0.0).paint([215, 150, 175], face).build(), "image_quality");
    assert_eq!(outcome(&magenta, "IQ009"), Fail, "{:?}", magenta);
    // A face with almost no colour has no hue to read: a person looks.
    let grey = run(&portrait(0.0, 0.0, 0.0).paint([170, 168, 166], face).build(), "image_quality");
    assert_eq!(outcome(&grey, "IQ009"), NotAssessed, "{:?}", grey);
}
