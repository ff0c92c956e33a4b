//! Withings' application status codes (sent inside HTTP 200 answers) and what to do about each.

use serde::Serialize;

/// The action a status code calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    Ok,
    /// Refresh the access token once and retry once.
    InvalidToken,
    /// The request itself is wrong; retrying will not help.
    InvalidParams,
    /// Too many requests: wait (`wait_seconds`) before trying again.
    RateLimited,
    /// A temporary problem on Withings' side: retry with backoff.
    Transient,
    /// OAuth 1.0a signature rejected.
    BadSignature,
    /// User and credentials do not belong together.
    UserMismatch,
    Other,
}

impl StatusKind {
    pub fn of(code: i64) -> StatusKind {
        match code {
            0 => StatusKind::Ok,
            100..=102 | 200 | 283 | 401 => StatusKind::InvalidToken,
            342 => StatusKind::BadSignature,
            250 => StatusKind::UserMismatch,
            601 => StatusKind::RateLimited,
            522 | 2554 | 2555 | 5000..=5006 => StatusKind::Transient,
            503..=599 => StatusKind::InvalidParams,
            _ => StatusKind::Other,
        }
    }

    /// Whether trying the same request again later may succeed.
    pub fn is_retryable(self) -> bool {
        matches!(self, StatusKind::RateLimited | StatusKind::Transient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_codes_map_to_the_action_design_md_prescribes() {
        assert_eq!(StatusKind::of(401), StatusKind::InvalidToken);
        assert_eq!(StatusKind::of(100), StatusKind::InvalidToken);
        assert_eq!(StatusKind::of(503), StatusKind::InvalidParams);
        assert_eq!(StatusKind::of(601), StatusKind::RateLimited);
        assert_eq!(StatusKind::of(2555), StatusKind::Transient);
        assert_eq!(StatusKind::of(522), StatusKind::Transient);
        assert_eq!(StatusKind::of(342), StatusKind::BadSignature);
        assert!(!StatusKind::of(503).is_retryable());
        assert!(StatusKind::of(601).is_retryable());
    }
}
