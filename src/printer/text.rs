//! Human-readable report: verdict first, then what failed and what to do, then the rest.

use std::fmt::Write;

use crate::report::{Lang, Outcome, Report, Text, Verdict};

/// Control characters (an ESC sequence, CR, LF, BEL in a file name or in EXIF text) shown
/// escaped, so nothing from the input can move the cursor, recolour or clear a terminal.
pub fn visible(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

pub fn render(r: &Report, verbose: bool) -> String {
    let zh = r.lang == Lang::ZhCn;
    let mut s = String::new();
    let verdict = match (r.verdict, zh) {
        (Verdict::Approve, true) => "通过",
        (Verdict::Approve, false) => "APPROVED",
        (Verdict::Reject, true) => "不通过",
        (Verdict::Reject, false) => "REJECTED",
        (Verdict::Review, true) => "需人工审核",
        (Verdict::Review, false) => "REVIEW",
        (Verdict::Error, true) => "无法读取",
        (Verdict::Error, false) => "UNREADABLE",
    };
    let _ = writeln!(s, "{}: {}", visible(&r.file), verdict);
    if r.verdict == Verdict::Review {
        let codes = r.review.join(", ");
        let why = Text::new(
            format!("照片需人工审核：{codes} 无法自动判定（见下方说明）"),
            format!("A person must review this photo: {codes} could not be decided automatically (see below)"),
        );
        let _ = writeln!(s, "  {}", why.get(r.lang));
    }
    if let Some(err) = &r.error {
        let _ = writeln!(s, "  [{}] {}", err.kind, visible(&err.message));
        return s;
    }
    if let Some(crop) = &r.crop {
        let label = if zh { "裁剪" } else { "crop" };
        let _ = writeln!(s, "  {label}: {}", visible(&crop.message));
    }
    let mark = |o: Outcome| match o {
        Outcome::Pass => "ok  ",
        Outcome::Fail => "FAIL",
        Outcome::Warn => "warn",
        Outcome::Uncertain => "rev ",
        Outcome::NotAssessed => "n/a ",
    };
    for c in &r.checks {
        let show = verbose || c.outcome != Outcome::Pass;
        if !show {
            continue;
        }
        let measured = c.measured.map(|m| format!("{m}")).unwrap_or_else(|| "-".into());
        let limit = match (c.threshold.min, c.threshold.max) {
            (Some(a), Some(b)) => format!("{a}..{b}"),
            (Some(a), None) => format!(">= {a}"),
            (None, Some(b)) => format!("<= {b}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(s, "  {} {} {:<18} {} ({} {}; {})", mark(c.outcome), c.code, c.name, visible(&c.message), measured, c.unit, limit);
    }
    let passed = r.checks.iter().filter(|c| c.outcome == Outcome::Pass).count();
    let (total, failed, review, name, version) = (r.checks.len(), r.failed.len(), r.review.len(), &r.profile.name, &r.profile.version);
    let summary = Text::new(
        format!("共 {total} 项检查：{passed} 项通过，{failed} 项不通过，{review} 项需人工审核（配置 {name} {version}）"),
        format!("{total} checks: {passed} passed, {failed} failed, {review} for review (profile {name} {version})"),
    );
    let _ = writeln!(s, "  {}", summary.get(r.lang));
    s
}
