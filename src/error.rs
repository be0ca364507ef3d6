//! Typed errors of the library. Front ends turn them into exit codes, HTTP statuses or report rows.

use std::path::PathBuf;

/// Why an input could not be turned into pixels. Every variant has a stable `kind()` string that
/// appears in reports, so a batch can count failures by kind.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("the file is {bytes} bytes, above the {limit}-byte limit")]
    FileTooLarge { bytes: u64, limit: u64 },
    #[error("not an image: {0}")]
    NotAnImage(String),
    #[error("unsupported image format: {0}")]
    UnsupportedFormat(String),
    /// An APNG or animated WebP with more than one frame: its first frame could be a compliant
    /// portrait while a viewer shows the others, so it is not read as a photo at all.
    #[error("an animated image ({frames} frames) is not a photo")]
    Animated { frames: u32 },
    #[error("image dimensions {width}x{height} exceed the {limit_pixels}-pixel limit (possible decompression bomb)")]
    DimensionsTooLarge { width: u32, height: u32, limit_pixels: u64 },
    #[error("decoding would exceed a resource limit: {0}")]
    ResourceLimit(String),
    #[error("image shape refused: {0}")]
    BadShape(String),
    #[error("{path} is not a regular file ({what}); only files are read")]
    NotRegularFile { path: PathBuf, what: &'static str },
    #[error("the image data is truncated or corrupt: {0}")]
    Corrupt(String),
    /// A queue message that does not say what to check (no application id, no photo, …).
    #[error("bad message: {0}")]
    BadMessage(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl InputError {
    pub fn kind(&self) -> &'static str {
        match self {
            InputError::Empty => "empty_file",
            InputError::FileTooLarge { .. } => "file_too_large",
            InputError::NotAnImage(_) => "not_an_image",
            InputError::UnsupportedFormat(_) => "unsupported_format",
            InputError::Animated { .. } => "animated_image",
            InputError::DimensionsTooLarge { .. } => "dimensions_too_large",
            InputError::ResourceLimit(_) => "resource_limit",
            InputError::BadShape(_) => "bad_dimensions",
            InputError::NotRegularFile { .. } => "not_a_regular_file",
            InputError::Corrupt(_) => "corrupt_image",
            InputError::Io { .. } => "io_error",
            InputError::BadMessage(_) => "bad_message",
        }
    }
}

/// What each input-error kind means to the two people who see it: the HTTP status the gate
/// answers with, and the sentence an applicant reads (zh-CN, en). One table, used by the report
/// printers and the server alike; `analysis_error` is the pipeline's own failure.
pub struct KindInfo {
    pub kind: &'static str,
    pub http_status: u16,
    pub zh: &'static str,
    pub en: &'static str,
}

pub const INPUT_ERROR_KINDS: &[KindInfo] = &[
    KindInfo {
        kind: "empty_file",
        http_status: 400,
        zh: "文件是空的：请重新选择照片上传",
        en: "The file is empty: choose the photo again",
    },
    KindInfo {
        kind: "file_too_large",
        http_status: 413,
        zh: "文件太大：请上传 10 MB 以内的照片",
        en: "The file is too large: upload a photo under 10 MB",
    },
    KindInfo {
        kind: "not_an_image",
        http_status: 400,
        zh: "文件不是图片：请上传 JPEG、PNG 或 WebP 格式的照片",
        en: "The file is not an image: upload a JPEG, PNG or WebP photo",
    },
    KindInfo {
        kind: "unsupported_format",
        http_status: 415,
        zh: "不支持该图片格式：请导出为 JPEG 或 PNG 后上传",
        en: "This image format is not supported: export the photo as JPEG or PNG",
    },
    KindInfo {
        kind: "animated_image",
        http_status: 415,
        zh: "动态图片不能作为证件照：请上传一张静态照片（JPEG 或 PNG）",
        en: "An animated image is not a photo: upload a single still photo (JPEG or PNG)",
    },
    KindInfo {
        kind: "dimensions_too_large",
        http_status: 413,
        zh: "图片尺寸过大：请缩小后重新上传",
        en: "The image is too large: scale it down and upload it again",
    },
    KindInfo {
        kind: "resource_limit",
        http_status: 413,
        zh: "图片尺寸过大：请缩小后重新上传",
        en: "The image is too large: scale it down and upload it again",
    },
    KindInfo {
        kind: "bad_dimensions",
        http_status: 400,
        zh: "图片尺寸或比例不是证件照：请上传竖幅人像照片",
        en: "The image's size or shape is not a portrait: upload a portrait photo",
    },
    KindInfo {
        kind: "corrupt_image",
        http_status: 400,
        zh: "图片已损坏或不完整：请重新拍摄或重新上传",
        en: "The image is damaged or incomplete: take or upload it again",
    },
    KindInfo {
        kind: "not_a_regular_file",
        http_status: 400,
        zh: "不是普通文件，无法读取：请选择照片文件",
        en: "This is not a regular file: choose a photo file",
    },
    KindInfo {
        kind: "io_error", http_status: 400, zh: "无法读取文件：请重新上传", en: "The file could not be read: upload it again"
    },
    KindInfo {
        kind: "bad_message",
        http_status: 400,
        zh: "提交的信息不完整：请重新提交申请照片",
        en: "The submission is incomplete: submit the photo again",
    },
    KindInfo { kind: "timeout", http_status: 504, zh: "处理超时：请稍后重试", en: "The check took too long: try again later" },
    KindInfo {
        kind: "analysis_error",
        http_status: 500,
        zh: "照片无法处理：请稍后重试",
        en: "The photo could not be processed: try again later",
    },
];

pub fn kind_info(kind: &str) -> Option<&'static KindInfo> {
    INPUT_ERROR_KINDS.iter().find(|k| k.kind == kind)
}

/// Problems with the model files: these are set-up errors, not photo errors.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model file {path} is missing ({hint})")]
    Missing { path: PathBuf, hint: String },
    #[error("model file {path} has sha256 {actual}, expected {expected} (from SHA256SUMS): the file is damaged or not the shipped model")]
    Checksum { path: PathBuf, expected: String, actual: String },
    #[error("SHA256SUMS in {dir} has no entry for {file}")]
    NotListed { dir: PathBuf, file: String },
    #[error("cannot load model {path}: {message}")]
    Load { path: PathBuf, message: String },
    #[error("model {model} failed to run: {message}")]
    Run { model: &'static str, message: String },
}

/// Problems with a profile file.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid profile {origin}: {message}")]
    Invalid { origin: String, message: String },
}
