//! photocheck: driving-licence portrait compliance checks with explained verdicts.
//!
//! Data flows one way: [`decode`] → [`analysis`] (models run once per photo) → [`rules`] (read
//! the analysis, thresholds from the [`profile`]) → [`report`]. Front ends (the `photocheck`
//! binary) are thin layers over [`pipeline::Checker`].

pub mod analysis;
pub mod audit;
pub mod calibrate;
pub mod colour_profile;
pub mod crop;
pub mod decode;
pub mod error;
pub mod eval;
pub mod exif;
pub mod heads;
pub mod imaging;
pub mod jpeg_markers;
pub mod models;
pub mod pipeline;
pub mod png_chunks;
pub mod printer;
pub mod profile;
pub mod report;
pub mod rules;
#[cfg(feature = "serve")]
pub mod server;
pub mod webp_header;
#[cfg(feature = "serve")]
pub mod worker;

pub use pipeline::{CheckOptions, Checker};
pub use profile::Profile;
pub use report::{Lang, Outcome, Report, Verdict};
