//! Human-readable report: verdict first, then what failed and what to do, then the rest.

use std::fmt::Write;

use crate::report::{Lang, Outcome, Report, Text, Verdict};

pub fn render(r: &Report, verbose: bool) -> String {
    let zh = r.lang == Lang::ZhCn;
    let mut s = String::new();
    let verdict = match (r.verdict, zh) {
        (Verdict::Approve, true) => "通过",
        (Verdict::Approve, false) => "APPROVED",
        (Verdict::Reject, true) => "不通过",
        (Verdict::Reject, false) => "REJECTED",
        (Verdict::Error, true) => "无法读取",
        (Verdict::Error, false) => "UNREADABLE",
    };
    let _ = writeln!(s, "{}: {}", r.file, verdict);
    if let Some(err) = &r.error {
        let _ = writeln!(s, "  [{}] {}", err.kind, err.message);
        return s;
    }
    let mark = |o: Outcome| match o {
        Outcome::Pass => "ok  ",
        Outcome::Fail => "FAIL",
        Outcome::Warn => "warn",
        Outcome::NotAssessed => "n/a ",
    };
    for c in &r.checks {
        let show = verbose || matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::NotAssessed);
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
        let _ = writeln!(s, "  {} {} {:<18} {} ({} {}; {})", mark(c.outcome), c.code, c.name, c.message, measured, c.unit, limit);
    }
    let passed = r.checks.iter().filter(|c| c.outcome == Outcome::Pass).count();
    let (total, failed, name, version) = (r.checks.len(), r.failed.len(), &r.profile.name, &r.profile.version);
    let summary = Text::new(
        format!("共 {total} 项检查：{passed} 项通过，{failed} 项不通过（配置 {name} {version}）"),
        format!("{total} checks: {passed} passed, {failed} failed (profile {name} {version})"),
    );
    let _ = writeln!(s, "  {}", summary.get(r.lang));
    s
}
