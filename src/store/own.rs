//! The person's own weigh-ins: typed into Heft or imported from a Withings export file. They
//! get negative grpids (Withings' are positive), so a sync never meets, changes or removes
//! them, and they can be edited and deleted here, which Withings' groups cannot.

use rusqlite::{Transaction, params};

use super::groups::write_group;
use super::{Store, StoreError};
use crate::model::{ExactValue, MeasureType, Source};
use crate::store::StoredGroup;

/// The next free grpid for a group of Heft's own.
fn next_own_grpid(tx: &Transaction<'_>, account: i64) -> Result<i64, StoreError> {
    Ok(tx.query_row(
        "SELECT min(ifnull(min(grpid), 0), 0) - 1 FROM groups WHERE account_id = ?1",
        [account],
        |r| r.get(0),
    )?)
}

/// When and what a weigh-in weighed: how an import recognises one it already has.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeighInKey {
    pub date: i64,
    pub weight: ExactValue,
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
        let g = self
            .groups(account)?
            .into_iter()
            .find(|g| g.grpid == grpid)
            .ok_or(StoreError::UnknownWeighIn(grpid))?;
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
            "SELECT g.date, m.value, m.unit FROM groups g JOIN measures m
               ON m.account_id = g.account_id AND m.grpid = g.grpid
             WHERE g.account_id = ?1 AND g.category = 1 AND m.type = ?2 AND m.position IS NULL",
        )?;
        let rows = st.query_map(params![account, MeasureType::WEIGHT.0], |r| {
            Ok(WeighInKey { date: r.get(0)?, weight: ExactValue::new(r.get(1)?, r.get(2)?) })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many groups of each of Heft's own sources the account has.
    pub fn own_counts(&self, account: i64) -> Result<(i64, i64), StoreError> {
        let count = |s: Source| -> Result<i64, StoreError> {
            Ok(self.conn.query_row(
                "SELECT count(*) FROM groups WHERE account_id = ?1 AND source = ?2",
                params![account, s.as_str()],
                |r| r.get(0),
            )?)
        };
        Ok((count(Source::Manual)?, count(Source::Import)?))
    }
}
