//! What the sync engine needs from an authorized account, whatever the flow: one small trait,
//! its error, and the clock sessions read expiry against.

use crate::error_code::ErrorCode;
use std::future::Future;
use std::pin::Pin;
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
    /// The authorization is dead (Withings refused the refresh token, or there are no tokens):
    /// the app deletes the tokens and asks the person to connect again.
    #[error(
        "Withings no longer accepts Heft's authorization for account {userid} ({reason}); connect it again (Connect in the window, `heft connect` in a terminal) — your history is kept"
    )]
    ReconnectNeeded { userid: String, reason: String },
    /// The developer app's credentials were refused: the tokens are fine and stay.
    #[error(
        "Withings refused Heft's developer app ({reason}): check the Withings developer app settings — the client id and secret in Heft's Settings (or HEFT_WITHINGS_CLIENT_ID and HEFT_WITHINGS_CLIENT_SECRET) must be those of your app at developer.withings.com. The account stays connected: the next sync works once they match"
    )]
    ClientRejected { reason: String },
    /// A refresh refused for a reason that does not say the tokens are dead: they stay.
    #[error(
        "Withings refused to renew Heft's access to account {userid} ({reason}); the authorization is kept and Heft tries again at the next sync — if Withings keeps refusing, connect the account again"
    )]
    RefreshRefused { userid: String, reason: String },
    /// A refresh answered with another account's tokens: they are not kept.
    #[error(
        "Withings renewed the authorization of account {got} when Heft asked for account {userid}'s; Heft did not keep those tokens and account {userid}'s are unchanged — sync again, and if this keeps happening connect the account again"
    )]
    OtherAccount { userid: String, got: String },
    #[error("cannot take the token refresh lock {path}: {source}")]
    Lock {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "another Heft process (the window or a `heft` command) has been refreshing the authorization of account {userid} for {waited_secs} s without finishing; it may be stopped (Ctrl-Z in a terminal) or stuck: let it finish or end it, then sync again — nothing was changed"
    )]
    RefreshBusy { userid: String, waited_secs: u64 },
}

impl SessionError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            SessionError::Api(e) => e.code(),
            SessionError::Keychain(e) => e.code(),
            SessionError::ReconnectNeeded { .. } => ErrorCode::ReconnectNeeded,
            SessionError::ClientRejected { .. } => ErrorCode::ClientRejected,
            SessionError::RefreshRefused { .. } => ErrorCode::RefreshRefused,
            SessionError::OtherAccount { .. } => ErrorCode::WithingsError,
            SessionError::Lock { .. } => ErrorCode::DataFolderError,
            SessionError::RefreshBusy { .. } => ErrorCode::RefreshBusy,
        }
    }
}

/// An answer on its way: sessions are polled on the network runtime, by the thread that
/// stores what they fetch (see `sync`), so the future need not be `Send`.
pub type Answer<'s> = Pin<Box<dyn Future<Output = Result<Box<RawValue>, SessionError>> + 's>>;

/// An authorized account's access to the API. Its methods take `&self`: a first download
/// follows several date windows at once through one session, and refreshes stay one at a time
/// (a refresh that finds the tokens already renewed by another window, or another process,
/// takes them instead).
pub trait ApiSession: Send + Sync {
    fn userid(&self) -> &str;
    /// `getmeas` with the given parameters; the body not yet parsed (the sync engine reads
    /// `more`/`offset` first and parses the rest while the next page downloads). Ends with
    /// [`ApiError::Stopped`] at once when the client's cancellation token fires.
    fn getmeas_raw<'s>(&'s self, params: &'s [(String, String)]) -> Answer<'s>;
    /// `getmeas`, parsed and validated, waiting on this thread (not inside an async task).
    fn getmeas(&self, params: &[(String, String)]) -> Result<MeasureBody, SessionError> {
        Ok(MeasureBody::parse(&crate::net::block_on(self.getmeas_raw(params))?)?)
    }
    /// When the access token expires, where that applies.
    fn expires_at(&self) -> Option<i64>;
}

/// A source of "now" in Unix seconds, injected so expiry can be tested.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| jiff::Timestamp::now().as_second())
}
