//! The window's figures for `make bench` (not part of `make test`): launch to first chart for
//! a returning user with ten years of history (median of cold launches), and the memory of the
//! app process and its WebKit web process after a 10-year sync — next to a minimal Tauri 2
//! window (`bench/minimal-window`) measured the same way in the same run. The simulator runs
//! in this test's process, so the app's memory is the app's alone.
//!
//! `bench/run` runs it with the release builds:
//! `HEFT_BENCH_APP=target/release/heft-desktop HEFT_BENCH_MINIMAL=target/release/minimal-window`.

mod driver;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use driver::{Driver, browser, changes, first_pages_stored, require_session, root, timed};
use withings_sim::{Faults, Sim, SimConfig};

fn binary(var: &str, fallback: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| root().join(fallback))
}

/// Resident and peak resident memory (kB) of a process.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The newest process running `exe`, and its WebKit web process.
fn processes(exe: &Path) -> Option<(u32, Option<u32>)> {
    let name = exe.file_name()?.to_str()?;
    let out = Command::new("pgrep").args(["-n", "-x", name]).output().ok()?;
    let pid: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    let web = Command::new("pgrep").args(["-P", &pid.to_string(), "WebKitWebProces"]).output().ok();
    let web =
        web.and_then(|o| String::from_utf8_lossy(&o.stdout).lines().next().and_then(|l| l.parse().ok()));
    Some((pid, web))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `env` with `changes` in place of its own values for the same keys.
fn with<'a>(env: &[(&'a str, &'a str)], changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    env.iter().map(|&(k, v)| changes.iter().find(|c| c.0 == k).copied().unwrap_or((k, v))).collect()
}

/// Presses Cancel during a sync; the milliseconds until the page says it was cancelled.
fn cancel_sync(d: &Driver, what: &str) -> u128 {
    timed(d, what, |d| d.click("cancel-button"), |d| d.text("progress-text").contains("cancelled"))
}

/// One "bench:" line for `bench/run`: the changes' times and Cancel's, each key led by `key_`.
fn report(key: &str, changes: &str, cancel_ms: u128) {
    println!("bench: {key}_{} {key}_cancel_ms={cancel_ms}", changes.replace(' ', &format!(" {key}_")));
}

/// While the simulator holds what the sync waits for: the changes, then Cancel, both before
/// anything is released; reported as `key_*`.
fn while_held(d: &Driver, sim: &Sim, key: &str, during: &str) {
    let took = changes(d, &format!("while {during}"));
    let cancel_ms = cancel_sync(d, &format!("Cancel while {during}"));
    assert!(sim.held_waiting() >= 1, "nothing was released before the sync ended ({during})");
    release_and_settle(sim);
    report(key, &took, cancel_ms);
}

