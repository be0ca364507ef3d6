//! The per-label table `photocheck calibrate` prints.

use std::fmt::Write;

use crate::calibrate::*;

/// The per-label table `photocheck calibrate` prints: what was fitted, refused or kept.
pub fn render(results: &[(String, LabelResult)], min_per_class: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<16} {:<22} {:>5} {:>5} {:>7} {:>7} {:>9} {:>6} {:>6} {:>10}",
        "label", "head", "pos", "neg", "CV AUC", "CV EER", "threshold", "TPR", "FPR", "nested AUC"
    );
    for (label, r) in results {
        match r {
            LabelResult::Fitted { head, .. } => {
                let p = &head.provenance;
                let _ = writeln!(
                    s,
                    "{label:<16} {:<22} {:>5} {:>5} {:>7.3} {:>7.3} {:>9.3} {:>6.3} {:>6.3} {:>10.3}",
                    head.inputs.name(),
                    p.positives,
                    p.negatives,
                    p.cv_auc,
                    p.cv_eer,
                    head.threshold,
                    p.threshold_tpr,
                    p.threshold_fpr,
                    p.nested_cv_auc
                );
                let alts: Vec<String> = p.alternatives.iter().map(|(n, a)| format!("{n} {a:.3}")).collect();
                let _ = writeln!(s, "{:<16}   tried: {}", "", alts.join(", "));
                if let (Some(below), Some(passed), Some(review)) = (head.review_below, p.band_false_approve, p.band_review_share) {
                    let _ = writeln!(
                        s,
                        "{:<16}   review band from {below:.4}: violations passing clearly {passed:.3}, compliant in the band {review:.3}",
                        ""
                    );
                }
            }
            LabelResult::TooFew { positives, negatives } => {
                let _ = writeln!(
                    s,
                    "{label:<16} refused: too few examples ({positives} positive, {negatives} negative; need {min_per_class} of each); the base profile's head or check stays in force"
                );
            }
            LabelResult::Unmapped => {
                let _ = writeln!(s, "{label:<16} not fitted: no head decides this column (a dedicated check measures it)");
            }
            LabelResult::HandMade { signal_auc, best_embedding_auc } => {
                let _ = writeln!(
                    s,
                    "{label:<16} hand-made check kept: its signal (CV AUC {signal_auc:.3}) is not beaten by an embedding head ({best_embedding_auc:.3})"
                );
            }
        }
    }
    s
}
