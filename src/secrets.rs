//! Where tokens live: the OS keychain, behind a small trait so unit tests can use memory.
//!
//! There is deliberately no file fallback: if the keychain is missing or locked, Heft says so
//! and stores nothing, rather than writing a token to disk in plaintext.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::secret::{AccessToken, RefreshToken};

/// The service name of Heft's keychain entries.
pub const SERVICE: &str = "app.heft.desktop";
/// Windows Credential Manager caps a secret at 2,560 bytes; no platform gets more from Heft.
pub const MAX_SECRET_BYTES: usize = 2_560;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the OS keychain is unavailable or locked ({0}); unlock your login keyring (on Linux: start \
         gnome-keyring or another Secret Service) and try again — Heft never stores tokens in plain files"
    )]
    Unavailable(String),
    #[error("the keychain entry is {0} bytes, more than the {MAX_SECRET_BYTES} every keychain accepts")]
    TooLarge(usize),
    #[error("the keychain entry for this account is damaged; run `heft connect` again")]
    Corrupt,
    #[error("keychain error: {0}")]
    Other(String),
}

/// A string store for secrets, keyed by account.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, SecretError>;
    fn set(&self, key: &str, value: &str) -> Result<(), SecretError>;
    fn delete(&self, key: &str) -> Result<(), SecretError>;
}

/// The OS keychain via `keyring` (Secret Service, macOS Keychain, Windows Credential Manager).
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// Heft's entries, or `HEFT_KEYRING_SERVICE`'s (tests keep theirs apart from a real Heft).
    pub fn from_env() -> KeyringStore {
        let service = std::env::var("HEFT_KEYRING_SERVICE").ok().filter(|s| !s.is_empty());
        KeyringStore { service: service.unwrap_or_else(|| SERVICE.to_string()) }
    }
}

fn map_keyring(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::NoStorageAccess(inner) => SecretError::Unavailable(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        keyring::Error::TooLong(_, n) => SecretError::TooLarge(n as usize),
        keyring::Error::BadEncoding(_) => SecretError::Corrupt,
        other => SecretError::Other(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        let entry = keyring::Entry::new(&self.service, key).map_err(map_keyring)?;
        match entry.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring(e)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretError> {
        if value.len() > MAX_SECRET_BYTES {
            return Err(SecretError::TooLarge(value.len()));
        }
        keyring::Entry::new(&self.service, key).and_then(|e| e.set_password(value)).map_err(map_keyring)
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        let entry = keyring::Entry::new(&self.service, key).map_err(map_keyring)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring(e)),
        }
    }
}

/// An in-memory store for unit tests (shared between clones of the same instance only).
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, String>>,
    /// When set, every call fails as a locked keychain would.
    pub locked: std::sync::atomic::AtomicBool,
}

impl MemoryStore {
    fn check(&self) -> Result<(), SecretError> {
        if self.locked.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(SecretError::Unavailable("locked".into()));
        }
        Ok(())
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        self.check()?;
        Ok(self.entries.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretError> {
        self.check()?;
        if value.len() > MAX_SECRET_BYTES {
            return Err(SecretError::TooLarge(value.len()));
        }
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(key.into(), value.into());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        self.check()?;
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
        Ok(())
    }
}

/// The keychain key of an account's tokens: one entry per (provider, userid).
pub fn token_key(provider: &str, userid: &str) -> String {
    format!("{provider}:{userid}")
}

/// An account's OAuth 2.0 tokens, as kept in the keychain.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access: AccessToken,
    pub refresh: RefreshToken,
    /// Unix seconds at which the access token expires.
    pub expires_at: i64,
    /// Unix seconds at which it was obtained (its lifetime sets the refresh margin).
    pub obtained_at: i64,
}

/// The keychain's JSON form; private so that nothing else can serialize tokens.
#[derive(Serialize, Deserialize)]
struct TokenJson {
    access_token: String,
    refresh_token: String,
    expires_at: i64,
    #[serde(default)]
    obtained_at: i64,
}

/// An OAuth 1.0a account's token credentials, as kept in the keychain.
#[derive(Serialize, Deserialize)]
struct Oauth1Json {
    token: String,
    token_secret: String,
}

pub fn load_oauth1(
    store: &dyn SecretStore,
    key: &str,
) -> Result<Option<crate::auth::oauth1::TokenPair>, SecretError> {
    let Some(raw) = store.get(key)? else { return Ok(None) };
    let j: Oauth1Json = serde_json::from_str(&raw).map_err(|_| SecretError::Corrupt)?;
    Ok(Some(crate::auth::oauth1::TokenPair {
        token: j.token,
        secret: crate::secret::TokenSecret::new(j.token_secret),
    }))
}

pub fn save_oauth1(
    store: &dyn SecretStore,
    key: &str,
    pair: &crate::auth::oauth1::TokenPair,
) -> Result<(), SecretError> {
    let j = Oauth1Json { token: pair.token.clone(), token_secret: pair.secret.expose().to_string() };
    let raw = serde_json::to_string(&j).map_err(|e| SecretError::Other(e.to_string()))?;
    store.set(key, &raw)
}

impl TokenSet {
    /// When to refresh: 5 minutes before expiry, or a quarter of the lifetime for short-lived
    /// tokens, so a fresh token is never refreshed again at once.
    pub fn refresh_due(&self, now: i64) -> bool {
        let lifetime = (self.expires_at - self.obtained_at).max(0);
        let margin = crate::session::REFRESH_MARGIN_SECS.min(lifetime / 4);
        now + margin >= self.expires_at
    }

    pub fn load(store: &dyn SecretStore, key: &str) -> Result<Option<TokenSet>, SecretError> {
        let Some(raw) = store.get(key)? else { return Ok(None) };
        let j: TokenJson = serde_json::from_str(&raw).map_err(|_| SecretError::Corrupt)?;
        Ok(Some(TokenSet {
            access: AccessToken::new(j.access_token),
            refresh: RefreshToken::new(j.refresh_token),
            expires_at: j.expires_at,
            obtained_at: j.obtained_at,
        }))
    }

    pub fn save(&self, store: &dyn SecretStore, key: &str) -> Result<(), SecretError> {
        let j = TokenJson {
            access_token: self.access.expose().to_string(),
            refresh_token: self.refresh.expose().to_string(),
            expires_at: self.expires_at,
            obtained_at: self.obtained_at,
        };
        let raw = serde_json::to_string(&j).map_err(|e| SecretError::Other(e.to_string()))?;
        store.set(key, &raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_oversized_entries_are_refused() {
        let store = MemoryStore::default();
        let t = TokenSet {
            access: AccessToken::new("a"),
            refresh: RefreshToken::new("r"),
            expires_at: 99,
            obtained_at: 9,
        };
        t.save(&store, "withings:1").unwrap();
        let back = TokenSet::load(&store, "withings:1").unwrap().unwrap();
        assert_eq!((back.access.expose(), back.refresh.expose(), back.expires_at), ("a", "r", 99));
        let huge = TokenSet { access: AccessToken::new("x".repeat(3000)), ..t };
        assert!(matches!(huge.save(&store, "k"), Err(SecretError::TooLarge(_))));
    }

    #[test]
    fn a_locked_keychain_is_an_actionable_error() {
        let store = MemoryStore::default();
        store.locked.store(true, std::sync::atomic::Ordering::Relaxed);
        let err = store.set("k", "v").unwrap_err().to_string();
        assert!(err.contains("unlock"), "{err}");
    }
}
