//! What the sync engine needs from an authorized account, whatever the flow: one small trait,
//! its error, and the clock sessions read expiry against.

use std::sync::Arc;

use serde_json::value::RawValue;

use crate::keychain::KeychainError;
use crate::withings::{ApiError, MeasureBody};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(
        "Withings no longer accepts Heft's authorization for account {userid} ({reason}); connect it again (Connect in the window, `heft connect` in a terminal) — your history is kept"
    )]
    ReconnectNeeded { userid: String, reason: String },
    #[error("cannot take the token refresh lock {path}: {source}")]
    Lock {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl SessionError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        match self {
            SessionError::Api(e) => e.code(),
            SessionError::Keychain(e) => e.code(),
            SessionError::ReconnectNeeded { .. } => "reconnect_needed",
            SessionError::Lock { .. } => "data_folder_error",
        }
    }
}

/// An authorized account's access to the API. `Send` because the sync engine fetches the next
/// page on another thread while it stores one.
pub trait ApiSession: Send {
    fn userid(&self) -> &str;
    /// `getmeas` with the given parameters; the body not yet parsed (the sync engine reads
    /// `more`/`offset` first and parses the rest while the next page downloads).
    fn getmeas_raw(&mut self, params: &[(String, String)]) -> Result<Box<RawValue>, SessionError>;
    /// `getmeas`, parsed and validated.
    fn getmeas(&mut self, params: &[(String, String)]) -> Result<MeasureBody, SessionError> {
        Ok(MeasureBody::parse(&self.getmeas_raw(params)?)?)
    }
    /// When the access token expires, where that applies.
    fn expires_at(&self) -> Option<i64>;
    /// Another handle on the same account, for a worker thread: a first download follows
    /// several date windows at once. Refreshes stay one at a time across handles, and a handle
    /// that finds a newer token pair in the keychain takes it.
    fn fork(&self) -> Box<dyn ApiSession + '_>;
}

/// A source of "now" in Unix seconds, injected so expiry can be tested.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| jiff::Timestamp::now().as_second())
}
