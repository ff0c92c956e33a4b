//! Settings: a `settings.json` in the data directory, overridden by `HEFT_*` variables.
//!
//! Only non-secret values live in the file; the client secret can come from the environment or
//! the keychain, never from disk.

use crate::error_code::ErrorCode;
use std::path::PathBuf;

use crate::redact::ClientSecret;

mod file;

pub use file::{SettingsFile, Stamp, Stamped, TrendSetting};

pub const DEFAULT_API_URL: &str = "https://wbsapi.withings.net";
pub const DEFAULT_AUTH_URL: &str = "https://account.withings.com";
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:8765/callback";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot find a data directory; set HEFT_DATA_DIR")]
    NoDataDir,
    #[error("cannot read settings file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("cannot write settings file {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "another Heft has been changing the settings ({path}) for {waited_secs} s; try again, or close the other Heft"
    )]
    Busy { path: PathBuf, waited_secs: u64 },
    #[error(
        "no Withings client id is set: set HEFT_WITHINGS_CLIENT_ID (see the README: registering a Withings developer app)"
    )]
    MissingClientId,
    #[error("no Withings client secret is set: set HEFT_WITHINGS_CLIENT_SECRET")]
    MissingClientSecret,
    #[error("no OAuth 1.0a host is set: set HEFT_WITHINGS_OAUTH1_URL")]
    MissingOauth1Url,
    #[error("{name} is not a valid URL: {value}")]
    BadUrl { name: &'static str, value: String },
    #[error("{name} must be a whole number from {range}, not {value:?}")]
    BadNumber { name: &'static str, value: String, range: &'static str },
    #[error("the settings file names {0}; choose the trend method again")]
    BadTrend(String),
    #[error(
        "{name} is {value}, which is neither https nor on this computer; Heft sends secrets and tokens there, so it must be https"
    )]
    Insecure { name: &'static str, value: String },
}

impl ConfigError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ConfigError::MissingClientId | ConfigError::MissingClientSecret => ErrorCode::NotConfigured,
            ConfigError::Insecure { .. } => ErrorCode::InsecureUrl,
            ConfigError::Busy { .. } => ErrorCode::SettingsBusy,
            ConfigError::NoDataDir
            | ConfigError::Read { .. }
            | ConfigError::Write { .. }
            | ConfigError::MissingOauth1Url
            | ConfigError::BadUrl { .. }
            | ConfigError::BadNumber { .. }
            | ConfigError::BadTrend(_) => ErrorCode::ConfigError,
        }
    }
}

/// An API or consent host must be `https`, unless it is on this computer (the simulator, a
/// test): a plain-http host elsewhere would see the client secret and every token.
pub fn require_secure(name: &'static str, value: &str) -> Result<(), ConfigError> {
    let url = url::Url::parse(value).map_err(|_| ConfigError::BadUrl { name, value: value.to_string() })?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(ConfigError::Insecure { name, value: value.to_string() }),
    }
}

/// Settings in effect for one run: the settings file with the environment on top.
///
/// The file is shared with other Heft processes, so it is only changed through
/// [`Settings::update`] (an edit applied to the file as it is on disk, under its lock), and
/// [`Settings::refresh`] takes in what another process saved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    pub api_url: String,
    pub auth_url: String,
    pub oauth1_url: Option<String>,
    pub redirect_uri: String,
    /// Program to open URLs with, instead of the system browser.
    pub browser: Option<PathBuf>,
    /// Date windows a first download fetches at once (`HEFT_SYNC_WINDOWS`, 1 to 12; 1 is one
    /// chain of pages, as the benchmarks' baseline).
    pub sync_windows: usize,
    file: SettingsFile,
    /// The version of the file `file` is.
    seen: Option<Stamp>,
    /// The environment's values for what the file also sets, which win over it.
    overrides: Overrides,
}

#[derive(Debug, Clone, Default)]
struct Overrides {
    client_id: Option<String>,
    api_url: Option<String>,
    auth_url: Option<String>,
    oauth1_url: Option<String>,
    redirect_uri: Option<String>,
}

