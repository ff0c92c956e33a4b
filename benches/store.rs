//! `cargo bench --bench store`: bulk store throughput (measures per second) of `Store::apply`
//! next to a minimal rusqlite insert loop into the same two tables, in one run.

use std::time::Instant;

use heft::store::{Store, StoredGroup, StoredMeasure};

fn groups(n: i64) -> Vec<StoredGroup> {
    (0..n)
        .map(|i| StoredGroup {
            grpid: 3_000_000_000 + i,
            date: 1_500_000_000 + i * 86_400,
            created: Some(1_500_000_000 + i * 86_400 + 30),
            modified: Some(1_500_000_000 + i * 86_400 + 30),
            category: 1,
            attrib: 0,
            deviceid: Some("f998be4b9ccc9e136fd8cd8e8e344c31ec3b271d".into()),
            model: Some("Body Cardio".into()),
            comment: None,
            source: Default::default(),
            measures: [1, 5, 6, 8, 76, 77, 88]
                .iter()
                .map(|&kind| StoredMeasure {
                    kind,
                    position: None,
                    value: 70_000 + i,
                    unit: -3,
                    algo: Some(3),
                    fm: Some(131),
                    written: None,
                })
                .collect(),
        })
        .collect()
}

fn main() {
    let data = groups(7_300);
    let measures: usize = data.iter().map(|g| g.measures.len()).sum();

    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("heft.db")).expect("store");
    let acct = store.upsert_account(heft::auth::Provider::Withings, "1", None, None, 0).expect("account");
    let t = Instant::now();
    for page in data.chunks(500) {
        store.apply(acct, page, &[], None).expect("apply");
    }
    let heft = t.elapsed().as_secs_f64();

    let conn = rusqlite::Connection::open(dir.path().join("plain.db")).expect("plain db");
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         CREATE TABLE groups (grpid INTEGER PRIMARY KEY, date INTEGER, category INTEGER, attrib INTEGER);
         CREATE TABLE measures (grpid INTEGER, type INTEGER, position INTEGER, value INTEGER, unit INTEGER);",
    )
    .expect("schema");
    let t = Instant::now();
    for page in data.chunks(500) {
        let tx = conn.unchecked_transaction().expect("tx");
        {
            let mut g = tx.prepare_cached("INSERT INTO groups VALUES (?1, ?2, ?3, ?4)").expect("prep");
            let mut m = tx.prepare_cached("INSERT INTO measures VALUES (?1, ?2, ?3, ?4, ?5)").expect("prep");
            for grp in page {
                g.execute(rusqlite::params![grp.grpid, grp.date, grp.category, grp.attrib]).expect("insert");
                for x in &grp.measures {
                    m.execute(rusqlite::params![grp.grpid, x.kind, x.position, x.value, x.unit])
                        .expect("insert");
                }
            }
        }
        tx.commit().expect("commit");
    }
    let plain = t.elapsed().as_secs_f64();
    println!(
        "{measures} measures in pages of 500 groups: Heft `Store::apply` {:.0} measures/s ({:.0} ms), a minimal rusqlite insert loop {:.0} measures/s ({:.0} ms): Heft at {:.2}× the minimal loop's time (it also reads each group back to report added/changed, keeps its indexes, and syncs each page's commit to disk).",
        measures as f64 / heft,
        heft * 1e3,
        measures as f64 / plain,
        plain * 1e3,
        heft / plain
    );
}
