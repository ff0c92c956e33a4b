//! `settings.json`: one file that several Heft processes (the window, the CLI) change at once.
//!
//! Nobody rewrites it from a copy in memory. A change is an edit applied, under a lock file
//! beside it, to the file as it is on disk at that moment, then written atomically; so a change
//! another process made in the meantime is kept, and only the keys this edit sets are replaced
//! (an account's trend is one entry of its map). Keys a newer Heft wrote are kept too.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// How long a change waits for another process changing the file before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(5);
const LOCK_POLL: Duration = Duration::from_millis(10);

/// What the settings file holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SettingsFile {
    pub client_id: Option<String>,
    pub api_url: Option<String>,
    pub auth_url: Option<String>,
    pub oauth1_url: Option<String>,
    pub redirect_uri: Option<String>,
    /// Display unit: "kg", "lb" or "st".
    pub unit: Option<String>,
    /// Goal weight set in Heft, in kg (else Withings' own goal is used).
    pub goal_kg: Option<f64>,
    /// The trend method of each account, by `provider:userid`.
    pub trend: BTreeMap<String, TrendSetting>,
    /// The window syncs when it opens (default yes).
    pub sync_on_launch: Option<bool>,
    /// How often the window syncs while open: "off", "15m", "hourly" (default), "daily".
    pub sync_every: Option<String>,
    /// The window's colours: "system" (default), "light", "dark".
    pub theme: Option<String>,
    /// Remind after this many days without a weigh-in (none: no such reminder, the default).
    pub remind_after_days: Option<u32>,
    /// Where the demo's simulated history ends (set when the demo first starts), so the demo
    /// serves the same history after every restart.
    pub demo_data_end: Option<i64>,
    /// Keys this Heft does not know (a newer one wrote them): kept as they are.
    #[serde(flatten)]
    pub newer: serde_json::Map<String, serde_json::Value>,
}

/// An account's chosen trend: the method's name (parsed where it is used) and, for
/// `time-aware`, its smoothing time. Chosen, and so replaced, as a whole.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TrendSetting {
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smoothing_days: Option<f64>,
    /// "first" (none), "lowest" or "mean": which weigh-in stands for a day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_reading: Option<String>,
}

/// Which version of the file a copy in memory was read from: an atomic write makes a new file,
/// so its identity, size or modification time changes with every write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    fn of(m: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            modified: m.modified().ok(),
            len: m.len(),
            #[cfg(unix)]
            inode: (m.dev(), m.ino()),
        }
    }
}

/// The file's contents with the version they were read from (none: there is no file yet).
pub type Stamped = (SettingsFile, Option<Stamp>);

fn read_error(path: &Path, e: impl std::fmt::Display) -> ConfigError {
    ConfigError::Read { path: path.to_path_buf(), reason: e.to_string() }
}

impl SettingsFile {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("settings.json")
    }

    fn lock_path(data_dir: &Path) -> PathBuf {
        data_dir.join("settings.json.lock")
    }

    pub fn read(data_dir: &Path) -> Result<SettingsFile, ConfigError> {
        Ok(Self::read_stamped(data_dir)?.0)
    }

    /// Reads the file and the version read, from one open handle (a write that lands between
    /// the two cannot pair one version's stamp with another's contents).
    pub fn read_stamped(data_dir: &Path) -> Result<Stamped, ConfigError> {
        let path = Self::path(data_dir);
        let mut f = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((SettingsFile::default(), None)),
            Err(e) => return Err(read_error(&path, e)),
        };
        let stamp = Stamp::of(&f.metadata().map_err(|e| read_error(&path, e))?);
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map_err(|e| read_error(&path, e))?;
        let file = serde_json::from_slice(&bytes).map_err(|e| read_error(&path, e))?;
        Ok((file, Some(stamp)))
    }

    /// The version of the file on disk now, without reading it.
    pub fn stamp(data_dir: &Path) -> Result<Option<Stamp>, ConfigError> {
        let path = Self::path(data_dir);
        match std::fs::metadata(&path) {
            Ok(m) => Ok(Some(Stamp::of(&m))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(read_error(&path, e)),
        }
    }

    /// Changes the file: under the lock, `edit` sets what it changes on the file as it is on
    /// disk now, and the result is written atomically (not at all if `edit` changed nothing).
    /// Returns the file as written, its version, and what `edit` returned. A file that cannot be
    /// read is an error and is left as it is.
    pub fn update<T>(
        data_dir: &Path,
        edit: impl FnOnce(&mut SettingsFile) -> T,
    ) -> Result<(Stamped, T), ConfigError> {
        let path = Self::path(data_dir);
        let err = |source: std::io::Error| ConfigError::Write { path: path.clone(), source };
        crate::files::private_dir(data_dir).map_err(err)?;
        let _lock = lock(data_dir, LOCK_WAIT)?;
        let (before, stamp) = Self::read_stamped(data_dir)?;
        let mut after = before.clone();
        let out = edit(&mut after);
        if after == before {
            return Ok(((after, stamp), out));
        }
        let json = serde_json::to_vec_pretty(&after).map_err(|e| err(std::io::Error::other(e)))?;
        crate::files::write_atomic(&path, &json).map_err(err)?;
        let stamp = Self::stamp(data_dir)?;
        Ok(((after, stamp), out))
    }
}

/// Takes the settings lock (held until the file is dropped). It is polled, so a holder that
/// never lets go (a process stopped with Ctrl-Z) costs `wait`, then a clear error.
fn lock(data_dir: &Path, wait: Duration) -> Result<File, ConfigError> {
    let path = SettingsFile::lock_path(data_dir);
    let fail = |source: std::io::Error| ConfigError::Write { path: path.clone(), source };
    let file = crate::files::open_private(&path).map_err(fail)?;
    let asked = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(fail(e)),
        }
        let waited = asked.elapsed();
        if waited >= wait {
            return Err(ConfigError::Busy { path, waited_secs: waited.as_secs().max(1) });
        }
        std::thread::sleep(LOCK_POLL.min(wait - waited));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_waits_a_bounded_time_for_another_holding_the_lock_then_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path(), LOCK_WAIT).unwrap();
        let err = lock(dir.path(), Duration::from_millis(50)).unwrap_err();
        assert_eq!(err.code(), "settings_busy", "{err}");
        assert!(err.to_string().contains("another Heft"), "{err}");
        drop(held);
        assert!(lock(dir.path(), Duration::from_millis(50)).is_ok(), "free again once let go");
    }

    #[test]
    fn a_change_that_changes_nothing_does_not_rewrite_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let ((_, first), ()) = SettingsFile::update(dir.path(), |f| f.unit = Some("lb".into())).unwrap();
        let ((_, again), ()) = SettingsFile::update(dir.path(), |f| f.unit = Some("lb".into())).unwrap();
        assert!(first.is_some());
        assert_eq!(first, again, "the same file");
    }
}
