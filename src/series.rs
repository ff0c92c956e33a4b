//! Series read from the store for charts and the trend: one metric, one account, one range.

use jiff::tz::TimeZone;
use rusqlite::params;
use serde::Serialize;

use crate::model::{Attrib, ExactValue, MeasureType, Source};
use crate::store::{Standing, Store, StoreError};

/// One weigh-in's value of a metric, in SI units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub ts: i64,
    pub value: f64,
    pub grpid: i64,
    pub manual: bool,
    pub ambiguous: bool,
    /// Whether it counts in the trend: the person's decision, else not for an ambiguous one
    /// (maybe a guest) unless asked, else yes.
    pub counted: bool,
}

/// What to read.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    pub account: i64,
    pub kind: MeasureType,
    pub from: i64,
    pub to: i64,
    /// Undecided ambiguous weigh-ins (maybe someone else on the scale) count only if asked;
    /// a decision ("mine", "not me", exclude, include) always wins.
    pub include_ambiguous: bool,
}

impl Store {
    /// Real measurements (no goals) of one whole-body metric, oldest first, counted or not.
    pub fn series(&self, q: Query) -> Result<Vec<Point>, StoreError> {
        let verdicts = self.verdicts(q.account)?;
        let mut st = self.conn().prepare_cached(
            "SELECT g.date, m.value, m.unit, g.grpid, g.attrib FROM measures m
             JOIN groups g ON g.account_id = m.account_id AND g.grpid = m.grpid
             WHERE m.account_id = ?1 AND m.type = ?2 AND m.position IS NULL AND g.category = 1
               AND g.date BETWEEN ?3 AND ?4
             ORDER BY g.date, g.grpid",
        )?;
        let rows = st.query_map(params![q.account, q.kind.0, q.from, q.to], |r| {
            let attrib = Attrib(r.get(4)?);
            let grpid = r.get(3)?;
            let counted = Standing::of(verdicts.get(&grpid), attrib).counts(q.include_ambiguous);
            Ok(Point {
                ts: r.get(0)?,
                value: ExactValue::new(r.get(1)?, r.get(2)?).to_f64(),
                grpid,
                manual: attrib.is_manual(),
                ambiguous: attrib.is_ambiguous(),
                counted,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `(unix seconds, value)` of the counted weigh-ins of a metric's whole history, for
    /// trends and charts.
    pub fn values(
        &self,
        account: i64,
        kind: MeasureType,
        include_ambiguous: bool,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        let q = Query { account, kind, from: i64::MIN, to: i64::MAX, include_ambiguous };
        Ok(self.series(q)?.iter().filter(|p| p.counted).map(|p| (p.ts, p.value)).collect())
    }

    /// The latest weight goal Withings holds (a category-2 group), in kg.
    pub fn withings_goal_kg(&self, account: i64) -> Result<Option<f64>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn()
            .query_row(
                "SELECT m.value, m.unit FROM measures m JOIN groups g
                   ON g.account_id = m.account_id AND g.grpid = m.grpid
                 WHERE m.account_id = ?1 AND m.type = 1 AND g.category = 2
                 ORDER BY g.date DESC LIMIT 1",
                [account],
                |r| Ok(ExactValue::new(r.get(0)?, r.get(1)?).to_f64()),
            )
            .optional()?)
    }

    /// The time zone Withings reported for the account (UTC if unknown or invalid).
    pub fn timezone(&self, account: i64) -> Result<TimeZone, StoreError> {
        let name = self.account(account)?.timezone;
        Ok(name.and_then(|n| TimeZone::get(&n).ok()).unwrap_or(TimeZone::UTC))
    }
}

/// One row of the "recent weigh-ins" table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeighIn {
    pub grpid: i64,
    pub ts: i64,
    pub weight_kg: f64,
    pub fat_ratio: Option<f64>,
    pub attrib: Attrib,
    pub source: Source,
    /// The group's own comment (Withings', or an imported file's).
    pub comment: Option<String>,
}

impl Store {
    /// The latest `limit` weigh-ins (real measurements with a weight), newest first.
    pub fn recent_weigh_ins(&self, account: i64, limit: u32) -> Result<Vec<WeighIn>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT g.date, w.value, w.unit, f.value, f.unit, g.attrib, g.grpid, g.source, g.comment FROM groups g
             JOIN measures w ON w.account_id = g.account_id AND w.grpid = g.grpid AND w.type = 1 AND w.position IS NULL
             LEFT JOIN measures f ON f.account_id = g.account_id AND f.grpid = g.grpid AND f.type = 6 AND f.position IS NULL
             WHERE g.account_id = ?1 AND g.category = 1
             ORDER BY g.date DESC, g.grpid DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![account, limit], |r| {
            let fat = match (r.get::<_, Option<i64>>(3)?, r.get::<_, Option<i32>>(4)?) {
                (Some(v), Some(u)) => Some(ExactValue::new(v, u).to_f64()),
                _ => None,
            };
            Ok(WeighIn {
                grpid: r.get(6)?,
                source: Source::parse(&r.get::<_, String>(7)?).unwrap_or_default(),
                ts: r.get(0)?,
                weight_kg: ExactValue::new(r.get(1)?, r.get(2)?).to_f64(),
                fat_ratio: fat,
                attrib: Attrib(r.get(5)?),
                comment: r.get::<_, Option<String>>(8)?.filter(|c| !c.trim().is_empty()),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The latest value of one measure type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Latest {
    pub kind: MeasureType,
    pub ts: i64,
    pub value: ExactValue,
}

impl Store {
    /// The latest counted value of every measure type the account has (whole-body ones only;
    /// an excluded weigh-in, or an undecided ambiguous one, is not the latest).
    pub fn latest_values(&self, account: i64) -> Result<Vec<Latest>, StoreError> {
        // SQLite returns the other columns of the row that holds max(g.date).
        let mut st = self.conn().prepare_cached(
            "SELECT m.type, max(g.date), m.value, m.unit FROM measures m
             JOIN groups g ON g.account_id = m.account_id AND g.grpid = m.grpid
             LEFT JOIN verdicts v ON v.account_id = g.account_id AND v.grpid = g.grpid
             WHERE m.account_id = ?1 AND m.position IS NULL AND g.category = 1
               AND ifnull(v.counted, g.attrib != 1)
             GROUP BY m.type ORDER BY m.type",
        )?;
        let rows = st.query_map(params![account], |r| {
            Ok(Latest {
                kind: MeasureType(r.get(0)?),
                ts: r.get(1)?,
                value: ExactValue::new(r.get(2)?, r.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
