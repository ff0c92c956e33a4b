//! The Withings API: wire types, status codes and the HTTP client.

pub mod client;
pub mod status;
pub mod wire;

pub use client::{Auth, Client, RetryPolicy, Waiting};

pub use status::StatusKind;

use crate::error_code::ErrorCode;
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
    #[error("stopped before Withings answered, as asked")]
    Stopped,
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

    /// Whether sending the same request again after a backoff may succeed (rate limits are
    /// waited out separately, honouring `wait_seconds`). A malformed answer counts: a
    /// truncated transfer is the usual cause.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Status { kind, .. } => kind.is_retryable() && *kind != StatusKind::RateLimited,
            ApiError::Network(_) | ApiError::Malformed(_) => true,
            ApiError::Http { status } => (500..=599).contains(status),
            ApiError::RateLimited { .. } | ApiError::Stopped => false,
        }
    }

    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::RateLimited { .. } | ApiError::Status { kind: StatusKind::RateLimited, .. } => {
                ErrorCode::RateLimited
            }
            ApiError::Network(_) => ErrorCode::Offline,
            ApiError::Stopped => ErrorCode::Cancelled,
            ApiError::Malformed(_) => ErrorCode::WithingsMalformed,
            ApiError::Status { .. } | ApiError::Http { .. } => ErrorCode::WithingsError,
        }
    }
}
