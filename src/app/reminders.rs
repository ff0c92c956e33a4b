//! Reminders people ask weight apps for: no weigh-in for a few days (a setting, off by
//! default; the next weigh-in clears it), Withings' consent to renew within 30 days, three
//! syncs in a row that failed. Each has an occurrence (the weigh-in the days count from, the
//! consent's deadline, the failing streak's first sync) and is said once per occurrence:
//! [`App::say_reminders`] remembers what it said, in the database, across restarts.

use serde::Serialize;

use super::{App, AppError};
use crate::model::MeasureType;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    NoWeighIn,
    ConsentDue,
    SyncsFailing,
}

impl ReminderKind {
    fn as_str(self) -> &'static str {
        match self {
            ReminderKind::NoWeighIn => "no_weigh_in",
            ReminderKind::ConsentDue => "consent_due",
            ReminderKind::SyncsFailing => "syncs_failing",
        }
    }
}

/// One reminder, in words for a desktop notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reminder {
    pub userid: String,
    pub kind: ReminderKind,
    /// What it is about (Unix seconds): said once for each.
    pub occurrence: i64,
    pub title: String,
    pub body: String,
}

/// The longest wait a "no weigh-in" reminder can be set to.
pub const MAX_REMIND_AFTER_DAYS: u32 = 365;

/// Syncs that fail in a row before Heft says so.
pub const FAILED_SYNCS: usize = 3;

/// The newest syncs' failing streak, `(started_at, error)` newest first: how many, when the
/// first of them started (the occurrence) and the newest error; none under [`FAILED_SYNCS`].
fn failing_streak(runs: &[(i64, Option<String>)]) -> Option<(usize, i64, String)> {
    let streak: Vec<&(i64, Option<String>)> = runs.iter().take_while(|r| r.1.is_some()).collect();
    let first = streak.last()?;
    (streak.len() >= FAILED_SYNCS).then(|| (streak.len(), first.0, streak[0].1.clone().unwrap_or_default()))
}

/// One to [`MAX_REMIND_AFTER_DAYS`] days, or none (no such reminder).
pub(super) fn check_remind_after_days(days: Option<u32>) -> Result<(), AppError> {
    if days.is_some_and(|d| d == 0 || d > MAX_REMIND_AFTER_DAYS) {
        return Err(AppError::BadInput(format!(
            "a reminder after 1 to {MAX_REMIND_AFTER_DAYS} days without a weigh-in"
        )));
    }
    Ok(())
}

impl App {
    /// Every reminder due now, for every account.
    pub fn due_reminders(&self) -> Result<Vec<Reminder>, AppError> {
        Ok(self.due()?.into_iter().map(|(_, r)| r).collect())
    }

    /// [`App::due_reminders`] with the database id of each one's account.
    fn due(&self) -> Result<Vec<(i64, Reminder)>, AppError> {
        let now = self.now();
        let after_days = self.settings().file().remind_after_days.filter(|d| *d > 0);
        let mut out = Vec::new();
        for a in self.store()?.accounts()? {
            let who = a.name.clone().unwrap_or_else(|| a.userid.clone());
            let reminder = |kind, occurrence, title: String, body: String| {
                (a.id, Reminder { userid: a.userid.clone(), kind, occurrence, title, body })
            };
            if let Some(days) = after_days {
                let latest =
                    self.store()?.values(a.id, MeasureType::WEIGHT, false)?.iter().map(|p| p.0).max();
                if let Some(latest) = latest.filter(|t| now - t >= i64::from(days) * 86_400) {
                    out.push(reminder(
                        ReminderKind::NoWeighIn,
                        latest,
                        format!("{who}: time to step on the scale"),
                        format!(
                            "No weigh-in for {} days. Your next one clears this reminder.",
                            (now - latest) / 86_400
                        ),
                    ));
                }
            }
            if !a.provider.syncs() {
                continue;
            }
            let runs = self.store()?.sync_runs(a.id, 20)?;
            let errors: Vec<(i64, Option<String>)> =
                runs.iter().map(|r| (r.started_at, r.error.clone())).collect();
            if let Some((n, first, why)) = failing_streak(&errors) {
                out.push(reminder(
                    ReminderKind::SyncsFailing,
                    first,
                    format!("{who}: {n} syncs in a row failed"),
                    format!("The last one: {why}. Your history is kept; the Accounts view says what to do."),
                ));
            }
            // The consent's date is in the keychain: a locked or broken one costs this reminder,
            // not the others.
            let health = match self.health(Some(&a.userid)) {
                Ok(h) => h,
                Err(e) => {
                    tracing::warn!("the consent reminder could not be checked: {e}");
                    continue;
                }
            };
            if let Some(by) = health.consent_needed_at.filter(|_| health.consent_reminder) {
                let day = jiff::Timestamp::from_second(by)
                    .map(|t| t.strftime("%b %-d, %Y").to_string())
                    .unwrap_or_default();
                out.push(reminder(
                    ReminderKind::ConsentDue,
                    by,
                    format!("{who}: Withings will ask for your consent again"),
                    format!("Sync before {day}, or reconnect the account, so Heft keeps its access."),
                ));
            }
        }
        Ok(out)
    }

