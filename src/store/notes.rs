//! The person's notes on weigh-ins, and the places a weigh-in was read from (an import's
//! app), each in a table of their own keyed by grpid (like verdicts), so no sync changes them
//! and they survive a group's re-download.

use std::collections::HashMap;

use rusqlite::params;

use super::{Store, StoreError};

/// The longest note kept, in characters.
pub const NOTE_MAX_CHARS: usize = 500;

impl Store {
    /// Writes (or with `None` removes) the note on a group of the account.
    pub fn set_note(&self, account: i64, grpid: i64, text: Option<&str>, now: i64) -> Result<(), StoreError> {
        self.require_group(account, grpid)?;
        match text {
            Some(t) => self.conn.execute(
                "INSERT INTO notes (account_id, grpid, text, written_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account_id, grpid) DO UPDATE SET text = excluded.text, written_at = excluded.written_at",
                params![account, grpid, t, now],
            )?,
            None => self.conn.execute("DELETE FROM notes WHERE account_id = ?1 AND grpid = ?2", params![account, grpid])?,
        };
        Ok(())
    }

    /// (time, note) of each weigh-in with a note, or else a comment of its own (Withings', an
    /// imported file's), between `from` and `to` (Unix seconds), oldest first.
    pub fn notes_between(&self, account: i64, from: i64, to: i64) -> Result<Vec<(i64, String)>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT g.date, coalesce(n.text, nullif(trim(g.comment), '')) AS note FROM groups g
             LEFT JOIN notes n ON n.account_id = g.account_id AND n.grpid = g.grpid
             WHERE g.account_id = ?1 AND g.category = 1 AND g.date BETWEEN ?2 AND ?3 AND note IS NOT NULL
             ORDER BY g.date",
        )?;
        let rows = st.query_map(params![account, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where each weigh-in was read from besides the API, by grpid, in name order.
    pub fn sources(&self, account: i64) -> Result<HashMap<i64, Vec<String>>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT grpid, name FROM sources WHERE account_id = ?1 ORDER BY grpid, name")?;
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for row in st.query_map([account], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (g, name) = row?;
            out.entry(g).or_default().push(name);
        }
        Ok(out)
    }

    /// Whether a reminder's occurrence was said already; records it as said when not.
    pub fn say_once(&self, account: i64, kind: &str, occurrence: i64, now: i64) -> Result<bool, StoreError> {
        let added = self.conn.execute(
            "INSERT OR IGNORE INTO reminders_said (account_id, kind, occurrence, said_at) VALUES (?1, ?2, ?3, ?4)",
            params![account, kind, occurrence, now],
        )?;
        Ok(added == 1)
    }

    /// Forgets that a reminder's occurrence was said (it could not be delivered).
    pub fn unsay(&self, account: i64, kind: &str, occurrence: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM reminders_said WHERE account_id = ?1 AND kind = ?2 AND occurrence = ?3",
            params![account, kind, occurrence],
        )?;
        Ok(())
    }

    /// Every note of the account, by grpid.
    pub fn notes(&self, account: i64) -> Result<HashMap<i64, String>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT grpid, text FROM notes WHERE account_id = ?1")?;
        let rows = st.query_map([account], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
