//! The token lifecycle in one place: a grant at the token endpoint → a [`TokenSet`] → its
//! keychain format → the refresh policy → a ready, self-refreshing session.
//!
//! Withings rotates the refresh token on every refresh and retires the old one when the new
//! access token is first used. So: one refresh at a time per account (the app's lock, [`RefreshLocks`], and
//! a lock file for other processes, re-reading the keychain after taking them), a refresh
//! sends only the refresh token the keychain holds (adopting a newer pair another process
//! saved, and refreshing with *its* token when that pair is due too), and the new pair is saved
//! to the keychain *before* the new access token is used. If saving fails, the new token is not
//! used. Waiting for the lock ends on Cancel, and after [`REFRESH_LOCK_TIMEOUT`]: a process
//! stopped while it holds the lock must not hang the others.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::session::{Answer, ApiSession, Clock, SessionError};
use crate::keychain::{KeychainError, SecretStore};
use crate::redact::{AccessToken, AuthCode, ClientSecret, PkceVerifier, RefreshToken, TokenSecret};
use crate::withings::wire::userid_text;
use crate::withings::{ApiError, Auth, Client, StatusKind};

/// Refresh this long before the access token expires.
pub const REFRESH_MARGIN_SECS: i64 = 300;
/// Withings' access tokens live 3 hours when the answer does not say.
const DEFAULT_EXPIRES_IN: i64 = 10_800;
/// The longest access-token lifetime Heft believes (Withings grants 3 hours). Beyond it, or
/// zero, negative, fractional or not a number, the answer is broken and nothing is kept.
pub const MAX_EXPIRES_IN: i64 = 365 * 86_400;

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
        // Saturating: the keychain's values are only as sane as whoever wrote them.
        let lifetime = self.expires_at.saturating_sub(self.obtained_at).max(0);
        let margin = REFRESH_MARGIN_SECS.min(lifetime / 4);
        now.saturating_add(margin) >= self.expires_at
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
    #[serde(default)]
    expires_in: serde_json::Value,
    #[serde(default)]
    scope: Option<String>,
}

/// `POST /v2/oauth2 action=requesttoken`, for both grants; `now` stamps the new set. Waits on
/// this thread: for blocking code (the connect flow, tests).
pub fn request(
    client: &Client,
    client_id: &str,
    client_secret: &ClientSecret,
    grant: Grant<'_>,
    now: i64,
) -> Result<Granted, ApiError> {
    crate::net::block_on(request_async(client, client_id, client_secret, grant, now))
}

/// [`request`] for a task on the network runtime.
pub async fn request_async(
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
    let body = client.call_async("/v2/oauth2", &form, &Auth::None).await?;
    let raw: GrantAnswer = serde_json::from_str(body.get())
        .map_err(|e| ApiError::Malformed(format!("unexpected token answer: {e}")))?;
    let userid =
        userid_text(&raw.userid).ok_or_else(|| ApiError::Malformed("token answer without userid".into()))?;
    let expires_in = lifetime(&raw.expires_in)?;
    for (name, token) in [("access_token", &raw.access_token), ("refresh_token", &raw.refresh_token)] {
        if token.trim().is_empty() {
            return Err(ApiError::Malformed(format!("token answer with an empty {name}")));
        }
    }
    Ok(Granted {
        userid,
        scope: raw.scope,
        tokens: TokenSet {
            access: AccessToken::new(raw.access_token),
            refresh: RefreshToken::new(raw.refresh_token),
            expires_at: now.saturating_add(expires_in),
            obtained_at: now,
        },
    })
}

