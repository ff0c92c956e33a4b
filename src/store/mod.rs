//! The local SQLite database: one way to open it, append-only migrations, and queries.

mod groups;
mod history;
mod migrate;
mod notes;
mod own;
mod restore;
mod twins;
mod verdicts;

use crate::error_code::ErrorCode;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::auth::Provider;

pub use groups::{ApplyOutcome, Checkpoint, CursorUpdate, ResumePoint, StoredGroup, StoredMeasure};
pub use history::{Change, ChangeRecord, SyncRun};
pub use notes::NOTE_MAX_CHARS;
pub use restore::{RestoreAccount, RestoreGroup, RestoreOutcome};
pub use twins::{WeighInKey, WrittenWeighIn, at_column_precision, pair as pair_weigh_ins};
pub use verdicts::{Standing, Verdict};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("the database names provider {0:?}, which this Heft does not know; update Heft")]
    UnknownProvider(String),
    #[error(
        "the database was written by a newer Heft (schema {found}, this Heft knows {known}); \
         update Heft — the file was left untouched"
    )]
    TooNew { found: i64, known: i64 },
    #[error("the database disk is full; free some space and try again (nothing was lost)")]
    DiskFull,
    #[error("database error: {0}")]
    Sqlite(String),
    #[error("no account {0}")]
    UnknownAccount(String),
    #[error("there is no weigh-in {0} in this account (see `heft list` for the numbers)")]
    UnknownWeighIn(i64),
    #[error(
        "weigh-in {0} came from Withings, and Heft cannot change Withings' data; exclude it instead \
         (`heft exclude {0}`), which keeps it out of the trend and can be undone"
    )]
    FromWithings(i64),
}

impl StoreError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::TooNew { .. } | StoreError::UnknownProvider(_) => ErrorCode::DatabaseTooNew,
            StoreError::DiskFull => ErrorCode::DiskFull,
            StoreError::UnknownAccount(_) => ErrorCode::NoAccount,
            StoreError::UnknownWeighIn(_) => ErrorCode::NoWeighIn,
            StoreError::FromWithings(_) => ErrorCode::FromWithings,
            StoreError::Open { .. } | StoreError::Sqlite(_) => ErrorCode::DatabaseError,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Sqlite(e.to_string()),
        }
    }
}

/// An account as stored (no secrets).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Account {
    pub id: i64,
    pub provider: Provider,
    pub userid: String,
    pub name: Option<String>,
    pub scopes: Option<String>,
    pub token_expires_at: Option<i64>,
    pub timezone: Option<String>,
    pub demo: bool,
    pub needs_reconnect: bool,
    /// The goal set in Heft for this account, in kg (else Withings' own goal).
    pub goal_kg: Option<f64>,
    /// The display unit chosen for this account ("kg", "lb", "st"; else the default).
    pub unit: Option<String>,
    /// The account's colour in the window ("#rrggbb").
    pub colour: Option<String>,
}

/// The sync cursor and bookkeeping of one account.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SyncState {
    pub cursor: Option<i64>,
    pub last_sync_at: Option<i64>,
    pub last_full_at: Option<i64>,
    pub last_error: Option<String>,
    /// Set while a first download is unfinished.
    pub resume: Option<ResumePoint>,
    /// The stable code of `last_error` (the window says what to do by it).
    pub last_error_code: Option<String>,
    /// When Withings last asked Heft to slow down, and how many seconds it asked for.
    pub rate_limited: Option<(i64, i64)>,
}