    /// Hands `say` each reminder due now that was not said before, except those of the
    /// account the window shows (`showing`: the person sees it there), and returns those said.
    /// A reminder is claimed in the database before it is said, so two Heft processes never
    /// both say it; one `say` could not deliver (no notification service) is released, to be
    /// said at the next check.
    pub fn say_reminders(
        &self,
        showing: Option<&str>,
        mut say: impl FnMut(&Reminder) -> Result<(), String>,
    ) -> Result<Vec<Reminder>, AppError> {
        let mut said = Vec::new();
        for (account, r) in self.due()? {
            if showing == Some(r.userid.as_str()) {
                continue;
            }
            if !self.store()?.say_once(account, r.kind.as_str(), r.occurrence, self.now())? {
                continue;
            }
            match say(&r) {
                Ok(()) => said.push(r),
                Err(e) => {
                    tracing::warn!(kind = r.kind.as_str(), "a reminder could not be said: {e}");
                    self.store()?.unsay(account, r.kind.as_str(), r.occurrence)?;
                }
            }
        }
        Ok(said)
    }

    /// Whether a Heft running without its window should sync before it checks the reminders,
    /// as the window would: at launch when the settings sync on launch, later once the
    /// settings' interval has passed since an account's last sync. Without it, "no weigh-in for
    /// N days" would count from a database that misses the weigh-ins made since.
    pub fn background_sync_due(&self, at_launch: bool) -> Result<bool, AppError> {
        let (on_launch, every) = self.sync_choices();
        if at_launch {
            return Ok(on_launch);
        }
        let Some(minutes) = every.minutes() else { return Ok(false) };
        let now = self.now();
        for a in self.store()?.accounts()? {
            if !a.provider.syncs() {
                continue;
            }
            let last = self.store()?.sync_runs(a.id, 1)?.first().map(|r| r.started_at);
            if last.is_none_or(|t| now - t >= i64::from(minutes) * 60) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Reminds after `days` without a weigh-in (none: never, the default).
    pub fn set_remind_after_days(&self, days: Option<u32>) -> Result<(), AppError> {
        check_remind_after_days(days)?;
        self.update_settings(|f| f.remind_after_days = days)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::failing_streak;

    #[test]
    fn three_failed_syncs_in_a_row_are_one_occurrence_until_a_sync_succeeds() {
        let e = |t: i64| (t, Some(format!("offline at {t}")));
        let ok = |t: i64| (t, None);
        assert_eq!(failing_streak(&[e(5), e(4), ok(3), e(2), e(1)]), None, "two in a row");
        assert_eq!(failing_streak(&[e(6), e(5), e(4), ok(3)]), Some((3, 4, "offline at 6".into())));
        assert_eq!(
            failing_streak(&[e(7), e(6), e(5), e(4), ok(3)]).map(|s| s.1),
            Some(4),
            "a fourth failure is the same occurrence: said once"
        );
        assert_eq!(failing_streak(&[ok(8), e(7), e(6), e(5)]), None, "a good sync ends it");
    }
}
