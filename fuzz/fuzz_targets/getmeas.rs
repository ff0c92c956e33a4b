//! Any bytes as a getmeas answer: a typed error or a body whose every value converts exactly.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = heft::withings::parse_getmeas(data) else { return };
    for g in &body.measuregrps {
        let stored = heft::store::StoredGroup::from_wire(g);
        assert_eq!(stored.grpid, g.grpid);
        for m in &g.measures {
            let text = heft::model::ExactValue::new(m.value, m.unit).to_string();
            assert!(!text.is_empty() && !text.contains('e'), "exact decimal, never a float: {text}");
        }
    }
});
