//! The token lifecycle in one place: a grant at the token endpoint → a [`TokenSet`] → its
//! keychain format → the refresh policy → a ready, self-refreshing session.
//!
//! Withings rotates the refresh token on every refresh and retires the old one when the new
//! access token is first used. So: one refresh at a time per account (a process-wide lock and
//! a lock file for other processes, re-reading the keychain after taking them), and the new
//! pair is saved to the keychain *before* the new access token is used. If saving fails, the
//! new token is not used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::session::{ApiSession, Clock, SessionError};
use crate::keychain::{KeychainError, SecretStore};
use crate::redact::{AccessToken, AuthCode, ClientSecret, PkceVerifier, RefreshToken, TokenSecret};
use crate::withings::wire::userid_text;
use crate::withings::{ApiError, Auth, Client, StatusKind};

/// Refresh this long before the access token expires.
pub const REFRESH_MARGIN_SECS: i64 = 300;
/// Withings' access tokens live 3 hours when the answer does not say.
const DEFAULT_EXPIRES_IN: i64 = 10_800;

/// The grant sent to `/v2/oauth2`.
pub enum Grant<'a> {
    Code { code: &'a AuthCode, redirect_uri: &'a str, verifier: Option<&'a PkceVerifier> },
    Refresh(&'a RefreshToken),
}

/// An account's OAuth 2.0 tokens.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access: AccessToken,
    pub refresh: RefreshToken,
    /// Unix seconds at which the access token expires.
    pub expires_at: i64,
    /// Unix seconds at which it was obtained (its lifetime sets the refresh margin).
    pub obtained_at: i64,
}

impl TokenSet {
    /// When to refresh: 5 minutes before expiry, or a quarter of the lifetime for short-lived
    /// tokens, so a fresh token is never refreshed again at once.
    pub fn refresh_due(&self, now: i64) -> bool {
        let lifetime = (self.expires_at - self.obtained_at).max(0);
        let margin = REFRESH_MARGIN_SECS.min(lifetime / 4);
        now + margin >= self.expires_at
    }
}

/// An OAuth 1.0a token and its secret (temporary or token credentials).
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub token: String,
    pub secret: TokenSecret,
}

/// What the token endpoint granted, beyond the tokens.
#[derive(Debug, Clone)]
pub struct Granted {
    pub userid: String,
    pub scope: Option<String>,
    pub tokens: TokenSet,
}

#[derive(Deserialize)]
struct GrantAnswer {
    userid: serde_json::Value,
    access_token: String,
    refresh_token: String,
    expires_in: serde_json::Value,
    #[serde(default)]
    scope: Option<String>,
}

/// `POST /v2/oauth2 action=requesttoken`, for both grants; `now` stamps the new set.
pub fn request(
    client: &Client,
    client_id: &str,
    client_secret: &ClientSecret,
    grant: Grant<'_>,
    now: i64,
) -> Result<Granted, ApiError> {
    let mut form: Vec<(String, String)> = vec![
        ("action".into(), "requesttoken".into()),
        ("client_id".into(), client_id.into()),
        ("client_secret".into(), client_secret.expose().into()),
    ];
    match grant {
        Grant::Code { code, redirect_uri, verifier } => {
            form.push(("grant_type".into(), "authorization_code".into()));
            form.push(("code".into(), code.expose().into()));
            form.push(("redirect_uri".into(), redirect_uri.into()));
            if let Some(v) = verifier {
                form.push(("code_verifier".into(), v.expose().into()));
            }
        }
        Grant::Refresh(rt) => {
            form.push(("grant_type".into(), "refresh_token".into()));
            form.push(("refresh_token".into(), rt.expose().into()));
        }
    }
    let body = client.call("/v2/oauth2", &form, &Auth::None)?;
    let raw: GrantAnswer = serde_json::from_str(body.get())
        .map_err(|e| ApiError::Malformed(format!("unexpected token answer: {e}")))?;
    let userid =
        userid_text(&raw.userid).ok_or_else(|| ApiError::Malformed("token answer without userid".into()))?;
    let expires_in = raw
        .expires_in
        .as_i64()
        .or_else(|| raw.expires_in.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(DEFAULT_EXPIRES_IN);
    Ok(Granted {
        userid,
        scope: raw.scope,
        tokens: TokenSet {
            access: AccessToken::new(raw.access_token),
            refresh: RefreshToken::new(raw.refresh_token),
            expires_at: now + expires_in,
            obtained_at: now,
        },
    })
}

/// An account's credentials, whichever flow made them.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// OAuth 2.0: bearer tokens that need refreshing.
    Bearer(TokenSet),
    /// OAuth 1.0a: a token pair that signs each request and never expires.
    Signed(TokenPair),
}

