//! OAuth 2.0 as Withings serves it: the authorize URL with PKCE S256, the browser round trip
//! through the loopback listener (or the app's URI scheme), and the immediate code exchange
//! (codes die after 30 seconds).

use super::callback::OAUTH2_CALLBACK;
use super::flow::{Authorized, ConnectOptions, Endpoint, Flow};
use super::session::{ApiSession, SessionError};
use super::tokens::{self, Credentials, Grant, RefreshingSession, SessionContext};
use super::{AuthError, CallbackListener, ConnectError, Pkce, State, browser};
use crate::withings::Client;

/// Heft only reads measures.
pub const SCOPE: &str = "user.metrics";

pub struct Oauth2;

/// The consent-page URL.
pub fn authorize_url(
    ep: &Endpoint,
    redirect_uri: &str,
    state: &State,
    pkce: &Pkce,
    withings_demo_user: bool,
) -> Result<String, AuthError> {
    let base = format!("{}/oauth2_user/authorize2", ep.auth_url.trim_end_matches('/'));
    let mut url = url::Url::parse(&base).map_err(|_| AuthError::BadAuthUrl(ep.auth_url.clone()))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &ep.client_id)
            .append_pair("scope", SCOPE)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state.as_str())
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        if withings_demo_user {
            q.append_pair("mode", "demo");
        }
    }
    Ok(url.to_string())
}

impl Flow for Oauth2 {
    /// The listener is bound before the browser opens (a taken port fails here, with no
    /// browser window), and the code is exchanged the moment it arrives.
    fn authorize(
        &self,
        ep: &Endpoint,
        client: &Client,
        opts: &ConnectOptions<'_>,
        now: i64,
    ) -> Result<Authorized, ConnectError> {
        let listener = CallbackListener::bind(&ep.redirect_uri)?;
        let redirect_uri = listener.redirect_uri().to_string();
        let state = State::generate()?;
        let pkce = Pkce::generate()?;
        let url = authorize_url(ep, &redirect_uri, &state, &pkce, opts.withings_demo_user)?;
        tracing::info!(redirect_uri = %redirect_uri, "opening the consent page in the browser");
        browser::open_with(&url, opts.browser, opts.opener)?;
        let verified = listener.wait_or_cancel(&state, OAUTH2_CALLBACK, opts.timeout, client.stop_token())?;
        let grant =
            Grant::Code { code: &verified.code, redirect_uri: &redirect_uri, verifier: Some(&pkce.verifier) };
        let granted = tokens::request(client, &ep.client_id, &ep.client_secret, grant, now)
            .map_err(ConnectError::from)?;
        Ok(Authorized {
            userid: granted.userid,
            scope: granted.scope,
            credentials: Credentials::Bearer(granted.tokens),
        })
    }

    fn session<'a>(
        &self,
        ep: &Endpoint,
        userid: &str,
        key: String,
        credentials: Credentials,
        ctx: SessionContext<'a>,
    ) -> Result<Box<dyn ApiSession + 'a>, SessionError> {
        let Credentials::Bearer(tokens) = credentials else {
            return Err(SessionError::ReconnectNeeded {
                userid: userid.to_string(),
                reason: "the keychain holds OAuth 1.0a credentials for an OAuth 2.0 account".into(),
            });
        };
        Ok(Box::new(RefreshingSession::new(
            key,
            userid,
            tokens,
            &ep.client_id,
            ep.client_secret.clone(),
            ctx,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{ClientSecret, PkceVerifier};

    #[test]
    fn the_authorize_url_carries_the_s256_challenge_of_the_verifier() {
        let ep = Endpoint {
            api_url: "https://wbsapi.withings.net".into(),
            auth_url: "https://account.withings.com".into(),
            client_id: "id".into(),
            client_secret: ClientSecret::new("s"),
            redirect_uri: "http://localhost:8765/callback".into(),
        };
        let pkce = Pkce::from_verifier(PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        let state = State::from_secret("st".into());
        let url = authorize_url(&ep, &ep.redirect_uri, &state, &pkce, false).unwrap();
        let u = url::Url::parse(&url).unwrap();
        let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
        assert_eq!(u.path(), "/oauth2_user/authorize2");
        assert_eq!(q["code_challenge"], "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!((q["state"].as_str(), q["scope"].as_str()), ("st", SCOPE));
        assert!(!q.contains_key("mode"), "Withings' demo user only when asked");
    }
}
