//! The Withings API: wire types, status codes, and (later) the HTTP client.

pub mod status;
pub mod wire;

pub use status::StatusKind;
pub use wire::{Envelope, MeasureBody, NotifyList, WireGroup, WireMeasure};

/// What went wrong reading a Withings answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Withings sent an answer Heft could not read ({0}); nothing was changed")]
    Malformed(String),
    #[error("Withings answered with status {code}: {message}")]
    Status { code: i64, message: String, kind: StatusKind, wait_seconds: Option<u64> },
}

/// Parses a `getmeas` answer: the envelope, then its body.
pub fn parse_getmeas(bytes: &[u8]) -> Result<MeasureBody, ApiError> {
    Envelope::parse(bytes)?.body_as()
}
