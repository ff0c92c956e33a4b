//! The person's own data through the real `heft` binary and real SQLite files: Withings export
//! files (written here from the facts of real exports), entries typed by hand, exclusions,
//! guest weigh-ins, anomalies, a household and the FIT export.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{Env, sim_config, stderr, stdout};
use heft::export::Export;
use heft::store::StoredGroup;
use serde_json::Value;
use withings_sim::{Measure, SimConfig};

/// A data folder with no Withings account (nothing here needs the keychain).
fn offline() -> Env {
    Env::new(SimConfig { users: 1, years: 0, ..sim_config() })
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write file");
    p
}

fn own_groups(env: &Env) -> Vec<StoredGroup> {
    let e: Export = env.export();
    let mut g: Vec<StoredGroup> = e.groups.into_iter().map(|g| g.group).filter(|g| g.grpid < 0).collect();
    g.sort_by_key(|g| g.date);
    g
}

/// (type, exact value as text, as written) of a group's measures.
fn measures(g: &StoredGroup) -> Vec<(i64, String, Option<String>)> {
    g.measures
        .iter()
        .map(|m| (m.kind, heft::model::ExactValue::new(m.value, m.unit).to_string(), m.written.clone()))
        .collect()
}

fn list(env: &Env, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["list", "--format", "json", "--limit", "1000"];
    args.extend_from_slice(extra);
    serde_json::from_str(&env.ok(&args)).expect("list is JSON")
}

/// Whether a listed row is weigh-in `grpid`.
fn same(row: &Value, grpid: &str) -> bool {
    row["grpid"].as_i64().map(|g| g.to_string()).as_deref() == Some(grpid)
}

fn utc(local: &str, tz: &str) -> i64 {
    let dt: jiff::civil::DateTime = local.parse().unwrap();
    dt.to_zoned(jiff::tz::TimeZone::get(tz).unwrap()).unwrap().timestamp().as_second()
}

const KG_FILE: &str = "Date,\"Weight (kg)\",\"Fat mass (kg)\",\"Bone mass (kg)\",\"Muscle mass (kg)\",\"Hydration (kg)\",Comments
2026-11-30 07:15:00,88.00,20.50,3.10,60.20,45.30,
2026-11-29 07:02:10,88.40,,,,,after a run
2026-11-29 07:02:10,88.40,,,,,after a run
2026-11-28 06:58:41,88.65,20.71,3.11,60.40,45.12,
";

#[test]
fn a_kg_export_is_imported_exactly_and_a_second_import_adds_nothing() {
    let env = offline();
    let f = write(env.data_dir.path(), "weight.csv", KG_FILE);
    let out = env.ok(&["import", f.to_str().unwrap(), "--timezone", "Europe/Paris"]);
    assert!(out.contains("Imported 3 weigh-ins (0 matched weigh-ins already stored: same weight within a minute; 1 exact repeat in the file)"), "{out}");
    assert!(out.contains("Europe/Paris (from --timezone)"), "{out}");
    let g = own_groups(&env);
    assert_eq!(g.len(), 3);
    assert_eq!(g[0].date, utc("2026-11-28T06:58:41", "Europe/Paris"));
    assert_eq!(g[2].date, utc("2026-11-30T07:15:00", "Europe/Paris"));
    let w = |s: &str| Some(format!("{s} kg"));
    assert_eq!(
        measures(&g[2]),
        vec![
            (1, "88.00".into(), w("88.00")),
            (5, "67.50".into(), None),  // weight − fat mass, exact
            (6, "23.295".into(), None), // fat mass / weight, in %
            (8, "20.50".into(), w("20.50")),
            (76, "60.20".into(), w("60.20")),
            (77, "45.30".into(), w("45.30")),
            (88, "3.10".into(), w("3.10")),
        ]
    );
    assert_eq!(measures(&g[1]), vec![(1, "88.40".into(), w("88.40"))]);
    assert_eq!(g[1].comment.as_deref(), Some("after a run"));
    assert!(g.iter().all(|g| g.source == heft::model::Source::Import));

    let again = env.ok(&["import", f.to_str().unwrap(), "--timezone", "Europe/Paris"]);
    assert!(again.contains("Imported 0 weigh-ins (3 matched weigh-ins already stored: same weight within a minute; 1 exact repeat in the file)"), "{again}");
    assert_eq!(own_groups(&env), g, "nothing changed");

    let rows = list(&env, &[]);
    assert!(rows.iter().all(|r| r["flags"] == serde_json::json!(["imported"])), "{rows:?}");
}

#[test]
fn an_lb_export_keeps_what_was_written_and_stores_exact_kilograms() {
    let env = offline();
    let text = "Date,\"Weight (lb)\",\"Fat mass (lb)\",\"Bone mass (lb)\",\"Muscle mass (lb)\",\"Hydration (lb)\",Comments
2026-11-30 07:15:00,175,40.5,6.8,128.1,91,
2026-11-29 07:01:00,175.6,,,,,
";
    let f = write(env.data_dir.path(), "weight.csv", text);
    let out = env.ok(&["import", f.to_str().unwrap(), "--timezone", "America/Chicago"]);
    assert!(out.contains("Imported 2 weigh-ins (0 matched weigh-ins already stored: same weight within a minute; 0 exact repeats in the file)"), "{out}");
    let g = own_groups(&env);
    let lb = |s: &str| Some(format!("{s} lb"));
    assert_eq!(
        measures(&g[1]),
        vec![
            (1, "79.37866475".into(), lb("175")),
            (5, "61.008173765".into(), None),
            (6, "23.143".into(), None),
            (8, "18.370490985".into(), lb("40.5")),
            (76, "58.105182597".into(), lb("128.1")),
            (77, "41.27690567".into(), lb("91")),
            (88, "3.084428116".into(), lb("6.8")),
        ]
    );
    assert_eq!(measures(&g[0]), vec![(1, "79.650820172".into(), lb("175.6"))]);
    let rows = list(&env, &["--unit", "lb"]);
    assert_eq!(rows[0]["weight"], "175.0 lb");
}

#[test]
fn german_and_old_exports_are_read_with_their_own_headers_and_times() {
    let env = offline();
    let german = "Datum,\"Gewicht (kg)\",\"Fettmasse (kg)\",\"Knochenmasse (kg)\",\"Muskelmasse (kg)\",\"Wasseranteil (kg)\",Kommentare
2026-11-30 07:15:00,71.25,15.10,2.90,50.80,38.20,Urlaub
";
    let f = write(env.data_dir.path(), "de.csv", german);
    env.ok(&["import", f.to_str().unwrap(), "--timezone", "Europe/Berlin"]);
    let old =
        "\"Date\",\"Weight (kg)\",\"Fat mass (kg)\",\"Lean mass (kg)\",\"Comments\",\"Heart rate (bpm)\"
\"2016-12-27 5:36 AM\",\"72.10\",\"16.20\",\"55.90\",\"\",\"61\"
\"2016-12-26 9:05 PM\",\"72.60\",\"\",\"\",\"\",\"\"
";
    let f = write(env.data_dir.path(), "old.csv", old);
    let out = env.ok(&["import", f.to_str().unwrap(), "--timezone", "Europe/Berlin"]);
    assert!(out.contains("Imported 2 weigh-ins"), "{out}");
    assert!(out.contains("Ignored columns: Heart rate (bpm)"), "{out}");
    let uhr = "\"Datum\",\"Gewicht (kg)\",\"Fettfreier Anteil (kg)\"\n\"2014-02-13 6:04 Uhr\",\"80.30\",\"62.00\"\n";
    let f = write(env.data_dir.path(), "uhr.csv", uhr);
    env.ok(&["import", f.to_str().unwrap(), "--timezone", "Europe/Berlin"]);

    let g = own_groups(&env);
    assert_eq!(g.len(), 4);
    assert_eq!(g[0].date, utc("2014-02-13T06:04:00", "Europe/Berlin"));
    assert_eq!(
        measures(&g[0]),
        vec![(1, "80.30".into(), Some("80.30 kg".into())), (5, "62.00".into(), Some("62.00 kg".into()))]
    );
    assert_eq!(g[1].date, utc("2016-12-26T21:05:00", "Europe/Berlin"));
    assert_eq!(g[2].date, utc("2016-12-27T05:36:00", "Europe/Berlin"));
    // Lean mass as written; the fat ratio still derived.
    assert_eq!(
        measures(&g[2]),
        vec![
            (1, "72.10".into(), Some("72.10 kg".into())),
            (5, "55.90".into(), Some("55.90 kg".into())),
            (6, "22.469".into(), None),
            (8, "16.20".into(), Some("16.20 kg".into())),
        ]
    );
    assert_eq!(g[3].comment.as_deref(), Some("Urlaub"));
    assert_eq!(measures(&g[3])[0], (1, "71.25".into(), Some("71.25 kg".into())));
    assert!(measures(&g[3]).contains(&(77, "38.20".into(), Some("38.20 kg".into()))));
}

