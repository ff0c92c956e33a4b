//! Measure groups: transactional apply of a planned page, and reads.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::history::{self, Change};
use super::{Store, StoreError};
use crate::model::{ExactValue, MeasureType, Source};
use crate::withings::WireGroup;

/// One measure as stored: the raw pair plus Withings' optional details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMeasure {
    #[serde(rename = "type")]
    pub kind: i64,
    #[serde(default)]
    pub position: Option<i64>,
    pub value: i64,
    pub unit: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algo: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fm: Option<i64>,
    /// The value as typed or as an export file wrote it ("175 lb"); none for API values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
}

impl StoredMeasure {
    /// A whole-body measure of Heft's own (typed, imported or derived): no position, no
    /// algorithm or device details, `written` as the person or the file gave it.
    pub fn own(kind: MeasureType, v: ExactValue, written: Option<String>) -> StoredMeasure {
        StoredMeasure {
            kind: kind.0,
            position: None,
            value: v.value,
            unit: v.unit,
            algo: None,
            fm: None,
            written,
        }
    }
}

/// One group as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredGroup {
    pub grpid: i64,
    pub date: i64,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub modified: Option<i64>,
    pub category: i64,
    pub attrib: i64,
    #[serde(default)]
    pub deviceid: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Source::is_withings")]
    pub source: Source,
    pub measures: Vec<StoredMeasure>,
}

impl StoredGroup {
    /// Normalises a wire group: a measure repeated with the same (type, position) is kept once
    /// (the last copy wins, as a later value from Withings would), order is made canonical.
    pub fn from_wire(g: &WireGroup) -> StoredGroup {
        let mut measures: Vec<StoredMeasure> = Vec::with_capacity(g.measures.len());
        for m in &g.measures {
            let sm = StoredMeasure {
                kind: m.kind,
                position: m.position,
                value: m.value,
                unit: m.unit,
                algo: m.algo,
                fm: m.fm,
                written: None,
            };
            match measures.iter_mut().find(|x| x.kind == sm.kind && x.position == sm.position) {
                Some(existing) => *existing = sm,
                None => measures.push(sm),
            }
        }
        measures.sort_by_key(|m| (m.kind, m.position));
        StoredGroup {
            grpid: g.grpid,
            date: g.date,
            created: g.created,
            modified: g.modified,
            category: g.category,
            attrib: g.attrib,
            deviceid: g.deviceid.clone(),
            model: g.model.clone(),
            comment: g.comment.clone(),
            source: Source::Withings,
            measures,
        }
    }
}

/// What applying a page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ApplyOutcome {
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    pub unchanged: u64,
}

impl ApplyOutcome {
    pub fn add(&mut self, o: ApplyOutcome) {
        self.added += o.added;
        self.changed += o.changed;
        self.removed += o.removed;
        self.unchanged += o.unchanged;
    }
}

/// The columns [`group_from_row`] reads, in order.
const GROUP_COLUMNS: &str =
    "grpid, date, created, modified, category, attrib, deviceid, model, comment, source";

fn group_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredGroup> {
    Ok(StoredGroup {
        grpid: r.get(0)?,
        date: r.get(1)?,
        created: r.get(2)?,
        modified: r.get(3)?,
        category: r.get(4)?,
        attrib: r.get(5)?,
        deviceid: r.get(6)?,
        model: r.get(7)?,
        comment: r.get(8)?,
        source: Source::parse(&r.get::<_, String>(9)?).unwrap_or_default(),
        measures: Vec::new(),
    })
}

/// Reads `type, position, value, unit, algo, fm, written` starting at column `at`.
fn measure_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<StoredMeasure> {
    Ok(StoredMeasure {
        kind: r.get(at)?,
        position: r.get(at + 1)?,
        value: r.get(at + 2)?,
        unit: r.get(at + 3)?,
        algo: r.get(at + 4)?,
        fm: r.get(at + 5)?,
        written: r.get(at + 6)?,
    })
}

pub(super) fn load_group(
    conn: &Connection,
    account: i64,
    grpid: i64,
) -> Result<Option<StoredGroup>, StoreError> {
    // Cached: a first sync asks this once per group, and preparing costs more than the lookup.
    let head = conn
        .prepare_cached(&format!("SELECT {GROUP_COLUMNS} FROM groups WHERE account_id = ?1 AND grpid = ?2"))?
        .query_row(params![account, grpid], group_from_row)
        .optional()?;
    let Some(mut g) = head else { return Ok(None) };
    let mut st = conn.prepare_cached(
        "SELECT type, position, value, unit, algo, fm, written FROM measures
         WHERE account_id = ?1 AND grpid = ?2 ORDER BY type, position",
    )?;
    g.measures =
        st.query_map(params![account, grpid], |r| measure_from_row(r, 0))?.collect::<Result<_, _>>()?;
    Ok(Some(g))
}

