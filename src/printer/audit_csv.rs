//! results.csv of `photocheck audit`: one row per photo, spreadsheet-safe.

use std::path::Path;

use crate::audit::{AuditError, Row, CSV_MEASURES};

/// A text cell a spreadsheet will not run: one starting with a formula character (= + - @, or a
/// tab or carriage return) gets a leading apostrophe (OWASP's advice for CSV injection). The
/// measured values are numbers this program formats, and are left as they are.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

pub fn write(path: &Path, rows: &[Row]) -> Result<(), AuditError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| AuditError::Write { path: path.to_path_buf(), source: e.into() })?;
    let mut header = vec!["file", "sha256", "verdict", "failed", "error_kind"];
    header.extend(CSV_MEASURES);
    header.push("review");
    let io = |e: csv::Error| AuditError::Write { path: path.to_path_buf(), source: e.into() };
    w.write_record(&header).map_err(io)?;
    for row in rows {
        let mut record = vec![
            spreadsheet_safe(&row.file),
            row.sha256().unwrap_or("").to_string(),
            row.verdict().to_string(),
            row.failed().join(";"),
            spreadsheet_safe(row.error_kind().unwrap_or("")),
        ];
        record.extend(CSV_MEASURES.iter().map(|c| row.measured(c).map(|v| v.to_string()).unwrap_or_default()));
        record.push(row.review().join(";"));
        w.write_record(&record).map_err(io)?;
    }
    w.flush().map_err(|e| AuditError::Write { path: path.to_path_buf(), source: e })
}