/// What the file and the environment together decide, checked.
struct FromFile {
    client_id: Option<String>,
    api_url: String,
    auth_url: String,
    oauth1_url: Option<String>,
    redirect_uri: String,
}

impl Overrides {
    fn resolve(&self, file: &SettingsFile) -> Result<FromFile, ConfigError> {
        let pick = |var: &Option<String>, from_file: &Option<String>, default: &str| {
            var.clone().or_else(|| from_file.clone()).unwrap_or_else(|| default.to_string())
        };
        let r = FromFile {
            client_id: self.client_id.clone().or_else(|| file.client_id.clone()),
            api_url: pick(&self.api_url, &file.api_url, DEFAULT_API_URL),
            auth_url: pick(&self.auth_url, &file.auth_url, DEFAULT_AUTH_URL),
            oauth1_url: self.oauth1_url.clone().or_else(|| file.oauth1_url.clone()),
            redirect_uri: pick(&self.redirect_uri, &file.redirect_uri, DEFAULT_REDIRECT_URI),
        };
        if url::Url::parse(&r.redirect_uri).is_err() {
            return Err(ConfigError::BadUrl { name: "HEFT_REDIRECT_URI", value: r.redirect_uri.clone() });
        }
        require_secure("HEFT_WITHINGS_API_URL", &r.api_url)?;
        require_secure("HEFT_WITHINGS_AUTH_URL", &r.auth_url)?;
        if let Some(u) = &r.oauth1_url {
            require_secure("HEFT_WITHINGS_OAUTH1_URL", u)?;
        }
        Ok(r)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Settings {
    /// Reads the settings file (if any) and applies the environment on top.
    pub fn load() -> Result<Settings, ConfigError> {
        Settings::load_with(&env)
    }

    /// [`Settings::load`] with the environment given as a lookup (tests pass their own).
    pub fn load_with(env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let data_dir = match env("HEFT_DATA_DIR") {
            Some(d) => PathBuf::from(d),
            None => dirs::data_dir().ok_or(ConfigError::NoDataDir)?.join("heft"),
        };
        let overrides = Overrides {
            client_id: env("HEFT_WITHINGS_CLIENT_ID"),
            api_url: env("HEFT_WITHINGS_API_URL"),
            auth_url: env("HEFT_WITHINGS_AUTH_URL"),
            oauth1_url: env("HEFT_WITHINGS_OAUTH1_URL"),
            redirect_uri: env("HEFT_REDIRECT_URI"),
        };
        let (file, seen) = SettingsFile::read_stamped(&data_dir)?;
        let r = overrides.resolve(&file)?;
        Ok(Settings {
            client_id: r.client_id,
            client_secret: env("HEFT_WITHINGS_CLIENT_SECRET").map(ClientSecret::new),
            api_url: r.api_url,
            auth_url: r.auth_url,
            oauth1_url: r.oauth1_url,
            redirect_uri: r.redirect_uri,
            browser: env("HEFT_BROWSER").map(PathBuf::from),
            sync_windows: match env("HEFT_SYNC_WINDOWS") {
                None => crate::sync::WINDOWS,
                Some(n) => n.parse().ok().filter(|n| (1..=12).contains(n)).ok_or(ConfigError::BadNumber {
                    name: "HEFT_SYNC_WINDOWS",
                    value: n,
                    range: "1 to 12",
                })?,
            },
            data_dir,
            file,
            seen,
            overrides,
        })
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("heft.db")
    }

    /// The settings file as last read or written by this process (see [`Settings::refresh`]).
    pub fn file(&self) -> &SettingsFile {
        &self.file
    }

    /// Takes in what another process saved since the file was last read here: re-reads it if
    /// it changed on disk (a `stat`, otherwise). Returns whether it had. A file that cannot be
    /// read or names an insecure host is an error, and the settings stay as they were.
    pub fn refresh(&mut self) -> Result<bool, ConfigError> {
        if SettingsFile::stamp(&self.data_dir)? == self.seen {
            return Ok(false);
        }
        self.take(SettingsFile::read_stamped(&self.data_dir)?)?;
        Ok(true)
    }

    /// Changes the settings file: `edit` sets what this change is about on the file as it is
    /// on disk now, under the file's lock, and the result is written atomically. Another
    /// process's changes are never undone, only the keys `edit` sets are replaced (the last
    /// writer of a key wins), and afterwards these settings show both.
    pub fn update<T>(&mut self, edit: impl FnOnce(&mut SettingsFile) -> T) -> Result<T, ConfigError> {
        let (written, out) = SettingsFile::update(&self.data_dir, edit)?;
        self.take(written)?;
        Ok(out)
    }

    fn take(&mut self, (file, seen): Stamped) -> Result<(), ConfigError> {
        let r = self.overrides.resolve(&file)?;
        (self.client_id, self.api_url, self.auth_url) = (r.client_id, r.api_url, r.auth_url);
        (self.oauth1_url, self.redirect_uri) = (r.oauth1_url, r.redirect_uri);
        (self.file, self.seen) = (file, seen);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn load(dir: &Path, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let dir = dir.display().to_string();
        Settings::load_with(&|name| {
            if name == "HEFT_DATA_DIR" {
                return Some(dir.clone());
            }
            vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn a_plain_http_host_that_is_not_this_computer_is_refused_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["HEFT_WITHINGS_API_URL", "HEFT_WITHINGS_AUTH_URL", "HEFT_WITHINGS_OAUTH1_URL"] {
            let err = load(dir.path(), &[(name, "http://example.com")]).unwrap_err();
            assert_eq!(err.code(), "insecure_url", "{name}: {err}");
            assert!(err.to_string().contains(name) && err.to_string().contains("must be https"), "{err}");
        }
        for ok in ["https://example.com", "http://127.0.0.1:9000", "http://localhost:1", "http://[::1]:2"] {
            assert!(load(dir.path(), &[("HEFT_WITHINGS_API_URL", ok)]).is_ok(), "{ok} is allowed");
        }
    }

    #[test]
    fn a_plain_http_host_in_the_settings_file_is_refused_too() {
        let dir = tempfile::tempdir().unwrap();
        SettingsFile::update(dir.path(), |f| f.auth_url = Some("http://account.example.com".into())).unwrap();
        let err = load(dir.path(), &[]).unwrap_err();
        assert!(matches!(err, ConfigError::Insecure { name: "HEFT_WITHINGS_AUTH_URL", .. }), "{err:?}");
    }

    #[cfg(unix)]
    #[test]
    fn the_settings_file_is_private_in_a_private_folder() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("heft");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        SettingsFile::update(&data, |f| f.unit = Some("lb".into())).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&SettingsFile::path(&data)), 0o600);
        assert_eq!(mode(&data), 0o700, "an existing folder is tightened");
        assert_eq!(SettingsFile::read(&data).unwrap().unit.as_deref(), Some("lb"));
    }

    fn on_disk(dir: &Path) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(SettingsFile::path(dir)).unwrap()).unwrap()
    }