/// Writes a group and its measures; `replacing` when an older copy's measures must go first.
pub(super) fn write_group(
    tx: &Transaction<'_>,
    account: i64,
    g: &StoredGroup,
    replacing: bool,
) -> Result<(), StoreError> {
    if replacing {
        tx.prepare_cached("DELETE FROM measures WHERE account_id = ?1 AND grpid = ?2")?
            .execute(params![account, g.grpid])?;
    }
    tx.prepare_cached(
        "INSERT INTO groups (account_id, grpid, date, created, modified, category, attrib, deviceid, model, comment, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (account_id, grpid) DO UPDATE SET date = excluded.date, created = excluded.created,
           modified = excluded.modified, category = excluded.category, attrib = excluded.attrib,
           deviceid = excluded.deviceid, model = excluded.model, comment = excluded.comment,
           source = excluded.source",
    )?
    .execute(params![
        account,
        g.grpid,
        g.date,
        g.created,
        g.modified,
        g.category,
        g.attrib,
        g.deviceid,
        g.model,
        g.comment,
        g.source.as_str()
    ])?;
    let mut ins = tx.prepare_cached(
        "INSERT INTO measures (account_id, grpid, type, position, value, unit, algo, fm, written)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for m in &g.measures {
        ins.execute(params![account, g.grpid, m.kind, m.position, m.value, m.unit, m.algo, m.fm, m.written])?;
    }
    Ok(())
}

impl Store {
    /// Applies upserts and removals (and optionally a new cursor) in one transaction: either
    /// all of it is stored or none of it.
    pub fn apply(
        &mut self,
        account: i64,
        upserts: &[StoredGroup],
        removals: &[i64],
        cursor: Option<Checkpoint>,
    ) -> Result<ApplyOutcome, StoreError> {
        self.apply_logged(account, upserts, removals, cursor, None)
    }

    /// [`Store::apply`], recording each weigh-in added, changed or removed in the sync
    /// history of `run`, in the same transaction.
    pub fn apply_logged(
        &mut self,
        account: i64,
        upserts: &[StoredGroup],
        removals: &[i64],
        cursor: Option<Checkpoint>,
        run: Option<i64>,
    ) -> Result<ApplyOutcome, StoreError> {
        // IMMEDIATE: this transaction reads, then writes; a deferred one that another process
        // wrote past in between fails at once with "database is locked" instead of waiting.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut out = ApplyOutcome::default();
        for g in upserts {
            match load_group(&tx, account, g.grpid)? {
                None => {
                    write_group(&tx, account, g, false)?;
                    out.added += 1;
                    if let Some(run) = run {
                        history::record(&tx, run, Change::Added, None, Some(g))?;
                    }
                }
                Some(old) if old != *g => {
                    write_group(&tx, account, g, true)?;
                    out.changed += 1;
                    if let Some(run) = run {
                        history::record(&tx, run, Change::Changed, Some(&old), Some(g))?;
                    }
                }
                Some(_) => out.unchanged += 1,
            }
        }
        for grpid in removals {
            let old = match run {
                Some(_) => load_group(&tx, account, *grpid)?,
                None => None,
            };
            let n = tx
                .execute("DELETE FROM groups WHERE account_id = ?1 AND grpid = ?2", params![account, grpid])?
                as u64;
            out.removed += n;
            if let (Some(run), Some(old), 1) = (run, &old, n) {
                history::record(&tx, run, Change::Removed, Some(old), None)?;
            }
        }
        match cursor {
            Some(Checkpoint::Finished(c)) => {
                tx.execute(
                    "INSERT INTO sync_state (account_id, cursor, last_sync_at, last_full_at, last_error)
                     VALUES (?1, ?2, ?3, CASE WHEN ?4 THEN ?3 END, NULL)
                     ON CONFLICT (account_id) DO UPDATE SET cursor = excluded.cursor,
                       last_sync_at = excluded.last_sync_at,
                       last_full_at = CASE WHEN ?4 THEN excluded.last_sync_at ELSE sync_state.last_full_at END,
                       last_error = NULL, last_error_code = NULL, resume_cursor = NULL, resume_before = NULL,
                       resume_left = NULL",
                    params![account, c.cursor, c.synced_at, c.full],
                )?;
            }
            Some(Checkpoint::Resume(r)) => {
                tx.execute(
                    "INSERT INTO sync_state (account_id, resume_cursor, resume_left) VALUES (?1, ?2, ?3)
                     ON CONFLICT (account_id) DO UPDATE SET resume_cursor = excluded.resume_cursor,
                       resume_before = NULL, resume_left = excluded.resume_left",
                    params![account, r.cursor, r.left_json()],
                )?;
            }
            None => {}
        }
        tx.commit()?;
        Ok(out)
    }

