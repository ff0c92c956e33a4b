//! A backup (Heft's JSON export) restored in one transaction: every account of it or none.
//! Accounts are made or completed and weigh-ins added where missing; nothing this database
//! already holds is replaced, least of all what came from Withings.

use rusqlite::params;

use super::groups::{load_group, write_group};
use super::own::{mark_import_twins, name_sources, next_own_grpid};
use super::{Store, StoreError, StoredGroup, Verdict};
use crate::auth::Provider;

/// What to restore into one account, planned from the backup and the database.
#[derive(Debug, Clone)]
pub struct RestoreAccount {
    pub provider: Provider,
    pub userid: String,
    /// The account's details, each set only where the account has none.
    pub timezone: Option<String>,
    pub name: Option<String>,
    pub goal_kg: Option<f64>,
    pub unit: Option<String>,
    pub colour: Option<String>,
    /// Groups under their own number: added when the account lacks it, else left as they are.
    pub by_number: Vec<RestoreGroup>,
    /// Groups of the person's own that get a fresh number (theirs is taken here).
    pub renumbered: Vec<RestoreGroup>,
    /// Withings weigh-ins that stand for a weigh-in of an imported file.
    pub twins: Vec<i64>,
    /// The person's own weigh-ins of the backup that are stored here under another number:
    /// nothing is added but what was said of them.
    pub found_here: Vec<(i64, RestoreGroup)>,
}

/// A group of a backup with what the person said about it and where it was read from.
#[derive(Debug, Clone)]
pub struct RestoreGroup {
    pub group: StoredGroup,
    pub verdict: Option<Verdict>,
    pub note: Option<String>,
    pub sources: Vec<String>,
}

/// What a restore did to the groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreOutcome {
    pub added: u64,
    /// The backup's copy is the one stored here.
    pub unchanged: u64,
    /// The account holds a different copy under that number, which was kept.
    pub skipped: u64,
}

impl Store {
    /// Restores `accounts` in one IMMEDIATE transaction: a failure anywhere stores nothing.
    /// A decision (verdict) or a note is added where the weigh-in has none; one made here is
    /// kept.
    pub fn restore(&mut self, accounts: &[RestoreAccount], now: i64) -> Result<RestoreOutcome, StoreError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut out = RestoreOutcome::default();
        // What the person said of a group (decision, note) and where it was read from, onto the
        // group stored here as `grpid`.
        let said = |id: i64, grpid: i64, g: &RestoreGroup| -> Result<(), StoreError> {
            if let Some(v) = &g.verdict {
                tx.prepare_cached(
                    "INSERT INTO verdicts (account_id, grpid, counted, reason, decided_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account_id, grpid) DO NOTHING",
                )?
                .execute(params![id, grpid, v.counted, v.reason, v.decided_at])?;
            }
            if let Some(text) = &g.note {
                tx.prepare_cached(
                    "INSERT INTO notes (account_id, grpid, text, written_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (account_id, grpid) DO NOTHING",
                )?
                .execute(params![id, grpid, text, now])?;
            }
            name_sources(&tx, id, g.sources.iter().map(|n| (grpid, n.as_str())))
        };
        for a in accounts {
            tx.execute(
                "INSERT INTO accounts (provider, userid, demo, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (provider, userid) DO NOTHING",
                params![a.provider.as_str(), a.userid, a.provider.is_demo(), now],
            )?;
            let id: i64 = tx.query_row(
                "SELECT id FROM accounts WHERE provider = ?1 AND userid = ?2",
                params![a.provider.as_str(), a.userid],
                |r| r.get(0),
            )?;
            tx.execute("INSERT OR IGNORE INTO sync_state (account_id) VALUES (?1)", [id])?;
            tx.execute(
                "UPDATE accounts SET timezone = ifnull(timezone, ?2), name = ifnull(name, ?3),
                   goal_kg = ifnull(goal_kg, ?4), unit = ifnull(unit, ?5), colour = ifnull(colour, ?6)
                 WHERE id = ?1",
                params![id, a.timezone, a.name, a.goal_kg, a.unit, a.colour],
            )?;
            for r in &a.by_number {
                let g = &r.group;
                match load_group(&tx, id, g.grpid)? {
                    None => {
                        write_group(&tx, id, g, false)?;
                        out.added += 1;
                    }
                    Some(here) if here == *g => out.unchanged += 1,
                    Some(_) => out.skipped += 1,
                }
                said(id, g.grpid, r)?;
            }
            for (here, r) in &a.found_here {
                said(id, *here, r)?;
            }
            mark_import_twins(&tx, id, &a.twins)?;
            let mut next = next_own_grpid(&tx, id)?;
            for r in &a.renumbered {
                write_group(&tx, id, &StoredGroup { grpid: next, ..r.group.clone() }, false)?;
                said(id, next, r)?;
                out.added += 1;
                next -= 1;
            }
        }
        tx.commit()?;
        Ok(out)
    }
}