#[test]
fn a_zip_export_is_read_with_the_time_zone_its_devices_name() {
    let env = offline();
    let path = env.data_dir.path().join("data_ALL_1764500000.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("weight.csv", opts).unwrap();
    zip.write_all(KG_FILE.as_bytes()).unwrap();
    zip.start_file("devices.csv", opts).unwrap();
    zip.write_all(b"Type,Model,Mac address,Timezone\nScale,Body Cardio,00:24:e4:aa:bb:cc,Asia/Tokyo\n")
        .unwrap();
    zip.start_file("sleep.csv", opts).unwrap();
    zip.write_all(b"from,to\n").unwrap();
    zip.finish().unwrap();
    let out = env.ok(&["import", path.to_str().unwrap()]);
    assert!(out.contains("Imported 3 weigh-ins (0 matched weigh-ins already stored: same weight within a minute; 1 exact repeat in the file)"), "{out}");
    assert!(out.contains("Asia/Tokyo (from devices.csv)"), "{out}");
    let g = own_groups(&env);
    assert_eq!(g[2].date, utc("2026-11-30T07:15:00", "Asia/Tokyo"));
    assert_eq!(measures(&g[2])[0], (1, "88.00".into(), Some("88.00 kg".into())));
}

#[test]
fn a_broken_row_or_a_file_without_weights_stores_nothing() {
    let env = offline();
    let f = write(env.data_dir.path(), "weight.csv", KG_FILE);
    env.ok(&["import", f.to_str().unwrap(), "--timezone", "UTC"]);
    let before = env.export();

    let broken = KG_FILE.replace("88.65", "\"88,65\"");
    let f = write(env.data_dir.path(), "broken.csv", &(broken + "2026-11-27 07:00:00,87.90,,,,,\n"));
    let out = env.heft(&["import", f.to_str().unwrap(), "--timezone", "UTC"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 5, column \"Weight (kg)\"") && err.contains("\"88,65\""), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    let bad_date = write(env.data_dir.path(), "date.csv", "Date,Weight (kg)\n27/11/2026 07:00,87.9\n");
    let err = stderr(&env.heft(&["import", bad_date.to_str().unwrap()]));
    assert!(err.contains("line 2, column \"Date\""), "{err}");
    let no_weight = write(env.data_dir.path(), "steps.csv", "Date,Steps\n2026-11-27 07:00:00,9000\n");
    let err = stderr(&env.heft(&["import", no_weight.to_str().unwrap()]));
    assert!(err.contains("no weight column") && err.contains("\"Steps\""), "{err}");
    let junk = write(env.data_dir.path(), "notes.txt", "hello");
    let err = stderr(&env.heft(&["import", junk.to_str().unwrap()]));
    assert!(err.contains("not a file Heft reads") && err.contains("Apple Health"), "{err}");
    assert_eq!(env.export(), before, "the database is unchanged");
}

#[test]
fn entries_of_your_own_join_the_trend_and_can_be_changed_and_deleted() {
    let env = offline();
    for (day, w) in [("2026-11-20", "80.0"), ("2026-11-21", "79.8"), ("2026-11-22", "79.6")] {
        let out = env.ok(&["add", "--weight", w, "--fat-ratio", "21.5", "--at", &format!("{day} 07:15")]);
        assert!(out.contains("Added weigh-in -"), "{out}");
    }
    let out = env.ok(&["add", "--weight", "176.4", "--unit", "lb", "--at", "2026-11-23 07:10"]);
    let grpid = out.split_whitespace().nth(2).unwrap().to_string();
    let g = own_groups(&env);
    assert_eq!(g.len(), 4);
    assert_eq!(measures(&g[3]), vec![(1, "80.013694068".into(), Some("176.4 lb".into()))]);
    assert_eq!(measures(&g[0])[1], (6, "21.5".into(), Some("21.5 %".into())));
    let trend: Value = serde_json::from_str(&env.ok(&["trend", "--format", "json", "--series"])).unwrap();
    assert_eq!(trend["series"].as_array().unwrap().len(), 4, "every entry is in the trend");
    assert!(list(&env, &[]).iter().all(|r| r["flags"] == serde_json::json!(["manual"])));
    // Numbers for people follow the locale: a decimal comma in German, a point in English.
    let german =
        String::from_utf8_lossy(&env.heft_with(&["list"], &[("LC_ALL", "de_DE.UTF-8")]).stdout).into_owned();
    assert!(german.contains("79,6 kg") && german.contains("21,5 %"), "{german}");
    let english =
        String::from_utf8_lossy(&env.heft_with(&["list"], &[("LC_ALL", "en_US.UTF-8")]).stdout).into_owned();
    assert!(english.contains("79.6 kg") && !english.contains("79,6"), "{english}");

    env.ok(&["edit", &grpid, "--weight", "79.1", "--unit", "kg"]);
    let g = own_groups(&env);
    assert_eq!(measures(&g[3]), vec![(1, "79.1".into(), Some("79.1 kg".into()))]);
    assert_eq!(g[3].date, utc("2026-11-23T07:10:00", "UTC"), "the time stays");
    env.ok(&["rm", &grpid]);
    assert_eq!(own_groups(&env).len(), 3);
    let err = stderr(&env.heft(&["rm", &grpid]));
    assert!(err.contains(&format!("no weigh-in {grpid}")), "{err}");
    let err = stderr(&env.heft(&["add", "--weight", "80,2"]));
    assert!(err.contains("is not a weight"), "{err}");
    let err = stderr(&env.heft(&["add", "--weight", "80.2", "--at", "yesterday"]));
    assert!(err.contains("2026-11-30 07:15"), "{err}");
}

#[test]
fn a_planted_outlier_is_flagged_never_excluded_and_a_click_excludes_it() {
    let env = offline();
    let mut csv = String::from("Date,Weight (kg)\n");
    for d in (0..40).rev() {
        let day = jiff::civil::date(2026, 10, 1).checked_add(jiff::Span::new().days(d)).unwrap();
        let w = if d == 30 { 86.40 } else { 80.0 + [0.0, 0.3, -0.2, 0.1, -0.3][d as usize % 5] };
        csv += &format!("{day} 07:{:02}:00,{w:.2}\n", d % 10);
    }
    let f = write(env.data_dir.path(), "weight.csv", &csv);
    env.ok(&["import", f.to_str().unwrap(), "--timezone", "UTC"]);
    let flagged = list(&env, &["--flagged"]);
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0]["weight"], "86.4 kg");
    assert!(flagged[0]["anomalies"][0].as_str().unwrap().contains("above the trend"), "{flagged:?}");
    assert_eq!(flagged[0]["standing"], "counted", "flagged, not excluded");
    let trend_before: Value =
        serde_json::from_str(&env.ok(&["trend", "--format", "json", "--series"])).unwrap();

    let grpid = flagged[0]["grpid"].as_i64().unwrap().to_string();
    env.ok(&["exclude", &grpid, "--reason", "bag on the scale"]);
    let row = list(&env, &[]).into_iter().find(|r| same(r, &grpid)).unwrap();
    assert_eq!(row["standing"], "excluded");
    assert_eq!(row["reason"], "bag on the scale");
    let trend_after: Value =
        serde_json::from_str(&env.ok(&["trend", "--format", "json", "--series"])).unwrap();
    let has = |t: &Value| t["series"].as_array().unwrap().iter().any(|p| p["value_kg"] == 86.4);
    assert!(has(&trend_before) && !has(&trend_after), "the excluded weigh-in left the trend");
    // Drawn hollow, in the account's colour: the chart still shows it.
    env.ok(&["account", "--colour", "#7a3db8"]);
    let svg = env.data_dir.path().join("w.svg");
    env.ok(&["chart", "--range", "all", "--out", svg.to_str().unwrap()]);
    let svg = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let circles: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("circle")).collect();
    let hollow = circles
        .iter()
        .filter(|c| c.attribute("fill") == Some("none") && c.attribute("r") == Some("3"))
        .count();
    assert_eq!(hollow, 2, "one weigh-in left out, drawn hollow, and its mark in the legend");
    assert!(svg.contains("Left out"), "the legend says what a hollow dot is");
    // In a narrow window (800 px wide draws a chart of about 740) the legend keeps every entry,
    // on a second row, each inside the drawing.
    let narrow = env.data_dir.path().join("narrow.svg");
    env.ok(&["chart", "--range", "all", "--width", "740", "--out", narrow.to_str().unwrap()]);
    let narrow = std::fs::read_to_string(&narrow).unwrap();
    let doc_narrow = roxmltree::Document::parse(&narrow).unwrap();
    let legend: Vec<(f64, f64)> = doc_narrow
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter(|n| {
            let t = n.text().map(str::trim).unwrap_or_default();
            ["Weigh-ins", "Left out", "Unusual"].contains(&t) || t.starts_with("Trend (")
        })
        .map(|n| (n.attribute("x").unwrap().parse().unwrap(), n.attribute("y").unwrap().parse().unwrap()))
        .collect();
    assert!(legend.len() >= 3, "weigh-ins, trend and left out are named: {legend:?}");
    assert!(legend.iter().all(|(x, _)| *x > 0.0 && *x < 740.0), "inside the drawing: {legend:?}");
    assert!(
        circles.iter().any(|c| c.attribute("fill").is_some_and(|f| f.eq_ignore_ascii_case("#7a3db8"))),
        "the account's colour"
    );

    // Kept through an export and an import into a fresh folder.
    let backup = env.data_dir.path().join("backup.json");
    env.ok(&["export", "--out", backup.to_str().unwrap()]);
    let fresh = offline();
    fresh.ok(&["import", backup.to_str().unwrap()]);
    let row = list(&fresh, &[]).into_iter().find(|r| same(r, &grpid)).unwrap();
    assert_eq!(row["standing"], "excluded");
    assert_eq!(row["reason"], "bag on the scale");

    env.ok(&["include", &grpid]);
    let row = list(&env, &[]).into_iter().find(|r| same(r, &grpid)).unwrap();
    assert_eq!(row["standing"], "counted");
}

