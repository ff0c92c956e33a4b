//! The sync history: one row per sync and, for syncs after the first download, one per
//! weigh-in it added, changed or removed (written with the change, in its transaction).

use rusqlite::{Transaction, params};
use serde::Serialize;

use super::{Store, StoreError, StoredGroup};
use crate::model::{ExactValue, MeasureType};

/// What a sync did to one weigh-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Changed,
    /// No longer in Withings.
    Removed,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Changed => "changed",
            Change::Removed => "removed",
        }
    }

    fn parse(s: &str) -> Change {
        match s {
            "added" => Change::Added,
            "removed" => Change::Removed,
            _ => Change::Changed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRecord {
    pub grpid: i64,
    pub date: i64,
    pub change: Change,
    /// The weight before and after (none for a group without one).
    pub old_weight: Option<ExactValue>,
    pub new_weight: Option<ExactValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncRun {
    pub id: i64,
    pub started_at: i64,
    /// None: the sync never finished (the process was stopped).
    pub duration_ms: Option<i64>,
    pub full: bool,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub pages: i64,
    pub error: Option<String>,
    pub changes: Vec<ChangeRecord>,
}

fn weight(g: &StoredGroup) -> Option<ExactValue> {
    g.measures
        .iter()
        .find(|m| m.kind == MeasureType::WEIGHT.0 && m.position.is_none())
        .map(|m| ExactValue::new(m.value, m.unit))
}

/// Records one change inside the transaction that makes it.
pub(super) fn record(
    tx: &Transaction<'_>,
    run: i64,
    change: Change,
    old: Option<&StoredGroup>,
    new: Option<&StoredGroup>,
) -> Result<(), StoreError> {
    let Some(g) = new.or(old) else { return Ok(()) };
    let (o, n) = (old.and_then(weight), new.and_then(weight));
    tx.prepare_cached(
        "INSERT INTO sync_changes (run_id, grpid, date, change, old_value, old_unit, new_value, new_unit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        run,
        g.grpid,
        g.date,
        change.as_str(),
        o.map(|v| v.value),
        o.map(|v| v.unit),
        n.map(|v| v.value),
        n.map(|v| v.unit)
    ])?;
    Ok(())
}

impl Store {
    /// Starts the record of a sync; returns its id.
    pub fn begin_sync_run(&self, account: i64, started_at: i64, full: bool) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO sync_runs (account_id, started_at, full) VALUES (?1, ?2, ?3)",
            params![account, started_at, full],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Ends the record of a sync with what it did, or why it failed.
    #[allow(clippy::too_many_arguments)]
    pub fn end_sync_run(
        &self,
        run: i64,
        duration_ms: i64,
        counts: (u64, u64, u64),
        pages: u32,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_runs SET duration_ms = ?2, added = ?3, changed = ?4, removed = ?5, pages = ?6, error = ?7
             WHERE id = ?1",
            params![run, duration_ms, counts.0 as i64, counts.1 as i64, counts.2 as i64, pages, error],
        )?;
        Ok(())
    }

    /// The latest `limit` syncs of the account, newest first, with the weigh-ins each touched.
    pub fn sync_runs(&self, account: i64, limit: usize) -> Result<Vec<SyncRun>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, started_at, duration_ms, full, added, changed, removed, pages, error FROM sync_runs
             WHERE account_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
        )?;
        let runs = st.query_map(params![account, limit as i64], |r| {
            Ok(SyncRun {
                id: r.get(0)?,
                started_at: r.get(1)?,
                duration_ms: r.get(2)?,
                full: r.get(3)?,
                added: r.get(4)?,
                changed: r.get(5)?,
                removed: r.get(6)?,
                pages: r.get(7)?,
                error: r.get(8)?,
                changes: Vec::new(),
            })
        })?;
        let mut runs: Vec<SyncRun> = runs.collect::<Result<_, _>>()?;
        let mut ch = self.conn.prepare(
            "SELECT grpid, date, change, old_value, old_unit, new_value, new_unit FROM sync_changes
             WHERE run_id = ?1 ORDER BY date DESC, grpid",
        )?;
        for run in &mut runs {
            let rows = ch.query_map([run.id], |r| {
                let pair = |v: Option<i64>, u: Option<i32>| v.zip(u).map(|(v, u)| ExactValue::new(v, u));
                Ok(ChangeRecord {
                    grpid: r.get(0)?,
                    date: r.get(1)?,
                    change: Change::parse(&r.get::<_, String>(2)?),
                    old_weight: pair(r.get(3)?, r.get(4)?),
                    new_weight: pair(r.get(5)?, r.get(6)?),
                })
            })?;
            run.changes = rows.collect::<Result<_, _>>()?;
        }
        Ok(runs)
    }
}
