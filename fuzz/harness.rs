//! What each fuzz target checks, one function per target, named as the target is. The targets
//! in `fuzz_targets/` call these under libFuzzer; `tests/fuzz_seeds.rs` (part of `make test`,
//! stable Rust) runs every committed seed in `seeds/<target>/` through the same function, so a
//! seed that once crashed a parser keeps being checked without nightly or libFuzzer.
#![allow(dead_code)]

use std::path::Path;

use heft::auth::State;
use heft::auth::callback::{OAUTH2_CALLBACK, callback_query, verify_callback_url};
use heft::export::{export, import, parse};
use heft::store::Store;

/// What a target runs on one input: it panics on a bug and returns on anything else.
pub type Check = fn(&[u8]);

/// Every target: its name (the folder of its seeds, the file in `fuzz_targets/`) and check.
pub const TARGETS: &[(&str, Check)] = &[
    ("getmeas", getmeas),
    ("callback", callback),
    ("import", import_file),
    ("withings_zip", withings_zip),
    ("withings_csv", withings_csv),
];

/// Any bytes as a getmeas answer: a typed error or a body whose every value converts exactly.
pub fn getmeas(data: &[u8]) {
    let Ok(body) = heft::withings::parse_getmeas(data) else { return };
    for g in &body.measuregrps {
        let stored = heft::store::StoredGroup::from_wire(g);
        assert_eq!(stored.grpid, g.grpid);
        for m in &g.measures {
            let text = heft::model::ExactValue::new(m.value, m.unit).to_string();
            assert!(!text.is_empty() && !text.contains('e'), "exact decimal, never a float: {text}");
        }
    }
}

const STATE: &str = "8mT3kq0vQ9xYb2LrWc5ZfA";

/// Any bytes as a request to the loopback listener, and as a deep-link URL: only a callback
/// carrying exactly the expected state is ever accepted.
pub fn callback(data: &[u8]) {
    let expected = State::from_secret(STATE.to_string());
    let text = String::from_utf8_lossy(data);
    if let Some(query) = callback_query(&text, "/callback") {
        let url = format!("http://127.0.0.1:8765/callback?{query}");
        check_callback(&url, &expected);
    }
    check_callback(&text, &expected);
}

fn check_callback(url: &str, expected: &State) {
    if let Ok(verified) = verify_callback_url(url, expected, OAUTH2_CALLBACK) {
        let query = url::Url::parse(url).ok().and_then(|u| u.query().map(str::to_string)).unwrap_or_default();
        let state_ok = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "state")
            .is_some_and(|(_, v)| v == STATE);
        assert!(state_ok, "accepted a callback without the expected state: {url:?}");
        assert!(verified.params.iter().all(|(k, _)| k != "code" && k != "state"));
    }
}

/// Any bytes as a Heft JSON backup: refused before the database is touched, or imported so
/// that every account in the file is there and a second import changes nothing.
pub fn import_file(data: &[u8]) {
    let Ok(parsed) = parse(data) else { return };
    let Ok(mut store) = Store::open(Path::new(":memory:")) else { return };
    if import(&mut store, parsed.clone(), 0).is_err() {
        return;
    }
    let out = export(&store).expect("a store that took an import exports");
    for a in &parsed.accounts {
        assert!(out.accounts.iter().any(|x| x.userid == a.userid), "account {} imported", a.userid);
    }
    let json = serde_json::to_vec(&out).expect("an export serializes");
    let again = parse(&json).expect("Heft reads its own export");
    let report = import(&mut store, again, 0).expect("re-importing its own export works");
    assert_eq!(report.added, 0, "re-importing an export adds nothing");
    assert_eq!(report.skipped, 0, "re-importing an export finds every weigh-in as it is");
    assert!(report.kept.is_empty(), "re-importing an export keeps no detail over its own: {:?}", report.kept);
}

/// Any bytes as Withings' "Download my data" ZIP: a typed error (a bomb among them) or rows
/// whose every mass is a body mass with its weight first.
pub fn withings_zip(data: &[u8]) {
    if let Ok(file) = heft::withings_file::read_zip(std::io::Cursor::new(data)) {
        check_rows(&file);
    }
}

/// Any bytes as a `weight.csv`: a typed error, or rows whose every mass is a body mass.
pub fn withings_csv(data: &[u8]) {
    if let Ok(file) = heft::withings_file::read_csv(data) {
        check_rows(&file);
    }
    // Read whole (by content), the same bytes give the same answer.
    let by_content = heft::withings_file::read(data);
    if heft::withings_file::detect(data) != Some(heft::withings_file::Kind::WithingsZip) {
        assert_eq!(
            by_content.map(|f| f.rows).ok(),
            heft::withings_file::read_csv(data).map(|f| f.rows).ok(),
            "reading by content is reading the CSV"
        );
    }
}

fn check_rows(file: &heft::withings_file::ImportFile) {
    for row in &file.rows {
        assert_eq!(row.weight().kind, heft::model::MeasureType::WEIGHT, "the weight first");
        for w in &row.masses {
            let kg = w.exact_kg().map(|v| v.to_f64());
            assert!(kg.is_none_or(|kg| (0.0..1000.0).contains(&kg)), "a body mass: {}", w.text());
        }
    }
}
