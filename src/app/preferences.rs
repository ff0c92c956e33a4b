//! The window's settings page: what Heft does on its own (unit, automatic syncs, theme), where
//! it keeps the data, and the Withings developer app it talks through. Kept in
//! `settings.json` beside the database; the client secret only in the keychain.

use serde::{Deserialize, Serialize};

use super::{App, AppError, client_secret_key};
use crate::units::MassUnit;

/// How often the window syncs while it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SyncEvery {
    #[serde(rename = "off")]
    Off,
    #[serde(rename = "15m")]
    Quarter,
    #[default]
    #[serde(rename = "hourly")]
    Hourly,
    #[serde(rename = "daily")]
    Daily,
}

impl SyncEvery {
    pub fn parse(s: &str) -> Option<SyncEvery> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }

    fn as_str(self) -> &'static str {
        match self {
            SyncEvery::Off => "off",
            SyncEvery::Quarter => "15m",
            SyncEvery::Hourly => "hourly",
            SyncEvery::Daily => "daily",
        }
    }

    /// Minutes between syncs, none when off.
    pub fn minutes(self) -> Option<u32> {
        match self {
            SyncEvery::Off => None,
            SyncEvery::Quarter => Some(15),
            SyncEvery::Hourly => Some(60),
            SyncEvery::Daily => Some(24 * 60),
        }
    }
}

/// The window's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub fn parse(s: &str) -> Option<ThemeChoice> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }

    fn as_str(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }
}

/// What the settings page shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preferences {
    /// The unit of accounts without one of their own.
    pub unit: MassUnit,
    pub sync_on_launch: bool,
    pub sync_every: SyncEvery,
    pub sync_every_minutes: Option<u32>,
    pub theme: ThemeChoice,
    /// Where the database, the settings and the exports live.
    pub data_dir: String,
    pub client_id: Option<String>,
    /// A client secret for `client_id` is in the keychain (it is never shown); false unless
    /// asked to check.
    pub client_secret_saved: bool,
    /// The exact callback URL to register with Withings.
    pub callback_url: String,
    /// Set by the environment (`HEFT_WITHINGS_CLIENT_ID`), which wins over this page.
    pub client_id_from_environment: bool,
    /// The system locale (BCP 47) the window formats numbers and dates in; none: its default.
    pub locale: Option<String>,
    /// A reminder after this many days without a weigh-in; none: no such reminder.
    pub remind_after_days: Option<u32>,
    /// Whether the system starts Heft at login, in the background, for its reminders; none
    /// where Heft cannot offer it (the CLI).
    pub start_at_login: Option<bool>,
}

/// What the settings page saves (the developer app goes through `save_credentials`).
#[derive(Debug, Clone, Deserialize)]
pub struct PreferencesUpdate {
    pub unit: MassUnit,
    pub sync_on_launch: bool,
    pub sync_every: SyncEvery,
    pub theme: ThemeChoice,
    pub remind_after_days: Option<u32>,
    /// None: leave it as it is.
    pub start_at_login: Option<bool>,
}

impl App {
    /// The settings; with `check_secret`, whether the keychain holds the client secret (a
    /// keychain round trip).
    pub fn preferences(&self, check_secret: bool) -> Result<Preferences, AppError> {
        let settings = self.settings();
        let f = settings.file();
        let (sync_on_launch, sync_every) = self.sync_choices();
        let client_id = self.settings().client_id.clone();
        let client_secret_saved = match &client_id {
            Some(_) if self.settings().client_secret.is_some() => true,
            Some(id) if check_secret => self.keychain.get(&client_secret_key(id))?.is_some(),
            _ => false,
        };
        Ok(Preferences {
            unit: self.unit(),
            sync_on_launch,
            sync_every,
            sync_every_minutes: sync_every.minutes(),
            theme: f.theme.as_deref().and_then(ThemeChoice::parse).unwrap_or_default(),
            data_dir: self.data_dir.display().to_string(),
            client_id_from_environment: client_id.is_some() && client_id != f.client_id,
            client_id,
            client_secret_saved,
            callback_url: self.settings().redirect_uri.clone(),
            locale: crate::locale::bcp47_from_env(),
            remind_after_days: f.remind_after_days.filter(|d| *d > 0),
            start_at_login: self.desktop_program().map(|program| {
                crate::autostart::enabled(&program).unwrap_or_else(|e| {
                    tracing::warn!("could not read the start at login: {e}");
                    false
                })
            }),
        })
    }

    /// Whether Heft syncs at launch (by default it does) and how often while it runs.
    pub(super) fn sync_choices(&self) -> (bool, SyncEvery) {
        let settings = self.settings();
        let f = settings.file();
        (
            f.sync_on_launch.unwrap_or(true),
            f.sync_every.as_deref().and_then(SyncEvery::parse).unwrap_or_default(),
        )
    }

    pub fn save_preferences(&self, p: &PreferencesUpdate) -> Result<Preferences, AppError> {
        super::reminders::check_remind_after_days(p.remind_after_days)?;
        if let (Some(on), Some(program)) = (p.start_at_login, self.desktop_program()) {
            crate::autostart::set(on, &program)?;
        }
        // Only these keys: what another Heft changed meanwhile (a trend method, the client id)
        // is kept.
        self.update_settings(|f| {
            f.remind_after_days = p.remind_after_days;
            f.unit = Some(p.unit.as_str().to_string());
            f.sync_on_launch = Some(p.sync_on_launch);
            f.sync_every = Some(p.sync_every.as_str().to_string());
            f.theme = Some(p.theme.as_str().to_string());
        })?;
        self.preferences(true)
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_read_back_what_they_write() {
        for e in [SyncEvery::Off, SyncEvery::Quarter, SyncEvery::Hourly, SyncEvery::Daily] {
            assert_eq!(SyncEvery::parse(e.as_str()), Some(e));
        }
        for t in [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark] {
            assert_eq!(ThemeChoice::parse(t.as_str()), Some(t));
        }
        assert_eq!(SyncEvery::parse("weekly"), None);
        assert_eq!(SyncEvery::Daily.minutes(), Some(1440));
    }
}
