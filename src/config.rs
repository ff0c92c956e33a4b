//! Settings: a `settings.json` in the data directory, overridden by `HEFT_*` variables.
//!
//! Only non-secret values live in the file; the client secret can come from the environment or
//! the keychain, never from disk.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::redact::ClientSecret;

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
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::MissingClientId | ConfigError::MissingClientSecret => "not_configured",
            ConfigError::Insecure { .. } => "insecure_url",
            ConfigError::NoDataDir
            | ConfigError::Read { .. }
            | ConfigError::Write { .. }
            | ConfigError::MissingOauth1Url
            | ConfigError::BadUrl { .. }
            | ConfigError::BadNumber { .. }
            | ConfigError::BadTrend(_) => "config_error",
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
    pub trend: std::collections::BTreeMap<String, TrendSetting>,
    /// The window syncs when it opens (default yes).
    pub sync_on_launch: Option<bool>,
    /// How often the window syncs while open: "off", "15m", "hourly" (default), "daily".
    pub sync_every: Option<String>,
    /// The window's colours: "system" (default), "light", "dark".
    pub theme: Option<String>,
    /// Where the demo's simulated history ends (set when the demo first starts), so the demo
    /// serves the same history after every restart.
    pub demo_data_end: Option<i64>,
}

/// An account's chosen trend: the method's name (parsed where it is used) and, for
/// `time-aware`, its smoothing time.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TrendSetting {
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smoothing_days: Option<f64>,
}

/// Settings in effect for one run.
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
    pub file: SettingsFile,
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
        let file = SettingsFile::read(&data_dir)?;
        let pick = |var: &str, from_file: &Option<String>, default: &str| {
            env(var).or_else(|| from_file.clone()).unwrap_or_else(|| default.to_string())
        };
        let s = Settings {
            client_id: env("HEFT_WITHINGS_CLIENT_ID").or_else(|| file.client_id.clone()),
            client_secret: env("HEFT_WITHINGS_CLIENT_SECRET").map(ClientSecret::new),
            api_url: pick("HEFT_WITHINGS_API_URL", &file.api_url, DEFAULT_API_URL),
            auth_url: pick("HEFT_WITHINGS_AUTH_URL", &file.auth_url, DEFAULT_AUTH_URL),
            oauth1_url: env("HEFT_WITHINGS_OAUTH1_URL").or_else(|| file.oauth1_url.clone()),
            redirect_uri: pick("HEFT_REDIRECT_URI", &file.redirect_uri, DEFAULT_REDIRECT_URI),
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
        };
        if url::Url::parse(&s.redirect_uri).is_err() {
            return Err(ConfigError::BadUrl { name: "HEFT_REDIRECT_URI", value: s.redirect_uri.clone() });
        }
        require_secure("HEFT_WITHINGS_API_URL", &s.api_url)?;
        require_secure("HEFT_WITHINGS_AUTH_URL", &s.auth_url)?;
        if let Some(u) = &s.oauth1_url {
            require_secure("HEFT_WITHINGS_OAUTH1_URL", u)?;
        }
        Ok(s)
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("heft.db")
    }
}

impl SettingsFile {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("settings.json")
    }

    pub fn read(data_dir: &Path) -> Result<SettingsFile, ConfigError> {
        let path = Self::path(data_dir);
        match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| ConfigError::Read { path, reason: e.to_string() })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SettingsFile::default()),
            Err(e) => Err(ConfigError::Read { path, reason: e.to_string() }),
        }
    }

    /// Writes atomically and privately, so a crash never leaves half a file.
    pub fn write(&self, data_dir: &Path) -> Result<(), ConfigError> {
        let path = Self::path(data_dir);
        let err = |source: std::io::Error| ConfigError::Write { path: path.clone(), source };
        crate::files::private_dir(data_dir).map_err(err)?;
        let json = serde_json::to_vec_pretty(self).map_err(|e| err(std::io::Error::other(e)))?;
        crate::files::write_atomic(&path, &json).map_err(err)
    }
}

#[cfg(test)]
mod tests {
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
        let file = SettingsFile { auth_url: Some("http://account.example.com".into()), ..Default::default() };
        file.write(dir.path()).unwrap();
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
        SettingsFile { unit: Some("lb".into()), ..Default::default() }.write(&data).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&SettingsFile::path(&data)), 0o600);
        assert_eq!(mode(&data), 0o700, "an existing folder is tightened");
        assert_eq!(SettingsFile::read(&data).unwrap().unit.as_deref(), Some("lb"));
    }
}