#[test]
fn the_fit_file_holds_every_counted_weigh_in() {
    let env = offline();
    let f = write(env.data_dir.path(), "weight.csv", KG_FILE);
    env.ok(&["import", f.to_str().unwrap(), "--timezone", "UTC"]);
    let rows = list(&env, &[]);
    let excluded = rows.iter().find(|r| r["weight"] == "88.4 kg").unwrap()["grpid"].to_string();
    env.ok(&["exclude", &excluded]);
    let out = env.data_dir.path().join("weight.fit");
    let o = env.heft(&["export", "--format", "fit", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("Wrote 2 weigh-ins"), "{}", stderr(&o));
    let records = fitparser::from_bytes(&std::fs::read(&out).unwrap()).expect("a valid FIT file");
    let scales: Vec<_> =
        records.iter().filter(|r| r.kind() == fitparser::profile::MesgNum::WeightScale).collect();
    assert_eq!(scales.len(), 2);
    let field = |r: &fitparser::FitDataRecord, name: &str| {
        r.fields().iter().find(|f| f.name() == name).map(|f| f.value().to_string())
    };
    // Oldest first: 2026-11-28 (88.65 kg, 20.71 fat of 88.65 = 23.36 %), then 2026-11-30.
    assert_eq!(field(scales[0], "percent_fat").as_deref(), Some("23.36"));
    assert_eq!(field(scales[1], "percent_fat").as_deref(), Some("23.3"));
    assert_eq!(field(scales[1], "bone_mass").as_deref(), Some("3.1"));
    assert_eq!(field(scales[1], "muscle_mass").as_deref(), Some("60.2"));
    assert_eq!(field(scales[1], "percent_hydration").as_deref(), Some("51.48"), "45.30 of 88.00 kg");
    let err = stderr(&env.heft(&["export", "--format", "fit"]));
    assert!(err.contains("--out"), "{err}");
}

fn connected(config: SimConfig) -> Env {
    let env = Env::new(config);
    env.ok(&["connect"]);
    env
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn an_exclusion_and_a_guest_review_survive_full_syncs_and_withings_reattributing() {
    common::require_session();
    let env = connected(SimConfig { years: 1, ..sim_config() });
    let uid = env.userid();
    // Before the first sync, the person imports their Withings export (here: 10 weigh-ins
    // of Withings' own data, as the export writes them) and excludes one of them.
    let truth = env.sim.truth(uid).unwrap();
    let exported: Vec<_> = truth
        .iter()
        .filter(|g| g.category == 1 && g.attrib == 0 && g.measures.iter().any(|m| m.kind == 1))
        .take(10)
        .collect();
    let mut csv = String::from("Date,\"Weight (kg)\"\n");
    for g in &exported {
        let m = g.measures.iter().find(|m| m.kind == 1).unwrap();
        let kg = heft::model::ExactValue::new(m.value, m.unit as i32).to_f64();
        let at = jiff::Timestamp::from_second(g.date).unwrap().strftime("%Y-%m-%d %H:%M:%S");
        csv += &format!("{at},{kg:.2}\n");
    }
    let f = write(env.data_dir.path(), "weight.csv", &csv);
    let out = env.ok(&["import", f.to_str().unwrap(), "--timezone", "UTC"]);
    assert!(out.contains("Imported 10 weigh-ins"), "{out}");
    let imported = list(&env, &[]);
    let newest_import =
        imported.iter().find(|r| r["weight_kg"].as_f64().is_some()).unwrap()["grpid"].to_string();
    env.ok(&["exclude", &newest_import, "--reason", "imported, wrong"]);
    env.ok(&["sync"]);
    // The sync brought the same weigh-ins: the imported copies gave way, the exclusion moved.
    env.assert_matches_truth(uid, "no imported twin stays beside Withings' copy");
    let twin = exported[0].grpid.to_string();
    let row = list(&env, &[]).into_iter().find(|r| same(r, &twin)).unwrap();
    assert_eq!(row["standing"], "excluded", "{row}");
    assert_eq!(row["reason"], "imported, wrong");
    env.ok(&["include", &twin]);

    let guests: Vec<i64> =
        truth.iter().filter(|g| g.attrib == 1 && g.category == 1).map(|g| g.grpid).take(3).collect();
    assert_eq!(guests.len(), 3, "the simulator plants guests");
    let review = env.ok(&["review"]);
    for g in &guests {
        assert!(review.contains(&g.to_string()), "{review}");
    }
    let mine = guests[0].to_string();
    let not_me = guests[1].to_string();
    env.ok(&["review", &mine, "--mine"]);
    env.ok(&["review", &not_me, "--not-me"]);
    let own = truth
        .iter()
        .find(|g| g.attrib == 0 && g.category == 1 && g.measures.iter().any(|m| m.kind == 1))
        .unwrap()
        .grpid
        .to_string();
    env.ok(&["exclude", &own, "--reason", "wrong scale"]);
    env.ok(&["note", &own, "the hotel's scale, in socks"]);
    let err = stderr(&env.heft(&["rm", &own]));
    assert!(err.contains("came from Withings") && err.contains("heft exclude"), "{err}");

    // Withings re-attributes all three guests to the person.
    for g in &guests {
        env.sim.modify_group(uid, *g, |g| g.attrib = 0).unwrap();
    }
    env.sim.advance(5);
    env.ok(&["sync", "--full"]);
    let rows = list(&env, &[]);
    let standing = |id: &str| rows.iter().find(|r| same(r, id)).map(|r| r["standing"].clone());
    assert_eq!(standing(&mine), Some("counted".into()));
    assert_eq!(standing(&not_me), Some("excluded".into()), "an explicit decision stays");
    assert_eq!(standing(&guests[2].to_string()), Some("counted".into()), "an undecided one follows Withings");
    assert_eq!(standing(&own), Some("excluded".into()), "the exclusion survives a full sync");
    let note = |rows: &[Value]| rows.iter().find(|r| same(r, &own)).map(|r| r["note"].clone());
    assert_eq!(note(&rows), Some("the hotel's scale, in socks".into()), "the note survives a full sync");
    env.assert_matches_truth(uid, "Withings' data itself is untouched");
    // An export carries the note to another computer; a note too long is refused.
    let backup = env.data_dir.path().join("notes.json");
    env.ok(&["export", "--out", backup.to_str().unwrap()]);
    let fresh = offline();
    env.ok(&["note", &own, "--clear"]);
    assert_eq!(note(&list(&env, &[])), Some(Value::Null), "removed");
    fresh.ok(&["import", backup.to_str().unwrap()]);
    assert_eq!(
        note(&list(&fresh, &[])),
        Some("the hotel's scale, in socks".into()),
        "restored from the backup"
    );
    let long = "x".repeat(501);
    let err = stderr(&env.heft(&["note", &own, &long]));
    assert!(err.contains("at most 500 characters"), "{err}");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_household_syncs_every_account_while_one_is_revoked_and_an_export_of_synced_data_adds_nothing() {
    common::require_session();
    let env = connected(SimConfig { years: 1, ..sim_config() });
    let (anna, ben) = (env.sim.userids()[0], env.sim.userids()[1]);
    env.sim.set_login_user(ben).unwrap();
    env.ok(&["connect"]);
    env.ok(&["account", "--account", &anna.to_string(), "--name", "Anna", "--colour", "#2f7d5b"]);
    env.ok(&["account", "--account", &ben.to_string(), "--name", "Ben", "--unit", "lb"]);
    env.ok(&["goal", "--account", "Ben", "170", "--unit", "lb"]);
    let out = env.ok(&["sync"]);
    assert!(out.contains("Anna: ") && out.contains("Ben: "), "{out}");

    env.sim.revoke_tokens(anna);
    let mut new = env.sim.truth(ben).unwrap()[0].clone();
    new.grpid = 0;
    new.date = env.sim.now() - 30;
    new.measures = vec![Measure { value: 77000, kind: 1, unit: -3, algo: None, fm: None, position: None }];
    env.sim.add_group(ben, new).unwrap();
    env.sim.advance(5);
    let o = env.heft(&["sync"]);
    assert!(!o.status.success(), "one account failed");
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(err.contains("Anna: failed") && err.contains("heft connect"), "{err}");
    assert!(out.contains("Ben: 1 added"), "Ben synced although Anna failed: {out}");
    assert!(err.contains("1 account did not sync"), "{err}");
    env.assert_matches_truth(ben, "Ben complete");
    let anna_log: Value =
        serde_json::from_str(&env.ok(&["log", "--format", "json", "--account", "Anna"])).unwrap();
    assert!(anna_log[0]["error"].as_str().is_some_and(|e| e.contains("heft connect")), "{anna_log}");
    let ben_trend: Value =
        serde_json::from_str(&env.ok(&["trend", "--format", "json", "--account", "Ben"])).unwrap();
    assert!((ben_trend["goal_kg"].as_f64().unwrap() - 77.110_702_9).abs() < 1e-6, "{ben_trend}");
    let anna_trend: Value =
        serde_json::from_str(&env.ok(&["trend", "--format", "json", "--account", "Anna"])).unwrap();
    assert_ne!(anna_trend["goal_kg"], ben_trend["goal_kg"], "each account its own goal");
    let text = env.ok(&["trend", "--account", "Ben"]);
    assert!(text.contains(" lb"), "Ben's unit: {text}");

    // Ben's own Withings export, as Withings writes it (local time, lb, 0.1): all present.
    let accounts = env.ok(&["accounts"]);
    let zone =
        accounts.lines().find(|l| l.starts_with(&ben.to_string())).unwrap().split('\t').nth(2).unwrap();
    let tz = jiff::tz::TimeZone::get(zone).unwrap();
    let mut csv = String::from(
        "Date,\"Weight (lb)\",\"Fat mass (lb)\",\"Bone mass (lb)\",\"Muscle mass (lb)\",\"Hydration (lb)\",Comments\n",
    );
    let groups = env.stored(ben);
    let weighed: Vec<&StoredGroup> = groups
        .iter()
        .filter(|g| g.category == 1 && g.measures.iter().any(|m| m.kind == 1))
        .take(25)
        .collect();
    for g in &weighed {
        let m = g.measures.iter().find(|m| m.kind == 1).unwrap();
        let lb = heft::model::ExactValue::new(m.value, m.unit).to_f64() / 0.453_592_37;
        let local = jiff::Timestamp::from_second(g.date).unwrap().to_zoned(tz.clone());
        let text = format!("{lb:.1}");
        let text = text.strip_suffix(".0").unwrap_or(&text);
        csv += &format!("{},{text},,,,,\n", local.strftime("%Y-%m-%d %H:%M:%S"));
    }
    let f = write(env.data_dir.path(), "weight.csv", &csv);
    let out = env.ok(&["import", f.to_str().unwrap(), "--account", "Ben"]);
    assert!(out.contains(&format!("{zone} (from the account)")), "{out}");
    assert!(
        out.contains(&format!(
            "Imported 0 weigh-ins ({} matched weigh-ins already stored: same weight within a minute; 0 exact repeats in the file)",
            weighed.len()
        )),
        "{out}"
    );
}

/// The window's figures and backtest are computed once per change of the database (like its
/// charts), and follow a change at once.
#[test]
fn the_figures_follow_an_exclusion_at_once() {
    let env = Env::new(SimConfig { users: 1, page_size: 200, ..sim_config() });
    let (app, _) = env.app_in_process();
    app.sync(None, false, &mut |_, _| {}, |_| {}).unwrap()[0].result.as_ref().unwrap();
    let before = app.trend(None, Default::default()).unwrap();
    assert_eq!(app.trend(None, Default::default()).unwrap(), before, "the same figures again");
    let tests = app.backtest(None).unwrap();
    // Leave the last weigh-in out: today's trend changes.
    let store = heft::store::Store::open(&env.db_path()).unwrap();
    let last = store.groups(app.account_for(None).unwrap().id).unwrap()[0].grpid;
    app.exclude(None, last, Some("a test")).unwrap();
    let after = app.trend(None, Default::default()).unwrap();
    assert_ne!(after.trend_kg, before.trend_kg, "the exclusion moved the trend at once");
    assert_ne!(app.backtest(None).unwrap(), tests, "and the backtest");
    // The same figures as a core opened afresh (nothing remembered).
    let (fresh, _) = env.app_in_process();
    assert_eq!(fresh.trend(None, Default::default()).unwrap(), after);
    app.include(None, last).unwrap();
    assert_eq!(app.trend(None, Default::default()).unwrap(), before, "and back");
}

/// Regression: a real lb export (2,221 weigh-ins) imported as 2,192, because a person who
/// stepped on twice within a minute (the same weight both times) had the second weigh-in
/// counted as a duplicate in the file.
#[test]
fn two_weigh_ins_thirty_seconds_apart_in_a_file_are_two() {
    let env = offline();
    let text = "Date,\"Weight (lb)\",\"Fat mass (lb)\",\"Bone mass (lb)\",\"Muscle mass (lb)\",\"Hydration (lb)\",Comments
2024-03-02 07:15:30,175.6,,,,,
2024-03-02 07:15:00,175.6,,,,,
";
    let f = write(env.data_dir.path(), "weight.csv", text);
    let out = env.ok(&["import", f.to_str().unwrap(), "--timezone", "UTC"]);
    let g = own_groups(&env);
    assert_eq!(g.len(), 2, "stepping on twice is two weigh-ins: {out}");
    assert_eq!(g[1].date - g[0].date, 30, "each at its own second");
}

/// The summary's words for the two rules, as `heft import` prints them.
fn said(imported: &str, stored: &str, repeats: &str) -> String {
    format!(
        "Imported {imported} ({stored} already stored: same weight within a minute; {repeats} in the file)"
    )
}

#[test]
fn only_an_exact_repeat_in_the_file_collapses_and_is_said_so() {
    let env = offline();
    let text = "Date,\"Weight (kg)\",\"Fat mass (kg)\",Comments
2024-03-02 07:15:00,80.10,17.20,
2024-03-02 07:15:00,80.10,17.20,
2024-03-02 07:15:00,80.10,17.30,
2024-03-02 07:14:59,80.10,17.20,
";
    let f = write(env.data_dir.path(), "weight.csv", text);
    let out = env.ok(&["import", f.to_str().unwrap(), "--timezone", "UTC"]);
    assert!(
        out.contains(&said("3 weigh-ins", "0 matched weigh-ins", "1 exact repeat")),
        "the same second and the same values is the one duplicate; another fat mass or second is not: {out}"
    );
    assert_eq!(own_groups(&env).len(), 3);
    // Again: every row now matches one stored weigh-in of its own, and the repeat is still one.
    let again = env.ok(&["import", f.to_str().unwrap(), "--timezone", "UTC"]);
    assert!(again.contains(&said("0 weigh-ins", "3 matched weigh-ins", "1 exact repeat")), "{again}");
    assert_eq!(own_groups(&env).len(), 3, "nothing added twice");
}

#[test]
fn a_stored_weigh_in_stands_for_one_row_of_a_later_file() {
    let env = offline();
    let one = write(env.data_dir.path(), "one.csv", "Date,\"Weight (lb)\"\n2024-03-02 07:15:00,175.6\n");
    env.ok(&["import", one.to_str().unwrap(), "--timezone", "UTC"]);
    let two = write(
        env.data_dir.path(),
        "two.csv",
        "Date,\"Weight (lb)\"\n2024-03-02 07:15:30,175.6\n2024-03-02 07:15:00,175.6\n",
    );
    let out = env.ok(&["import", two.to_str().unwrap(), "--timezone", "UTC"]);
    assert!(out.contains(&said("1 weigh-in", "1 matched a weigh-in", "0 exact repeats")), "{out}");
    let g = own_groups(&env);
    assert_eq!(
        g.iter().map(|g| g.date % 60).collect::<Vec<_>>(),
        vec![0, 30],
        "the one not stored was added"
    );
}

/// A Withings export of `groups` as Withings writes it for an lb account: UTC here, newest
/// first, lb to 0.1 with a trailing ".0" dropped.
fn lb_export<'a>(groups: impl IntoIterator<Item = &'a StoredGroup>) -> (String, usize) {
    let mut rows: Vec<(i64, String)> = groups
        .into_iter()
        .filter(|g| g.category == 1)
        .filter_map(|g| {
            let m = g.measures.iter().find(|m| m.kind == 1 && m.position.is_none())?;
            let lb = heft::model::ExactValue::new(m.value, m.unit).to_f64() / 0.453_592_37;
            let text = format!("{lb:.1}");
            let text = text.strip_suffix(".0").unwrap_or(&text).to_string();
            Some((g.date, text))
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut csv = String::from("Date,\"Weight (lb)\",\"Fat mass (lb)\",Comments\n");
    for (date, lb) in &rows {
        let at = jiff::Timestamp::from_second(*date).unwrap().strftime("%Y-%m-%d %H:%M:%S");
        csv += &format!("{at},{lb},,\n");
    }
    (csv, rows.len())
}

/// The simulator's first user has stepped on the scale a second time, 30 s after a weigh-in
/// of theirs, with the same weight; returns that first weigh-in.
fn stepped_on_twice(env: &Env) -> withings_sim::Group {
    let uid = env.userid();
    let first = env
        .sim
        .truth(uid)
        .unwrap()
        .into_iter()
        .find(|g| g.category == 1 && g.attrib == 0 && g.measures.iter().any(|m| m.kind == 1))
        .expect("a weigh-in");
    let mut again = first.clone();
    again.grpid = 0;
    again.date += 30;
    again.measures.retain(|m| m.kind == 1);
    env.sim.add_group(uid, again).unwrap();
    first
}

/// A weigh-in of the person's own (not a guest's) with a weight.
fn weighed(g: &StoredGroup) -> bool {
    g.category == 1 && g.attrib == 0 && g.measures.iter().any(|m| m.kind == 1 && m.position.is_none())
}

fn sync(app: &mut heft::app::App) {
    let done = app.sync(None, false, &mut |_, _| {}, |_| {}).expect("sync runs");
    done[0].result.as_ref().expect("the sync succeeds");
}

#[test]
fn an_export_of_synced_weigh_ins_adds_nothing_with_two_thirty_seconds_apart_on_both_sides() {
    let env = Env::new(SimConfig { users: 1, years: 1, ..sim_config() });
    let uid = env.userid().to_string();
    stepped_on_twice(&env);
    let (mut app, _) = env.app_in_process();
    sync(&mut app);
    let (csv, rows) = lb_export(&env.stored(env.userid()));
    let f = write(env.data_dir.path(), "weight.csv", &csv);
    let out = env.ok(&["import", f.to_str().unwrap(), "--account", &uid, "--timezone", "UTC"]);
    assert!(
        out.contains(&said("0 weigh-ins", &format!("{rows} matched weigh-ins"), "0 exact repeats")),
        "each of the {rows} rows, both of the pair 30 s apart included, is one already synced: {out}"
    );
    assert!(own_groups(&env).is_empty(), "nothing added beside Withings' copies");
    // Later syncs leave it so.
    env.sim.advance(5);
    sync(&mut app);
    env.assert_matches_truth(env.userid(), "Withings' data, nothing more");
}

#[test]
fn imported_weigh_ins_give_way_to_a_sync_one_to_one() {
    let env = Env::new(SimConfig { users: 1, years: 1, ..sim_config() });
    let uid = env.userid().to_string();
    stepped_on_twice(&env);
    let (mut app, _) = env.app_in_process();
    // The export first, then the first sync brings the same weigh-ins, the pair included.
    let (csv, rows) = lb_export(&env.truth(env.userid()));
    let f = write(env.data_dir.path(), "weight.csv", &csv);
    let out = env.ok(&["import", f.to_str().unwrap(), "--account", &uid, "--timezone", "UTC"]);
    assert!(out.contains(&format!("Imported {rows} weigh-ins")), "{out}");
    sync(&mut app);
    env.assert_matches_truth(env.userid(), "every imported weigh-in gave way to its own Withings copy");
}

#[test]
fn of_two_weigh_ins_thirty_seconds_apart_the_one_not_stored_is_added_and_stays() {
    let env = Env::new(SimConfig { users: 1, years: 1, ..sim_config() });
    let uid = env.userid().to_string();
    let (mut app, _) = env.app_in_process();
    sync(&mut app);
    // Withings holds one weigh-in; the file has it and a second one 30 s later.
    let first = env.stored(env.userid()).into_iter().find(weighed).unwrap();
    let mut second = first.clone();
    second.date += 30;
    let (csv, _) = lb_export([&first, &second]);
    let f = write(env.data_dir.path(), "weight.csv", &csv);
    let out = env.ok(&["import", f.to_str().unwrap(), "--account", &uid, "--timezone", "UTC"]);
    assert!(out.contains(&said("1 weigh-in", "1 matched a weigh-in", "0 exact repeats")), "{out}");
    let added: Vec<i64> = own_groups(&env).iter().map(|g| g.date).collect();
    assert_eq!(added, vec![second.date], "the one Withings does not have");
    // The Withings weigh-in stands for the file's first row: no sync retires the second.
    env.sim.advance(5);
    sync(&mut app);
    assert_eq!(own_groups(&env).iter().map(|g| g.date).collect::<Vec<_>>(), vec![second.date]);
    // Nor after a restore of Heft's own export into a fresh folder.
    let backup = env.data_dir.path().join("backup.json");
    env.ok(&["export", "--out", backup.to_str().unwrap()]);
    let fresh = Env::new(SimConfig { users: 1, years: 1, ..sim_config() });
    let (mut fresh_app, _) = fresh.app_in_process();
    fresh.ok(&["import", backup.to_str().unwrap()]);
    sync(&mut fresh_app);
    assert_eq!(own_groups(&fresh).iter().map(|g| g.date).collect::<Vec<_>>(), vec![second.date]);
}

#[test]
fn of_two_imported_weigh_ins_thirty_seconds_apart_one_gives_way_to_the_one_withings_has() {
    let env = Env::new(SimConfig { users: 1, years: 1, ..sim_config() });
    let uid = env.userid().to_string();
    let (mut app, _) = env.app_in_process();
    let truth = env.truth(env.userid());
    let first = truth.iter().find(|g| weighed(g)).unwrap();
    let mut second = first.clone();
    second.date += 30;
    let (csv, _) = lb_export([first, &second]);
    let f = write(env.data_dir.path(), "weight.csv", &csv);
    env.ok(&["import", f.to_str().unwrap(), "--account", &uid, "--timezone", "UTC"]);
    sync(&mut app);
    let left = || own_groups(&env).iter().map(|g| g.date).collect::<Vec<_>>();
    assert_eq!(
        left(),
        vec![second.date],
        "one gave way to Withings' copy; the other is a weigh-in of its own"
    );
    env.sim.advance(5);
    sync(&mut app);
    assert_eq!(left(), vec![second.date], "and a later sync does not take it for another copy");
}

/// A ZIP of about 1 MB whose `weight.csv` inflates to `inflated` bytes of one repeated row.
fn zip_bomb(path: &Path, inflated: u64) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).expect("create the ZIP"));
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(inflated >= u64::from(u32::MAX));
    zip.start_file("weight.csv", opts).expect("start the entry");
    let row = b"2026-11-30 07:15:00,88.00,,,,,\n";
    let chunk: Vec<u8> = row.iter().copied().cycle().take(1 << 20).collect();
    zip.write_all(b"Date,\"Weight (kg)\",\"Fat mass (kg)\",\"Bone mass (kg)\",\"Muscle mass (kg)\",\"Hydration (kg)\",Comments\n")
        .expect("header");
    let mut written = 0;
    while written < inflated {
        zip.write_all(&chunk).expect("a chunk");
        written += chunk.len() as u64;
    }
    zip.finish().expect("finish the ZIP");
}

/// Issue 5 of the import review: a 1 MB ZIP inflating to 1 GiB took 1 GB of memory and was
/// accepted. Now its header alone refuses it, in well under a second, and nothing is stored.
#[test]
fn a_zip_whose_weight_csv_inflates_to_a_gibibyte_is_refused_at_once_and_stores_nothing() {
    let env = offline();
    let f = write(env.data_dir.path(), "weight.csv", KG_FILE);
    env.ok(&["import", f.to_str().unwrap(), "--timezone", "UTC"]);
    let before = env.export();
    let path = env.data_dir.path().join("data_ALL_bomb.zip");
    zip_bomb(&path, 1 << 30);
    let compressed = std::fs::metadata(&path).expect("the ZIP").len();
    assert!(compressed < 4 << 20, "the bomb is small on disk ({compressed} bytes)");
    let started = std::time::Instant::now();
    let out = env.heft(&["import", path.to_str().unwrap(), "--timezone", "UTC"]);
    eprintln!("a {compressed}-byte ZIP bomb refused in {:?}", started.elapsed());
    assert!(!out.status.success(), "the bomb is refused");
    let err = stderr(&out);
    assert!(
        err.contains("weight.csv in the ZIP") && err.contains("64 MiB"),
        "names the entry and the cap: {err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(env.export(), before, "the database is unchanged");
}

/// Under the 64 MiB cap but 1000 to 1: no real export compresses like that.
#[test]
fn a_zip_entry_compressed_far_beyond_what_text_allows_is_refused() {
    let env = offline();
    let path = env.data_dir.path().join("data_ALL_ratio.zip");
    zip_bomb(&path, 32 << 20);
    let err = stderr(&env.heft(&["import", path.to_str().unwrap(), "--timezone", "UTC"]));
    assert!(err.contains("weight.csv in the ZIP") && err.contains("more than 100 to 1"), "{err}");
    assert!(env.export().groups.is_empty(), "nothing was stored");
}

/// A plain CSV larger than any weight.csv is refused by its size (a stream that grows past
/// the cap while read is cut off too: `read_limit`'s unit tests).
#[test]
fn a_csv_larger_than_any_weight_csv_is_refused() {
    let env = offline();
    let path = env.data_dir.path().join("weight.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"Date,Weight (kg)\n").unwrap();
    let chunk = b"2026-11-30 07:15:00,88.00\n".repeat(40_000);
    for _ in 0..70 {
        f.write_all(&chunk).unwrap();
    }
    drop(f);
    let err = stderr(&env.heft(&["import", path.to_str().unwrap(), "--timezone", "UTC"]));
    assert!(err.contains("larger than 64 MiB, more than any weight.csv holds"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(env.export().groups.is_empty(), "nothing was stored");
}

// Other apps' exports (src/imports/): each read from a file written to its real structure,
// value by value; a second import adds nothing; a broken file stores nothing and names where.

const APPLE_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
]>
<HealthData locale="de_DE">
 <ExportDate value="2024-03-02 09:12:44 +0100"/>
 <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Anna’s iPhone" unit="count" startDate="2023-10-29 07:00:00 +0100" endDate="2023-10-29 07:10:00 +0100" value="329"/>
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Health Mate" sourceVersion="6020001" unit="kg" creationDate="2023-10-29 07:41:02 +0100" startDate="2023-10-29 07:40:51 +0100" endDate="2023-10-29 07:40:51 +0100" value="81.35">
  <MetadataEntry key="HKWasUserEntered" value="0"/>
 </Record>
 <Record type="HKQuantityTypeIdentifierBodyFatPercentage" sourceName="Health Mate" unit="%" startDate="2023-10-29 07:40:51 +0100" endDate="2023-10-29 07:40:51 +0100" value="0.213"/>
 <Record type="HKQuantityTypeIdentifierLeanBodyMass" sourceName="Health Mate" unit="kg" startDate="2023-10-29 07:40:51 +0100" endDate="2023-10-29 07:40:51 +0100" value="64.02"/>
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Health" unit="lb" startDate="2023-10-28 08:00:00 +0200" endDate="2023-10-28 08:00:00 +0200" value="180.6"/>
</HealthData>
"#;

fn zip_of(path: &Path, entries: &[(&str, &str)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, text) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// (time, weight as written, fat % as written) of each imported weigh-in, oldest first.
fn imported(env: &Env) -> Vec<(i64, String, Option<String>)> {
    own_groups(env)
        .iter()
        .map(|g| {
            let written =
                |kind: i64| g.measures.iter().find(|m| m.kind == kind).and_then(|m| m.written.clone());
            (g.date, written(1).unwrap_or_default(), written(6))
        })
        .collect()
}

#[test]
fn apple_health_export_zip_and_its_xml() {
    let env = offline();
    let dir = env.data_dir.path();
    // A Spanish phone names the main file exportar.xml; export_cda.xml repeats the data and is
    // never read (here it says something else, to show it).
    let cda =
        "<?xml version=\"1.0\"?><ClinicalDocument><value value=\"99.9\" unit=\"kg\"/></ClinicalDocument>";
    let zip = dir.join("exportar.zip");
    zip_of(
        &zip,
        &[("apple_health_export/export_cda.xml", cda), ("apple_health_export/exportar.xml", APPLE_XML)],
    );
    let out = env.ok(&["import", zip.to_str().unwrap()]);
    assert!(out.contains("Imported 2 weigh-ins") && out.contains("From Apple Health"), "{out}");
    let rows = imported(&env);
    assert_eq!(
        rows,
        vec![
            (utc("2023-10-28T06:00:00", "UTC"), "180.6 lb".into(), None),
            (utc("2023-10-29T06:40:51", "UTC"), "81.35 kg".into(), Some("21.3 %".into())),
        ],
        "times with their offsets, each weight in its own unit, the fat fraction as a percentage"
    );
    let g = own_groups(&env);
    let lean = g[1].measures.iter().find(|m| m.kind == 5).expect("lean mass");
    assert_eq!(lean.written.as_deref(), Some("64.02 kg"));
    assert_eq!(g[1].model.as_deref(), Some("Health Mate"), "the source app is kept");
    // Again, as the ZIP and as its XML alone: nothing new.
    let again = env.ok(&["import", zip.to_str().unwrap()]);
    assert!(again.contains("Imported 0 weigh-ins (2 matched"), "{again}");
    let xml = write(dir, "export.xml", APPLE_XML);
    assert!(env.ok(&["import", xml.to_str().unwrap()]).contains("Imported 0 weigh-ins"));
    // A broken record: named, and nothing stored.
    let broken = write(
        dir,
        "broken.xml",
        &APPLE_XML.replace("value=\"180.6\"", "value=\"heavy\"").replace("81.35", "82.35"),
    );
    let out = env.heft(&["import", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("broken.xml, record 5"), "{}", stderr(&out));
    assert_eq!(imported(&env).len(), 2, "nothing of the broken file was stored");
}

const FITBIT_JAN: &str = include_str!("fixtures/fitbit/weight-2023-01-01.json");

const FITBIT_FEB: &str = r#"[{
  "logId" : 1672731312000,
  "weight" : 181.9,
  "bmi" : 25.36,
  "fat" : 22.51099967956543,
  "date" : "01/03/23",
  "time" : "07:35:12",
  "source" : "Aria"
},{
  "logId" : 1675238400000,
  "weight" : 180.2,
  "bmi" : 25.12,
  "date" : "02/01/23",
  "time" : "08:00:00"
}]"#;

#[test]
fn fitbit_takeout_folder_and_zip_ask_for_unit_and_zone() {
    let env = offline();
    let dir = env.data_dir.path().join("Takeout");
    let data = dir.join("Fitbit/Global Export Data");
    std::fs::create_dir_all(&data).unwrap();
    write(&data, "weight-2023-01-01.json", FITBIT_JAN);
    write(&data, "weight-2023-02-01.json", FITBIT_FEB);
    write(&data, "height-2023-01-01.json", "[]");
    let folder = dir.to_str().unwrap();
    let no_unit = env.heft(&["import", folder, "--timezone", "America/New_York"]);
    assert!(stderr(&no_unit).contains("--unit kg or --unit lb"), "{}", stderr(&no_unit));
    let no_zone = env.heft(&["import", folder, "--unit", "lb"]);
    assert!(stderr(&no_zone).contains("--timezone"), "{}", stderr(&no_zone));
    assert!(own_groups(&env).is_empty(), "refused, not guessed");
    let out = env.ok(&["import", folder, "--unit", "lb", "--timezone", "America/New_York"]);
    assert!(out.contains("Imported 3 weigh-ins") && out.contains("1 exact repeat"), "{out}");
    assert_eq!(
        imported(&env),
        vec![
            (utc("2023-01-01T07:59:59", "America/New_York"), "182.4 lb".into(), None),
            (utc("2023-01-03T07:35:12", "America/New_York"), "181.9 lb".into(), Some("22.511 %".into())),
            (utc("2023-02-01T08:00:00", "America/New_York"), "180.2 lb".into(), None),
        ]
    );
    let zip = env.data_dir.path().join("takeout.zip");
    zip_of(
        &zip,
        &[
            ("Takeout/Fitbit/Global Export Data/weight-2023-01-01.json", FITBIT_JAN),
            ("Takeout/Fitbit/Global Export Data/weight-2023-02-01.json", FITBIT_FEB),
        ],
    );
    let again = env.ok(&["import", zip.to_str().unwrap(), "--unit", "lb", "--timezone", "America/New_York"]);
    assert!(again.contains("Imported 0 weigh-ins"), "{again}");
}

#[test]
fn openscale_2_and_3_exports() {
    let env = offline();
    let dir = env.data_dir.path();
    let v2 = write(
        dir,
        "openScale Anna.csv",
        "\"biceps\",\"bone\",\"caliper1\",\"caliper2\",\"caliper3\",\"calories\",\"chest\",\"comment\",\"dateTime\",\"fat\",\"hip\",\"lbm\",\"muscle\",\"neck\",\"thigh\",\"visceralFat\",\"waist\",\"water\",\"weight\"
0.0,3.1,0.0,0.0,0.0,0.0,0.0,\"\",\"2024-02-03 07:12\",21.3,0.0,0.0,38.9,0.0,0.0,0.0,0.0,55.2,81.35
0.0,0.0,0.0,0.0,0.0,0.0,0.0,\"after holidays\",\"2024-02-01 22:40\",0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,82.4
3.2
",
    );
    let out = env.ok(&["import", v2.to_str().unwrap(), "--timezone", "Europe/Berlin"]);
    assert!(out.contains("Imported 2 weigh-ins") && out.contains("From openScale"), "{out}");
    assert_eq!(
        imported(&env),
        vec![
            (utc("2024-02-01T22:40", "Europe/Berlin"), "82.4 kg".into(), None),
            (utc("2024-02-03T07:12", "Europe/Berlin"), "81.35 kg".into(), Some("21.3 %".into())),
        ]
    );
    assert!(env.ok(&["import", v2.to_str().unwrap(), "--timezone", "Europe/Berlin"]).contains("Imported 0"));
    let v3 = "DATE,TIME,BODY_FAT,COMMENT,WATER,WEIGHT\n2025-04-05,07:12:09,21.3,,55.2,179.4\n2025-04-06,07:05:44.12,,\"after holidays, heavy\",,180.6\n";
    let v3 = write(dir, "openScale_export_Anna.csv", v3);
    let no_unit = env.heft(&["import", v3.to_str().unwrap(), "--timezone", "Europe/Berlin"]);
    assert!(stderr(&no_unit).contains("--unit"), "{}", stderr(&no_unit));
    env.ok(&["import", v3.to_str().unwrap(), "--timezone", "Europe/Berlin", "--unit", "lb"]);
    let rows = imported(&env);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3].1, "180.6 lb");
    let broken =
        write(dir, "broken.csv", "DATE,TIME,WEIGHT\n2025-05-01,07:00:00,80.1\n2025-05-02,7am,80.0\n");
    let out = env.heft(&["import", broken.to_str().unwrap(), "--timezone", "Europe/Berlin", "--unit", "kg"]);
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
    assert_eq!(imported(&env).len(), 4, "nothing of the broken file was stored");
}

#[test]
fn libra_export_in_pounds() {
    let env = offline();
    let dir = env.data_dir.path();
    let file = "#Version:5\n#Units:lbs\n\n#date;weight;weight trend;body fat;body fat trend;log\n\
                2021-03-01T06:41:12.000Z;182.6;182.6;;;\n\
                2021-03-03T06:45:03.000Z;182.2;182.5;22.4;22.4;late dinner\n";
    let libra = write(dir, "libra.csv", file);
    let out = env.ok(&["import", libra.to_str().unwrap()]);
    assert!(out.contains("Imported 2 weigh-ins") && out.contains("From Libra"), "{out}");
    assert_eq!(
        imported(&env),
        vec![
            (utc("2021-03-01T06:41:12", "UTC"), "182.6 lb".into(), None),
            (utc("2021-03-03T06:45:03", "UTC"), "182.2 lb".into(), Some("22.4 %".into())),
        ]
    );
    assert_eq!(own_groups(&env)[1].comment.as_deref(), Some("late dinner"));
    assert!(
        list(&env, &[]).iter().any(|r| r["comment"] == "late dinner"),
        "the log is the weigh-in's comment"
    );
    assert!(env.ok(&["import", libra.to_str().unwrap()]).contains("Imported 0"));
    let broken = write(dir, "broken.csv", &format!("{file}2021-03-04;181.0;;;;\n"));
    let out = env.heft(&["import", broken.to_str().unwrap()]);
    assert!(stderr(&out).contains("line 7"), "{}", stderr(&out));
    assert_eq!(imported(&env).len(), 2);
}

/// Weekly averages from the locale's first day, monthly ones, and which weigh-in stands for
/// a day (two weigh-ins a minute apart on a Monday).
#[test]
fn averages_by_week_and_month_and_the_reading_of_a_day() {
    let env = offline();
    for (at, kg) in [
        ("2026-01-05 07:00", "80.4"),
        ("2026-01-05 07:01", "79.8"),
        ("2026-01-06 07:00", "80.0"),
        ("2026-01-12 07:00", "79.5"),
        ("2026-01-13 07:00", "79.3"),
    ] {
        env.ok(&["add", "--weight", kg, "--at", at]);
    }
    let weeks = |lang: &str| -> Vec<Value> {
        let out = env.heft_with(&["averages", "--format", "json"], &[("LC_ALL", lang)]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).expect("JSON")
    };
    let monday = weeks("de_DE.UTF-8");
    let spans: Vec<(&str, u64)> =
        monday.iter().map(|w| (w["start"].as_str().unwrap(), w["weigh_ins"].as_u64().unwrap())).collect();
    assert_eq!(spans, vec![("2026-01-12", 2), ("2026-01-05", 3)], "Monday weeks, newest first");
    assert!((monday[1]["mean_kg"].as_f64().unwrap() - 80.066_666).abs() < 1e-3, "{monday:?}");
    assert!(monday[0]["change_kg"].as_f64().unwrap() < 0.0, "the trend fell: {monday:?}");
    let sunday = weeks("en_US.UTF-8");
    assert_eq!(sunday[0]["start"], "2026-01-11", "US weeks start on Sunday");
    let months = env.ok(&["averages", "--monthly"]);
    assert!(months.starts_with("January 2026: 5 weigh-ins, mean 79.8"), "{months}");

    let reading = |env: &Env| -> f64 {
        let t: Value = serde_json::from_str(&env.ok(&["trend", "--format", "json", "--series"])).unwrap();
        let day =
            t["series"].as_array().unwrap().iter().find(|p| p["date"] == "2026-01-05").cloned().unwrap();
        day["value_kg"].as_f64().unwrap()
    };
    assert_eq!(reading(&env), 80.4, "the first weigh-in stands for the day by default");
    env.ok(&["method", "--day-reading", "lowest"]);
    assert_eq!(reading(&env), 79.8);
    assert!(env.ok(&["method"]).contains("Day reading: lowest"));
    env.ok(&["method", "--day-reading", "mean"]);
    assert!((reading(&env) - 80.1).abs() < 1e-9);
    env.ok(&["method", "holt"]);
    assert!(env.ok(&["method"]).contains("Day reading: mean"), "choosing a method keeps the day reading");
}

/// Any CSV, read by the map of its columns the person gives.
#[test]
fn a_csv_of_any_shape_by_its_column_map() {
    let env = offline();
    let dir = env.data_dir.path();
    let file = write(
        dir,
        "scale.csv",
        "Datum;Gewicht;Fett %\n2026-11-30 07:15;176,4;21,3 %\n2026-11-29 07:02;177,0;\n",
    );
    let map = "time=Datum,weight=Gewicht,fat=Fett %,zone=Europe/Berlin";
    let no_unit = env.heft(&["import", file.to_str().unwrap(), "--map", map]);
    assert!(stderr(&no_unit).contains("--unit"), "{}", stderr(&no_unit));
    let out = env.ok(&["import", file.to_str().unwrap(), "--map", map, "--unit", "lb"]);
    assert!(out.contains("Imported 2 weigh-ins") && out.contains("From a CSV"), "{out}");
    assert_eq!(
        imported(&env),
        vec![
            (utc("2026-11-29T07:02", "Europe/Berlin"), "177.0 lb".into(), None),
            (utc("2026-11-30T07:15", "Europe/Berlin"), "176.4 lb".into(), Some("21.3 %".into())),
        ]
    );
    assert!(env.ok(&["import", file.to_str().unwrap(), "--map", map, "--unit", "lb"]).contains("Imported 0"));
    let bad_map = env.heft(&["import", file.to_str().unwrap(), "--map", "time=Date,weight=Gewicht,unit=kg"]);
    assert!(stderr(&bad_map).contains("\"Date\" this file lacks"), "{}", stderr(&bad_map));
    let broken = write(dir, "broken.csv", "Datum;Gewicht\n2026-12-01 07:00;80,1\n2026-12-02 07:00;schwer\n");
    let out = env.heft(&[
        "import",
        broken.to_str().unwrap(),
        "--map",
        "time=Datum,weight=Gewicht,unit=kg,zone=UTC",
    ]);
    assert!(stderr(&out).contains("line 3, column \"Gewicht\""), "{}", stderr(&out));
    assert_eq!(imported(&env).len(), 2, "nothing of the broken file was stored");
}

/// Withings' records copied into Apple Health are the same weigh-ins: stored once, the record
/// naming both places it was read from.
#[test]
fn the_same_weigh_in_from_two_apps_is_one_record_naming_both() {
    let env = offline();
    let dir = env.data_dir.path();
    let withings = write(dir, "weight.csv", "Date,\"Weight (kg)\"\n2023-10-29 06:40:51,81.35\n");
    env.ok(&["import", withings.to_str().unwrap(), "--timezone", "UTC"]);
    let xml = write(dir, "export.xml", APPLE_XML);
    let out = env.ok(&["import", xml.to_str().unwrap()]);
    assert!(out.contains("Imported 1 weigh-in (1 matched"), "{out}");
    let rows = list(&env, &[]);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let twin = rows.iter().find(|r| r["weight_kg"] == 81.35).expect("the weigh-in of both");
    assert_eq!(
        twin["sources"],
        serde_json::json!(["Apple Health (Health Mate)", "Withings export"]),
        "{twin}"
    );
    let other = rows.iter().find(|r| r["weight_kg"] != 81.35).expect("Health's own weigh-in");
    assert_eq!(other["sources"], serde_json::json!(["Apple Health"]), "{other}");
    // The names travel in a backup.
    let backup = dir.join("both.json");
    env.ok(&["export", "--out", backup.to_str().unwrap()]);
    let fresh = offline();
    fresh.ok(&["import", backup.to_str().unwrap()]);
    let again = list(&fresh, &[]);
    let twin = again.iter().find(|r| r["weight_kg"] == 81.35).expect("restored");
    assert_eq!(twin["sources"], serde_json::json!(["Apple Health (Health Mate)", "Withings export"]));
}

/// A reminder after days without a weigh-in: off by default, said once per occurrence, cleared
/// by the next weigh-in.
#[test]
fn a_reminder_after_days_without_a_weigh_in_is_said_once_and_cleared_by_the_next() {
    let env = offline();
    let five_days_ago = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(5 * 24)).unwrap();
    let at = five_days_ago.to_zoned(jiff::tz::TimeZone::system()).strftime("%Y-%m-%d %H:%M").to_string();
    env.ok(&["add", "--weight", "80.2", "--at", &at]);
    assert_eq!(env.ok(&["reminders"]), "", "off by default");
    env.ok(&["reminders", "--after-days", "3"]);
    let due = env.ok(&["reminders"]);
    assert!(due.contains("time to step on the scale") && due.contains("No weigh-in for 5 days"), "{due}");
    // The desktop app's path, in this process: the window showing the account says nothing,
    // and a notification service that does not answer leaves the reminder to the next check.
    let dir = env.data_dir.path().display().to_string();
    let settings = heft::config::Settings::load_with(&|name| (name == "HEFT_DATA_DIR").then(|| dir.clone()))
        .expect("settings");
    let app = heft::app::App::open(settings, Box::new(heft::keychain::MemoryStore::default())).expect("open");
    let never = |_: &heft::app::Reminder| -> Result<(), String> { panic!("nothing to say while shown") };
    assert!(app.say_reminders(Some(heft::app::LOCAL_USERID), never).expect("check").is_empty());
    let offline = |_: &heft::app::Reminder| Err("org.freedesktop.Notifications is not running".to_string());
    assert!(app.say_reminders(None, offline).expect("check").is_empty(), "not delivered");
    drop(app);
    assert_eq!(env.ok(&["reminders", "--new"]), due, "said the first time it could be");
    assert_eq!(env.ok(&["reminders", "--new"]), "", "and only once");
    env.ok(&["add", "--weight", "80.0"]);
    assert_eq!(env.ok(&["reminders"]), "", "the next weigh-in clears it");
    let err = stderr(&env.heft(&["reminders", "--after-days", "0"]));
    assert!(err.contains("1 to 365 days"), "{err}");
}

/// A weigh-in of your own deleted takes its note with it: the next one, which may get its
/// number, starts without one.
#[test]
fn a_deleted_weigh_in_takes_its_note_along() {
    let env = offline();
    env.ok(&["add", "--weight", "80.2", "--at", "2026-11-30 07:15"]);
    let grpid = list(&env, &[])[0]["grpid"].to_string();
    env.ok(&["note", &grpid, "new scale"]);
    env.ok(&["rm", &grpid]);
    env.ok(&["add", "--weight", "80.4", "--at", "2026-11-30 07:20"]);
    let rows = list(&env, &[]);
    assert_eq!(rows[0]["grpid"].to_string(), grpid, "the number is given again");
    assert_eq!(rows[0]["note"], Value::Null, "without the deleted weigh-in's note");
}

/// A backup's weigh-in of your own that this computer holds under another number is not added
/// twice, and its note and exclusion come with it.
#[test]
fn a_restored_own_weigh_in_found_under_another_number_keeps_its_note_and_exclusion() {
    let laptop = offline();
    laptop.ok(&["add", "--weight", "80.2", "--at", "2026-11-30 07:15"]);
    let there = list(&laptop, &[])[0]["grpid"].to_string();
    laptop.ok(&["exclude", &there, "--reason", "after a run"]);
    laptop.ok(&["note", &there, "hotel scale"]);
    let backup = laptop.data_dir.path().join("backup.json");
    laptop.ok(&["export", "--out", backup.to_str().expect("path")]);

    // The other computer holds a weigh-in of its own under that number, and the same
    // weigh-in (typed in there too) under the next one.
    let desktop = offline();
    desktop.ok(&["add", "--weight", "70.0", "--at", "2026-11-01 07:00"]);
    desktop.ok(&["add", "--weight", "80.2", "--at", "2026-11-30 07:15"]);
    let rows = list(&desktop, &[]);
    let here = rows.iter().find(|r| r["weight_kg"] == 80.2).map(|r| r["grpid"].to_string());
    let here = here.unwrap_or_else(|| panic!("the typed weigh-in: {rows:?}"));
    assert_ne!(here, there, "held here under another number");
    desktop.ok(&["import", backup.to_str().expect("path")]);
    let rows = list(&desktop, &[]);
    assert_eq!(rows.len(), 2, "not added twice: {rows:?}");
    let row = rows.iter().find(|r| same(r, &here)).expect("the weigh-in");
    assert_eq!(row["note"], "hotel scale", "{row}");
    assert_eq!(row["standing"], "excluded", "{row}");
    assert_eq!(row["reason"], "after a run", "{row}");
}