/// The keychain's JSON forms; private so that nothing else can serialize tokens. Entries
/// written by earlier Heft versions have the same shapes.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum CredentialsJson {
    Bearer {
        access_token: String,
        refresh_token: String,
        expires_at: i64,
        #[serde(default)]
        obtained_at: i64,
    },
    Signed {
        token: String,
        token_secret: String,
    },
}

impl Credentials {
    pub fn load(store: &dyn SecretStore, key: &str) -> Result<Option<Credentials>, KeychainError> {
        let Some(raw) = store.get(key)? else { return Ok(None) };
        let json: CredentialsJson =
            serde_json::from_str(&raw).map_err(|_| KeychainError::Damaged(key.to_string()))?;
        Ok(Some(match json {
            CredentialsJson::Bearer { access_token, refresh_token, expires_at, obtained_at } => {
                Credentials::Bearer(TokenSet {
                    access: AccessToken::new(access_token),
                    refresh: RefreshToken::new(refresh_token),
                    expires_at,
                    obtained_at,
                })
            }
            CredentialsJson::Signed { token, token_secret } => {
                Credentials::Signed(TokenPair { token, secret: TokenSecret::new(token_secret) })
            }
        }))
    }

    pub fn save(&self, store: &dyn SecretStore, key: &str) -> Result<(), KeychainError> {
        let json = match self {
            Credentials::Bearer(t) => CredentialsJson::Bearer {
                access_token: t.access.expose().to_string(),
                refresh_token: t.refresh.expose().to_string(),
                expires_at: t.expires_at,
                obtained_at: t.obtained_at,
            },
            Credentials::Signed(p) => CredentialsJson::Signed {
                token: p.token.clone(),
                token_secret: p.secret.expose().to_string(),
            },
        };
        let raw = serde_json::to_string(&json).map_err(|e| KeychainError::Other(e.to_string()))?;
        store.set(key, &raw)
    }

    /// When the access token expires, for bearer tokens.
    pub fn expires_at(&self) -> Option<i64> {
        match self {
            Credentials::Bearer(t) => Some(t.expires_at),
            Credentials::Signed(_) => None,
        }
    }
}

fn process_lock(key: &str) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> = OnceLock::new();
    let map = LOCKS.get_or_init(Default::default);
    let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
    m.entry(key.to_string()).or_default().clone()
}

/// What every session needs around it.
pub struct SessionContext<'a> {
    pub client: &'a Client,
    pub keychain: &'a dyn SecretStore,
    pub clock: Clock,
    /// Where the lock files that serialize refreshes across processes live (the data folder).
    pub lock_dir: &'a Path,
}

/// One OAuth 2.0 account's authorized access: refreshes itself before expiry and once when
/// Withings refuses the access token.
#[derive(Clone)]
pub struct RefreshingSession<'a> {
    userid: String,
    key: String,
    client: &'a Client,
    keychain: &'a dyn SecretStore,
    client_id: String,
    client_secret: ClientSecret,
    tokens: TokenSet,
    clock: Clock,
    lock_dir: PathBuf,
}

impl<'a> RefreshingSession<'a> {
    pub fn new(
        key: String,
        userid: &str,
        tokens: TokenSet,
        client_id: &str,
        client_secret: ClientSecret,
        ctx: SessionContext<'a>,
    ) -> RefreshingSession<'a> {
        RefreshingSession {
            userid: userid.to_string(),
            key,
            client: ctx.client,
            keychain: ctx.keychain,
            client_id: client_id.to_string(),
            client_secret,
            tokens,
            clock: ctx.clock,
            lock_dir: ctx.lock_dir.to_path_buf(),
        }
    }

    /// Holds the account's lock file until dropped. Two processes refreshing with the same
    /// refresh token would race: the second waits here, then finds the first one's pair in the
    /// keychain and uses it.
    fn lock_other_processes(&self) -> Result<std::fs::File, SessionError> {
        let name: String =
            self.key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let path = self.lock_dir.join(format!("refresh-{name}.lock"));
        let fail = |source: std::io::Error| SessionError::Lock { path: path.display().to_string(), source };
        crate::files::private_dir(&self.lock_dir).map_err(fail)?;
        let file = crate::files::open_private(&path).map_err(fail)?;
        file.lock().map_err(fail)?;
        Ok(file)
    }

    /// Refreshes the tokens (one refresh at a time per account across threads and processes).
    pub fn refresh(&mut self) -> Result<(), SessionError> {
        let lock = process_lock(&self.key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let _file_lock = self.lock_other_processes()?;
        // Someone else may have refreshed while we waited: use their pair if it is newer.
        if let Some(Credentials::Bearer(current)) = Credentials::load(self.keychain, &self.key)?
            && current.access != self.tokens.access
            && !current.refresh_due((self.clock)())
        {
            self.tokens = current;
            return Ok(());
        }
        let now = (self.clock)();
        let granted = request(
            self.client,
            &self.client_id,
            &self.client_secret,
            Grant::Refresh(&self.tokens.refresh),
            now,
        )
        .map_err(|e| match e {
            ApiError::Status {
                kind: StatusKind::InvalidToken | StatusKind::InvalidParams, message, ..
            } => SessionError::ReconnectNeeded { userid: self.userid.clone(), reason: message },
            other => SessionError::Api(other),
        })?;
        let fresh = Credentials::Bearer(granted.tokens);
        // Saved before use: if this fails, the new access token is never sent, so the old
        // refresh token stays valid at Withings and nothing is lost.
        fresh.save(self.keychain, &self.key)?;
        tracing::info!(userid = %self.userid, "access token refreshed");
        if let Credentials::Bearer(t) = fresh {
            self.tokens = t;
        }
        Ok(())
    }

    /// Calls an API path with the access token: refresh once and retry once on an invalid token.
    pub fn call(&mut self, path: &str, form: &[(String, String)]) -> Result<Box<RawValue>, SessionError> {
        if self.tokens.refresh_due((self.clock)()) {
            self.refresh()?;
        }
        match self.client.call(path, form, &Auth::Bearer(&self.tokens.access)) {
            Err(e) if e.is_invalid_token() => {
                tracing::info!("access token refused; refreshing once");
                self.refresh()?;
                Ok(self.client.call(path, form, &Auth::Bearer(&self.tokens.access))?)
            }
            other => Ok(other?),
        }
    }
}

