//! Settings have one owner across processes: the CLI and the window change different settings
//! at the same time, many times over, and neither ever undoes the other's change.
//!
//! Regression test for "Settings are lost": the window read `settings.json` once and rewrote
//! the whole file on every save, so a `heft method` run in a terminal was silently undone by
//! the window's next save (and the CLI's own save undid the window's changes made while it ran).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::{Env, sim_config};
use heft::app::{App, PreferencesUpdate, SyncEvery, ThemeChoice};
use heft::redact::ClientSecret;
use heft::units::MassUnit;
use withings_sim::SimConfig;

/// `heft method` runs, each with a larger smoothing time: the CLI's counter.
const CLI_RUNS: u32 = 40;

/// What settings.json holds now, read as any other program would (never half a file: writes are
/// atomic).
fn on_disk(env: &Env) -> serde_json::Value {
    let bytes = std::fs::read(env.data_dir.path().join("settings.json")).expect("settings.json exists");
    serde_json::from_slice(&bytes).expect("settings.json is whole JSON")
}

/// The CLI's counter: the local account's time-aware smoothing time, in days.
fn cli_counter(v: &serde_json::Value) -> u32 {
    v["trend"]["local:local"]["smoothing_days"].as_f64().unwrap_or(0.0) as u32
}

/// The window's counter: the client id it saved, `app-N`.
fn window_counter(v: &serde_json::Value) -> u32 {
    v["client_id"].as_str().and_then(|s| s.strip_prefix("app-")).and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn window(env: &Env) -> App {
    let dir = env.data_dir.path().display().to_string();
    let settings =
        heft::config::Settings::load_with(&|name| (name == "HEFT_DATA_DIR").then(|| dir.clone())).unwrap();
    App::open(settings, Box::new(heft::keychain::MemoryStore::default())).expect("the core opens")
}

#[test]
fn the_cli_and_the_window_change_different_settings_at_once_and_no_change_is_lost() {
    let env = Env::new(SimConfig { users: 1, years: 1, ..sim_config() });
    // A local account, so `heft method` has an account to set (no keychain, no network).
    env.ok(&["add", "--weight", "80", "--at", "2026-01-02 07:00"]);
    env.ok(&["method", "time-aware", "--smoothing-days", "1"]);

    // The window opens now, as the desktop shell does: one core that writes, one that reads.
    let writer = window(&env);
    let reader = window(&env);
    let account = reader.account_for(None).unwrap();
    let cli_done = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(2));

    let window_side = {
        let (cli_done, start) = (cli_done.clone(), start.clone());
        let (env, account) = (&env, &account);
        move || {
            start.wait();
            let (mut saved, mut cli_seen, mut cli_seen_by_reader) = (0u32, 0u32, 0u32);
            let themes = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];
            while !cli_done.load(Ordering::SeqCst) || saved < 5 {
                saved += 1;
                // The settings page: the developer app, then the preferences.
                writer.save_credentials(&format!("app-{saved}"), &ClientSecret::new("s3cret")).unwrap();
                writer
                    .save_preferences(&PreferencesUpdate {
                        unit: MassUnit::Lb,
                        sync_on_launch: saved % 2 == 0,
                        sync_every: SyncEvery::Daily,
                        theme: themes[saved as usize % 3],
                        remind_after_days: None,
                        start_at_login: None,
                    })
                    .unwrap();
                let now = on_disk(env);
                assert_eq!(window_counter(&now), saved, "the window's save is in the file");
                let cli = cli_counter(&now);
                assert!(
                    cli >= cli_seen,
                    "the window's save #{saved} undid the CLI's change: smoothing {cli} days after {cli_seen}"
                );
                cli_seen = cli;
                // The window shows the CLI's change: its reading core re-reads the file.
                reader.reload_settings().unwrap();
                let shown = reader.trend_spec(account).unwrap().smoothing_days as u32;
                assert!(
                    shown >= cli_seen_by_reader,
                    "the window showed {shown} days after {cli_seen_by_reader}"
                );
                cli_seen_by_reader = shown;
                std::thread::sleep(Duration::from_millis(2));
            }
            (saved, reader)
        }
    };

    let cli_side = {
        let (cli_done, start) = (cli_done.clone(), start.clone());
        let env = &env;
        move || {
            start.wait();
            let mut window_seen = 0;
            for days in 2..=CLI_RUNS {
                env.ok(&["method", "time-aware", "--smoothing-days", &days.to_string()]);
                let now = on_disk(env);
                assert_eq!(cli_counter(&now), days, "`heft method` was undone as soon as it finished");
                let w = window_counter(&now);
                assert!(
                    w >= window_seen,
                    "`heft method` undid the window's client id app-{window_seen} (now app-{w})"
                );
                window_seen = w;
            }
            cli_done.store(true, Ordering::SeqCst);
        }
    };

    let (saved, reader) = std::thread::scope(|s| {
        let w = s.spawn(window_side);
        let c = s.spawn(cli_side);
        let cli = c.join();
        cli_done.store(true, Ordering::SeqCst);
        let window = w.join();
        if let Err(e) = cli {
            std::panic::resume_unwind(e);
        }
        window.unwrap_or_else(|e| std::panic::resume_unwind(e))
    });

    let last = on_disk(&env);
    assert_eq!(cli_counter(&last), CLI_RUNS, "the CLI's last change is kept");
    assert_eq!(window_counter(&last), saved, "the window's last change is kept");
    assert_eq!(last["unit"], "lb", "the window's preferences are kept");
    reader.reload_settings().unwrap();
    let p = reader.preferences(false).unwrap();
    assert_eq!((p.unit, p.client_id.as_deref()), (MassUnit::Lb, Some(format!("app-{saved}").as_str())));
    assert_eq!(reader.trend_spec(&account).unwrap().smoothing_days, f64::from(CLI_RUNS));
    assert!(saved > 5, "the window saved while the CLI ran ({saved} saves)");
}
