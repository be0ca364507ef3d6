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
    #[error("image dimensions {width}x{height} exceed the {limit_pixels}-pixel limit (possible decompression bomb)")]
    DimensionsTooLarge { width: u32, height: u32, limit_pixels: u64 },
    #[error("decoding would exceed a resource limit: {0}")]
    ResourceLimit(String),
    #[error("the image data is truncated or corrupt: {0}")]
    Corrupt(String),
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
            InputError::DimensionsTooLarge { .. } => "dimensions_too_large",
            InputError::ResourceLimit(_) => "resource_limit",
            InputError::Corrupt(_) => "corrupt_image",
            InputError::Io { .. } => "io_error",
        }
    }
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
