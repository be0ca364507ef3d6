//! The table `photocheck eval` prints: per-attribute AUC/EER and rates at the profile's limits,
//! then the gate.

use std::collections::BTreeMap;

use crate::eval::*;

pub fn render(result: &EvalResult) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "photos: {} (unreadable {}), profile {}, {:.1} ms/photo wall",
        result.photos, result.unreadable, result.profile, result.mean_ms_per_photo
    );
    let _ = writeln!(
        s,
        "{:<18} {:<6} {:>4} {:>4} {:>4} {:>4} {:>6} {:>6}   {:>4} {:>4} {:>4} {:>4} {:>6} {:>6}",
        "label", "check", "n", "pos", "neg", "n/a", "AUC", "EER", "TP", "FP", "TN", "FN", "TPR", "FPR"
    );
    for a in &result.attributes {
        let f = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into());
        let c = a.confusion;
        let _ = writeln!(
            s,
            "{:<18} {:<6} {:>4} {:>4} {:>4} {:>4} {:>6} {:>6}   {:>4} {:>4} {:>4} {:>4} {:>6.3} {:>6.3}",
            a.label,
            a.code,
            a.labelled,
            a.positives,
            a.negatives,
            a.not_assessed,
            f(a.auc),
            f(a.eer),
            c.tp,
            c.fp,
            c.tn,
            c.fn_,
            c.tpr(),
            c.fpr()
        );
    }
    let c = result.compliance;
    let _ = writeln!(s, "compliant vs approve: TP {} FP {} TN {} FN {} (accuracy {:.3})", c.tp, c.fp, c.tn, c.fn_, c.accuracy());
    if let Some(g) = &result.gate {
        let row = |name: &str, v: &VerdictCounts| {
            format!("  {name:<15} {:>4} {:>8} {:>7} {:>7} {:>6}\n", v.total(), v.approve, v.review, v.reject, v.error)
        };
        let _ = writeln!(s, "gate:             photos  approve  review  reject  error");
        s.push_str(&row("compliant", &g.compliant));
        s.push_str(&row("non-compliant", &g.non_compliant));
        if g.uncovered_only.total() > 0 {
            s.push_str(&row("jewellery only", &g.uncovered_only));
        }
        let _ = writeln!(
            s,
            "  compliant approved {:.3}, review {:.3}, false reject {:.3}; false approve {:.3}; review rate (all) {:.3}",
            g.compliant_approve_rate, g.compliant_review_rate, g.false_reject_rate, g.false_approve_rate, g.review_rate
        );
        let list = |m: &BTreeMap<String, usize>| m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        let _ = writeln!(s, "  failed on compliant: {}", list(&g.failed_compliant));
        let _ = writeln!(s, "  review on compliant: {}", list(&g.review_compliant));
        for (label, v) in &g.by_violation {
            let _ = writeln!(s, "  {label:<18} {} photos: approve {}, review {}, reject {}", v.total(), v.approve, v.review, v.reject);
        }
        for f in &g.false_approvals {
            let _ = writeln!(s, "  FALSE APPROVAL {f}");
        }
    }
    s
}
