//! Connection health, per account: is the link to Withings well, and if not, what to do.
//! Read on demand (it looks in the keychain), never on the start path.

use serde::Serialize;

use super::{App, AppError, SyncLine};
use crate::auth::tokens::Credentials;

/// Withings forgets a refresh token that has not been used for a year; after that the
/// person has to approve Heft again in the browser.
pub const REFRESH_TOKEN_LIFETIME_SECS: i64 = 365 * 86_400;
/// The window starts reminding this long before Withings would need a new consent.
pub const CONSENT_REMINDER_SECS: i64 = 30 * 86_400;

/// The last error of a sync, in words, with what to do about it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    pub code: String,
    pub message: String,
    pub fix: String,
}

/// What the window's health panel shows for one account.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Health {
    pub userid: String,
    /// The last sync that finished without an error, with what it did.
    pub last_success: Option<SyncLine>,
    pub last_error: Option<Problem>,
    pub needs_reconnect: bool,
    /// OAuth 1.0a tokens never expire; the rest below is then empty.
    pub signed: bool,
    /// When the access token expires (Heft renews it on the next sync after that).
    pub access_expires_at: Option<i64>,
    /// When the refresh token was issued (every renewal issues a new one).
    pub refresh_issued_at: Option<i64>,
    pub refresh_age_days: Option<i64>,
    /// When Withings will ask for a new consent if Heft does not sync before then.
    pub consent_needed_at: Option<i64>,
    /// That date is near (or past): sync, or reconnect.
    pub consent_reminder: bool,
    /// Withings' last request to slow down: when, and for how many seconds.
    pub rate_limited_at: Option<i64>,
    pub rate_limit_wait: Option<i64>,
    pub rate_limited_now: bool,
    /// Requests to the measure API the last sync made (pages downloaded).
    pub requests_last_sync: Option<i64>,
    /// No tokens were found in the keychain for this account.
    pub tokens_missing: bool,
}

/// What a person can do about a sync error, by its code.
pub fn fix_for(code: &str) -> &'static str {
    match code {
        "offline" => "Check your internet connection; Heft tries again at the next sync.",
        "reconnect_needed" => "Reconnect the account (Accounts… → Reconnect): your history is kept.",
        "client_rejected" => {
            "Check the Withings developer app settings: enter the client id and secret of your app at developer.withings.com in Settings, then sync again — no need to reconnect."
        }
        "refresh_refused" => {
            "Nothing to do yet: the authorization is kept and Heft tries again at the next sync. If Withings keeps refusing, reconnect the account (Accounts… → Reconnect)."
        }
        "rate_limited" => "Withings limits how often an app may ask; wait a minute and sync again.",
        "keychain_unavailable" | "keychain_error" => {
            "Unlock your keychain (e.g. log in to GNOME Keyring), then sync again."
        }
        "keychain_damaged" => "Disconnect and reconnect the account: its keychain entry cannot be read.",
        "demo_not_running" => "Sync again: the demo simulator starts with Heft.",
        "disk_full" => "Free some disk space; nothing stored was lost.",
        "settings_busy" => "Another Heft (a command in a terminal) is changing the settings; try again.",
        "not_configured" | "config_error" => {
            "Enter your Withings developer app in Settings (client id and secret)."
        }
        "withings_malformed" => {
            "Withings sent an answer Heft cannot read; nothing was changed. Try again later."
        }
        "withings_error" | "from_withings" => "Withings had a problem answering; try again later.",
        "data_folder_error" => "Heft cannot write to its data folder; check its permissions in Settings.",
        _ => "Try again; if it keeps happening, the message above says where it failed.",
    }
}

impl App {
    pub fn health(&self, userid: Option<&str>) -> Result<Health, AppError> {
        let a = self.account_for(userid)?;
        let state = self.store()?.sync_state(a.id)?;
        let now = self.now();
        let runs = self.sync_log(Some(&a.userid), 50, None)?;
        let requests_last_sync = runs.first().map(|r| r.pages);
        let last_success = runs.into_iter().find(|r| r.error.is_none() && r.took_ms.is_some());
        let last_error = state.last_error.as_ref().map(|message| {
            let code = state.last_error_code.clone().unwrap_or_else(|| "unknown".into());
            Problem { fix: fix_for(&code).to_string(), code, message: message.clone() }
        });
        let credentials = match a.provider.flow() {
            Some(_) => Credentials::load(self.keychain.as_ref(), &a.provider.token_key(&a.userid))?,
            None => None,
        };
        let (signed, tokens) = match &credentials {
            Some(Credentials::Signed(_)) => (true, None),
            Some(Credentials::Bearer(t)) => (false, Some(t)),
            None => (false, None),
        };
        let access_expires_at = tokens.map(|t| t.expires_at).or(a.token_expires_at);
        let refresh_issued_at = tokens.map(|t| t.obtained_at).filter(|t| *t > 0);
        let consent_by = refresh_issued_at.map(|t| t + REFRESH_TOKEN_LIFETIME_SECS);
        let rate_limited = state.rate_limited;
        Ok(Health {
            userid: a.userid.clone(),
            last_success,
            last_error,
            needs_reconnect: a.needs_reconnect,
            signed,
            access_expires_at,
            refresh_issued_at,
            refresh_age_days: refresh_issued_at.map(|t| (now - t).max(0) / 86_400),
            consent_needed_at: consent_by,
            rate_limited_at: rate_limited.map(|r| r.0),
            rate_limit_wait: rate_limited.map(|r| r.1),
            consent_reminder: consent_by.is_some_and(|by| now >= by - CONSENT_REMINDER_SECS),
            rate_limited_now: rate_limited.is_some_and(|(when, wait)| now < when + wait),
            requests_last_sync,
            tokens_missing: a.provider.flow().is_some() && credentials.is_none(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::fix_for;

    #[test]
    fn every_error_a_sync_records_has_its_own_advice() {
        let codes = [
            "offline",
            "reconnect_needed",
            "client_rejected",
            "refresh_refused",
            "rate_limited",
            "keychain_unavailable",
            "disk_full",
        ];
        for code in codes {
            assert_ne!(fix_for(code), fix_for("something new"), "{code}");
        }
    }
}
