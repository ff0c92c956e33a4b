//! The Withings API: wire types, status codes and the HTTP client.

pub mod client;
pub mod status;
pub mod wire;

pub use client::{Auth, Client, Grant, RetryPolicy, TokenGrant, Waiting};

pub use status::StatusKind;
pub use wire::{Envelope, MeasureBody, NotifyList, PageHead, WireGroup, WireMeasure};

/// What went wrong reading a Withings answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Withings sent an answer Heft could not read ({0}); nothing was changed")]
    Malformed(String),
    #[error("Withings answered with status {code}: {message}")]
    Status { code: i64, message: String, kind: StatusKind, wait_seconds: Option<u64> },
    #[error("cannot reach Withings: {0}; check your connection and try again")]
    Network(String),
    #[error("Withings answered with HTTP {status}; try again later")]
    Http { status: u16 },
    #[error("Withings is rate limiting Heft; try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
}

/// Parses a `getmeas` answer: the envelope, then its body.
pub fn parse_getmeas(bytes: &[u8]) -> Result<MeasureBody, ApiError> {
    MeasureBody::parse(&Envelope::parse(bytes)?.into_body()?)
}

impl ApiError {
    /// The access token was refused: refresh once and retry once.
    pub fn is_invalid_token(&self) -> bool {
        matches!(self, ApiError::Status { kind: StatusKind::InvalidToken, .. })
    }
}