/// Releases the held answers and waits until each has been handled: a fault set next must not
/// be spent on a released request whose client has long gone (the simulator applies faults
/// after the hold).
fn release_and_settle(sim: &Sim) {
    let (held, seen) = (sim.held_waiting(), sim.stats().requests.len());
    sim.release_answers();
    let deadline = Instant::now() + Duration::from_secs(20);
    while sim.stats().requests.len() < seen + held {
        assert!(Instant::now() < deadline, "the released answers handled within 20 s");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// "min–max" of the runs, to judge a change against the noise.
fn spread(v: &[f64]) -> String {
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{min:.3}–{max:.3}")
}

fn chart_shown(d: &Driver) -> bool {
    d.js("return !!document.querySelector('#chart svg');").as_bool().unwrap_or(false)
}

#[test]
#[ignore = "a benchmark, run by `make bench` (bench/run) in the test session"]
fn window_launch_and_memory() {
    require_session();
    let app = binary("HEFT_BENCH_APP", "target/release/heft-desktop");
    let minimal = binary("HEFT_BENCH_MINIMAL", "target/release/minimal-window");
    let launches: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    let sim = Sim::start(SimConfig {
        seed: 1,
        years: 10,
        users: 1,
        auto_approve: true,
        identical_request_window: 0,
        requests_per_minute: 0,
        page_size: 500,
        ..SimConfig::default()
    })
    .expect("the simulator starts");
    let data = tempfile::tempdir().expect("temp dir");
    let [(browser_key, browser), (mode_key, mode)] = browser("follow");
    let service = format!("heft-bench-{}", std::process::id());
    let url = sim.url();
    let env: Vec<(&str, &str)> = vec![
        ("HEFT_DATA_DIR", data.path().to_str().unwrap()),
        ("HEFT_KEYRING_SERVICE", &service),
        ("HEFT_WITHINGS_API_URL", &url),
        ("HEFT_WITHINGS_AUTH_URL", &url),
        ("HEFT_WITHINGS_CLIENT_ID", withings_sim::DEMO_CLIENT_ID),
        ("HEFT_WITHINGS_CLIENT_SECRET", withings_sim::DEMO_CLIENT_SECRET),
        ("HEFT_REDIRECT_URI", "http://localhost:0/callback"),
        (browser_key, &browser),
        (mode_key, &mode),
        ("HEFT_LOG", "heft=debug"),
        // The window as people get it: drawn on the CPU (main.rs); HEFT_BENCH_GPU=1 measures
        // the GPU path instead.
        ("HEFT_GPU", if std::env::var_os("HEFT_BENCH_GPU").is_some_and(|v| v == "1") { "1" } else { "0" }),
    ];

    // The baseline's launch, through the same WebDriver route, to its page shown.
    let mut minimal_launch = Vec::new();
    for _ in 0..launches {
        let t0 = Instant::now();
        let d = Driver::launch(&minimal, &[]);
        d.wait("the minimal window's page", 30, |d| d.visible("ready"));
        minimal_launch.push(t0.elapsed().as_secs_f64());
        if minimal_launch.len() == launches {
            std::thread::sleep(Duration::from_secs(2));
            let (pid, web) = processes(&minimal).expect("the minimal window runs");
            let (rss, _) = memory(pid);
            let web_rss = web.map_or(0, |w| memory(w).0);
            println!("bench: minimal_rss_kb={rss} minimal_web_rss_kb={web_rss}");
        }
        drop(d);
    }
    println!(
        "bench: minimal_launch_s={:.3} minimal_launch_spread_s={}",
        median(minimal_launch.clone()),
        spread(&minimal_launch)
    );
    // The baseline drawn on the CPU, as Heft's window is (main.rs: software rendering), so the
    // web processes also compare like for like.
    {
        let d = Driver::launch(&minimal, &[("WEBKIT_DISABLE_COMPOSITING_MODE", "1")]);
        d.wait("the minimal window's page, drawn on the CPU", 30, |d| d.visible("ready"));
        std::thread::sleep(Duration::from_secs(2));
        let web = processes(&minimal).and_then(|(_, w)| w).map_or(0, |w| memory(w).0);
        println!("bench: minimal_cpu_web_rss_kb={web}");
    }

    // A new person connects and downloads ten years, in the window; memory sampled meanwhile.
    let d = Driver::launch(&app, &env);
    d.wait("the welcome screen", 30, |d| d.visible("connect-button"));
    std::thread::sleep(Duration::from_secs(1));
    let (pid, _) = processes(&app).expect("the app runs");
    let (before, _) = memory(pid);
    d.js("document.getElementById('credentials-form').requestSubmit(); return true;");
    let t0 = Instant::now();
    let mut peak = before;
    d.wait("the 10-year sync", 180, |d| {
        peak = peak.max(memory(pid).0);
        d.text("progress-text").starts_with("Synced")
    });
    let sync_s = t0.elapsed().as_secs_f64();
    // The window opens the view it was left on; the launches below start on the chart's.
    d.view("overview");
    d.wait("the chart", 30, chart_shown);
    std::thread::sleep(Duration::from_secs(2));
    let (after, hwm) = memory(pid);
    let web_rss = processes(&app).and_then(|(_, w)| w).map_or(0, |w| memory(w).0);
    let groups =
        d.js("return window.__TAURI_INTERNALS__.invoke('overview').then(o => o.accounts[0].groups);");
    let svg_kb = d.js("return Math.round(document.querySelector('#chart svg').outerHTML.length / 1024);");
    let dom = d.js("return document.getElementsByTagName('*').length;");
    println!(
        "bench: connect_sync_s={sync_s:.3} groups={groups} app_rss_before_kb={before} app_rss_peak_sync_kb={peak} \
         app_rss_kb={after} app_hwm_kb={hwm} web_rss_kb={web_rss} svg_kb={svg_kb} dom_nodes={dom}"
    );
    drop(d);

    // A returning person: cold launches to the first chart, from the 10-year database.
    let (mut firsts, mut pages) = (Vec::new(), Vec::new());
    for _ in 0..launches {
        std::thread::sleep(Duration::from_millis(500));
        let t0 = Instant::now();
        let d = Driver::launch(&app, &env);
        d.wait("the first chart", 30, chart_shown);
        firsts.push(t0.elapsed().as_secs_f64());
        let in_page = d.js("return Number(document.body.dataset.firstChartMs);").as_f64().unwrap_or(0.0);
        pages.push(in_page / 1000.0);
        // Let the sync on launch finish before the window closes.
        d.wait("the sync on launch", 60, |d| d.text("progress-text").starts_with("Synced"));
    }
    println!(
        "bench: first_chart_s={:.3} first_chart_spread_s={} first_chart_in_page_s={:.3} first_chart_runs={}",
        median(firsts.clone()),
        spread(&firsts),
        median(pages),
        firsts.len()
    );

    // While Withings keeps Heft waiting, each change shows (and Cancel ends the wait) before
    // anything is released: a page held, a rate limit's minute, a browser that never returns.
    let d = Driver::launch(&app, &env);
    d.wait("the sync on launch", 60, |d| d.text("progress-text").starts_with("Synced"));
    sim.hold_answers();
    d.click("sync-button");
    d.wait("a page held", 20, |_| sim.held_waiting() >= 1);
    while_held(&d, &sim, "held", "a page is held");
    sim.set_faults(Faults { rate_limit_next: 1, wait_seconds: 60, ..Faults::default() });
    d.click("sync-button");
    d.wait("the rate limit", 20, |_| sim.stats().rate_limited >= 1);
    let limited = changes(&d, "during a rate limit's wait");
    let limited_cancel = cancel_sync(&d, "Cancel during a rate limit's wait");
    sim.set_faults(Faults::default());
    report("limited", &limited, limited_cancel);
    drop(d);

    // A new person's first download, its later pages held: what arrived shows meanwhile.
    let fresh = tempfile::tempdir().expect("temp dir");
    let fresh_service = format!("{service}-fresh");
    let fresh_env = with(
        &env,
        &[("HEFT_DATA_DIR", fresh.path().to_str().unwrap()), ("HEFT_KEYRING_SERVICE", &fresh_service)],
    );
    let d = Driver::launch(&app, &fresh_env);
    d.wait("the welcome screen", 30, |d| d.visible("connect-button"));
    sim.hold_continuations();
    d.js("document.getElementById('credentials-form').requestSubmit(); return true;");
    d.wait("the first download under way, with pages stored", 60, first_pages_stored);
    d.wait("a later page held", 20, |_| sim.held_waiting() >= 1);
    while_held(&d, &sim, "first", "a first download waits");
    drop(d);

    let env = with(&env, &[("HEFT_TEST_BROWSER", "hold")]);
    let d = Driver::launch(&app, &env);
    d.wait("the sync on launch", 60, |d| d.text("progress-text").starts_with("Synced"));
    d.click("add-button");
    d.js("document.getElementById('credentials-form').requestSubmit(); return true;");
    let waiting = |d: &Driver| {
        d.js("return !document.getElementById('connect-wait').hidden;") == serde_json::Value::Bool(true)
    };
    d.wait("Connect waiting for the browser", 20, waiting);
    let connecting = changes(&d, "while Connect waits for the browser");
    let connect_cancel =
        timed(&d, "Cancel while Connect waits", |d| d.click("cancel-button"), |d| !waiting(d));
    report("connect", &connecting, connect_cancel);
}