/// `expires_in` in whole seconds, from 1 to [`MAX_EXPIRES_IN`] (a number, or a number in a
/// string); absent, Withings' 3 hours.
fn lifetime(v: &serde_json::Value) -> Result<i64, ApiError> {
    let secs = match v {
        serde_json::Value::Null => return Ok(DEFAULT_EXPIRES_IN),
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    secs.filter(|s| (1..=MAX_EXPIRES_IN).contains(s)).ok_or_else(|| {
        let shown: String = v.to_string().chars().take(40).collect();
        ApiError::Malformed(format!("token answer with expires_in {shown}, not 1 second to a year"))
    })
}

/// Renews the tokens of account `userid` with its refresh token: the new set, not yet saved,
/// or why not (see [`refresh_refused`]). Tokens that Withings issued for another account are
/// refused, so they are never saved under this one.
pub async fn renew(
    client: &Client,
    client_id: &str,
    client_secret: &ClientSecret,
    userid: &str,
    refresh: &RefreshToken,
    now: i64,
) -> Result<TokenSet, SessionError> {
    let granted = request_async(client, client_id, client_secret, Grant::Refresh(refresh), now)
        .await
        .map_err(|e| refresh_refused(userid, e))?;
    if granted.userid != userid {
        return Err(SessionError::OtherAccount { userid: userid.to_string(), got: granted.userid });
    }
    Ok(granted.tokens)
}

/// What a refused refresh says about the tokens. Withings answers token-endpoint errors with
/// status 503 "Invalid Params: …" whatever went wrong and does not document the words for a
/// dead refresh token, so the parameter the text names decides:
/// - the client (`client id/secret`, `client_secret`, `signature`): the developer app's
///   settings are wrong, the tokens are fine and work again once they are fixed;
/// - `refresh_token`, or an authentication failure (the 401 family): the refresh token is
///   dead — [`SessionError::ReconnectNeeded`], on which the app deletes the tokens;
/// - rate limits and Withings' own trouble keep their errors; anything else is a refusal
///   that keeps the tokens for the next sync to try again.
///
/// The client is looked for first: keeping dead tokens costs a reconnection later, deleting
/// live ones costs it now.
pub fn refresh_refused(userid: &str, e: ApiError) -> SessionError {
    let ApiError::Status { kind, message, .. } = &e else { return SessionError::Api(e) };
    let text = message.to_ascii_lowercase();
    if *kind == StatusKind::BadSignature || text.contains("client") || text.contains("signature") {
        return SessionError::ClientRejected { reason: message.clone() };
    }
    let dead = SessionError::ReconnectNeeded { userid: userid.to_string(), reason: message.clone() };
    match kind {
        StatusKind::RateLimited | StatusKind::Transient => SessionError::Api(e),
        StatusKind::InvalidToken => dead,
        _ if text.contains("refresh_token") || text.contains("refresh token") => dead,
        _ => SessionError::RefreshRefused { userid: userid.to_string(), reason: message.clone() },
    }
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

/// The token store's own state: one lock per account that serializes its refreshes among the
/// sessions of one app (the windows of a first download, a sync and a connect at once). A
/// tokio mutex: its holder awaits the token endpoint. Another process — or another `App` in
/// this one — takes turns through the account's lock file instead.
#[derive(Default)]
pub struct RefreshLocks(Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl RefreshLocks {
    fn for_key(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(key.to_string()).or_default().clone()
    }
}

/// What every session needs around it.
pub struct SessionContext<'a> {
    /// Also says when the person cancelled ([`Client::is_stopped`]): a wait for the refresh
    /// lock ends then too.
    pub client: &'a Client,
    pub keychain: &'a dyn SecretStore,
    pub clock: Clock,
    /// Where the lock files that serialize refreshes across processes live (the data folder).
    pub lock_dir: &'a Path,
    /// How long a refresh waits for another process's refresh of the same account before
    /// giving up with [`SessionError::RefreshBusy`]; [`REFRESH_LOCK_TIMEOUT`] unless a test or
    /// `HEFT_REFRESH_LOCK_TIMEOUT_SECS` says otherwise.
    pub lock_timeout: Duration,
    /// The app's refresh locks, shared by all its sessions.
    pub refresh_locks: &'a RefreshLocks,
}

/// How long a refresh waits for another Heft process's refresh of the same account. A refresh
/// is one request (with its own retries), so a holder this slow is stopped or stuck.
pub const REFRESH_LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a wait for the refresh lock tries again (and looks at Cancel).
const LOCK_POLL: Duration = Duration::from_millis(50);

/// The lock file that serializes an account's refreshes across processes, in `lock_dir` (the
/// data folder). Every Heft version uses this name, so a window and a CLI of different
/// versions still take turns.
pub fn refresh_lock_path(lock_dir: &Path, key: &str) -> PathBuf {
    let name: String =
        key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    lock_dir.join(format!("refresh-{name}.lock"))
}

/// One OAuth 2.0 account's authorized access: refreshes itself before expiry and once when
/// Withings refuses the access token.
pub struct RefreshingSession<'a> {
    userid: String,
    key: String,
    client: &'a Client,
    keychain: &'a dyn SecretStore,
    client_id: String,
    client_secret: ClientSecret,
    /// The pair in use, shared by the date windows of a first download; never locked across
    /// an await (refreshes are serialized by [`RefreshLocks`]).
    tokens: Mutex<TokenSet>,
    clock: Clock,
    lock_dir: PathBuf,
    lock_timeout: Duration,
    refresh_locks: &'a RefreshLocks,
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
            tokens: Mutex::new(tokens),
            clock: ctx.clock,
            lock_dir: ctx.lock_dir.to_path_buf(),
            lock_timeout: ctx.lock_timeout,
            refresh_locks: ctx.refresh_locks,
        }
    }

    fn tokens(&self) -> TokenSet {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_tokens(&self, t: TokenSet) {
        *self.tokens.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }

    /// Takes the account's lock file, held until dropped. Two processes refreshing with the
    /// same refresh token would race: the second waits here, then finds the first one's pair in
    /// the keychain. The wait ends on Cancel, and `lock_timeout` after `asked` (the refresh's
    /// start) with [`SessionError::RefreshBusy`]: a holder stopped with Ctrl-Z never lets go.
    async fn lock_other_processes(&self, asked: Instant) -> Result<std::fs::File, SessionError> {
        let path = refresh_lock_path(&self.lock_dir, &self.key);
        let fail = |source: std::io::Error| SessionError::Lock { path: path.display().to_string(), source };
        crate::files::private_dir(&self.lock_dir).map_err(fail)?;
        let file = crate::files::open_private(&path).map_err(fail)?;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(fail(e)),
            }
            let waited = asked.elapsed();
            if waited >= self.lock_timeout {
                tracing::warn!(userid = %self.userid, ?waited, "another process holds the refresh lock; giving up");
                let waited_secs = (waited.as_secs_f64().round() as u64).max(1);
                return Err(SessionError::RefreshBusy { userid: self.userid.clone(), waited_secs });
            }
            // The lock is always tried once more at the deadline, however late.
            let pause = LOCK_POLL.min(self.lock_timeout - waited);
            if !crate::net::sleep(pause, self.client.stop_token()).await {
                return Err(SessionError::Api(ApiError::Stopped));
            }
        }
    }

    /// Refreshes the tokens (one refresh at a time per account across windows, threads and
    /// processes), waiting on this thread.
    pub fn refresh(&self) -> Result<(), SessionError> {
        crate::net::block_on(self.refresh_after(&self.tokens()))
    }

    /// Refreshes the tokens unless they changed since `seen` (the pair the caller found due or
    /// refused): then another window of this sync renewed them while this one waited.
    async fn refresh_after(&self, seen: &TokenSet) -> Result<(), SessionError> {
        let asked = Instant::now();
        let lock = self.refresh_locks.for_key(&self.key);
        // No timeout of its own: the holder is a request of this process, bounded by the
        // client's timeouts and stopped by the same Cancel, or waits for another process
        // (which has one).
        let _guard = crate::net::unless_cancelled(self.client.stop_token(), lock.lock())
            .await
            .ok_or(SessionError::Api(ApiError::Stopped))?;
        let mut current = self.tokens();
        if (current.access != seen.access || current.refresh != seen.refresh)
            && !current.refresh_due((self.clock)())
        {
            return Ok(());
        }
        let _file_lock = self.lock_other_processes(asked).await?;
        // Under the locks the keychain is the truth. Another process may have refreshed while
        // this one waited (for the lock, or out a 601), and once it used its new access token
        // Withings retired the refresh token this session holds. So a different pair in the
        // keychain replaces ours, due or not, and only the keychain's refresh token is ever
        // sent: none at all if the keychain no longer holds one.
        let stored = match Credentials::load(self.keychain, &self.key)? {
            Some(Credentials::Bearer(t)) => t,
            _ => {
                return Err(SessionError::ReconnectNeeded {
                    userid: self.userid.clone(),
                    reason: "its tokens are no longer in the keychain".into(),
                });
            }
        };
        if stored.access != current.access || stored.refresh != current.refresh {
            tracing::info!(userid = %self.userid, "taking the newer token pair from the keychain");
            current = stored;
            self.set_tokens(current.clone());
            if !current.refresh_due((self.clock)()) {
                return Ok(());
            }
        }
        let now = (self.clock)();
        let renewed =
            renew(self.client, &self.client_id, &self.client_secret, &self.userid, &current.refresh, now)
                .await?;
        let fresh = Credentials::Bearer(renewed);
        // Saved before use: if this fails, the new access token is never sent, so the old
        // refresh token stays valid at Withings and nothing is lost.
        fresh.save(self.keychain, &self.key)?;
        tracing::info!(userid = %self.userid, "access token refreshed");
        if let Credentials::Bearer(t) = fresh {
            self.set_tokens(t);
        }
        Ok(())
    }

    /// Calls an API path with the access token: refresh once and retry once on an invalid token.
    pub async fn call(&self, path: &str, form: &[(String, String)]) -> Result<Box<RawValue>, SessionError> {
        let mut used = self.tokens();
        if used.refresh_due((self.clock)()) {
            self.refresh_after(&used).await?;
            used = self.tokens();
        }
        match self.client.call_async(path, form, &Auth::Bearer(&used.access)).await {
            Err(e) if e.is_invalid_token() => {
                tracing::info!("access token refused; refreshing once");
                self.refresh_after(&used).await?;
                let fresh = self.tokens();
                Ok(self.client.call_async(path, form, &Auth::Bearer(&fresh.access)).await?)
            }
            other => Ok(other?),
        }
    }
}

