//! The person's decisions about weigh-ins: exclude and restore, and the review of weigh-ins
//! Withings could not attribute ("mine" / "not me"). Kept in their own table, keyed by grpid,
//! so no sync changes them and they survive a group's re-download.

use std::collections::HashMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::model::Attrib;

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether the weigh-in counts (trend, rate, projection, split).
    pub counted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub decided_at: i64,
}

/// Where a weigh-in stands: the one rule every reader of weigh-ins follows (the trend and
/// charts, the list, the CSV and FIT exports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Counted,
    /// Excluded by the person (or "not me").
    Excluded,
    /// Withings was unsure whose it is and the person has not said.
    AwaitingReview,
}

impl Standing {
    /// The person's decision wins; without one, a weigh-in Withings could not attribute
    /// waits for review and any other counts.
    pub fn of(verdict: Option<&Verdict>, attrib: Attrib) -> Standing {
        match verdict {
            Some(v) if v.counted => Standing::Counted,
            Some(_) => Standing::Excluded,
            None if attrib.is_ambiguous() => Standing::AwaitingReview,
            None => Standing::Counted,
        }
    }

    /// Whether the trend counts it; `include_ambiguous` counts those awaiting review too.
    pub fn counts(self, include_ambiguous: bool) -> bool {
        match self {
            Standing::Counted => true,
            Standing::Excluded => false,
            Standing::AwaitingReview => include_ambiguous,
        }
    }
}

impl Store {
    /// An error naming `grpid` unless the account has that group: what the person decides or
    /// writes about a weigh-in needs the weigh-in.
    pub(super) fn require_group(&self, account: i64, grpid: i64) -> Result<(), StoreError> {
        let known: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM groups WHERE account_id = ?1 AND grpid = ?2)",
            params![account, grpid],
            |r| r.get(0),
        )?;
        if known { Ok(()) } else { Err(StoreError::UnknownWeighIn(grpid)) }
    }

    /// Records (or replaces) the decision about a group of the account.
    pub fn set_verdict(&self, account: i64, grpid: i64, v: &Verdict) -> Result<(), StoreError> {
        self.require_group(account, grpid)?;
        self.conn.execute(
            "INSERT INTO verdicts (account_id, grpid, counted, reason, decided_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (account_id, grpid) DO UPDATE SET counted = excluded.counted,
               reason = excluded.reason, decided_at = excluded.decided_at",
            params![account, grpid, v.counted, v.reason, v.decided_at],
        )?;
        Ok(())
    }

    /// Forgets a decision: the weigh-in follows Withings' attribution again.
    pub fn clear_verdict(&self, account: i64, grpid: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM verdicts WHERE account_id = ?1 AND grpid = ?2", params![account, grpid])?
            > 0)
    }

    /// How many weigh-ins Withings could not attribute wait for the person's answer.
    pub fn awaiting_review(&self, account: i64) -> Result<usize, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM groups g WHERE g.account_id = ?1 AND g.category = 1 AND g.attrib = 1
               AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.account_id = g.account_id AND v.grpid = g.grpid)",
            [account],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Every decision of the account, by grpid (few: read once, not joined per row).
    pub fn verdicts(&self, account: i64) -> Result<HashMap<i64, Verdict>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT grpid, counted, reason, decided_at FROM verdicts WHERE account_id = ?1",
        )?;
        let rows = st.query_map([account], |r| {
            Ok((r.get(0)?, Verdict { counted: r.get(1)?, reason: r.get(2)?, decided_at: r.get(3)? }))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
