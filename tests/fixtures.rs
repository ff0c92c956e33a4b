//! Every real Withings capture in `tests/fixtures/withings/` parses, with the values read from it.

use heft::model::ExactValue;
use heft::withings::{Envelope, MeasureBody, NotifyList, WireGroup, parse_getmeas};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/withings/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path} is readable: {e}"))
}

/// Some captures are bare lists of groups (the source kept only `measuregrps`).
fn groups_list(name: &str) -> Vec<WireGroup> {
    serde_json::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name} parses: {e}"))
}

fn weight(g: &WireGroup) -> Option<String> {
    g.measures.iter().find(|m| m.kind == 1).map(|m| ExactValue::new(m.value, m.unit).to_string())
}

#[test]
fn aiowithings_measurement_keeps_the_repeated_grpid_and_exact_weight() {
    let body: MeasureBody = parse_getmeas(&fixture("aiowithings_measurement.json")).expect("parses");
    assert_eq!(body.updatetime, Some(1_693_651_185));
    assert_eq!(body.timezone.as_deref(), Some("Europe/Amsterdam"));
    assert!(!body.more, "no `more` key means the last page");
    assert_eq!(body.offset, None);
    assert_eq!(body.measuregrps.len(), 2, "both copies of the repeated group are kept");
    assert!(body.measuregrps.iter().all(|g| g.grpid == 4_815_757_309), "same grpid twice");
    let attribs: Vec<i64> = body.measuregrps.iter().map(|g| g.attrib).collect();
    assert_eq!(attribs, [0, 8]);
    assert_eq!(weight(&body.measuregrps[0]).as_deref(), Some("118.003"));
    assert_eq!(body.measuregrps[0].model.as_deref(), Some("Body+"));
}

#[test]
fn body_scan_positions_repeat_a_type_within_one_group() {
    let groups = groups_list("aiowithings_measurement_positions.json");
    assert_eq!(groups.len(), 2);
    let g = &groups[0];
    assert_eq!(g.grpid, 5_149_666_502);
    assert_eq!(g.measures.len(), 28);
    assert_eq!(weight(g).as_deref(), Some("95.854"));
    let mut positions: Vec<i64> =
        g.measures.iter().filter(|m| m.kind == 173).filter_map(|m| m.position).collect();
    positions.sort();
    assert_eq!(positions, [2, 3, 10, 11, 12], "segmental fat-free mass, one per body part");
    let ffm_at_7 = g.measures.iter().filter(|m| m.kind == 5 && m.position == Some(7)).count();
    assert_eq!(ffm_at_7, 2, "type 5 is sent twice with the same position; both are read");
}

#[test]
fn undocumented_types_197_and_198_are_kept() {
    let groups = groups_list("aiowithings_measurement_list_2.json");
    assert_eq!(groups.len(), 34);
    let g = groups.iter().find(|g| g.grpid == 5_109_691_089).expect("group 5109691089 present");
    let t197 = g.measures.iter().find(|m| m.kind == 197).expect("type 197 kept");
    assert_eq!(ExactValue::new(t197.value, t197.unit).to_string(), "50.404");
    assert!(groups.iter().any(|g| g.measures.iter().any(|m| m.kind == 198)), "type 198 kept");
    let units: std::collections::BTreeSet<i32> =
        groups.iter().flat_map(|g| g.measures.iter().map(|m| m.unit)).collect();
    assert_eq!(units.into_iter().collect::<Vec<_>>(), [-3, -2, -1, 0]);
}

#[test]
fn list_excerpt_keeps_attrib_17_ambiguous_groups_and_same_date_groups() {
    let groups = groups_list("aiowithings_measurement_list_excerpt.json");
    assert_eq!(groups.len(), 50);
    let a17 = groups.iter().find(|g| g.grpid == 2_726_388_728).expect("group present");
    assert_eq!(a17.attrib, 17, "undocumented attrib kept as is");
    assert_eq!(groups.iter().find(|g| g.grpid == 2_726_389_202).map(|g| g.attrib), Some(1));
    let same_date = groups.iter().filter(|g| g.date == 1_644_388_257).count();
    assert_eq!(same_date, 3, "a Body Cardio weigh-in gives three groups with one date");
    let manual = groups.iter().find(|g| g.grpid == 3_080_882_802).expect("manual entry present");
    assert_eq!(manual.deviceid, None, "null device of a manual entry");
    assert_eq!(weight(manual).as_deref(), Some("50.0000"), "unit -4 kept exactly");
}

