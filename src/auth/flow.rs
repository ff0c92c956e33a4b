//! The one small trait every authorization flow implements: authorize (browser round trip and
//! exchange) → [`Credentials`] → a ready [`ApiSession`] that refreshes or signs its requests.
//! A new provider is one module implementing [`Flow`] and one arm of `Provider`.

use std::path::Path;
use std::time::Duration;

use super::ConnectError;
use super::browser::OpenUrl;
use super::session::{ApiSession, SessionError};
use super::tokens::{Credentials, SessionContext};
use crate::redact::ClientSecret;
use crate::withings::Client;

/// Where an account's provider lives and how Heft identifies itself there.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub api_url: String,
    /// Host of the consent pages (`/oauth2_user/…` or OAuth 1.0a's `/account/…`).
    pub auth_url: String,
    pub client_id: String,
    pub client_secret: ClientSecret,
    pub redirect_uri: String,
}

/// How to run the browser round trip.
#[derive(Clone, Copy)]
pub struct ConnectOptions<'a> {
    /// A program to open the consent page with (`HEFT_BROWSER`), before `opener`.
    pub browser: Option<&'a Path>,
    /// The desktop app's opener plugin; else the platform's launcher.
    pub opener: Option<&'a OpenUrl>,
    pub timeout: Duration,
    /// Ask Withings for its own demo user (`mode=demo`).
    pub withings_demo_user: bool,
}

/// What a finished authorization yields.
#[derive(Debug)]
pub struct Authorized {
    pub userid: String,
    pub scope: Option<String>,
    pub credentials: Credentials,
}

pub trait Flow: Sync {
    /// The browser round trip and the exchange; `now` stamps the tokens.
    fn authorize(
        &self,
        ep: &Endpoint,
        client: &Client,
        opts: &ConnectOptions<'_>,
        now: i64,
    ) -> Result<Authorized, ConnectError>;

    /// A session for stored credentials, which live under `key` in the keychain.
    fn session<'a>(
        &self,
        ep: &Endpoint,
        userid: &str,
        key: String,
        credentials: Credentials,
        ctx: SessionContext<'a>,
    ) -> Result<Box<dyn ApiSession + 'a>, SessionError>;
}
