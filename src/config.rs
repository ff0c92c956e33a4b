//! Settings: a `settings.json` in the data directory, overridden by `HEFT_*` variables.
//!
//! Only non-secret values live in the file; the client secret can come from the environment or
//! the keychain, never from disk.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::secret::ClientSecret;

pub const DEFAULT_API_URL: &str = "https://wbsapi.withings.net";
pub const DEFAULT_AUTH_URL: &str = "https://account.withings.com";
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:8765/callback";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot find a data directory; set HEFT_DATA_DIR")]
    NoDataDir,
    #[error("cannot read settings file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("cannot write settings file {path}: {reason}")]
    Write { path: PathBuf, reason: String },
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
    pub file: SettingsFile,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Settings {
    /// Reads the settings file (if any) and applies the environment on top.
    pub fn load() -> Result<Settings, ConfigError> {
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
            data_dir,
            file,
        };
        for (name, value) in [
            ("HEFT_WITHINGS_API_URL", &s.api_url),
            ("HEFT_WITHINGS_AUTH_URL", &s.auth_url),
            ("HEFT_REDIRECT_URI", &s.redirect_uri),
        ] {
            if url::Url::parse(value).is_err() {
                return Err(ConfigError::BadUrl { name, value: value.clone() });
            }
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

    /// Writes atomically (temp file + rename), so a crash never leaves half a file.
    pub fn write(&self, data_dir: &Path) -> Result<(), ConfigError> {
        let path = Self::path(data_dir);
        let err = |e: std::io::Error| ConfigError::Write { path: path.clone(), reason: e.to_string() };
        std::fs::create_dir_all(data_dir).map_err(err)?;
        let tmp = path.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(self).map_err(|e| err(std::io::Error::other(e)))?;
        std::fs::write(&tmp, json).map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)
    }
}