impl ApiSession for RefreshingSession<'_> {
    fn userid(&self) -> &str {
        &self.userid
    }

    fn getmeas_raw<'s>(&'s self, params: &'s [(String, String)]) -> Answer<'s> {
        Box::pin(async move {
            let mut form = vec![("action".to_string(), "getmeas".to_string())];
            form.extend_from_slice(params);
            self.call("/measure", &form).await
        })
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.tokens().expires_at)
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
    fn expires_in_is_believed_from_one_second_to_a_year_and_nothing_else() {
        use serde_json::json;
        assert_eq!(lifetime(&json!(10_800)).unwrap(), 10_800);
        assert_eq!(lifetime(&json!("10800")).unwrap(), 10_800, "a number in a string, as userid comes");
        assert_eq!(lifetime(&serde_json::Value::Null).unwrap(), DEFAULT_EXPIRES_IN, "absent: 3 hours");
        assert_eq!(lifetime(&json!(MAX_EXPIRES_IN)).unwrap(), MAX_EXPIRES_IN);
        for bad in [json!(0), json!(-1), json!(MAX_EXPIRES_IN + 1), json!(i64::MAX), json!(u64::MAX)] {
            assert!(matches!(lifetime(&bad), Err(ApiError::Malformed(_))), "{bad}");
        }
        for bad in [json!(1e300), json!(10800.5), json!("soon"), json!(true), json!([1]), json!({})] {
            assert!(matches!(lifetime(&bad), Err(ApiError::Malformed(_))), "{bad}");
        }
        let long = json!("9".repeat(10_000));
        let Err(e) = lifetime(&long) else { panic!("a 10,000-digit lifetime is refused") };
        assert!(e.to_string().len() < 200, "the message quotes only the start of it: {e}");
    }

    #[test]
    fn only_a_refusal_of_the_refresh_token_itself_calls_the_authorization_dead() {
        let refused = |code: i64, text: &str| {
            let e = ApiError::Status {
                code,
                message: text.into(),
                kind: crate::withings::StatusKind::of(code),
                wait_seconds: None,
            };
            refresh_refused("7", e).code()
        };
        assert_eq!(refused(503, "Invalid Params: invalid refresh_token"), "reconnect_needed");
        assert_eq!(refused(503, "Invalid Params: Refresh Token expired"), "reconnect_needed");
        assert_eq!(refused(401, "invalid_token"), "reconnect_needed", "the 401 family");
        assert_eq!(refused(100, "no message"), "reconnect_needed", "the 401 family");
        assert_eq!(refused(503, "Invalid Params: invalid client id/secret"), "client_rejected");
        assert_eq!(refused(503, "Invalid Params: client_secret"), "client_rejected");
        assert_eq!(refused(503, "Invalid Params: invalid client_id"), "client_rejected");
        assert_eq!(refused(503, "Invalid Params: invalid signature"), "client_rejected");
        assert_eq!(refused(342, "The signature does not match"), "client_rejected");
        assert_eq!(
            refused(503, "Invalid Params: refresh_token does not belong to this client_id"),
            "client_rejected",
            "naming both keeps the tokens: deleting live ones cannot be undone"
        );
        assert_eq!(refused(503, "Invalid Params: grant_type"), "refresh_refused");
        assert_eq!(refused(503, "no message"), "refresh_refused");
        assert_eq!(refused(250, "User and credentials do not match"), "refresh_refused");
        assert_eq!(refused(9999, "Something new"), "refresh_refused");
        assert_eq!(refused(601, "Too Many Requests"), "rate_limited");
        assert_eq!(refused(2555, "An unknown error occurred"), "withings_error");
        let network = refresh_refused("7", ApiError::Network("the request timed out".into()));
        assert_eq!(network.code(), "offline");
    }

    #[test]
    fn refresh_due_never_overflows_on_a_hostile_keychain_entry() {
        assert!(set(i64::MIN, i64::MAX).refresh_due(0), "expired at the dawn of time");
        assert!(!set(i64::MAX, i64::MIN).refresh_due(1_700_000_000), "expires at the end of time");
        assert!(set(i64::MAX, i64::MIN).refresh_due(i64::MAX), "and is due then");
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
