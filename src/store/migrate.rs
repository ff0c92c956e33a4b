//! Numbered, append-only migrations. A released file is never edited; a new change is a new
//! file. `PRAGMA user_version` records how far a database has come; a database from a newer
//! Heft is refused before anything is written to it.

use rusqlite::Connection;

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_series_index.sql"),
    include_str!("migrations/0003_drop_unused_index.sql"),
    include_str!("migrations/0004_your_data.sql"),
    include_str!("migrations/0005_sync_history.sql"),
    include_str!("migrations/0006_resume_and_health.sql"),
    include_str!("migrations/0007_resume_windows.sql"),
    include_str!("migrations/0008_import_twins.sql"),
    include_str!("migrations/0009_notes.sql"),
    include_str!("migrations/0010_sources.sql"),
    include_str!("migrations/0011_reminders.sql"),
];

pub fn run(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    loop {
        // The version is read inside a write transaction: when two processes open a new
        // database together, the second waits and then finds the migration already done.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > known {
            return Err(StoreError::TooNew { found, known });
        }
        let Some(sql) = MIGRATIONS.get(found as usize) else { return Ok(()) };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}
