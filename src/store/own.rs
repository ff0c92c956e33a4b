//! The person's own weigh-ins: typed into Heft or imported from a Withings export file. They
//! get negative grpids (Withings' are positive), so a sync never meets, changes or removes
//! them, and they can be edited and deleted here, which Withings' groups cannot.

use std::collections::HashMap;

use rusqlite::{Transaction, params};

use super::groups::write_group;
use super::{Store, StoreError};
use crate::model::{ExactValue, MeasureType, Source};
use crate::store::StoredGroup;
use crate::units::MassUnit;

/// The next free grpid for a group of Heft's own.
fn next_own_grpid(tx: &Transaction<'_>, account: i64) -> Result<i64, StoreError> {
    Ok(tx.query_row(
        "SELECT min(ifnull(min(grpid), 0), 0) - 1 FROM groups WHERE account_id = ?1",
        [account],
        |r| r.get(0),
    )?)
}

/// When and what a weigh-in weighed: how an import recognises one it already has.
#[derive(Debug, Clone, PartialEq)]
pub struct WeighInKey {
    pub grpid: i64,
    pub date: i64,
    /// Exact kg.
    pub weight: ExactValue,
    pub source: Source,
    /// What a file or a person wrote ("175 lb"), for Heft's own.
    pub written: Option<String>,
}

/// Weigh-ins by minute, to find "the same instant within a minute and the same weight at
/// the precision it was written with".
#[derive(Debug, Default)]
pub struct WeighInIndex(HashMap<i64, Vec<WeighInKey>>);

impl WeighInIndex {
    pub fn new(keys: impl IntoIterator<Item = WeighInKey>) -> WeighInIndex {
        let mut m = WeighInIndex::default();
        for k in keys {
            m.push(k);
        }
        m
    }

    pub fn push(&mut self, k: WeighInKey) {
        self.0.entry(k.date.div_euclid(60)).or_default().push(k);
    }

    /// A weigh-in within 60 s of `date` whose weight, in `unit` rounded to the decimals
    /// `written` has, is `written`.
    pub fn find(&self, date: i64, written: ExactValue, unit: MassUnit) -> Option<&WeighInKey> {
        let minute = date.div_euclid(60);
        let scale = 10f64.powi(written.decimals() as i32);
        let target = written.value as f64 * 10f64.powi(written.unit.max(0));
        (minute - 1..=minute + 1).filter_map(|m| self.0.get(&m)).flatten().find(|k| {
            (k.date - date).abs() <= 60 && (unit.from_kg(k.weight.to_f64()) * scale).round() == target
        })
    }
}

/// "175 lb" → (175, lb).
fn parse_written(text: &str) -> Option<(ExactValue, MassUnit)> {
    let (v, u) = text.split_once(' ')?;
    Some((ExactValue::parse_decimal(v)?, MassUnit::parse(u)?))
}

impl Store {
    /// Stores groups of Heft's own in one transaction (all or none); returns their grpids.
    pub fn add_own(&mut self, account: i64, groups: &[StoredGroup]) -> Result<Vec<i64>, StoreError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut next = next_own_grpid(&tx, account)?;
        let mut ids = Vec::with_capacity(groups.len());
        for g in groups {
            debug_assert!(!g.source.is_withings());
            let g = StoredGroup { grpid: next, ..g.clone() };
            write_group(&tx, account, &g, false)?;
            ids.push(next);
            next -= 1;
        }
        tx.commit()?;
        Ok(ids)
    }

    /// The group, if it is one of Heft's own (else why it cannot be changed here).
    pub fn own_group(&self, account: i64, grpid: i64) -> Result<StoredGroup, StoreError> {
        let g = self.group(account, grpid)?.ok_or(StoreError::UnknownWeighIn(grpid))?;
        if g.source.is_withings() {
            return Err(StoreError::FromWithings(grpid));
        }
        Ok(g)
    }

    /// Replaces one of Heft's own groups (an edit); its grpid and source stay.
    pub fn replace_own(&mut self, account: i64, g: &StoredGroup) -> Result<(), StoreError> {
        let old = self.own_group(account, g.grpid)?;
        let g = StoredGroup { source: old.source, ..g.clone() };
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        write_group(&tx, account, &g, true)?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes one of Heft's own groups (and any decision about it).
    pub fn remove_own(&mut self, account: i64, grpid: i64) -> Result<(), StoreError> {
        self.own_group(account, grpid)?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM groups WHERE account_id = ?1 AND grpid = ?2", params![account, grpid])?;
        tx.execute("DELETE FROM verdicts WHERE account_id = ?1 AND grpid = ?2", params![account, grpid])?;
        tx.commit()?;
        Ok(())
    }

    /// Date and exact weight of every real weigh-in of the account, from any source.
    pub fn weigh_in_keys(&self, account: i64) -> Result<Vec<WeighInKey>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT g.grpid, g.date, m.value, m.unit, g.source, m.written FROM groups g JOIN measures m
               ON m.account_id = g.account_id AND m.grpid = g.grpid
             WHERE g.account_id = ?1 AND g.category = 1 AND m.type = ?2 AND m.position IS NULL",
        )?;
        let rows = st.query_map(params![account, MeasureType::WEIGHT.0], |r| {
            Ok(WeighInKey {
                grpid: r.get(0)?,
                date: r.get(1)?,
                weight: ExactValue::new(r.get(2)?, r.get(3)?),
                source: Source::parse(&r.get::<_, String>(4)?).unwrap_or_default(),
                written: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Imported weigh-ins that Withings' API has now sent too (the same weigh-in from the
    /// export and from a sync) give way to Withings' copy, which a decision about them
    /// follows. Returns how many gave way.
    pub fn retire_imported_twins(&mut self, account: i64) -> Result<usize, StoreError> {
        let keys = self.weigh_in_keys(account)?;
        if !keys.iter().any(|k| k.source == Source::Import) {
            return Ok(0);
        }
        let (imported, synced): (Vec<WeighInKey>, Vec<WeighInKey>) =
            keys.into_iter().filter(|k| k.source != Source::Manual).partition(|k| k.source == Source::Import);
        let index = WeighInIndex::new(synced);
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut n = 0;
        for k in &imported {
            let Some((written, unit)) = k.written.as_deref().and_then(parse_written) else { continue };
            let Some(twin) = index.find(k.date, written, unit) else { continue };
            tx.execute(
                "INSERT OR IGNORE INTO verdicts (account_id, grpid, counted, reason, decided_at)
                 SELECT account_id, ?3, counted, reason, decided_at FROM verdicts
                 WHERE account_id = ?1 AND grpid = ?2",
                params![account, k.grpid, twin.grpid],
            )?;
            tx.execute(
                "DELETE FROM verdicts WHERE account_id = ?1 AND grpid = ?2",
                params![account, k.grpid],
            )?;
            tx.execute("DELETE FROM groups WHERE account_id = ?1 AND grpid = ?2", params![account, k.grpid])?;
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }
}
