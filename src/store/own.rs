//! The person's own weigh-ins: typed into Heft or imported from a Withings export file. They
//! get negative grpids (Withings' are positive), so a sync never meets, changes or removes
//! them, and they can be edited and deleted here, which Withings' groups cannot.

use std::collections::HashSet;

use rusqlite::{Connection, Transaction, params};

use super::groups::write_group;
use super::twins::{self, WeighInKey, WrittenWeighIn};
use super::{Store, StoreError};
use crate::model::{ExactValue, MeasureType, Source};
use crate::store::StoredGroup;

/// The next free grpid for a group of Heft's own.
pub(super) fn next_own_grpid(tx: &Transaction<'_>, account: i64) -> Result<i64, StoreError> {
    Ok(tx.query_row(
        "SELECT min(ifnull(min(grpid), 0), 0) - 1 FROM groups WHERE account_id = ?1",
        [account],
        |r| r.get(0),
    )?)
}

impl Store {
    /// Stores groups of Heft's own in one transaction (all or none); returns their grpids.
    pub fn add_own(&mut self, account: i64, groups: &[StoredGroup]) -> Result<Vec<i64>, StoreError> {
        self.add_imported(account, groups, &[], &[], &[])
    }

    /// [`Store::add_own`] for a file's weigh-ins, recording in the same transaction that the
    /// Withings weigh-ins `stand_for` are the file's other weigh-ins (each one of them), so
    /// that no later sync retires a second imported weigh-in against one of them.
    /// `names` names where each of `groups` was read from; `found` names the file's app on
    /// weigh-ins stored already that rows of the file matched.
    pub fn add_imported(
        &mut self,
        account: i64,
        groups: &[StoredGroup],
        names: &[String],
        stand_for: &[i64],
        found: &[(i64, String)],
    ) -> Result<Vec<i64>, StoreError> {
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
        let added = ids.iter().zip(names).map(|(g, n)| (*g, n.as_str()));
        name_sources(&tx, account, added.chain(found.iter().map(|(g, n)| (*g, n.as_str()))))?;
        mark_import_twins(&tx, account, stand_for)?;
        tx.commit()?;
        Ok(ids)
    }

    /// Records that these Withings weigh-ins each stand for a weigh-in of an imported file
    /// (a restored export's record of it).
    pub fn set_import_twins(&mut self, account: i64, grpids: &[i64]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        mark_import_twins(&tx, account, grpids)?;
        tx.commit()?;
        Ok(())
    }

    /// The Withings weigh-ins that stand for a weigh-in of an imported file.
    pub fn import_twins(&self, account: i64) -> Result<HashSet<i64>, StoreError> {
        import_twins(&self.conn, account)
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

    /// Deletes one of Heft's own groups, with the decision, the note and the sources about it:
    /// its number may be given to the next weigh-in of Heft's own.
    pub fn remove_own(&mut self, account: i64, grpid: i64) -> Result<(), StoreError> {
        self.own_group(account, grpid)?;
        let tx = self.conn.transaction()?;
        for table in ["groups", "verdicts", "notes", "sources"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE account_id = ?1 AND grpid = ?2"),
                params![account, grpid],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Date and exact weight of every real weigh-in of the account, from any source.
    pub fn weigh_in_keys(&self, account: i64) -> Result<Vec<WeighInKey>, StoreError> {
        weigh_in_keys(&self.conn, account)
    }

    /// Imported weigh-ins that Withings' API has now sent too (the same weigh-in from the
    /// export and from a sync) give way to Withings' copy, which a decision about them
    /// follows. One to one: a Withings weigh-in takes the place of one imported weigh-in, once
    /// (it is recorded), so of two imported weigh-ins 30 s apart with one copy at Withings,
    /// one stays. Returns how many gave way.
    pub fn retire_imported_twins(&mut self, account: i64) -> Result<usize, StoreError> {
        // Most accounts have nothing imported: find that out without taking the write lock
        // (and without reading every weigh-in, which the transaction reads anyway).
        let any_imported: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM groups WHERE account_id = ?1 AND source = ?2)",
            params![account, Source::Import.as_str()],
            |r| r.get(0),
        )?;
        if !any_imported {
            return Ok(0);
        }
        // Read what to pair inside the IMMEDIATE transaction that writes it, so a second
        // process (an import, another sync) cannot change it between the two.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let keys = weigh_in_keys(&tx, account)?;
        let taken = import_twins(&tx, account)?;
        let (imported, synced): (Vec<WeighInKey>, Vec<WeighInKey>) = keys
            .into_iter()
            .filter(|k| k.source == Source::Import || k.source.is_withings() && !taken.contains(&k.grpid))
            .partition(|k| k.source == Source::Import);
        let (imported, mut written): (Vec<&WeighInKey>, Vec<WrittenWeighIn>) = imported
            .iter()
            .filter_map(|k| Some((k, WrittenWeighIn::parse(k.date, k.written.as_deref()?)?)))
            .unzip();
        twins::at_column_precision(&mut written);
        let pairs = twins::pair(&synced, &written);
        let mut n = 0;
        for (k, twin) in imported.iter().zip(pairs) {
            let Some(twin) = twin.map(|i| &synced[i]) else { continue };
            // Its decision, its note and the places it was read from go with it to Withings' copy
            // (one the copy has already is kept).
            for (table, columns) in [
                ("verdicts", "counted, reason, decided_at"),
                ("notes", "text, written_at"),
                ("sources", "name"),
            ] {
                tx.execute(
                    &format!(
                        "INSERT OR IGNORE INTO {table} (account_id, grpid, {columns})
                         SELECT account_id, ?3, {columns} FROM {table} WHERE account_id = ?1 AND grpid = ?2"
                    ),
                    params![account, k.grpid, twin.grpid],
                )?;
                tx.execute(
                    &format!("DELETE FROM {table} WHERE account_id = ?1 AND grpid = ?2"),
                    params![account, k.grpid],
                )?;
            }
            tx.execute("DELETE FROM groups WHERE account_id = ?1 AND grpid = ?2", params![account, k.grpid])?;
            mark_import_twins(&tx, account, &[twin.grpid])?;
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }
}

/// Records where weigh-ins were read from, `(grpid, name)`.
pub(super) fn name_sources<'a>(
    tx: &Transaction<'_>,
    account: i64,
    named: impl IntoIterator<Item = (i64, &'a str)>,
) -> Result<(), StoreError> {
    let mut st =
        tx.prepare_cached("INSERT OR IGNORE INTO sources (account_id, grpid, name) VALUES (?1, ?2, ?3)")?;
    for (g, name) in named {
        st.execute(params![account, g, name])?;
    }
    Ok(())
}

pub(super) fn mark_import_twins(
    tx: &Transaction<'_>,
    account: i64,
    grpids: &[i64],
) -> Result<(), StoreError> {
    let mut st =
        tx.prepare_cached("INSERT OR IGNORE INTO import_twins (account_id, grpid) VALUES (?1, ?2)")?;
    for g in grpids {
        st.execute(params![account, g])?;
    }
    Ok(())
}

/// Date and exact weight of every real weigh-in of the account, from any source.
fn weigh_in_keys(conn: &Connection, account: i64) -> Result<Vec<WeighInKey>, StoreError> {
    let mut st = conn.prepare(
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

/// The Withings weigh-ins that stand for a weigh-in of an imported file.
fn import_twins(conn: &Connection, account: i64) -> Result<HashSet<i64>, StoreError> {
    let mut st = conn.prepare("SELECT grpid FROM import_twins WHERE account_id = ?1")?;
    let rows = st.query_map([account], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