#[test]
fn withings_sas_full_history_has_height_and_computed_types_without_algo() {
    let body = parse_getmeas(&fixture("withings-sas_measure_excerpt.json")).expect("parses");
    assert_eq!(body.updatetime, Some(1_627_992_069));
    assert_eq!(body.timezone.as_deref(), Some("America/Chicago"));
    assert_eq!(body.measuregrps.len(), 25);
    let first = &body.measuregrps[0];
    assert_eq!(first.grpid, 2_931_418_569);
    assert_eq!(weight(first).as_deref(), Some("83.289"));
    let fat_ratio = first.measures.iter().find(|m| m.kind == 6).expect("fat ratio");
    assert_eq!((fat_ratio.algo, fat_ratio.fm), (None, None));
    assert_eq!(ExactValue::new(fat_ratio.value, fat_ratio.unit).to_string(), "21.732");
    let height = body.measuregrps.iter().find(|g| g.grpid == 198_265_138).expect("height group");
    assert_eq!(height.measures[0].kind, 4);
    assert_eq!(ExactValue::new(height.measures[0].value, height.measures[0].unit).to_string(), "1.80");
    let manual = body.measuregrps.iter().find(|g| g.grpid == 198_265_137).expect("manual weight");
    assert_eq!(weight(manual).as_deref(), Some("84.4"), "unit -1 manual weight");
    assert!(body.measuregrps.windows(2).all(|w| w[0].date >= w[1].date), "newest first");
}

#[test]
fn notify_answers_parse() {
    let list: NotifyList = Envelope::parse(&fixture("aiowithings_notify_list.json"))
        .and_then(Envelope::body_as)
        .expect("notify list parses");
    assert_eq!(list.profiles.len(), 1);
    assert_eq!(list.profiles[0].appli, 1);
    assert_eq!(list.profiles[0].expires, Some(2_147_483_647));
    assert_eq!(list.profiles[0].callbackurl, "https://www.withings.com");
    let revoke = Envelope::parse(&fixture("aiowithings_notify_revoke.json")).expect("parses");
    assert_eq!(revoke.status, 0);
    let body: serde_json::Value = revoke.body_as().expect("revoke body parses");
    assert_eq!(body, serde_json::json!({}));
}

#[test]
fn numbers_sent_as_strings_and_missing_optional_keys_are_accepted() {
    let raw = br#"{"status":"0","body":{"updatetime":"1700000000","more":"1","offset":"500",
        "measuregrps":[{"grpid":"4294967297","attrib":0,"date":1700000000,"category":1,
        "deviceid":null,"model":null,"measures":[{"value":"72345","type":1,"unit":"-3"}],"x":1}]}}"#;
    let body = parse_getmeas(raw).expect("tolerant parse");
    assert_eq!(body.updatetime, Some(1_700_000_000));
    assert!(body.more);
    assert_eq!(body.offset, Some(500));
    assert_eq!(body.measuregrps[0].grpid, 4_294_967_297, "grpids above 2^32 are kept");
    assert_eq!(weight(&body.measuregrps[0]).as_deref(), Some("72.345"));
}

#[test]
fn application_errors_inside_http_200_become_typed_errors() {
    let err = parse_getmeas(br#"{"status":601,"body":{"wait_seconds":42},"error":"Too Many Requests"}"#)
        .expect_err("601 is an error");
    match err {
        heft::withings::ApiError::Status { code, wait_seconds, kind, .. } => {
            assert_eq!(code, 601);
            assert_eq!(wait_seconds, Some(42));
            assert_eq!(kind, heft::withings::StatusKind::RateLimited);
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    let html = parse_getmeas(b"<html><body>Service unavailable</body></html>").expect_err("html");
    assert!(html.to_string().contains("HTML page"), "{html}");
    let cut = parse_getmeas(br#"{"status":0,"body":{"measuregrps":[{"grpid":1"#).expect_err("cut");
    assert!(cut.to_string().contains("cut off"), "{cut}");
    let huge = parse_getmeas(br#"{"status":0,"body":{"measuregrps":[{"grpid":1,"date":1,"measures":[{"value":99999999999999999999,"type":1,"unit":-3}]}]}}"#);
    assert!(huge.is_err(), "a value beyond i64 is refused, not wrapped");
}