impl ApiSession for RefreshingSession<'_> {
    fn userid(&self) -> &str {
        &self.userid
    }

    fn getmeas_raw(&mut self, params: &[(String, String)]) -> Result<Box<RawValue>, SessionError> {
        let mut form = vec![("action".to_string(), "getmeas".to_string())];
        form.extend_from_slice(params);
        self.call("/measure", &form)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.tokens.expires_at)
    }

    fn fork(&self) -> Box<dyn ApiSession + '_> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keychain::MemoryStore;

    fn set(expires_at: i64, obtained_at: i64) -> TokenSet {
        TokenSet { access: AccessToken::new("a"), refresh: RefreshToken::new("r"), expires_at, obtained_at }
    }

    #[test]
    fn credentials_round_trip_through_the_keychain_in_both_forms() {
        let store = MemoryStore::default();
        Credentials::Bearer(set(99, 9)).save(&store, "withings:1").unwrap();
        let Some(Credentials::Bearer(back)) = Credentials::load(&store, "withings:1").unwrap() else {
            panic!("bearer tokens come back as bearer tokens")
        };
        assert_eq!((back.access.expose(), back.refresh.expose(), back.expires_at), ("a", "r", 99));
        let pair = TokenPair { token: "t".into(), secret: TokenSecret::new("s") };
        Credentials::Signed(pair).save(&store, "withings-oauth1:2").unwrap();
        let Some(Credentials::Signed(back)) = Credentials::load(&store, "withings-oauth1:2").unwrap() else {
            panic!("a token pair comes back as a token pair")
        };
        assert_eq!((back.token.as_str(), back.secret.expose()), ("t", "s"));
    }

    #[test]
    fn an_entry_written_by_an_earlier_heft_still_loads() {
        let store = MemoryStore::default();
        store.set("withings:1", r#"{"access_token":"a","refresh_token":"r","expires_at":5}"#).unwrap();
        let Some(Credentials::Bearer(t)) = Credentials::load(&store, "withings:1").unwrap() else {
            panic!("the old bearer form loads")
        };
        assert_eq!((t.expires_at, t.obtained_at), (5, 0));
    }

    #[test]
    fn a_damaged_entry_is_reported_as_damaged_not_as_an_unavailable_keychain() {
        let store = MemoryStore::default();
        store.set("withings:1", "{not json").unwrap();
        let err = Credentials::load(&store, "withings:1").unwrap_err();
        assert_eq!(err.code(), "keychain_damaged", "{err}");
        assert!(err.to_string().contains("connect the account again"), "{err}");
    }

    #[test]
    fn oversized_tokens_are_refused_and_nothing_is_stored() {
        let store = MemoryStore::default();
        let huge = TokenSet { access: AccessToken::new("x".repeat(3000)), ..set(1, 0) };
        let err = Credentials::Bearer(huge).save(&store, "k").unwrap_err();
        assert!(matches!(err, KeychainError::TooLarge(_)), "{err:?}");
        assert!(store.get("k").unwrap().is_none());
    }

    #[test]
    fn refresh_is_due_five_minutes_early_or_at_a_quarter_of_a_short_lifetime() {
        let three_hours = set(10_800, 0);
        assert!(!three_hours.refresh_due(10_800 - REFRESH_MARGIN_SECS - 1));
        assert!(three_hours.refresh_due(10_800 - REFRESH_MARGIN_SECS));
        let one_minute = set(60, 0);
        assert!(!one_minute.refresh_due(44), "a fresh short-lived token is not refreshed at once");
        assert!(one_minute.refresh_due(45));
    }
}
