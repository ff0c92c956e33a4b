//! OAuth 2.0 as Withings serves it: the authorize URL, the browser round trip through the
//! loopback listener, and the immediate code exchange (codes die after 30 seconds).

use std::path::PathBuf;
use std::time::Duration;

use super::callback::OAUTH2_CALLBACK;
use super::{AuthError, CallbackListener, Pkce, State, browser};
use crate::secret::ClientSecret;
use crate::withings::{ApiError, Client, Grant, TokenGrant};

/// Heft only reads measures.
pub const SCOPE: &str = "user.metrics";

/// Everything one authorization needs.
#[derive(Debug, Clone)]
pub struct Oauth2Config {
    pub client_id: String,
    pub client_secret: ClientSecret,
    /// Host of the consent page (`https://account.withings.com`).
    pub auth_url: String,
    pub redirect_uri: String,
    pub browser: Option<PathBuf>,
    pub timeout: Duration,
    /// Ask for Withings' demo user (`mode=demo`).
    pub demo_mode: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("Withings refused the authorization code: {0}")]
    Exchange(ApiError),
}

/// The consent-page URL.
pub fn authorize_url(cfg: &Oauth2Config, redirect_uri: &str, state: &State, pkce: &Pkce) -> String {
    let base = format!("{}/oauth2_user/authorize2", cfg.auth_url.trim_end_matches('/'));
    let mut url = match url::Url::parse(&base) {
        Ok(u) => u,
        Err(_) => return base,
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &cfg.client_id)
            .append_pair("scope", SCOPE)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state.as_str())
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        if cfg.demo_mode {
            q.append_pair("mode", "demo");
        }
    }
    url.to_string()
}

/// Runs the whole browser round trip and returns fresh tokens.
///
/// The listener is bound before the browser opens (a taken port fails here, with no browser
/// window), and the code is exchanged the moment it arrives.
/// `opener` replaces the platform's browser launcher (the desktop app passes its opener plugin).
pub fn authorize(
    cfg: &Oauth2Config,
    client: &Client,
    opener: Option<&browser::OpenUrl>,
) -> Result<TokenGrant, ConnectError> {
    let listener = CallbackListener::bind(&cfg.redirect_uri)?;
    let redirect_uri = listener.redirect_uri().to_string();
    let state = State::generate()?;
    let pkce = Pkce::generate()?;
    let url = authorize_url(cfg, &redirect_uri, &state, &pkce);
    tracing::info!(redirect_uri = %redirect_uri, "opening the consent page in the browser");
    match opener {
        Some(open) => open(&url).map_err(|e| AuthError::Browser(e, url.clone()))?,
        None => browser::open(&url, cfg.browser.as_deref())?,
    }
    let verified = listener.wait(&state, OAUTH2_CALLBACK, cfg.timeout)?;
    client
        .request_token(
            &cfg.client_id,
            &cfg.client_secret,
            Grant::Code { code: &verified.code, redirect_uri: &redirect_uri, verifier: Some(&pkce.verifier) },
        )
        .map_err(ConnectError::Exchange)
}