    /// One group of an account, if it has it.
    pub fn group(&self, account: i64, grpid: i64) -> Result<Option<StoredGroup>, StoreError> {
        load_group(&self.conn, account, grpid)
    }

    /// Every group of an account, newest first.
    pub fn groups(&self, account: i64) -> Result<Vec<StoredGroup>, StoreError> {
        self.groups_between(account, i64::MIN, i64::MAX)
    }

    /// Groups with `from <= date <= to`, newest first.
    pub fn groups_between(&self, account: i64, from: i64, to: i64) -> Result<Vec<StoredGroup>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE account_id = ?1 AND date BETWEEN ?2 AND ?3
             ORDER BY date DESC, grpid DESC"
        ))?;
        let mut groups: Vec<StoredGroup> =
            st.query_map(params![account, from, to], group_from_row)?.collect::<Result<_, _>>()?;
        let mut ms = self.conn.prepare_cached(
            "SELECT m.grpid, m.type, m.position, m.value, m.unit, m.algo, m.fm, m.written FROM measures m
             JOIN groups g ON g.account_id = m.account_id AND g.grpid = m.grpid
             WHERE m.account_id = ?1 AND g.date BETWEEN ?2 AND ?3 ORDER BY m.grpid, m.type, m.position",
        )?;
        let mut by_grpid: std::collections::HashMap<i64, Vec<StoredMeasure>> =
            std::collections::HashMap::new();
        let rows =
            ms.query_map(params![account, from, to], |r| Ok((r.get::<_, i64>(0)?, measure_from_row(r, 1)?)))?;
        for row in rows {
            let (grpid, m) = row?;
            by_grpid.entry(grpid).or_default().push(m);
        }
        for g in &mut groups {
            g.measures = by_grpid.remove(&g.grpid).unwrap_or_default();
        }
        Ok(groups)
    }

    /// Grpid and date of every group Withings sent, for deletion checks (the person's own
    /// groups are never Withings' to remove).
    pub fn group_dates(&self, account: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT grpid, date FROM groups WHERE account_id = ?1 AND source = 'withings'")?;
        let rows = st.query_map([account], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The cursor to store with the last page of a sync.
#[derive(Debug, Clone, Copy)]
pub struct CursorUpdate {
    pub cursor: i64,
    pub synced_at: i64,
    pub full: bool,
}

/// Where an unfinished first download can pick up: the date ranges (inclusive) it has still
/// to fetch — everything outside them is stored — and `cursor`, the server time its first
/// page was answered at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResumePoint {
    pub cursor: i64,
    pub left: Vec<(i64, i64)>,
}

impl ResumePoint {
    /// From the stored columns: the ranges left, or an older file's single `before` (all up
    /// to that date). A damaged list is no resume point: the download starts over, which is
    /// slower but loses nothing.
    pub(crate) fn read(cursor: i64, left: Option<&str>, before: Option<i64>) -> Option<ResumePoint> {
        let left = match (left, before) {
            (Some(json), _) => serde_json::from_str(json).ok()?,
            (None, Some(before)) => vec![(i64::MIN, before)],
            (None, None) => return None,
        };
        Some(ResumePoint { cursor, left })
    }

    fn left_json(&self) -> String {
        serde_json::to_string(&self.left).unwrap_or_else(|_| "[]".into())
    }
}

/// What a page commits about the sync besides its groups.
#[derive(Debug, Clone)]
pub enum Checkpoint {
    /// A page of a first download that is not the last: where to resume.
    Resume(ResumePoint),
    /// The last page: the new cursor (and the resume point cleared).
    Finished(CursorUpdate),
}
