//! Authorization: which provider an account belongs to, one module per flow behind one trait,
//! the token lifecycle, the loopback and URI-scheme callback, PKCE/state and the browser.

pub mod browser;
pub mod callback;
pub mod demo;
pub mod flow;
pub mod oauth1;
pub mod oauth2;
pub mod pkce;
pub mod provider;
pub mod session;
pub mod tokens;

pub use callback::{CallbackListener, VerifiedCallback};
pub use flow::{Authorized, ConnectOptions, Endpoint, Flow};
pub use pkce::{Pkce, State};
pub use provider::{Provider, UnknownProvider};
pub use session::{ApiSession, Clock, SessionError, system_clock};

use crate::error_code::ErrorCode;
use crate::keychain::KeychainError;
use crate::withings::ApiError;

/// What can go wrong in the browser round trip. No message carries the authorize URL, the
/// state, a code or a verifier: these messages reach the window and the terminal.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "port {port} on localhost is already in use, so Heft cannot receive the Withings callback; close the program using it or set HEFT_REDIRECT_URI to another port (and register that URL with Withings)"
    )]
    PortInUse { port: u16 },
    #[error("cannot listen for the callback on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the redirect URI {0} must be http://localhost:PORT/PATH, http://127.0.0.1:PORT/PATH or heft://callback"
    )]
    BadRedirectUri(String),
    #[error("the consent page host {0} is not a valid URL")]
    BadAuthUrl(String),
    #[error("no answer from Withings within {0} s; connect again when ready")]
    TimedOut(u64),
    #[error("Withings did not authorize Heft: {0}")]
    Denied(String),
    #[error("connecting was cancelled; nothing was changed")]
    Cancelled,
    #[error("the callback was rejected: {0}")]
    BadCallback(&'static str),
    #[error(
        "cannot open the browser ({reason}); set HEFT_BROWSER to your browser's path, or open the consent page yourself"
    )]
    Browser {
        reason: String,
        /// Kept out of the message: the terminal may print it on purpose, the window never.
        url: String,
    },
    #[error("cannot create a random value: {0}")]
    Random(String),
}

impl AuthError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            AuthError::PortInUse { .. } => ErrorCode::PortInUse,
            AuthError::TimedOut(_) => ErrorCode::ConnectTimedOut,
            AuthError::Denied(_) => ErrorCode::ConnectDenied,
            AuthError::Cancelled => ErrorCode::Cancelled,
            AuthError::BadCallback(_) => ErrorCode::CallbackRejected,
            AuthError::Browser { .. } => ErrorCode::BrowserFailed,
            AuthError::Listen { .. } | AuthError::BadRedirectUri(_) | AuthError::BadAuthUrl(_) => {
                ErrorCode::ConfigError
            }
            AuthError::Random(_) => ErrorCode::Internal,
        }
    }
}

/// What can go wrong connecting an account.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error("Withings refused the authorization: {0}")]
    Exchange(#[source] ApiError),
    #[error("the OAuth 1.0a server refused Heft ({0}); check the consumer key and secret and connect again")]
    Refused(String),
}

impl From<ApiError> for ConnectError {
    /// A request of the flow that failed; one the person cancelled is a cancelled connect.
    fn from(e: ApiError) -> ConnectError {
        match e {
            ApiError::Stopped => ConnectError::Auth(AuthError::Cancelled),
            other => ConnectError::Exchange(other),
        }
    }
}

impl ConnectError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ConnectError::Auth(e) => e.code(),
            ConnectError::Keychain(e) => e.code(),
            ConnectError::Exchange(ApiError::Network(_)) => ErrorCode::Offline,
            ConnectError::Exchange(_) => ErrorCode::ConnectFailed,
            ConnectError::Refused(_) => ErrorCode::ConnectRefused,
        }
    }

    /// The consent page's address when the browser could not be opened, for a terminal to
    /// print so the person can open it by hand.
    pub fn manual_url(&self) -> Option<&str> {
        match self {
            ConnectError::Auth(AuthError::Browser { url, .. }) => Some(url),
            _ => None,
        }
    }
}
