//! One printer per output format.

pub mod audit_csv;
pub mod audit_html;
pub mod calibrate_table;
pub mod eval_table;
pub mod text;

/// One JSON object per line.
pub fn json_line(report: &crate::Report) -> String {
    // Reports hold only plain data; serialisation cannot fail.
    serde_json::to_string(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
