//! The sync history as a person reads it (`heft log`, the window's list).

use serde::Serialize;

use super::{App, AppError, local_time};
use crate::store::{Change, SyncRun};
use crate::units::MassUnit;

/// One weigh-in a sync touched, in words.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChangeLine {
    pub grpid: i64,
    pub date: String,
    pub ts: i64,
    pub change: Change,
    /// "78.4 kg → 78.6 kg", "78.4 kg", "no longer in Withings (was 78.4 kg)".
    pub text: String,
}

/// One sync, in words.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncLine {
    pub started: String,
    pub started_at: i64,
    /// "1.24 s", or "did not finish" when the process was stopped.
    pub took: String,
    pub took_ms: Option<i64>,
    pub full: bool,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub pages: i64,
    pub error: Option<String>,
    /// The person stopped it (not a failure).
    pub cancelled: bool,
    pub changes: Vec<ChangeLine>,
}

impl App {
    /// The account's latest `limit` syncs, newest first, with the weigh-ins each touched.
    pub fn sync_log(
        &self,
        userid: Option<&str>,
        limit: usize,
        unit: Option<MassUnit>,
    ) -> Result<Vec<SyncLine>, AppError> {
        let a = self.account_for(userid)?;
        let unit = unit.unwrap_or_else(|| self.unit_of(&a));
        let tz = self.store()?.timezone(a.id)?;
        let mass = |v: Option<crate::model::ExactValue>| v.map(|v| unit.format(v.to_f64()));
        let cancelled = crate::sync::SyncError::Cancelled.to_string();
        Ok(self
            .store()?
            .sync_runs(a.id, limit)?
            .into_iter()
            .map(|r: SyncRun| SyncLine {
                started: local_time(r.started_at, &tz, "%a %b %-d %Y, %H:%M:%S"),
                started_at: r.started_at,
                took: r.duration_ms.map_or_else(
                    || "did not finish".to_string(),
                    |ms| crate::locale::number(format!("{:.2} s", ms as f64 / 1000.0)),
                ),
                took_ms: r.duration_ms,
                full: r.full,
                added: r.added,
                changed: r.changed,
                removed: r.removed,
                pages: r.pages,
                cancelled: r.error.as_deref() == Some(cancelled.as_str()),
                error: r.error,
                changes: r
                    .changes
                    .into_iter()
                    .map(|c| ChangeLine {
                        grpid: c.grpid,
                        date: local_time(c.date, &tz, "%a %b %-d %Y, %H:%M"),
                        ts: c.date,
                        change: c.change,
                        text: match (c.change, mass(c.old_weight), mass(c.new_weight)) {
                            (Change::Removed, Some(old), _) => format!("no longer in Withings (was {old})"),
                            (Change::Removed, None, _) => "no longer in Withings".to_string(),
                            (Change::Changed, Some(old), Some(new)) => format!("{old} → {new}"),
                            (_, _, Some(new)) => new,
                            _ => "a measurement without a weight".to_string(),
                        },
                    })
                    .collect(),
            })
            .collect())
    }
}
