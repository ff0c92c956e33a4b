//! An authorized session for one account: fresh access tokens and API calls.
//!
//! Withings rotates the refresh token on every refresh and retires the old one when the new
//! access token is first used. So: one refresh at a time per account (a process-wide lock,
//! re-reading the keychain after taking it), and the new pair is saved to the keychain
//! *before* the new access token is used. If saving fails, the new token is not used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::value::RawValue;

use crate::auth::oauth1::{Extras, Signer, TokenPair, signed_url};
use crate::secret::ClientSecret;
use crate::secrets::{SecretError, SecretStore, TokenSet, token_key};
use crate::withings::{ApiError, Auth, Client, Grant, MeasureBody, StatusKind};

/// Refresh this long before the access token expires.
pub const REFRESH_MARGIN_SECS: i64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    Secret(#[from] SecretError),
    #[error(
        "Withings no longer accepts Heft's authorization for account {userid} ({reason}); run `heft connect` again — your history is kept"
    )]
    ReconnectNeeded { userid: String, reason: String },
    #[error("cannot take the token refresh lock {path}: {reason}")]
    Lock { path: String, reason: String },
}

/// What the sync engine needs from an authorized account, whatever the OAuth flavour.
/// `Send` because the sync engine fetches the next page on another thread while it stores one.
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
}

/// A source of "now" in Unix seconds, injected so expiry can be tested.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| jiff::Timestamp::now().as_second())
}

fn refresh_lock(key: &str) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> = OnceLock::new();
    let map = LOCKS.get_or_init(Default::default);
    let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
    m.entry(key.to_string()).or_default().clone()
}

/// One account's authorized access to the API.
pub struct Session<'a> {
    pub userid: String,
    key: String,
    client: &'a Client,
    secrets: &'a dyn SecretStore,
    client_id: String,
    client_secret: ClientSecret,
    tokens: TokenSet,
    clock: Clock,
    lock_dir: Option<PathBuf>,
}

impl<'a> Session<'a> {
    /// Loads the account's tokens from the keychain.
    pub fn open(
        provider: &str,
        userid: &str,
        client: &'a Client,
        secrets: &'a dyn SecretStore,
        client_id: &str,
        client_secret: ClientSecret,
        clock: Clock,
    ) -> Result<Session<'a>, SessionError> {
        let key = token_key(provider, userid);
        let tokens = TokenSet::load(secrets, &key)?.ok_or_else(|| SessionError::ReconnectNeeded {
            userid: userid.to_string(),
            reason: "no tokens in the keychain".into(),
        })?;
        Ok(Session {
            userid: userid.to_string(),
            key,
            client,
            secrets,
            client_id: client_id.to_string(),
            client_secret,
            tokens,
            clock,
            lock_dir: None,
        })
    }

    /// Serializes refreshes with other processes (the CLI and the app at once) through a lock
    /// file in `dir`; without it, refreshes are serialized within this process only.
    pub fn with_lock_dir(mut self, dir: &Path) -> Self {
        self.lock_dir = Some(dir.to_path_buf());
        self
    }

    /// Holds the account's lock file, if there is a lock directory, until dropped. Withings
    /// rotates refresh tokens, so two processes refreshing with the same one would race: the
    /// second waits here, then finds the first one's pair in the keychain and uses it.
    fn lock_other_processes(&self) -> Result<Option<std::fs::File>, SessionError> {
        let Some(dir) = &self.lock_dir else { return Ok(None) };
        let name: String =
            self.key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let path = dir.join(format!("refresh-{name}.lock"));
        let fail = |e: std::io::Error| SessionError::Lock {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(fail)?;
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(fail)?;
        file.lock().map_err(fail)?;
        Ok(Some(file))
    }

    fn ensure_fresh(&mut self) -> Result<(), SessionError> {
        if self.tokens.refresh_due((self.clock)()) {
            self.refresh()?;
        }
        Ok(())
    }

    /// Refreshes the tokens (one refresh at a time per account across threads).
    pub fn refresh(&mut self) -> Result<(), SessionError> {
        let lock = refresh_lock(&self.key);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let _file_lock = self.lock_other_processes()?;
        // Someone else may have refreshed while we waited: use their pair if it is newer.
        if let Some(current) = TokenSet::load(self.secrets, &self.key)?
            && current.access != self.tokens.access
            && !current.refresh_due((self.clock)())
        {
            self.tokens = current;
            return Ok(());
        }
        let grant = self
            .client
            .request_token(&self.client_id, &self.client_secret, Grant::Refresh(&self.tokens.refresh))
            .map_err(|e| match e {
                ApiError::Status {
                    kind: StatusKind::InvalidToken | StatusKind::InvalidParams,
                    message,
                    ..
                } => SessionError::ReconnectNeeded { userid: self.userid.clone(), reason: message },
                other => SessionError::Api(other),
            })?;
        let now = (self.clock)();
        let fresh = TokenSet {
            access: grant.access_token,
            refresh: grant.refresh_token,
            expires_at: now + grant.expires_in,
            obtained_at: now,
        };
        // Saved before use: if this fails, the new access token is never sent, so the old
        // refresh token stays valid at Withings and nothing is lost.
        fresh.save(self.secrets, &self.key)?;
        tracing::info!(userid = %self.userid, "access token refreshed");
        self.tokens = fresh;
        Ok(())
    }

    /// Calls an API path with the access token: refresh once and retry once on an invalid token.
    pub fn call(&mut self, path: &str, form: &[(String, String)]) -> Result<Box<RawValue>, SessionError> {
        self.ensure_fresh()?;
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

impl ApiSession for Session<'_> {
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
}

/// An OAuth 1.0a account: every call signed, `userid` sent along, nothing to refresh.
pub struct Oauth1Session<'a> {
    pub userid: String,
    pub client: &'a Client,
    pub consumer_key: String,
    pub consumer_secret: ClientSecret,
    pub token: TokenPair,
}

impl ApiSession for Oauth1Session<'_> {
    fn userid(&self) -> &str {
        &self.userid
    }

    fn getmeas_raw(&mut self, params: &[(String, String)]) -> Result<Box<RawValue>, SessionError> {
        let mut all =
            vec![("action".to_string(), "getmeas".to_string()), ("userid".to_string(), self.userid.clone())];
        all.extend_from_slice(params);
        let url = format!("{}/measure", self.client.api_url());
        let signer = Signer {
            consumer_key: &self.consumer_key,
            consumer_secret: &self.consumer_secret,
            token: Some(&self.token),
        };
        let body = self
            .client
            .call_signed(&|| signed_url("GET", &url, &all, &signer, Extras::default()))
            .map_err(|e| match e {
                ApiError::Status { kind: StatusKind::InvalidToken, message, .. } => {
                    SessionError::ReconnectNeeded { userid: self.userid.clone(), reason: message }
                }
                other => SessionError::Api(other),
            })?;
        Ok(body)
    }

    fn expires_at(&self) -> Option<i64> {
        None
    }
}