    #[test]
    fn two_handles_on_one_file_each_keep_the_others_change_and_see_it() {
        let dir = tempfile::tempdir().unwrap();
        let (mut window, mut cli) = (load(dir.path(), &[]).unwrap(), load(dir.path(), &[]).unwrap());
        window.update(|f| f.theme = Some("dark".into())).unwrap();
        // The CLI's copy predates the window's save; its change must not undo it.
        cli.update(|f| f.client_id = Some("my-app".into())).unwrap();
        let file = SettingsFile::read(dir.path()).unwrap();
        assert_eq!(file.theme.as_deref(), Some("dark"), "the window's change is kept");
        assert_eq!(file.client_id.as_deref(), Some("my-app"), "the CLI's change is written");
        assert_eq!(cli.file().theme.as_deref(), Some("dark"), "a writer sees what it merged with");
        assert_eq!(cli.client_id.as_deref(), Some("my-app"));

        assert!(window.refresh().unwrap(), "the window notices the CLI's save");
        assert_eq!(window.client_id.as_deref(), Some("my-app"), "and takes it in");
        assert!(!window.refresh().unwrap(), "nothing new: no re-read");
    }

    #[test]
    fn two_writers_of_the_same_key_the_last_one_wins_and_accounts_are_merged_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let (mut a, mut b) = (load(dir.path(), &[]).unwrap(), load(dir.path(), &[]).unwrap());
        let trend = |m: &str| TrendSetting { method: m.into(), smoothing_days: None, day_reading: None };
        a.update(|f| f.unit = Some("lb".into())).unwrap();
        b.update(|f| f.unit = Some("st".into())).unwrap();
        a.update(|f| f.trend.insert("withings:1".into(), trend("holt"))).unwrap();
        b.update(|f| f.trend.insert("withings:2".into(), trend("ema"))).unwrap();
        let file = SettingsFile::read(dir.path()).unwrap();
        assert_eq!(file.unit.as_deref(), Some("st"), "the last writer of a key wins");
        assert_eq!(file.trend.len(), 2, "each account's trend is kept: {:?}", file.trend);
        assert_eq!(file.trend["withings:1"].method, "holt");
    }

    #[test]
    fn keys_a_newer_heft_wrote_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let newer =
            r#"{"unit": "kg", "widgets": {"pinned": [1, 2]}, "trend": {"withings:1": {"method": "ema"}}}"#;
        std::fs::write(SettingsFile::path(dir.path()), newer).unwrap();
        let mut s = load(dir.path(), &[]).unwrap();
        s.update(|f| f.unit = Some("lb".into())).unwrap();
        let json = on_disk(dir.path());
        assert_eq!(json["widgets"], serde_json::json!({"pinned": [1, 2]}), "an unknown key survives: {json}");
        assert_eq!(
            (json["unit"].as_str(), json["trend"]["withings:1"]["method"].as_str()),
            (Some("lb"), Some("ema"))
        );
    }

    #[test]
    fn a_corrupt_file_is_a_clear_error_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = load(dir.path(), &[]).unwrap();
        s.update(|f| f.unit = Some("lb".into())).unwrap();
        std::fs::write(SettingsFile::path(dir.path()), b"{\"unit\": \"lb\", ").unwrap();
        let err = s.update(|f| f.theme = Some("dark".into())).unwrap_err();
        assert!(
            matches!(err, ConfigError::Read { .. }) && err.to_string().contains("settings.json"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(SettingsFile::path(dir.path())).unwrap(),
            b"{\"unit\": \"lb\", ",
            "untouched"
        );
        assert!(s.refresh().is_err(), "a re-read says so too");
        assert_eq!(s.file().unit.as_deref(), Some("lb"), "and keeps the settings it had");
    }

    #[test]
    fn the_environment_still_wins_over_a_file_another_process_changed() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = load(dir.path(), &[("HEFT_WITHINGS_CLIENT_ID", "from-env")]).unwrap();
        load(dir.path(), &[]).unwrap().update(|f| f.client_id = Some("from-file".into())).unwrap();
        assert!(s.refresh().unwrap());
        assert_eq!(s.client_id.as_deref(), Some("from-env"));
        assert_eq!(s.file().client_id.as_deref(), Some("from-file"));
        SettingsFile::update(dir.path(), |f| f.api_url = Some("http://example.com".into())).unwrap();
        assert_eq!(
            s.refresh().unwrap_err().code(),
            "insecure_url",
            "a re-read file is checked like a loaded one"
        );
        assert_eq!(s.api_url, DEFAULT_API_URL, "and the settings in effect stay as they were");
    }

    #[test]
    fn threads_changing_different_keys_at_once_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::thread::scope(|scope| {
            for who in ["a", "b", "c"] {
                let mut s = load(dir.path(), &[]).unwrap();
                scope.spawn(move || {
                    for n in 1..=50 {
                        let setting = TrendSetting {
                            method: "time-aware".into(),
                            smoothing_days: Some(n.into()),
                            day_reading: None,
                        };
                        s.update(|f| f.trend.insert(who.to_string(), setting)).unwrap();
                    }
                });
            }
        });
        let file = SettingsFile::read(dir.path()).unwrap();
        for who in ["a", "b", "c"] {
            assert_eq!(file.trend[who].smoothing_days, Some(50.0), "{who}'s last change is kept");
        }
    }
}
