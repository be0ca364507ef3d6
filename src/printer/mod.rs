//! One printer per output format.

pub mod text;

/// One JSON object per line.
pub fn json_line(report: &crate::Report) -> String {
    // Reports hold only plain data; serialisation cannot fail.
    serde_json::to_string(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
