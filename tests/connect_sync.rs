//! Connect and sync through the real `heft` binary, the simulator over real HTTP, real SQLite
//! files and the real Secret Service.

mod common;

use common::{Env, sim_config, stderr};
use withings_sim::{Faults, Group, Measure, SimConfig};

fn connected(config: SimConfig) -> Env {
    let env = Env::new(config);
    let out = env.ok(&["connect"]);
    assert!(out.contains(&format!("Connected Withings user {}", env.userid())), "{out}");
    env
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn first_sync_stores_exactly_the_ground_truth() {
    common::require_session();
    let env = connected(SimConfig { page_size: 50, ..sim_config() });
    let out = env.ok(&["sync"]);
    assert!(out.contains("added"), "{out}");
    env.assert_matches_truth(env.userid(), "first sync");
    // About one request a page, in a few date windows fetched side by side; nothing asked
    // again, no deletion check.
    let (windows, bound) = env.first_download_bound(env.userid(), 50);
    assert!(windows <= 4 * heft::sync::WINDOWS, "{windows} date windows");
    assert!(env.getmeas_count() <= bound, "{} requests (at most {bound})", env.getmeas_count());
    let asked: Vec<_> = env
        .sim
        .stats()
        .requests
        .into_iter()
        .filter(|r| r.action.as_deref() == Some("getmeas"))
        .map(|r| r.params)
        .collect();
    assert!(asked.iter().all(|p| !p.iter().any(|(k, _)| k == "lastupdate")), "no incremental pass");
    let mut distinct = asked.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), asked.len(), "no request asked twice");
    // Two years fall in one window of the first division of the years since 2009; that
    // window hands halves of what it has left to the windows that found nothing, so no one
    // chain of round trips holds most of the pages.
    let mut chains: std::collections::HashMap<Vec<(String, String)>, usize> = Default::default();
    for p in &asked {
        *chains.entry(p.iter().filter(|(k, _)| k != "offset").cloned().collect()).or_default() += 1;
    }
    let longest = chains.values().copied().max().unwrap_or(0);
    let pages = env.truth(env.userid()).len().div_ceil(50);
    assert!(longest <= pages / 2, "the longest chain is {longest} of {pages} pages: {chains:?}");
    let status = env.ok(&["status"]);
    assert!(status.contains("groups") && status.contains("last sync"), "{status}");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn added_modified_and_deleted_groups_are_followed_and_an_unchanged_sync_costs_two_requests() {
    common::require_session();
    let env = connected(sim_config());
    let uid = env.userid();
    env.ok(&["sync"]);
    env.sim.advance(5);
    let truth = env.sim.truth(uid).unwrap();
    let recent = truth.iter().find(|g| g.category == 1 && g.date < env.sim.now() - 86_400).unwrap().clone();
    env.sim.delete_group(uid, recent.grpid).unwrap();
    let edited = truth[10].grpid;
    env.sim.modify_group(uid, edited, |g| g.measures[0].value += 1234).unwrap();
    let mut new = truth[0].clone();
    new.grpid = 0;
    new.date = env.sim.now() - 60;
    new.measures = vec![Measure { value: 80123, kind: 1, unit: -3, algo: None, fm: None, position: None }];
    env.sim.add_group(uid, new).unwrap();
    env.sim.advance(5);
    let out = env.ok(&["sync"]);
    assert!(out.contains("1 added, 1 changed, 1 removed"), "sync report: {out}");
    env.assert_matches_truth(uid, "after add/modify/delete");
    // The history keeps both syncs, and which weigh-ins the second one touched.
    let log: serde_json::Value = serde_json::from_str(&env.ok(&["log", "--format", "json"])).unwrap();
    let runs = log.as_array().unwrap();
    assert_eq!(runs.len(), 2, "{log}");
    assert_eq!(
        (runs[1]["full"].as_bool(), runs[1]["changes"].as_array().map(Vec::len)),
        (Some(true), Some(0))
    );
    assert!(runs[1]["added"].as_i64().unwrap() > 100, "the first download, as counts: {}", runs[1]);
    let changes = runs[0]["changes"].as_array().unwrap();
    let text = |kind: &str| -> Vec<String> {
        changes
            .iter()
            .filter(|c| c["change"] == kind)
            .map(|c| c["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(text("added"), vec!["80.1 kg".to_string()], "{changes:?}");
    assert_eq!(text("removed").len(), 1);
    assert!(text("removed")[0].starts_with("no longer in Withings"), "{changes:?}");
    let changed = truth.iter().find(|g| g.grpid == edited).unwrap();
    let expected = if changed.measures.iter().any(|m| m.kind == 1) { " → " } else { "without a weight" };
    assert!(text("changed").len() == 1 && text("changed")[0].contains(expected), "{changes:?}");
    assert!(runs[0]["error"].is_null() && runs[0]["took"].as_str().unwrap().ends_with(" s"));

    env.sim.advance(5);
    env.sim.reset_stats();
    let out = env.ok(&["sync"]);
    assert!(out.contains("0 added, 0 changed, 0 removed"), "{out}");
    assert!(
        env.getmeas_count() <= 2,
        "a no-change sync makes at most two requests, made {}",
        env.getmeas_count()
    );
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn full_sync_reverifies_old_deletions() {
    common::require_session();
    let env = connected(SimConfig { page_size: 150, ..sim_config() });
    let uid = env.userid();
    env.ok(&["sync"]);
    let old = env.sim.truth(uid).unwrap().into_iter().rev().nth(3).unwrap();
    env.sim.delete_group(uid, old.grpid).unwrap();
    env.sim.advance(5);
    env.ok(&["sync"]);
    assert!(
        env.stored(uid).iter().any(|g| g.grpid == old.grpid),
        "outside the recent window an incremental sync cannot know"
    );
    env.sim.advance(5);
    let out = env.ok(&["sync", "--full"]);
    assert!(out.contains("1 removed"), "{out}");
    env.assert_matches_truth(uid, "after --full");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn forged_missing_replayed_or_denied_callbacks_store_nothing_and_request_no_token() {
    common::require_session();
    let env = Env::new(sim_config());
    let forge = Env::browser();
    let forge = forge.to_str().unwrap();
    for mode in ["wrong-state", "no-state", "deny"] {
        let out = env.heft_with(
            &["connect"],
            &[("HEFT_BROWSER", forge), ("HEFT_TEST_FORGE", mode), ("HEFT_CALLBACK_TIMEOUT_SECS", "3")],
        );
        assert!(!out.status.success(), "{mode}: connect must fail");
        let err = stderr(&out);
        if mode == "deny" {
            assert!(err.contains("access_denied"), "{mode}: {err}");
        } else {
            assert!(
                err.contains("no answer from Withings"),
                "{mode}: the forged callback was ignored: {err}"
            );
        }
        assert_eq!(env.token_requests(), 0, "{mode}: no token request was sent");
        assert_eq!(env.ok(&["accounts"]).trim(), "", "{mode}: no account stored");
    }
    // A callback recorded from one authorization is useless for the next one.
    let record = env.data_dir.path().join("callback.txt");
    let rec = record.to_str().unwrap();
    let first = env.heft_with(
        &["connect"],
        &[("HEFT_BROWSER", forge), ("HEFT_TEST_FORGE", "record"), ("HEFT_TEST_RECORD", rec)],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let old = std::fs::read_to_string(&record).unwrap();
    env.ok(&["disconnect", "--delete-data"]);
    let before = env.token_requests();
    let replay = env.heft_with(
        &["connect"],
        &[
            ("HEFT_BROWSER", forge),
            ("HEFT_TEST_FORGE", "replay"),
            ("HEFT_TEST_REPLAY", &old),
            ("HEFT_CALLBACK_TIMEOUT_SECS", "3"),
        ],
    );
    assert!(!replay.status.success(), "a replayed callback does not connect");
    assert_eq!(env.token_requests(), before, "no token request for the replay");
    assert_eq!(env.ok(&["accounts"]).trim(), "");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn syncs_in_several_processes_at_once_refresh_the_token_once_and_all_succeed() {
    common::require_session();
    // The CLI and the app syncing together: Withings rotates refresh tokens, so only one process
    // may refresh; the others must pick up its new pair from the keychain.
    let env = connected(sim_config());
    env.sim.expire_access_tokens(env.userid());
    env.sim.set_faults(Faults { latency_ms: 150, ..Faults::default() });
    let children: Vec<_> = (0..3)
        .map(|_| {
            env.command(&["sync"], &[])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("heft starts")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("heft finishes");
        assert!(out.status.success(), "every process syncs: {}", stderr(&out));
    }
    env.sim.set_faults(Faults::default());
    assert_eq!(env.token_requests(), 2, "the code exchange and exactly one refresh");
    env.assert_matches_truth(env.userid(), "after concurrent syncs");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn refresh_rotation_survives_syncs_and_new_processes() {
    common::require_session();
    // Tokens live 2 s: each run finds the stored token expired and refreshes it first, with
    // the refresh token the previous process rotated and saved.
    let env = connected(SimConfig { access_token_lifetime: 2, ..sim_config() });
    for round in 1..=3 {
        std::thread::sleep(std::time::Duration::from_millis(2_500));
        let out = env.heft(&["sync"]);
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
    }
    assert_eq!(env.token_requests(), 4, "one code exchange and one refresh per process");
    env.assert_matches_truth(env.userid(), "after rotations");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_token_expiring_mid_sync_is_refreshed_once_and_the_sync_completes() {
    common::require_session();
    let env = connected(SimConfig { page_size: 100, ..sim_config() });
    env.sim.set_faults(Faults { expire_tokens_after: Some(3), ..Faults::default() });
    let out = env.heft(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.token_requests(), 2, "code + exactly one refresh");
    env.assert_matches_truth(env.userid(), "after a mid-sync expiry");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn http_500_bursts_and_rate_limits_are_survived_without_a_request_storm() {
    common::require_session();
    let env = connected(SimConfig { page_size: 100, ..sim_config() });
    env.sim.set_faults(Faults {
        http500_rate: 0.3,
        rate_limit_next: 2,
        wait_seconds: 1,
        ..Faults::default()
    });
    let out = env.heft(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats = env.sim.stats();
    assert!(stats.http500 > 0, "faults were injected");
    let total = stats.requests.len();
    let (_, pages) = env.first_download_bound(env.userid(), 100);
    assert!(total < pages * 3 + 10, "bounded retries: {total} requests for {pages} requests' worth");
    env.sim.set_faults(Faults::default());
    env.assert_matches_truth(env.userid(), "after faults");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_malformed_answer_changes_nothing_stored() {
    common::require_session();
    let env = connected(sim_config());
    let uid = env.userid();
    env.ok(&["sync"]);
    let before = env.export();
    let g = env.sim.truth(uid).unwrap()[2].grpid;
    env.sim.modify_group(uid, g, |g| g.measures[0].value = 1).unwrap();
    env.sim.set_faults(Faults { malformed_next: 100, ..Faults::default() });
    env.sim.advance(5);
    let out = env.heft(&["sync"]);
    assert!(!out.status.success(), "the sync reports the problem");
    let err = stderr(&out);
    assert!(err.contains("could not read") && err.contains("HTML"), "one clear line: {err}");
    env.sim.set_faults(Faults::default());
    assert_eq!(env.export(), before, "nothing stored was changed");
    env.sim.advance(5);
    env.ok(&["sync"]);
    env.assert_matches_truth(uid, "the next sync converges");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn csv_export_has_one_exact_row_per_weigh_in() {
    common::require_session();
    let env = connected(sim_config());
    env.ok(&["sync"]);
    let path = env.data_dir.path().join("weights.csv");
    let out = env.heft(&["export", "--format", "csv", "--out", path.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&path).expect("the CSV was written");
    let metrics = [1, 6, 8, 5, 76, 77, 88];
    let mut weigh_ins: Vec<Group> = env
        .sim
        .truth(env.userid())
        .expect("user exists")
        .into_iter()
        .filter(|g| {
            g.category == 1 && g.measures.iter().any(|m| m.position.is_none() && metrics.contains(&m.kind))
        })
        .collect();
    weigh_ins.sort_by_key(|g| (g.date, g.grpid));
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), weigh_ins.len(), "one row per weigh-in, goals left out");
    let newest = weigh_ins.last().expect("weigh-ins");
    let last = rows.last().expect("rows");
    assert_eq!(last[last.len() - 1], newest.grpid.to_string(), "oldest first, newest last");
    let w = newest
        .measures
        .iter()
        .find(|m| m.kind == 1 && m.position.is_none())
        .expect("a weigh-in has a weight");
    assert_eq!(last[3], heft::model::ExactValue::new(w.value, w.unit as i32).to_string(), "exact weight");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn export_then_import_into_a_fresh_data_dir_restores_the_same_data() {
    common::require_session();
    let env = connected(SimConfig { users: 2, ..sim_config() });
    env.ok(&["sync"]);
    let file = env.data_dir.path().join("export.json");
    env.ok(&["export", "--format", "json", "--out", file.to_str().unwrap()]);
    let fresh = Env::new(sim_config());
    let out = fresh.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("Imported 1 account:"), "{out}");
    assert_eq!(fresh.export(), env.export(), "lossless round trip");
    let again = fresh.ok(&["import", file.to_str().unwrap()]);
    assert!(again.contains("0 weigh-ins added") && !again.contains("left out"), "idempotent: {again}");
    std::fs::write(&file, b"{\"format\":\"heft-export\",\"version\":1,\"accounts\":[],\"groups\":[{")
        .unwrap();
    let broken = fresh.heft(&["import", file.to_str().unwrap()]);
    assert!(!broken.status.success());
    assert!(stderr(&broken).contains("not a Heft JSON export"), "{}", stderr(&broken));
    assert_eq!(fresh.export(), env.export(), "a broken file changes nothing");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn no_secret_of_a_connect_or_its_refreshes_reaches_output_logs_or_any_file() {
    common::require_session();
    // Access tokens that live 4 s: due a second before they expire, so each sync after a
    // pause refreshes, and the pairs it replaces are secrets that must not linger either.
    let env = Env::new(SimConfig { access_token_lifetime: 4, ..sim_config() });
    let trace = [("HEFT_LOG", "trace")];
    let mut transcript = String::new();
    for args in [
        &["connect"][..],
        &["sync"][..],
        &["sync", "--full"][..],
        &["sync"][..],
        &["status"][..],
        &["log"][..],
        &["method", "holt"][..],
        &["export", "--format", "json"][..],
    ] {
        if args[0] == "sync" {
            std::thread::sleep(std::time::Duration::from_millis(4500));
        }
        let out = env.heft_with(args, &trace);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        transcript += &String::from_utf8_lossy(&out.stdout);
        transcript += &String::from_utf8_lossy(&out.stderr);
    }
    assert!(transcript.contains("TRACE") || transcript.contains("DEBUG"), "logs were on");
    let refreshes = env.sim.stats().requests.iter().filter(|r| r.path == "/v2/oauth2").count();
    assert!(refreshes >= 4, "the connect and three refreshes asked the token endpoint ({refreshes})");
    let entry = keyring::Entry::new(&env.service, &format!("withings:{}", env.userid())).unwrap();
    let stored = entry.get_password().expect("tokens are in the keychain, readable by a new process");
    let tokens: serde_json::Value = serde_json::from_str(&stored).unwrap();
    let secrets = env.sim.secrets();
    // What the simulator saw is what Heft sent and got: the code, `state`, the PKCE verifier,
    // the client secret, and every pair, the current one and those it replaced.
    for current in [&tokens["access_token"], &tokens["refresh_token"]] {
        assert!(
            secrets.iter().any(|s| Some(s.as_str()) == current.as_str()),
            "the keychain's pair is listed"
        );
    }
    assert!(secrets.iter().any(|s| s == withings_sim::DEMO_CLIENT_SECRET), "the client secret is listed");
    assert!(
        secrets.len() >= 3 + 2 * refreshes,
        "the code, state, client secret and a pair per token answer: {}",
        secrets.len()
    );

    let db = rusqlite::Connection::open(env.db_path()).unwrap();
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut dump = String::new();
    for t in &tables {
        let mut st = db.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                dump += &format!("{:?}|", row.get_ref(i).unwrap());
            }
        }
    }
    assert!(tables.iter().any(|t| t == "sync_runs"), "the sync history is in the dump: {tables:?}");
    drop(db);
    // Every file in the data folder, byte for byte: the database, its write-ahead log (which
    // keeps recent commits until the next checkpoint), settings.json, lock files.
    let mut files = Vec::new();
    let mut dirs = vec![env.data_dir.path().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() { dirs.push(path) } else { files.push(path) }
        }
    }
    let names: Vec<String> =
        files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n == "settings.json"), "settings were written: {names:?}");
    let mut total = 0;
    for s in &secrets {
        assert!(!transcript.contains(s.as_str()), "a secret appeared in the logs or output");
        assert!(!dump.contains(s.as_str()), "a secret appeared in the database");
        for f in &files {
            let raw = std::fs::read(f).unwrap();
            total += raw.len();
            assert!(!raw.windows(s.len()).any(|w| w == s.as_bytes()), "a secret appeared in {}", f.display());
        }
    }
    assert!(total > 100_000, "the history was stored ({total} bytes read)");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn disconnect_forgets_tokens_and_keeps_history() {
    common::require_session();
    let env = connected(sim_config());
    env.ok(&["sync"]);
    let before = env.stored(env.userid()).len();
    env.ok(&["disconnect"]);
    let entry = keyring::Entry::new(&env.service, &format!("withings:{}", env.userid())).unwrap();
    assert!(matches!(entry.get_password(), Err(keyring::Error::NoEntry)), "tokens removed from the keychain");
    assert_eq!(env.stored(env.userid()).len(), before, "history kept");
    let out = env.heft(&["sync"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("heft connect"), "tells what to do: {}", stderr(&out));
    let status = env.ok(&["status"]);
    assert!(status.contains("reconnect needed"), "{status}");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_revoked_authorization_asks_to_reconnect_and_keeps_data() {
    common::require_session();
    let env = connected(sim_config());
    env.ok(&["sync"]);
    env.sim.revoke_tokens(env.userid());
    env.sim.advance(5);
    let out = env.heft(&["sync"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("`heft connect`"), "{}", stderr(&out));
    env.assert_matches_truth(env.userid(), "data kept");
    // The dead tokens were deleted: the next sync asks to reconnect without asking Withings.
    let token_requests = env.token_requests();
    let again = env.heft(&["sync"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("no tokens in the keychain"), "{}", stderr(&again));
    assert_eq!(env.token_requests(), token_requests, "no refresh was tried with the dead token");
    let status = env.ok(&["status"]);
    assert!(status.contains("reconnect needed"), "{status}");
}

/// Linux only: the missing keychain is a Secret Service with no bus (Windows' Credential Manager
/// and the macOS Keychain are always there).
#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn connect_reports_a_missing_keychain_once_before_the_browser_opens() {
    common::require_session();
    let env = Env::new(sim_config());
    let marker = env.data_dir.path().join("opened");
    let script = env.marker_browser(&marker);
    let out = env.heft_with(
        &["connect"],
        &[
            ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/heft-bus"),
            ("HEFT_BROWSER", script.to_str().unwrap()),
        ],
    );
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("Secret Service"), "says what is missing and how to fix it: {err}");
    assert_eq!(err.matches("heft:").count(), 1, "reported once: {err}");
    assert!(!marker.exists(), "no browser was opened");
    assert_eq!(env.token_requests(), 0);
}

#[test]
fn a_scheme_callback_is_refused_by_the_cli_which_cannot_receive_it() {
    let env = Env::new(sim_config());
    let out = env.heft_with(&["connect"], &[("HEFT_REDIRECT_URI", "heft://callback")]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("desktop app"), "{}", stderr(&out));
    assert!(env.sim.stats().requests.is_empty(), "nothing was sent");
}

#[test]
fn a_plain_http_withings_address_is_refused_before_anything_is_sent() {
    let env = Env::new(sim_config());
    for var in ["HEFT_WITHINGS_API_URL", "HEFT_WITHINGS_AUTH_URL"] {
        let out = env.heft_with(&["sync"], &[(var, "http://example.com")]);
        assert!(!out.status.success(), "{var}");
        assert!(stderr(&out).contains("must be https"), "{var}: {}", stderr(&out));
    }
    assert!(env.sim.stats().requests.is_empty(), "nothing reached any server");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_taken_callback_port_fails_clearly_without_opening_the_browser() {
    common::require_session();
    let env = Env::new(sim_config());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let uri = format!("http://localhost:{port}/callback");
    let marker = env.data_dir.path().join("opened");
    let script = env.marker_browser(&marker);
    let out = env
        .heft_with(&["connect"], &[("HEFT_REDIRECT_URI", &uri), ("HEFT_BROWSER", script.to_str().unwrap())]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains(&port.to_string()), "names the port: {}", stderr(&out));
    assert!(!marker.exists(), "no browser was opened");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_new_group_with_unknown_types_and_attribs_is_kept() {
    common::require_session();
    let env = connected(sim_config());
    let uid = env.userid();
    env.ok(&["sync"]);
    let g = Group {
        grpid: 0,
        attrib: 99,
        date: env.sim.now() - 10,
        created: 0,
        modified: 0,
        category: 1,
        deviceid: None,
        hash_deviceid: None,
        model: None,
        modelid: None,
        measures: vec![
            Measure { value: 42, kind: 9999, unit: 0, algo: None, fm: None, position: Some(77) },
            Measure { value: 81234, kind: 1, unit: -3, algo: None, fm: None, position: None },
        ],
        comment: Some("new scale".into()),
    };
    let added = env.sim.add_group(uid, g).unwrap();
    env.sim.advance(5);
    env.ok(&["sync"]);
    let stored = env.stored(uid);
    let got = stored.iter().find(|g| g.grpid == added.grpid).expect("stored");
    assert_eq!(got.attrib, 99);
    assert!(got.measures.iter().any(|m| m.kind == 9999 && m.position == Some(77)));
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn every_trend_method_the_backtest_and_the_split_from_the_cli() {
    common::require_session();
    let env = connected(SimConfig { users: 1, ..sim_config() });
    env.ok(&["sync"]);
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&env.ok(args)).expect("JSON") };
    assert_eq!(json(&["trend", "--format", "json"])["method"], "ema", "the default method");
    for m in ["ema", "holt-gentle", "holt", "holt-responsive", "time-aware"] {
        let t = json(&["trend", "--format", "json", "--series", "--method", m]);
        assert_eq!(t["method"], m);
        let series = t["series"].as_array().expect("the series");
        let key = if m == "time-aware" { "at" } else { "date" };
        assert!(series.len() > 300 && series.iter().all(|p| p.get(key).is_some()), "{m}: points by {key}");
        let last = series.last().unwrap()["trend_kg"].as_f64().unwrap();
        assert!(
            (last - t["trend_kg"].as_f64().unwrap()).abs() < 1e-9,
            "{m}: the figure is the series' last trend"
        );
    }
    let b = json(&["backtest", "--format", "json"]);
    let rows = b.as_array().unwrap();
    assert_eq!(rows.len(), 5, "every method");
    let maes: Vec<f64> = rows.iter().map(|r| r["mae_kg"].as_f64().unwrap()).collect();
    assert!(maes.windows(2).all(|w| w[0] <= w[1]), "best first: {maes:?}");
    assert!(rows.iter().all(|r| r["predictions"].as_u64().unwrap() > 100));
    let s = json(&["split", "--format", "json", "--method", "holt"]);
    let (w, f, l) = (
        s["weight_change_kg"].as_f64().unwrap(),
        s["fat_change_kg"].as_f64().unwrap(),
        s["lean_change_kg"].as_f64().unwrap(),
    );
    assert!((f + l - w).abs() < 1e-9, "fat + lean = weight: {s}");
    assert_eq!(s["method"], "holt");
    let text = env.ok(&["split"]);
    assert!(text.contains("fat") && text.contains("lean"), "{text}");
    env.ok(&["method", "time-aware", "--smoothing-days", "10"]);
    assert_eq!(json(&["trend", "--format", "json"])["method"], "time-aware", "the account's method is kept");
    let out = env.data_dir.path().join("trend.svg");
    env.ok(&["chart", "--range", "1y", "--out", out.to_str().unwrap()]);
    assert!(
        std::fs::read_to_string(&out).unwrap().contains("Trend (time-aware)"),
        "the chart draws the chosen method"
    );
    let bad = env.heft(&["trend", "--method", "kalman"]);
    assert!(!bad.status.success() && stderr(&bad).contains("unknown trend method"), "{}", stderr(&bad));
}

/// Ctrl-C in a terminal stops a first download whose answers Withings is holding, before
/// anything is released (the request in flight is dropped, not run to its timeout), says so,
/// keeps what was stored, and the next sync carries on to the whole history.
/// Unix only: the test sends SIGINT with `kill`; on Windows Ctrl-C is a console event that one
/// process cannot send another without sharing its console.
#[cfg(unix)]
#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn ctrl_c_stops_a_sync_that_waits_for_withings_and_the_next_sync_carries_on() {
    common::require_session();
    let env = connected(SimConfig { page_size: 50, ..sim_config() });
    env.sim.hold_answers();
    let child = env
        .command(&["sync"], &[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("heft sync starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while env.sim.held_waiting() == 0 {
        assert!(std::time::Instant::now() < deadline, "the sync reached Withings within 30 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let signalled = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let out = child.wait_with_output().expect("heft sync ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a cancelled sync is a failed sync: {err}");
    assert!(err.contains("cancelled") && err.contains("carries on"), "{err}");
    assert!(env.sim.held_waiting() >= 1, "the sync ended before Withings answered anything");
    env.sim.release_answers();
    env.ok(&["sync"]);
    env.assert_matches_truth(env.userid(), "the sync after a Ctrl-C");
}
