//! The binary's own modules: argument definitions and the progress reporter.

pub mod args;
pub mod progress;
