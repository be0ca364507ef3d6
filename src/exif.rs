//! EXIF metadata: capture date (for the recency rule), camera make/model and software (for the
//! retouching rule), orientation (for decoding). A damaged EXIF block is reported, never fatal.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

/// The reader's result; the report has its own copy of these types (`report::ExifSummary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExifStatus {
    /// The file has no EXIF block.
    Missing,
    /// EXIF was read.
    Ok,
    /// An EXIF block is present but could not be parsed; the photo is still checked.
    Corrupt { reason: String },
}

/// Which tag the capture date came from, most trustworthy first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSource {
    DateTimeOriginal,
    DateTimeDigitized,
    DateTime,
}

#[derive(Debug, Clone)]
pub struct CaptureDate {
    /// The local date and time as written by the camera.
    pub local: NaiveDateTime,
    /// The UTC offset, when the camera recorded one (OffsetTime* tags).
    pub offset: Option<String>,
    pub source: DateSource,
}

impl CaptureDate {
    /// The capture instant; without an offset the local time is taken as UTC, which is off by at
    /// most a day and so harmless for a six-month rule.
    pub fn instant(&self) -> DateTime<Utc> {
        let offset = self.offset.as_deref().and_then(parse_offset);
        match offset {
            Some(off) => match off.from_local_datetime(&self.local).single() {
                Some(t) => t.with_timezone(&Utc),
                None => Utc.from_utc_datetime(&self.local),
            },
            None => Utc.from_utc_datetime(&self.local),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExifInfo {
    pub status: ExifStatus,
    pub capture_date: Option<CaptureDate>,
    /// A date tag was present but unreadable (e.g. "0000:00:00 00:00:00").
    pub invalid_date: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub software: Option<String>,
    /// EXIF orientation 1..=8 (1 when absent or invalid).
    pub orientation: u16,
}

impl ExifInfo {
    pub fn missing() -> Self {
        ExifInfo {
            status: ExifStatus::Missing,
            capture_date: None,
            invalid_date: None,
            make: None,
            model: None,
            software: None,
            orientation: 1,
        }
    }
}

/// Reads EXIF from any container kamadak-exif understands (JPEG, PNG eXIf, WebP, TIFF, HEIF).
pub fn read_exif(bytes: &[u8]) -> ExifInfo {
    let reader = exif::Reader::new();
    let mut cursor = std::io::Cursor::new(bytes);
    match reader.read_from_container(&mut cursor) {
        Ok(exif) => from_parsed(&exif),
        Err(exif::Error::NotFound(_)) => ExifInfo::missing(),
        // A container kamadak-exif does not know cannot carry EXIF it could read.
        Err(exif::Error::InvalidFormat(msg)) if msg == "Unknown image format" => ExifInfo::missing(),
        Err(err) => {
            let mut info = ExifInfo::missing();
            info.status = ExifStatus::Corrupt { reason: err.to_string() };
            info
        }
    }
}

fn from_parsed(exif: &exif::Exif) -> ExifInfo {
    use exif::{In, Tag};
    let text = |tag: Tag| -> Option<String> {
        let field = exif.get_field(tag, In::PRIMARY)?;
        match &field.value {
            exif::Value::Ascii(parts) => {
                let joined: Vec<u8> = parts.iter().flatten().copied().collect();
                let s = String::from_utf8_lossy(&joined).trim_matches(char::from(0)).trim().to_string();
                (!s.is_empty()).then_some(s)
            }
            _ => None,
        }
    };
    let orientation =
        exif.get_field(Tag::Orientation, In::PRIMARY).and_then(|f| f.value.get_uint(0)).filter(|v| (1..=8).contains(v)).unwrap_or(1) as u16;

    let mut capture_date = None;
    let mut invalid_date = None;
    for (tag, offset_tag, source) in [
        (Tag::DateTimeOriginal, Tag::OffsetTimeOriginal, DateSource::DateTimeOriginal),
        (Tag::DateTimeDigitized, Tag::OffsetTimeDigitized, DateSource::DateTimeDigitized),
        (Tag::DateTime, Tag::OffsetTime, DateSource::DateTime),
    ] {
        let Some(raw) = text(tag) else { continue };
        match parse_exif_datetime(&raw) {
            Some(local) => {
                capture_date = Some(CaptureDate { local, offset: text(offset_tag), source });
                break;
            }
            None => {
                invalid_date.get_or_insert(raw);
            }
        }
    }
    ExifInfo {
        status: ExifStatus::Ok,
        capture_date,
        invalid_date,
        make: text(Tag::Make),
        model: text(Tag::Model),
        software: text(Tag::Software),
        orientation,
    }
}

/// EXIF dates are "YYYY:MM:DD HH:MM:SS"; some writers use '-' or 'T'.
pub fn parse_exif_datetime(raw: &str) -> Option<NaiveDateTime> {
    let cleaned: String = raw.trim().chars().take(19).collect();
    for fmt in ["%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y:%m:%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&cleaned, fmt) {
            return Some(t);
        }
    }
    None
}

fn parse_offset(raw: &str) -> Option<FixedOffset> {
    let raw = raw.trim();
    if raw.len() < 6 {
        return None;
    }
    let sign = match &raw[..1] {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let hours: i32 = raw.get(1..3)?.parse().ok()?;
    let minutes: i32 = raw.get(4..6)?.parse().ok()?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exif_dates_and_rejects_placeholders() {
        assert!(parse_exif_datetime("2026:05:01 10:20:30").is_some());
        assert!(parse_exif_datetime("2026-05-01T10:20:30").is_some());
        assert!(parse_exif_datetime("0000:00:00 00:00:00").is_none());
        assert!(parse_exif_datetime("    ").is_none());
    }

    #[test]
    fn offset_moves_the_instant() {
        let local = parse_exif_datetime("2026:05:01 08:00:00").unwrap();
        let d = CaptureDate { local, offset: Some("+08:00".into()), source: DateSource::DateTimeOriginal };
        assert_eq!(d.instant().to_rfc3339(), "2026-05-01T00:00:00+00:00");
    }

    #[test]
    fn garbage_is_missing_not_a_panic() {
        assert_eq!(read_exif(b"not an image").status, ExifStatus::Missing);
    }
}