/// The database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) with WAL, foreign keys and a busy timeout, then migrates.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        // Health data: the folder is the owner's only, and so are the database and its WAL and
        // SHM files (SQLite gives those the database file's mode). Existing ones are tightened.
        if path != Path::new(":memory:") {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                crate::files::private_dir(dir).map_err(|e| open_err(&e))?;
            }
            crate::files::open_private(path).map_err(|e| open_err(&e))?;
            for suffix in ["-wal", "-shm", "-journal"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                crate::files::tighten(Path::new(&p)).map_err(|e| open_err(&e))?;
            }
        }
        let conn = Connection::open(path).map_err(|e| open_err(&e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| open_err(&e))?;
        // Every commit is on disk when it returns (the WAL synced: about a millisecond here),
        // so the database is not copied over on close to be durable: a first sync's few MB
        // stay in the WAL, and SQLite copies them into the database file once the WAL holds
        // 32 MB — a checkpoint every few syncs instead of one at every close (which cost a
        // 10-year first sync a sixth of its time). The WAL is cut back to 4 MB afterwards.
        conn.pragma_update(None, "synchronous", "FULL").map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "wal_autocheckpoint", 8192).map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "journal_size_limit", 4 << 20).map_err(|e| open_err(&e))?;
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(|e| open_err(&e))?;
        let mut store = Store { conn };
        migrate::run(&mut store.conn)?;
        Ok(store)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Creates the account or updates its details; returns its id.
    pub fn upsert_account(
        &self,
        provider: Provider,
        userid: &str,
        scopes: Option<&str>,
        token_expires_at: Option<i64>,
        now: i64,
    ) -> Result<i64, StoreError> {
        let demo = provider.is_demo();
        self.conn.execute(
            "INSERT INTO accounts (provider, userid, scopes, token_expires_at, demo, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (provider, userid) DO UPDATE SET
               scopes = excluded.scopes, token_expires_at = excluded.token_expires_at,
               demo = excluded.demo, needs_reconnect = 0",
            params![provider.as_str(), userid, scopes, token_expires_at, demo, now],
        )?;
        let id = self.conn.query_row(
            "SELECT id FROM accounts WHERE provider = ?1 AND userid = ?2",
            params![provider.as_str(), userid],
            |r| r.get(0),
        )?;
        self.conn.execute("INSERT OR IGNORE INTO sync_state (account_id) VALUES (?1)", [id])?;
        Ok(id)
    }

    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, provider, userid, name, scopes, token_expires_at, timezone, demo, needs_reconnect,
                    goal_kg, unit, colour
             FROM accounts ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            let provider: String = r.get(1)?;
            Ok((
                provider,
                Account {
                    id: r.get(0)?,
                    provider: Provider::Withings,
                    userid: r.get(2)?,
                    name: r.get(3)?,
                    scopes: r.get(4)?,
                    token_expires_at: r.get(5)?,
                    timezone: r.get(6)?,
                    demo: r.get(7)?,
                    needs_reconnect: r.get(8)?,
                    goal_kg: r.get(9)?,
                    unit: r.get(10)?,
                    colour: r.get(11)?,
                },
            ))
        })?;
        rows.map(|row| {
            let (name, account) = row?;
            let provider = Provider::parse(&name).map_err(|e| StoreError::UnknownProvider(e.0))?;
            Ok(Account { provider, ..account })
        })
        .collect()
    }

    pub fn account(&self, id: i64) -> Result<Account, StoreError> {
        self.accounts()?.into_iter().find(|a| a.id == id).ok_or(StoreError::UnknownAccount(id.to_string()))
    }

    pub fn set_token_expiry(&self, account: i64, expires_at: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE accounts SET token_expires_at = ?2 WHERE id = ?1",
            params![account, expires_at],
        )?;
        Ok(())
    }

    pub fn set_needs_reconnect(&self, account: i64, needs: bool) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE accounts SET needs_reconnect = ?2 WHERE id = ?1", params![account, needs])?;
        Ok(())
    }

    /// The name the person gave the account ("Anna"); `None` clears it.
    pub fn set_account_name(&self, account: i64, name: Option<&str>) -> Result<(), StoreError> {
        self.conn.execute("UPDATE accounts SET name = ?2 WHERE id = ?1", params![account, name])?;
        Ok(())
    }

    pub fn set_account_goal(&self, account: i64, goal_kg: Option<f64>) -> Result<(), StoreError> {
        self.conn.execute("UPDATE accounts SET goal_kg = ?2 WHERE id = ?1", params![account, goal_kg])?;
        Ok(())
    }

    pub fn set_account_unit(&self, account: i64, unit: Option<&str>) -> Result<(), StoreError> {
        self.conn.execute("UPDATE accounts SET unit = ?2 WHERE id = ?1", params![account, unit])?;
        Ok(())
    }

    pub fn set_account_colour(&self, account: i64, colour: Option<&str>) -> Result<(), StoreError> {
        self.conn.execute("UPDATE accounts SET colour = ?2 WHERE id = ?1", params![account, colour])?;
        Ok(())
    }

    pub fn set_timezone(&self, account: i64, tz: &str) -> Result<(), StoreError> {
        self.conn.execute("UPDATE accounts SET timezone = ?2 WHERE id = ?1", params![account, tz])?;
        Ok(())
    }

    /// Removes the account and, with it, its whole history.
    pub fn delete_account(&self, account: i64) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM accounts WHERE id = ?1", [account])?;
        Ok(())
    }

    pub fn sync_state(&self, account: i64) -> Result<SyncState, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT cursor, last_sync_at, last_full_at, last_error, resume_cursor, resume_before,
                        last_error_code, rate_limited_at, rate_limit_wait, resume_left
                 FROM sync_state WHERE account_id = ?1",
                [account],
                |r| {
                    let left: Option<String> = r.get(9)?;
                    let before: Option<i64> = r.get(5)?;
                    let resume = r
                        .get::<_, Option<i64>>(4)?
                        .and_then(|cursor| ResumePoint::read(cursor, left.as_deref(), before));
                    Ok(SyncState {
                        cursor: r.get(0)?,
                        last_sync_at: r.get(1)?,
                        last_full_at: r.get(2)?,
                        last_error: r.get(3)?,
                        resume,
                        last_error_code: r.get(6)?,
                        rate_limited: match (r.get(7)?, r.get(8)?) {
                            (Some(at), Some(wait)) => Some((at, wait)),
                            _ => None,
                        },
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    pub fn record_sync_error(&self, account: i64, code: &str, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sync_state (account_id, last_error, last_error_code) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id) DO UPDATE SET last_error = excluded.last_error,
               last_error_code = excluded.last_error_code",
            params![account, error, code],
        )?;
        Ok(())
    }

    /// Withings answered 601 (too many requests) at `at` and asked for `wait` seconds.
    pub fn record_rate_limit(&self, account: i64, at: i64, wait: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sync_state (account_id, rate_limited_at, rate_limit_wait) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id) DO UPDATE SET rate_limited_at = excluded.rate_limited_at,
               rate_limit_wait = excluded.rate_limit_wait",
            params![account, at, wait],
        )?;
        Ok(())
    }

    /// Counts of groups and measures of an account.
    pub fn counts(&self, account: i64) -> Result<(i64, i64), StoreError> {
        let groups =
            self.conn
                .query_row("SELECT count(*) FROM groups WHERE account_id = ?1", [account], |r| r.get(0))?;
        let measures =
            self.conn
                .query_row("SELECT count(*) FROM measures WHERE account_id = ?1", [account], |r| r.get(0))?;
        Ok((groups, measures))
    }

    /// Changes whenever the database does: SQLite's data version (moved by commits of other
    /// connections) and this connection's own change count. Read caches key on it.
    pub fn data_version(&self) -> Result<(i64, u64), StoreError> {
        let v: i64 = self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok((v, self.conn.total_changes()))
    }

    /// `PRAGMA integrity_check`, for tests and `heft status`.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}
