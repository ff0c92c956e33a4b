//! Authorization: OAuth 2.0 (Withings flavour), the loopback callback, the browser.

pub mod browser;
pub mod callback;
pub mod oauth1;
pub mod oauth2;
pub mod pkce;

pub use callback::{CallbackListener, VerifiedCallback};
pub use pkce::{Pkce, State};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "port {port} on localhost is already in use, so Heft cannot receive the Withings callback; close the program using it or set HEFT_REDIRECT_URI to another port (and register that URL with Withings)"
    )]
    PortInUse { port: u16 },
    #[error("cannot listen for the callback on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("the redirect URI {0} must be http://localhost:PORT/PATH or http://127.0.0.1:PORT/PATH")]
    BadRedirectUri(String),
    #[error("no answer from Withings within {0} s; run connect again when ready")]
    TimedOut(u64),
    #[error("Withings did not authorize Heft: {0}")]
    Denied(String),
    #[error("the callback was rejected: {0}")]
    BadCallback(&'static str),
    #[error("cannot open the browser ({0}); open this address yourself: {1}")]
    Browser(String, String),
    #[error("cannot create a random value: {0}")]
    Random(String),
}
