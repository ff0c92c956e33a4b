//! Any bytes as an import file: refused before the database is touched, or imported so that
//! every account in the file is there and a second import changes nothing.
#![no_main]
use std::path::Path;

use heft::export::{export, import, parse};
use heft::store::Store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
    assert_eq!(report.changed, 0, "re-importing an export changes nothing");
});
