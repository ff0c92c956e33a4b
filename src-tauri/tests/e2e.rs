//! The desktop app end to end, in a real window: Xvfb + WebKitWebDriver through tauri-driver,
//! a temporary data dir, the test Secret Service, and a "browser" script that clicks Allow on
//! the simulator's consent page. Run by `make test` inside scripts/with-test-session.sh.
//!
//! One test, one story, because the single-instance plugin hands every launch to the copy
//! already running on the session bus.

mod driver;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use driver::{Driver, browser, changes, first_pages_stored, require_session};
use serde_json::{Value, json};

fn kg_of(text: &str) -> f64 {
    // "78.4 kg", or "78,4 kg" in a locale with a decimal comma.
    text.split_whitespace().next().and_then(|n| n.replace(',', ".").parse().ok()).unwrap_or(f64::NAN)
}

#[test]
#[ignore = "needs the desktop test session (Xvfb, WebDriver, keychain): run `make test`"]
fn demo_connect_sync_units_offline_restart_and_a_forged_deep_link() {
    require_session();
    let data = tempfile::tempdir().expect("temp dir");
    let service = format!("heft-e2e-{}", std::process::id());
    let data_dir = data.path().to_str().unwrap().to_string();
    // The native file dialogs answer from this folder (debug builds only).
    let dialogs = tempfile::tempdir().expect("temp dir");
    let dialog_dir = dialogs.path().to_str().unwrap().to_string();
    let base_env = |mode: &str| -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = vec![
            ("HEFT_DATA_DIR".into(), data_dir.clone()),
            ("HEFT_TEST_DIALOG_DIR".into(), dialog_dir.clone()),
            ("HEFT_KEYRING_SERVICE".into(), service.clone()),
            ("HEFT_CALLBACK_TIMEOUT_SECS".into(), "60".into()),
            // The demo simulator's `/_sim/` endpoints, which the test drives (off otherwise).
            ("HEFT_TEST_SIM_CONTROL".into(), "1".into()),
            // A detailed log, so the leak check below reads everything Heft says.
            ("HEFT_LOG".into(), "debug".into()),
        ];
        env.extend(browser(mode).map(|(k, v)| (k.to_string(), v)));
        env
    };
    let as_refs = |v: &[(String, String)]| v.iter().map(|(a, b)| (a.clone(), b.clone())).collect::<Vec<_>>();

    // First run: welcome → demo → connected → synced.
    let env1 = as_refs(&base_env("approve"));
    let refs: Vec<(&str, &str)> = env1.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let started = Instant::now();
    let d = Driver::launch(Path::new(env!("CARGO_BIN_EXE_heft-desktop")), &refs);
    d.wait("the welcome screen", 30, |d| d.visible("demo-button"));
    // Every event the shell sends the page, kept for the leak check.
    d.js(
        "window.__events = [];
         const tauri = window.__TAURI_INTERNALS__;
         for (const name of ['sync-progress', 'sync-waiting', 'callback-rejected', 'keychain-problem']) {
           const handler = tauri.transformCallback((e) => window.__events.push(name + ' ' + JSON.stringify(e.payload)));
           tauri.invoke('plugin:event|listen', {event: name, target: {kind: 'Any'}, handler});
         }
         return true;",
    );
    d.click("demo-button");
    d.wait("the connected main view", 60, |d| d.visible("app") && d.text("account").contains("Demo user"));
    d.wait("the end of the first sync", 60, |d| d.text("progress-text").starts_with("Synced"));
    d.view("accounts");
    d.wait("the first sync in the history", 20, |d| d.text("history").contains("full"));
    assert!(d.text("history").contains("added"), "{}", d.text("history"));
    let progress_events: u64 =
        d.js("return Number(document.body.dataset.progressEvents || 0);").as_u64().unwrap_or(0);
    assert!(progress_events > 0, "progress events reached the window");
    d.view("overview");
    d.wait("the chart", 30, |d| {
        d.js("return !!document.querySelector('#chart svg');").as_bool().unwrap_or(false)
    });
    eprintln!("first chart after demo connect + sync: {:?} from launch", started.elapsed());
    walk_the_views(&d, "light");

    // The latest weigh-in shown equals the simulator's ground truth.
    let sim = d.text("demo-url").replace("Demo simulator: ", "");
    let truth = SimControl::new(&sim).get("truth");
    let latest = truth["measuregrps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["category"] == 1
                && g["attrib"] != 1
                && g["measures"].as_array().unwrap().iter().any(|m| m["type"] == 1)
        })
        .expect("a weigh-in");
    let m = latest["measures"].as_array().unwrap().iter().find(|m| m["type"] == 1).unwrap();
    let kg = m["value"].as_f64().unwrap() * 10f64.powi(m["unit"].as_i64().unwrap() as i32);
    d.view("weigh-ins");
    let shown = d.js("return document.querySelector('#recent tr td:nth-child(2)').textContent;");
    assert_eq!(shown.as_str().unwrap(), format!("{kg:.1} kg"), "latest weigh-in as Withings has it");
    d.view("overview");
    d.screenshot("main-light.png");

    // The window's surface: a command the capability does not grant is refused by Tauri, not
    // by the page's own script, while a granted one answers (tests/window_surface.rs checks
    // the grant and the CSP themselves). The page has no global Tauri API (withGlobalTauri is
    // off); Tauri's own IPC, which every page of the window gets, is what a script could call.
    assert_eq!(d.js("return typeof window.__TAURI__;"), json!("undefined"), "no global Tauri API");
    d.js("window.__surface = {};
         const ask = (name, cmd) => window.__TAURI_INTERNALS__.invoke(cmd).then(
           () => { window.__surface[name] = 'answered'; },
           (e) => { window.__surface[name] = 'refused: ' + e; });
         ask('granted', 'overview');
         ask('app', 'plugin:app|version');
         ask('window', 'plugin:window|close');
         return true;");
    d.wait("the window's answers to three commands", 20, |d| {
        d.js("return Object.keys(window.__surface).length;").as_u64() == Some(3)
    });
    let surface = d.js("return window.__surface;");
    assert_eq!(surface["granted"], "answered", "{surface}");
    for refused in ["app", "window"] {
        let said = surface[refused].as_str().unwrap_or_default();
        assert!(said.starts_with("refused") && said.contains("not allowed"), "{refused}: {surface}");
    }
    assert!(d.visible("app"), "the window is still open");
    // The stylesheet applies under a CSP without 'unsafe-inline'.
    let styled = d.js("return getComputedStyle(document.querySelector('.header')).display;");
    assert_eq!(styled.as_str(), Some("flex"), "style.css applies: {styled}");

    // Unit toggle: the trend weight in pounds is the same weight.
    d.view("overview");
    let trend_kg = kg_of(&d.text("trend-weight"));
    d.click("unit-lb");
    d.wait("pounds", 20, |d| d.text("trend-weight").ends_with("lb"));
    let lb = kg_of(&d.text("trend-weight"));
    assert!((lb * 0.453_592_37 - trend_kg).abs() < 0.1, "{trend_kg} kg shown as {lb} lb");
    d.click("unit-kg");
    d.wait("kilograms", 20, |d| d.text("trend-weight").ends_with("kg"));

    // The trend lab: the backtest ranks every method, the split names fat and lean, BMI from
    // the simulator's height, and choosing a method redraws the chart with it.
    d.view("trends");
    d.wait("the backtest table", 30, |d| {
        d.js("return document.querySelectorAll('#backtest tr').length;").as_u64() == Some(5)
    });
    assert!(d.text("backtest").contains("best for you"), "{}", d.text("backtest"));
    d.wait("the split", 30, |d| d.text("split-sentence").contains("fat"));
    assert!(d.text("split-sentence").contains("lean"), "{}", d.text("split-sentence"));
    // Weekly averages of the simulator's weigh-ins, then monthly ones.
    let averages =
        |d: &Driver| d.js("return document.querySelectorAll('#averages tr').length;").as_u64().unwrap_or(0);
    d.wait("the weekly averages", 30, |d| averages(d) > 0 && d.text("averages").contains("Week of"));
    d.js("document.querySelector('#period-tabs [data-period=month]').click(); return true;");
    d.wait("the monthly averages", 30, |d| averages(d) > 0 && !d.text("averages").contains("Week of"));
    // Which weigh-in stands for a day: saved for the account, then back to the first.
    let day_reading = |d: &Driver, r: &str| {
        d.js(&format!(
            "const s = document.getElementById('day-reading'); s.value = '{r}'; s.dispatchEvent(new Event('change')); return true;"
        ));
    };
    let saved_reading = |d: &Driver| {
        d.js("return window.__TAURI_INTERNALS__.invoke('overview').then(o => o.accounts[0].day_reading);")
    };
    day_reading(&d, "lowest");
    d.wait("the lowest weigh-in of a day saved", 20, |d| saved_reading(d) == json!("lowest"));
    day_reading(&d, "first");
    d.wait("the first weigh-in of a day again", 20, |d| saved_reading(d) == json!("first"));
    d.view("overview");
    assert!(d.visible("bmi-figure"), "BMI from the latest height");
    let chart_says = |d: &Driver, what: &str| {
        d.js(&format!("return document.querySelector('#chart svg').innerHTML.includes('{what}');")).as_bool()
            == Some(true)
    };
    assert!(chart_says(&d, "Trend (ema)"), "the default method");
    d.view("trends");
    d.js("const m = document.getElementById('method'); m.value = 'holt'; m.dispatchEvent(new Event('change')); return true;");
    d.wait("Holt in the backtest", 30, |d| d.text("backtest").contains("in use"));
    d.screenshot("main-lab.png");
    d.view("overview");
    d.wait("the chart with Holt's trend", 30, |d| chart_says(d, "Trend (holt)"));

    your_data(&d, dialogs.path());
    everything_in_the_window(&d, dialogs.path(), &sim);
    the_window_answers_while_withings_waits(&d, &sim);
    a_first_download_waits_and_carries_on(&d, &sim);
    // What the restart must show again: the trend after the corrections above.
    let trend_kg = kg_of(&d.text("trend-weight"));
    no_secret_left_the_keychain(&d, &sim, data.path());

    if let Some(pid) = app_pid() {
        eprintln!("app memory after syncing: {} (debug build)", rss(pid));
    }
    // The view a person leaves is the one the next launch opens.
    d.view("trends");
    drop(d);
    std::thread::sleep(Duration::from_secs(1));

    // Restart: the history shows from the database at once; the demo simulator starts again
    // with the same history and the demo account keeps syncing.
    let mut env2 = as_refs(&base_env("hold"));
    env2.push(("GTK_THEME".into(), "Adwaita:dark".into()));
    // A German desktop: decimal commas everywhere a person reads a number.
    env2.push(("LANG".into(), "de_DE.UTF-8".into()));
    env2.push(("LC_ALL".into(), "de_DE.UTF-8".into()));
    let refs: Vec<(&str, &str)> = env2.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let restarted = Instant::now();
    let d = Driver::launch(Path::new(env!("CARGO_BIN_EXE_heft-desktop")), &refs);
    d.wait("the view of the last launch", 30, |d| d.visible("view-trends"));
    d.view("overview");
    d.wait("the chart, offline", 30, |d| {
        d.js("return !!document.querySelector('#chart svg');").as_bool().unwrap_or(false)
    });
    eprintln!("launch to first chart (offline, from the database): {:?}", restarted.elapsed());
    assert_eq!(kg_of(&d.text("trend-weight")), trend_kg, "same trend weight from the local database");
    d.wait("the demo synced after the restart", 60, |d| d.text("progress-text").starts_with("Synced"));
    assert_eq!(d.text("progress-text"), "Synced: 0 new, 0 changed, 0 removed.", "the same history");
    assert!(!d.visible("message") || d.text("message").is_empty(), "no error: {}", d.text("message"));
    assert_eq!(kg_of(&d.text("trend-weight")), trend_kg, "and the same trend");
    let german = d.text("trend-weight");
    assert!(german.contains(',') && german.ends_with(" kg"), "German writes a decimal comma: {german}");
    d.view("weigh-ins");
    let row = d.js("return document.querySelector('#recent tr td:nth-child(2)').textContent;");
    assert!(row.as_str().is_some_and(|w| w.contains(',')), "the list too: {row}");
    d.view("overview");
    d.js("document.getElementById('chart-table-box').open = true; return true;");
    d.wait("the table in German", 10, |d| {
        d.js("const c = document.querySelector('#chart-table tbody td'); return !!c && c.textContent.includes(',');")
            == Value::Bool(true)
    });
    d.js("document.getElementById('chart-table-box').open = false; return true;");
    assert_eq!(
        d.js("return document.body.dataset.syncEvery;"),
        json!("daily"),
        "the sync interval chosen in Settings survived the restart"
    );
    withings_changes_in_the_history(&d, &d.text("demo-url").replace("Demo simulator: ", ""));
    walk_the_views(&d, "dark");

    // The smallest supported window: 800×600, and in every view nothing cut off sideways.
    d.call("POST", "/window/rect", Some(json!({"width": 800, "height": 600})));
    d.wait("an 800-pixel-wide window", 10, |d| {
        d.js("return window.innerWidth;").as_i64().unwrap_or(0) <= 800
    });
    walk_the_views(&d, "800x600");
    for view in VIEWS {
        d.view(view);
        nothing_cut_off(&d, view);
        assert!(d.visible("sync-button"), "Sync stays reachable at 800×600 in {view}");
    }

    // Connect waiting for the browser (this run's browser never comes back): the window answers
    // meanwhile, and Cancel ends the wait before anything arrives.
    d.view("accounts");
    d.click("add-button");
    d.click("demo-button");
    let waiting =
        |d: &Driver| d.js("return !document.getElementById('connect-wait').hidden;") == Value::Bool(true);
    d.wait("an authorization waiting for the browser", 20, |d| waiting(d));
    changes_show(&d, "Connect waits for the browser");
    assert!(waiting(&d), "the authorization still waits for the browser");
    let pressed = Instant::now();
    d.click("cancel-button");
    d.wait("the cancelled connect", 20, |d| !waiting(d) && d.text("message").contains("cancelled"));
    eprintln!("Cancel while Connect waits for the browser: {:?}", pressed.elapsed());

    // The demo can be removed, history and all: back to the welcome screen.
    d.view("accounts");
    d.click("remove-demo");
    d.click("remove-demo");
    d.wait("the welcome screen after removing the demo", 20, |d| d.visible("welcome") && !d.visible("app"));

    // A deep link with a forged state while an authorization waits is rejected.
    d.click("demo-button");
    d.wait("an authorization waiting", 20, |d| d.visible("connect-wait"));
    let status = Command::new(env!("CARGO_BIN_EXE_heft-desktop"))
        .arg("heft://callback?code=stolen&state=forged")
        .envs(env2.iter().map(|(a, b)| (a.as_str(), b.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("second launch runs");
    assert!(status.success(), "the second launch hands over to the running app and exits");
    d.wait("the rejection", 20, |d| d.text("message").contains("rejected"));
    assert!(d.text("message").contains("state"), "says why: {}", d.text("message"));
}

/// While Withings keeps Heft waiting — a page held, a rate limit's wait — the window answers the
/// person at once: a unit, a range, an exclusion, Settings. Proved by order, not by timing:
/// the simulator holds every API answer until the test releases it, and each change shows
/// before that. Cancel ends a rate limit's wait at once.
fn the_window_answers_while_withings_waits(d: &Driver, sim: &str) {
    let control = SimControl::new(sim);
    // A page held: the sync waits for it.
    control.post("hold", json!({}));
    d.click("sync-button");
    until("a request held", || control.held() >= 1);
    changes_show(d, "a page is held");
    assert!(control.held() >= 1, "nothing was released meanwhile");
    assert!(
        !d.text("progress-text").starts_with("Synced"),
        "the sync still waits: {}",
        d.text("progress-text")
    );
    control.post("release", json!({}));
    d.wait("the sync's end once released", 60, |d| d.text("progress-text").starts_with("Synced"));

    // Cancel while a page is held: the sync ends before anything is released, because the
    // request in flight is dropped rather than left to run to its timeout.
    control.post("hold", json!({}));
    d.click("sync-button");
    until("a request held again", || control.held() >= 1);
    let pressed = Instant::now();
    d.click("cancel-button");
    d.wait("the cancel while a page is held", 20, |d| d.text("progress-text").contains("Sync cancelled"));
    eprintln!("Cancel while a page is held: {:?}", pressed.elapsed());
    assert!(control.held() >= 1, "the sync ended before its answer was released");
    // Released, the held request is handled before the fault below is set, or it would spend it.
    let handled = || control.get("stats")["requests"].as_array().map_or(0, Vec::len);
    let (waiting, seen) = (control.held() as usize, handled());
    control.post("release", json!({}));
    until("the released answers handled", || control.handled() >= seen + waiting);

    // A rate limit's wait of a minute: the window answers meanwhile, and Cancel ends it.
    control.post("faults", json!({"rate_limit_next": 1, "wait_seconds": 60}));
    d.click("sync-button");
    until("the rate limit", || control.get("stats")["rate_limited"].as_u64().unwrap_or(0) >= 1);
    changes_show(d, "Heft waits out a rate limit");
    assert!(
        !d.text("progress-text").starts_with("Synced"),
        "the sync still waits: {}",
        d.text("progress-text")
    );
    let pressed = Instant::now();
    d.click("cancel-button");
    d.wait("the cancel during the rate limit's wait", 20, |d| {
        d.text("progress-text").contains("Sync cancelled")
    });
    eprintln!("Cancel during a rate limit's wait: {:?}", pressed.elapsed());
    control.post("faults", json!({}));
}

/// A first download whose later pages are held: what has arrived shows, and the window answers
/// a unit, a range, an exclusion and Settings before anything more is released; Cancel ends the
/// download at once and keeps its pages, and the next sync carries on from there. (The demo is
/// removed and connected again, so its first sync is a first download.)
fn a_first_download_waits_and_carries_on(d: &Driver, sim: &str) {
    let control = SimControl::new(sim);
    d.view("accounts");
    d.click("remove-demo");
    d.click("remove-demo");
    d.wait("the welcome screen after removing the demo", 20, |d| d.visible("welcome") && !d.visible("app"));

    // The first page of every date window is answered, every later page waits.
    control.post("hold?only=continuations", json!({}));
    d.js("delete document.body.dataset.resumed; return true;");
    d.click("demo-button");
    d.wait("the first download under way, with pages stored", 60, first_pages_stored);
    until("a later page of the first download held", || control.held() >= 1);
    changes_show(d, "a first download waits on a held answer");
    assert!(control.held() >= 1, "nothing was released meanwhile");
    assert!(
        d.text("progress-text").starts_with("Downloading"),
        "the first download still waits: {}",
        d.text("progress-text")
    );

    let pressed = Instant::now();
    d.click("cancel-button");
    d.wait("the cancel of the first download", 20, |d| d.text("progress-text").contains("Sync cancelled"));
    eprintln!("Cancel while a first download waits: {:?}", pressed.elapsed());
    assert!(control.held() >= 1, "the download ended before its answer was released");
    control.post("release", json!({}));

    // The next sync carries on with the download rather than start it again.
    d.wait("Sync enabled again", 20, |d| {
        d.js("return !document.getElementById('sync-button').disabled;") == Value::Bool(true)
    });
    d.click("sync-button");
    d.wait("the rest of the first download", 60, |d| d.text("progress-text").starts_with("Synced"));
    assert_eq!(
        d.js("return document.body.dataset.resumed || null;"),
        json!("yes"),
        "the download carried on"
    );
    d.view("accounts");
    d.wait("the resumed download in the history", 20, |d| d.text("history").contains("full"));
}

/// A unit, a range, an exclusion (and its undoing) and Settings each show in the window.
fn changes_show(d: &Driver, while_: &str) {
    let took = changes(d, &format!("while {while_}"));
    eprintln!("a unit, a range, Settings and an exclusion while {while_}: {took}");
}

/// No secret of the demo's connect and refreshes (the code, `state`, the PKCE verifier, the
/// client secret, every pair of tokens) is in the app's log, the events it sent the page, or
/// any file of its data folder (the database, its WAL, settings.json).
fn no_secret_left_the_keychain(d: &Driver, sim: &str, data: &Path) {
    let v = SimControl::new(sim).get("secrets");
    let secrets: Vec<String> =
        v["secrets"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    assert!(secrets.len() >= 5, "the code, state, client secret and a pair: {}", secrets.len());
    let events = d.js("return window.__events.join('\\n');").as_str().unwrap_or_default().to_string();
    assert!(events.contains("sync-progress"), "the page's events were kept");
    let log = d.stderr_log();
    let mut files = Vec::new();
    let mut dirs = vec![data.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path)
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    assert!(files.iter().any(|(p, _)| p.ends_with("settings.json")), "settings.json is checked");
    for s in &secrets {
        assert!(!events.contains(s.as_str()), "a secret reached the page in an event");
        assert!(!log.contains(s.as_str()), "a secret is in the app's log");
        for (path, raw) in &files {
            assert!(!raw.windows(s.len()).any(|w| w == s.as_bytes()), "a secret is in {}", path.display());
        }
    }
}

/// The person's corrections in the window: a guest weigh-in reviewed, one excluded and
/// restored, an entry added and deleted, the account named, a Withings export imported.
fn your_data(d: &Driver, dialogs: &Path) {
    let rows = |d: &Driver, sel: &str| -> u64 {
        d.js(&format!("return document.querySelectorAll('#recent tr{sel}').length;")).as_u64().unwrap_or(0)
    };
    let click_in_row = |d: &Driver, row: &str, label: &str| {
        let clicked = d.js(&format!(
            "const b = [...document.querySelectorAll('#recent tr{row} button')].find(b => b.textContent === '{label}'); \
             if (b) b.click(); return !!b;"
        ));
        assert_eq!(clicked, Value::Bool(true), "a {label} button in {row}");
    };
    let grpid_of = |d: &Driver, row: &str| -> String {
        d.js(&format!("return document.querySelector('#recent tr{row}').dataset.grpid;"))
            .as_str()
            .unwrap_or("")
            .to_string()
    };

    // Guests: the demo scale has them; "Mine" counts one, and the count to review drops.
    d.view("weigh-ins");
    d.click("show-review");
    // Only once the list is the review list (every row awaiting review), not the full list
    // it replaces, which may hold some too.
    d.wait("weigh-ins to review", 20, |d| {
        let waiting = rows(d, "[data-standing=awaiting_review]");
        waiting > 0 && waiting == rows(d, "[data-standing]")
    });
    assert!(d.visible("review-hint"), "the window says some weigh-ins wait for review");
    let before = rows(d, "[data-standing=awaiting_review]");
    let guest = grpid_of(d, "[data-standing=awaiting_review]");
    click_in_row(d, &format!("[data-grpid=\"{guest}\"]"), "Mine");
    d.wait("one fewer to review", 20, |d| rows(d, "[data-standing=awaiting_review]") == before - 1);
    d.js("document.querySelector('#show-tabs [data-show=all]').click(); return true;");
    d.wait("the guest counted", 20, |d| {
        rows(d, &format!("[data-grpid=\"{guest}\"][data-standing=counted]")) == 1
    });
    // A guest's weight pulls the trend: the person changes their mind and excludes it.
    click_in_row(d, &format!("[data-grpid=\"{guest}\"]"), "Exclude");
    d.wait("the guest excluded", 20, |d| {
        rows(d, &format!("[data-grpid=\"{guest}\"][data-standing=excluded]")) == 1
    });

    // Exclude the newest weigh-in: hollow on the chart, out of the trend; Include restores it.
    let newest = grpid_of(d, "[data-standing=counted]");
    let trend = d.text("trend-weight");
    click_in_row(d, &format!("[data-grpid=\"{newest}\"]"), "Exclude");
    d.wait("the exclusion", 20, |d| {
        rows(d, &format!("[data-grpid=\"{newest}\"][data-standing=excluded]")) == 1
    });
    assert!(d.text("recent").contains("excluded"), "the row says so");
    click_in_row(d, &format!("[data-grpid=\"{newest}\"]"), "Include");
    d.wait("the weigh-in counted again", 20, |d| {
        rows(d, &format!("[data-grpid=\"{newest}\"][data-standing=counted]")) == 1
    });
    d.wait("the same trend as before", 20, |d| d.text("trend-weight") == trend);

    // The same from the chart: a click on the newest point offers to exclude it.
    let click_newest = |d: &Driver| {
        d.js("const box = document.getElementById('chart'); const c = box.dataset; \
              const rect = box.getBoundingClientRect(); \
              const x = rect.left + (+c.plotLeft + (c.newest - c.from) / (c.to - c.from) * (c.plotRight - c.plotLeft)) * rect.width / c.width; \
              for (const t of ['mousedown', 'mouseup']) box.dispatchEvent(new MouseEvent(t, {clientX: x, clientY: rect.top + 60, bubbles: true})); \
              return true;");
    };
    let panel_button = |d: &Driver, label: &str| {
        let clicked = d.js(&format!(
            "const b = [...document.querySelectorAll('#point button')].find(b => b.textContent === '{label}'); if (b) b.click(); return !!b;"
        ));
        assert_eq!(clicked, Value::Bool(true), "a {label} button under the chart");
    };
    d.view("overview");
    click_newest(d);
    d.wait("the clicked weigh-in", 20, |d| d.visible("point") && d.text("point").contains("kg"));
    let clicked =
        d.js("return document.getElementById('point').dataset.grpid;").as_str().unwrap_or("").to_string();
    panel_button(d, "Exclude");
    // The list is in another view: it loads when shown.
    d.view("weigh-ins");
    d.wait("the chart's weigh-in excluded", 20, |d| {
        rows(d, &format!("[data-grpid=\"{clicked}\"][data-standing=excluded]")) == 1
    });
    click_in_row(d, &format!("[data-grpid=\"{clicked}\"]"), "Include");
    d.wait("it counts again", 20, |d| {
        rows(d, &format!("[data-grpid=\"{clicked}\"][data-standing=counted]")) == 1
    });
    // A note on it, typed in its row: the list shows it.
    click_in_row(d, &format!("[data-grpid=\"{clicked}\"]"), "Note");
    d.js("const i = document.querySelector('#recent .note-input'); i.value = 'after the holidays'; \
          i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); return true;");
    d.wait("the note in the list", 20, |d| {
        d.js(&format!(
            "const n = document.querySelector('#recent tr[data-grpid=\"{clicked}\"] .note'); return n ? n.textContent : null;"
        )) == json!("after the holidays")
    });

    // An entry of one's own: newest in the list, flagged manual; Delete asks twice.
    d.js("document.getElementById('entry-weight').value = '79.4'; \
          document.getElementById('entry-fat').value = '21.5'; return true;");
    d.click("entry-add");
    d.wait("the entry in the list", 20, |d| {
        d.js("const r = document.querySelector('#recent tr'); return r.textContent.includes('79.4 kg') && r.textContent.includes('manual');")
            == Value::Bool(true)
    });
    let entry = grpid_of(d, "");
    assert!(entry.starts_with('-'), "Heft's own number: {entry}");
    click_in_row(d, &format!("[data-grpid=\"{entry}\"]"), "Edit");
    // The weight as the core sends it in the account's unit (`weight_value`): the window
    // converts no units.
    let weight = d.js("return document.getElementById('entry-weight').value;");
    assert_eq!(weight, json!("79.4"), "the entry's own weight, in the unit shown (the core sends it)");
    d.js("document.getElementById('entry-weight').value = '79.6'; return true;");
    d.click("entry-add");
    d.wait("the entry changed", 20, |d| {
        d.js(&format!("const r = document.querySelector('#recent tr[data-grpid=\"{entry}\"]'); return !!r && r.textContent.includes('79.6 kg');"))
            == Value::Bool(true)
    });
    click_in_row(d, &format!("[data-grpid=\"{entry}\"]"), "Delete");
    click_in_row(d, &format!("[data-grpid=\"{entry}\"]"), "Delete? Click again");
    d.wait("the entry deleted", 20, |d| rows(d, &format!("[data-grpid=\"{entry}\"]")) == 0);

    // The account's name, for a household on one scale.
    d.view("accounts");
    d.js("document.getElementById('account-name').value = 'Anna'; return true;");
    d.click("account-save");
    d.wait("the account named", 20, |d| d.text("account").contains("Anna"));

    // A goal of the account's own: drawn and projected; cleared, Withings' own goal is back.
    let withings_goal = d.text("goal-line");
    d.js("document.getElementById('account-goal').value = '75'; return true;");
    d.click("account-save");
    d.view("overview");
    d.wait("the goal set", 20, |d| d.text("goal-line").starts_with("Goal 75.0 kg"));
    d.wait("the goal drawn", 20, |d| {
        d.js("return document.querySelector('#chart svg').innerHTML.includes('Goal 75.0');")
            == Value::Bool(true)
    });
    d.view("accounts");
    // The form holds the goal as the core sends it in the account's unit (`goal`).
    d.wait("the goal in its field", 20, |d| {
        d.js("return document.getElementById('account-goal').value;") == json!("75.0")
    });
    d.js("document.getElementById('account-goal').value = ''; return true;");
    d.click("account-save");
    d.view("overview");
    d.wait("Withings' goal again", 20, |d| d.text("goal-line") == withings_goal);

    // A Withings export chosen in the window: read, imported, said.
    let csv = dialogs.join("weight.csv");
    std::fs::write(
        &csv,
        "Date,\"Weight (kg)\",\"Fat mass (kg)\",Comments\n2020-01-02 07:15:00,81.20,17.00,\n2020-01-01 07:10:00,81.50,,\n",
    )
    .unwrap();
    std::fs::write(dialogs.join("next-open"), csv.to_str().unwrap()).unwrap();
    d.view("your-data");
    d.click("import-button");
    d.wait("the import's result", 30, |d| d.text("import-result").starts_with("Imported"));
    assert!(
        d.text("import-result")
            .contains("Imported 2 weigh-ins (0 matched weigh-ins already stored: same weight within a minute; 0 exact repeats in the file)"),
        "{}",
        d.text("import-result")
    );
    // Any CSV, by its columns: previewed, mapped (suggested from the headers), imported.
    let any = dialogs.join("scale.csv");
    std::fs::write(&any, "Datum;Gewicht;Fett %\n2020-02-02 07:15;80,9;20,5\n2020-02-01 07:10;81,1;\n")
        .unwrap();
    std::fs::write(dialogs.join("next-open"), any.to_str().unwrap()).unwrap();
    d.click("csv-choose");
    d.wait("the CSV's preview", 20, |d| d.visible("csv-map") && d.text("csv-preview").contains("Gewicht"));
    let chosen =
        d.js("return ['csv-time', 'csv-weight', 'csv-fat'].map(id => document.getElementById(id).value);");
    assert_eq!(chosen, json!(["Datum", "Gewicht", "Fett %"]), "suggested from the headers");
    d.js("document.getElementById('csv-zone').value = 'Europe/Berlin'; return true;");
    d.click("csv-import");
    d.wait("the CSV imported", 30, |d| d.text("csv-result").starts_with("Imported 2 weigh-ins"));
    d.screenshot("main-your-data.png");
}

/// Settings, the health panel, export, disconnect and reconnect, delete and restore from the
/// export, and a first download cancelled and resumed — all in the window.
fn everything_in_the_window(d: &Driver, dialogs: &Path, sim: &str) {
    let control = SimControl::new(sim);

    // The health panel after a good sync.
    d.view("accounts");
    d.wait("the health panel", 20, |d| d.text("health").contains("Last successful sync"));
    let health = d.text("health");
    assert!(health.contains("valid until") && health.contains("Your consent"), "{health}");

    // Settings: a theme and a sync interval, kept (checked again after the restart).
    d.view("settings");
    d.wait("the settings", 10, |d| !d.text("pref-dir").is_empty());
    assert_eq!(d.text("pref-callback"), "http://localhost:8765/callback", "the URL to register");
    d.js("document.getElementById('pref-theme').value = 'dark'; document.getElementById('pref-every').value = 'daily'; return true;");
    d.click("settings-save");
    d.wait("saved", 10, |d| d.text("settings-result") == "Saved.");
    assert_eq!(d.js("return document.documentElement.dataset.theme;"), json!("dark"));
    d.screenshot("settings-dark.png");
    d.js("document.getElementById('pref-theme').value = 'system'; return true;");
    d.click("settings-save");
    d.wait("the system theme again", 10, |d| {
        d.js("return document.documentElement.dataset.theme === undefined;") == Value::Bool(true)
    });
    // Reminders after 4 days without a weigh-in, and the start at login: an XDG autostart
    // entry in the session's own configuration folder that starts this program in the
    // background; kept when the settings are read again; turned off, the entry is gone.
    let entry = Path::new(&std::env::var("XDG_CONFIG_HOME").expect("the session sets XDG_CONFIG_HOME"))
        .join("autostart/heft.desktop");
    assert!(!entry.exists(), "no start at login by default");
    assert_eq!(
        d.js("return document.getElementById('pref-remind').checked;"),
        json!(false),
        "off by default"
    );
    d.js("document.getElementById('pref-remind').click(); document.getElementById('pref-remind-days').value = '4';
          document.getElementById('pref-login').click(); document.getElementById('settings-result').textContent = '';
          return true;");
    d.click("settings-save");
    d.wait("saved", 10, |d| d.text("settings-result") == "Saved.");
    let text = std::fs::read_to_string(&entry).expect("the autostart entry is written");
    let exec = format!("Exec=\"{}\" --background", env!("CARGO_BIN_EXE_heft-desktop"));
    assert!(text.lines().any(|l| l == exec), "{text}");
    d.view("overview");
    d.view("settings");
    d.wait("the settings read again", 10, |d| {
        d.js("return document.getElementById('pref-remind-days').value === '4' && document.getElementById('pref-login').checked
              && document.getElementById('pref-remind').checked;")
            == Value::Bool(true)
    });
    d.js("document.getElementById('pref-remind').click(); document.getElementById('pref-login').click();
          document.getElementById('settings-result').textContent = ''; return true;");
    d.click("settings-save");
    d.wait("saved", 10, |d| d.text("settings-result") == "Saved.");
    assert!(!entry.exists(), "the entry is removed");

    // Export everything through the (test-answered) save dialog.
    let groups_of = |d: &Driver| {
        d.js("return window.__TAURI_INTERNALS__.invoke('overview').then(o => o.accounts.reduce((n, a) => n + a.groups, 0));")
    };
    let stored = groups_of(d).as_u64().unwrap_or(0);
    let trend = d.text("trend-weight");
    d.view("your-data");
    d.js("document.querySelector('[data-export=json]').click(); return true;");
    d.wait("the export", 20, |d| d.text("import-result").starts_with("Exported"));
    let backup = dialogs.join("heft-export.json");
    assert!(
        d.text("import-result").contains(backup.to_str().unwrap()),
        "says where: {}",
        d.text("import-result")
    );
    assert!(backup.exists(), "the file is written");

    // Disconnect (confirmed): the history stays, the panel says to reconnect; Reconnect works.
    d.view("accounts");
    d.click("disconnect-button");
    d.wait("the confirmation", 10, |d| d.visible("confirm"));
    d.click("confirm-no");
    assert!(!d.text("health").contains("reconnect this account"), "Keep it changes nothing");
    d.click("disconnect-button");
    d.click("confirm-yes");
    d.wait("disconnected", 20, |d| d.visible("reconnect-button") && d.text("health").contains("reconnect"));
    assert_eq!(groups_of(d).as_u64(), Some(stored), "the history is kept");
    d.click("reconnect-button");
    d.wait("reconnected and synced", 60, |d| {
        d.text("progress-text").starts_with("Synced") && !d.visible("reconnect-button")
    });

    // Delete the account's data (confirmed), then restore it from the export.
    d.click("delete-button");
    d.click("confirm-yes");
    d.wait("the welcome screen after deleting", 20, |d| d.visible("welcome") && !d.visible("app"));
    std::fs::write(dialogs.join("next-open"), backup.to_str().unwrap()).unwrap();
    d.click("welcome-import");
    d.wait("the history restored", 30, |d| d.visible("app") && d.text("trend-weight") == trend);
    assert_eq!(groups_of(d).as_u64(), Some(stored), "the export held every group");

    // The restored account has no tokens and no cursor: reconnecting starts a first download,
    // slowed down here so it is surely cancelled before it ends (its date windows, side by
    // side, take five answers or so: the demo's years all lie in the newest window, which is
    // halved after its first page); the next sync carries on from where it stopped.
    control.post("reset_stats", json!({}));
    control.post("faults", json!({"latency_ms": 3000}));
    d.wait("the reconnect offer", 20, |d| d.visible("reconnect-button"));
    d.click("reconnect-button");
    d.wait("the download under way", 60, |d| d.text("progress-text").starts_with("Downloading"));
    d.click("cancel-button");
    d.wait("the cancel", 30, |d| d.text("progress-text").contains("Sync cancelled"));
    control.post("faults", json!({}));
    d.click("sync-button");
    d.wait("the resumed download", 60, |d| d.text("progress-text").starts_with("Synced"));
    assert_eq!(d.js("return document.body.dataset.resumed;"), json!("yes"), "it said it carried on");
    let stats = control.get("stats");
    let truth = control.get("truth");
    // A request a page, plus for each date window asked a part-page at its end and a page
    // that crossed into the older half it handed on, plus the pages in flight at the cancel.
    let windows: std::collections::HashSet<(Option<String>, Option<String>)> = stats["requests"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["action"] == "getmeas")
                .map(|r| {
                    let get = |k: &str| {
                        r["params"].as_array().and_then(|ps| {
                            ps.iter().find(|p| p[0] == k).and_then(|p| p[1].as_str()).map(str::to_string)
                        })
                    };
                    (get("startdate"), get("enddate"))
                })
                .collect()
        })
        .unwrap_or_default();
    let pages = truth["measuregrps"].as_array().map_or(0, |g| g.len().div_ceil(200));
    let bound = (pages + 2 * windows.len() + heft::sync::WINDOWS + 1) as u64;
    let getmeas = stats["getmeas"].as_u64().unwrap_or(u64::MAX);
    assert!(getmeas <= bound, "{getmeas} requests (at most {bound}): the cancelled part was fetched again");

    // A sync that fails: Withings revoked the tokens. The panel says so, and how to fix it.
    control.post("revoke_tokens", json!({}));
    control.post("expire_tokens", json!({}));
    d.view("accounts");
    d.click("sync-button");
    d.wait("the failure in the health panel", 60, |d| d.text("health").contains("Last problem"));
    let health = d.text("health");
    assert!(health.contains("Reconnect the account") && health.contains("history is kept"), "{health}");
    assert!(d.visible("reconnect-button"), "the fix is one click away");
    d.click("reconnect-button");
    d.wait("reconnected", 60, |d| {
        d.text("progress-text").starts_with("Synced") && !d.visible("reconnect-button")
    });
    assert!(!d.text("health").contains("Last problem"), "a good sync clears the problem");

    chart_in_the_window(d, dialogs);
    d.view("accounts");
    d.screenshot("main-health.png");
}

/// The chart saved as PNG, read as a table, hovered (every series at the date) and its tabs
/// moved with the arrow keys.
fn chart_in_the_window(d: &Driver, dialogs: &Path) {
    d.view("overview");
    d.js("document.querySelector('[data-save-chart=png]').click(); return true;");
    d.wait("the chart saved", 20, |d| d.text("chart-saved").starts_with("Saved"));
    let png = std::fs::read(dialogs.join("heft-weight.png")).expect("the PNG is written");
    assert!(png.starts_with(b"\x89PNG"), "a PNG file");

    d.js("document.getElementById('chart-table-box').open = true; return true;");
    d.wait("the table", 10, |d| {
        d.js("const n = Number(document.getElementById('chart').dataset.points); return n > 0 && document.querySelectorAll('#chart-table tbody tr').length === n;")
            == Value::Bool(true)
    });
    let head = d.js("return document.querySelector('#chart-table thead').textContent;");
    assert!(head.as_str().is_some_and(|h| h.contains("Weight") && h.contains("trend")), "{head}");

    // Hover over the newest weigh-in: its weight and the trend there.
    d.js("const box = document.getElementById('chart'); const c = box.dataset; \
          const rect = box.getBoundingClientRect(); \
          const x = rect.left + (+c.plotLeft + (c.newest - c.from) / (c.to - c.from) * (c.plotRight - c.plotLeft)) * rect.width / c.width; \
          box.dispatchEvent(new MouseEvent('mousemove', {clientX: x, clientY: rect.top + 60, bubbles: true})); return true;");
    d.wait("the hover readout", 10, |d| d.visible("tooltip"));
    let tip = d.text("tooltip");
    assert!(tip.matches(" · ").count() >= 2 && tip.contains("trend"), "every series at that date: {tip}");

    // Arrow keys move along the range tabs and choose.
    let selected =
        |d: &Driver| d.js("return document.querySelector('#range-tabs [aria-selected=true]').dataset.range;");
    let before = selected(d);
    d.js("const b = document.querySelector('#range-tabs [aria-selected=true]'); b.focus(); \
          b.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true})); return true;");
    d.wait("the next range", 10, |d| selected(d) != before);
    assert_eq!(
        d.js("return document.activeElement.getAttribute('aria-selected') + ' ' + document.activeElement.tabIndex;"),
        json!("true 0"),
        "focus follows the choice"
    );
    d.js("document.activeElement.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowLeft', bubbles: true})); return true;");
    d.wait("the range back", 10, |d| selected(d) == before);
    d.js("document.getElementById('chart-table-box').open = false; return true;");
}

/// Withings changes while Heft is away: one weigh-in added, one changed, one removed; the
/// next sync lists exactly those in the history.
fn withings_changes_in_the_history(d: &Driver, sim: &str) {
    let control = SimControl::new(sim);
    d.view("accounts");
    let truth = control.get("truth");
    let weigh_ins: Vec<&Value> = truth["measuregrps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["category"] == 1 && g["measures"].as_array().unwrap().iter().any(|m| m["type"] == 1))
        .take(3)
        .collect();
    let mut changed = weigh_ins[0].clone();
    for m in changed["measures"].as_array_mut().unwrap() {
        if m["type"] == 1 {
            m["value"] = json!(m["value"].as_i64().unwrap() + 700);
        }
    }
    control.put(&format!("groups/{}", changed["grpid"]), &changed);
    control.delete(&format!("groups/{}", weigh_ins[1]["grpid"]));
    let mut added = weigh_ins[2].clone();
    added["grpid"] = json!(0);
    added["date"] = json!(weigh_ins[0]["date"].as_i64().unwrap() + 600);
    control.post("groups", added);
    d.click("sync-button");
    d.wait("the changes synced", 60, |d| d.text("progress-text") == "Synced: 1 new, 1 changed, 1 removed.");
    d.wait("the sync in the history", 20, |d| {
        d.js("return document.querySelector('#history li').textContent.includes('1 added');")
            == Value::Bool(true)
    });
    let newest = d.js("return document.querySelector('#history li').textContent;");
    let newest = newest.as_str().unwrap_or("");
    assert!(newest.contains("1 added, 1 changed, 1 removed"), "{newest}");
    assert!(
        newest.contains("no longer in Withings") && newest.contains("→") && newest.contains("new"),
        "{newest}"
    );
}

/// The views, in the order of their tabs.
const VIEWS: [&str; 6] = ["overview", "weigh-ins", "trends", "your-data", "accounts", "settings"];

/// Every view in turn, each showing what the simulator sent, with a screenshot of each for
/// the README (`{view}-{variant}.png`, see `Driver::screenshot_for_docs`).
fn walk_the_views(d: &Driver, variant: &str) {
    let shows: [(&str, &str); 6] = [
        (
            "the trend weight and the chart",
            "return /[0-9]/.test(document.getElementById('trend-weight').textContent) && !!document.querySelector('#chart svg');",
        ),
        ("weigh-ins", "return document.querySelectorAll('#recent tr[data-grpid]').length > 0;"),
        ("the backtest", "return document.querySelectorAll('#backtest tr').length === 5;"),
        (
            "the export buttons",
            "return [...document.querySelectorAll('[data-export]')].every(b => b.getClientRects().length > 0);",
        ),
        (
            "the health panel and the sync history",
            "return document.getElementById('health').textContent.includes('Last successful sync') \
               && document.querySelectorAll('#history > li details').length > 0;",
        ),
        ("the data folder", "return document.getElementById('pref-dir').textContent !== '';"),
    ];
    for (view, (what, script)) in VIEWS.into_iter().zip(shows) {
        d.view(view);
        d.wait(&format!("{what} in the {view} view"), 30, |d| d.js(script) == Value::Bool(true));
        d.screenshot_for_docs(&format!("{view}-{variant}.png"));
    }
}

/// In the view on screen nothing is wider than the window or than its own box, save what is
/// meant to be: the scroll containers `.table-scroll` (the weigh-ins table and the chart's
/// table, which scroll sideways in a narrow window) and `.sr-only` text (clipped on purpose,
/// for screen readers). Names the offenders.
fn nothing_cut_off(d: &Driver, view: &str) {
    let found = d.js(
        "const w = window.innerWidth; \
         const name = (e) => e.id ? '#' + e.id : e.tagName.toLowerCase() \
           + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : ''); \
         const shown = [...document.querySelectorAll('body *')] \
           .filter((e) => e.getClientRects().length > 0 && !e.closest('.sr-only')); \
         const cut = shown.filter((e) => !e.matches('.table-scroll') && e.scrollWidth > e.clientWidth + 1) \
           .map((e) => name(e) + ' ' + e.scrollWidth + '>' + e.clientWidth); \
         const wide = shown.filter((e) => !e.parentElement.closest('.table-scroll') \
           && e.getBoundingClientRect().right > w + 1).map(name); \
         return {page: document.documentElement.scrollWidth, width: w, cut, wide};",
    );
    let none = |k: &str| found[k].as_array().is_some_and(|a| a.is_empty());
    assert!(
        found["page"].as_i64() <= found["width"].as_i64() && none("cut") && none("wide"),
        "at 800×600 the {view} view fits the width: {found}"
    );
}

fn app_pid() -> Option<u32> {
    let out = Command::new("pgrep").args(["-n", "-f", "heft-desktop"]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn rss(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The simulator's `/_sim/` endpoints as the test drives them (the app's demo serves them
/// because the test sets HEFT_TEST_SIM_CONTROL).
struct SimControl {
    base: String,
    agent: ureq::Agent,
}

impl SimControl {
    fn new(sim: &str) -> SimControl {
        SimControl { base: format!("{sim}/_sim"), agent: ureq::Agent::config_builder().build().into() }
    }

    /// Posts `body` to `/_sim/{path}`; its JSON answer (null when it has none).
    fn post(&self, path: &str, body: Value) -> Value {
        self.agent
            .post(&format!("{}/{path}", self.base))
            .send_json(body)
            .expect("the simulator's control answers")
            .body_mut()
            .read_json()
            .unwrap_or(Value::Null)
    }

    fn get(&self, path: &str) -> Value {
        self.agent
            .get(&format!("{}/{path}", self.base))
            .call()
            .expect("the simulator answers")
            .body_mut()
            .read_json()
            .expect("a JSON answer")
    }

    fn put(&self, path: &str, body: &Value) {
        self.agent
            .put(&format!("{}/{path}", self.base))
            .send_json(body)
            .expect("the simulator's control answers");
    }

    fn delete(&self, path: &str) {
        self.agent.delete(&format!("{}/{path}", self.base)).call().expect("the simulator's control answers");
    }

    /// How many API requests wait, held, now.
    fn held(&self) -> u64 {
        self.get("held")["waiting"].as_u64().unwrap_or(0)
    }

    /// How many API requests it has handled (answered, or failed on purpose).
    fn handled(&self) -> usize {
        self.get("stats")["requests"].as_array().map_or(0, Vec::len)
    }
}

/// Waits for `cond` (30 s is a bound only, so a bug fails instead of hanging).
fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < deadline, "{what} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}
