//! The OS keychain as a plain store of secret values by key, behind a small trait so unit
//! tests can use memory. What the values mean (tokens, client secrets) is decided elsewhere
//! (`auth::tokens`); this module only keeps strings safe.
//!
//! There is deliberately no file fallback: if the keychain is missing or locked, Heft says so
//! and stores nothing, rather than writing a secret to disk in plaintext.

use crate::error_code::ErrorCode;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The service name of Heft's keychain entries.
pub const SERVICE: &str = "app.heft.desktop";
/// Windows Credential Manager caps a secret at 2,560 bytes; no platform gets more from Heft.
pub const MAX_SECRET_BYTES: usize = 2_560;
/// The key [`probe`] writes, reads back and removes.
const PROBE_KEY: &str = "heft-keychain-probe";

#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error(
        "no OS keychain answers ({0}); on Linux install and start a Secret Service (gnome-keyring \
         or KeePassXC) and log in again — Heft never stores tokens in plain files"
    )]
    Missing(String),
    #[error(
        "the OS keychain is locked ({0}); unlock your login keyring and try again — Heft never \
         stores tokens in plain files"
    )]
    Locked(String),
    #[error(
        "the OS keychain does not keep what Heft stores (a stand-in keychain without storage); \
         install a real Secret Service such as gnome-keyring and try again"
    )]
    NotPersistent,
    #[error("the keychain entry is {0} bytes, more than the {MAX_SECRET_BYTES} every keychain accepts")]
    TooLarge(usize),
    #[error("the keychain entry {0} is damaged; connect the account again (your history is kept)")]
    Damaged(String),
    #[error("keychain error: {0}")]
    Other(String),
}

impl KeychainError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            KeychainError::Missing(_) | KeychainError::Locked(_) | KeychainError::NotPersistent => {
                ErrorCode::KeychainUnavailable
            }
            KeychainError::Damaged(_) => ErrorCode::KeychainDamaged,
            KeychainError::TooLarge(_) | KeychainError::Other(_) => ErrorCode::KeychainError,
        }
    }
}

/// A string store for secrets, keyed by name.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, KeychainError>;
    fn set(&self, key: &str, value: &str) -> Result<(), KeychainError>;
    fn delete(&self, key: &str) -> Result<(), KeychainError>;
}

/// Checks once that the keychain stores, returns and removes a value, so a missing, locked or
/// stand-in keychain is reported with its fix before a browser opens or a token is at stake.
pub fn probe(store: &dyn SecretStore) -> Result<(), KeychainError> {
    let value = format!("probe-{}", std::process::id());
    store.set(PROBE_KEY, &value)?;
    let back = store.get(PROBE_KEY)?;
    store.delete(PROBE_KEY)?;
    if back.as_deref() != Some(value.as_str()) {
        return Err(KeychainError::NotPersistent);
    }
    Ok(())
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

    /// A new `Entry` per call: the stand-in keychain keeps values per `Entry` object only, so
    /// [`probe`] notices it.
    fn entry(&self, key: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(&self.service, key).map_err(|e| map_keyring(e, key))
    }
}

fn map_keyring(e: keyring::Error, key: &str) -> KeychainError {
    match e {
        keyring::Error::NoStorageAccess(inner) => KeychainError::Locked(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => KeychainError::Missing(inner.to_string()),
        keyring::Error::TooLong(_, n) => KeychainError::TooLarge(n as usize),
        keyring::Error::BadEncoding(_) => KeychainError::Damaged(key.to_string()),
        other => KeychainError::Other(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<String>, KeychainError> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring(e, key)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), KeychainError> {
        if value.len() > MAX_SECRET_BYTES {
            return Err(KeychainError::TooLarge(value.len()));
        }
        self.entry(key)?.set_password(value).map_err(|e| map_keyring(e, key))
    }

    fn delete(&self, key: &str) -> Result<(), KeychainError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring(e, key)),
        }
    }
}

/// An in-memory store for tests.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, String>>,
    locked: AtomicBool,
}

impl MemoryStore {
    /// Makes every later call fail as a locked keychain would.
    pub fn lock(&self, locked: bool) {
        self.locked.store(locked, Ordering::Relaxed);
    }

    fn check(&self) -> Result<(), KeychainError> {
        if self.locked.load(Ordering::Relaxed) {
            return Err(KeychainError::Locked("locked".into()));
        }
        Ok(())
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, KeychainError> {
        self.check()?;
        Ok(self.entries.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), KeychainError> {
        self.check()?;
        if value.len() > MAX_SECRET_BYTES {
            return Err(KeychainError::TooLarge(value.len()));
        }
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(key.into(), value.into());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), KeychainError> {
        self.check()?;
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keychain that accepts values and forgets them, like `keyring`'s stand-in store.
    struct Forgetful;

    impl SecretStore for Forgetful {
        fn get(&self, _: &str) -> Result<Option<String>, KeychainError> {
            Ok(None)
        }
        fn set(&self, _: &str, _: &str) -> Result<(), KeychainError> {
            Ok(())
        }
        fn delete(&self, _: &str) -> Result<(), KeychainError> {
            Ok(())
        }
    }

    #[test]
    fn the_probe_passes_a_working_keychain_and_leaves_nothing_behind() {
        let store = MemoryStore::default();
        probe(&store).expect("a working keychain passes");
        assert_eq!(store.get(PROBE_KEY).unwrap(), None, "the probe entry is removed");
    }

    #[test]
    fn the_probe_names_a_locked_or_forgetful_keychain_with_its_fix() {
        let store = MemoryStore::default();
        store.lock(true);
        let locked = probe(&store).unwrap_err();
        assert_eq!(locked.code(), "keychain_unavailable");
        assert!(locked.to_string().contains("unlock your login keyring"), "{locked}");
        let mock = probe(&Forgetful).unwrap_err();
        assert!(matches!(mock, KeychainError::NotPersistent), "{mock:?}");
        assert!(mock.to_string().contains("install a real Secret Service"), "{mock}");
    }

    #[test]
    fn oversized_values_are_refused_before_the_keychain_sees_them() {
        let store = MemoryStore::default();
        let err = store.set("k", &"x".repeat(MAX_SECRET_BYTES + 1)).unwrap_err();
        assert!(matches!(err, KeychainError::TooLarge(n) if n == MAX_SECRET_BYTES + 1), "{err:?}");
        assert_eq!(store.get("k").unwrap(), None, "nothing was stored");
    }
}
