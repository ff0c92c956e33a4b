//! The window's connection health and settings, from the core the window calls: a sync that
//! went well, one Withings slowed down, one whose tokens were revoked, and settings that
//! survive a restart.

mod common;

use common::{Env, sim_config};
use heft::app::{App, PreferencesUpdate, SyncEvery, ThemeChoice};
use heft::auth::Provider;
use heft::redact::ClientSecret;
use heft::units::MassUnit;
use withings_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SimConfig};

fn sync(app: &mut App) -> Result<(), String> {
    let results = app.sync(None, false, &mut |_, _| {}, |_| {}).map_err(|e| e.to_string())?;
    results.into_iter().try_for_each(|r| r.result.map(|_| ()).map_err(|e| e.to_string()))
}

#[test]
fn the_health_panel_tells_what_went_well_what_went_wrong_and_what_to_do() {
    let env = Env::new(SimConfig { users: 1, page_size: 200, ..sim_config() });
    let (mut app, _) = env.app_in_process();
    sync(&mut app).unwrap();
    let h = app.health(None).unwrap();
    let ok = h.last_success.as_ref().expect("the first sync is the last success");
    assert!(ok.added > 500 && ok.full, "it says what the sync did: {ok:?}");
    assert!(h.last_error.is_none() && !h.needs_reconnect && !h.tokens_missing);
    assert!(!h.signed && h.access_expires_at.is_some(), "the access token's expiry is shown");
    assert_eq!(h.refresh_age_days, Some(0), "the refresh token was issued today");
    assert!(h.consent_needed_at.is_some() && !h.consent_reminder, "a year away, no reminder yet");
    assert_eq!(h.requests_last_sync, Some(ok.pages), "the requests of the last sync");
    assert!(h.rate_limited_at.is_none());

    // Withings asks Heft to slow down once: the sync waits and finishes, the panel says so.
    env.sim.set_faults(Faults { rate_limit_next: 1, wait_seconds: 1, ..Faults::default() });
    sync(&mut app).unwrap();
    let h = app.health(None).unwrap();
    assert!(h.rate_limited_at.is_some() && h.rate_limit_wait == Some(1), "{:?}", h.rate_limit_wait);

    // Eleven months on without a sync, the reminder comes before Withings forgets the consent.
    let later = env.sim.now() + 340 * 86_400;
    let app_later = App::open(settings(&env), Box::new(heft::keychain::MemoryStore::default()))
        .unwrap()
        .with_clock(std::sync::Arc::new(move || later));
    let h_later = app_later.health(None).unwrap();
    assert!(h_later.tokens_missing, "another keychain holds no tokens for it");
    let h = app.with_clock(std::sync::Arc::new(move || later)).health(None).unwrap();
    assert!(h.consent_reminder, "a reminder a month before the consent runs out");
    assert_eq!(h.refresh_age_days, Some(340));
}

#[test]
fn a_revoked_account_shows_its_error_and_the_way_back() {
    let env = Env::new(SimConfig { users: 1, ..sim_config() });
    let (mut app, account) = env.app_in_process();
    sync(&mut app).unwrap();
    env.sim.revoke_tokens(env.userid());
    env.sim.expire_access_tokens(env.userid());
    let err = sync(&mut app).unwrap_err();
    let h = app.health(Some(&account.userid)).unwrap();
    let p = h.last_error.expect("the failure is kept for the panel");
    assert_eq!(p.code, "reconnect_needed", "{err}");
    assert!(p.fix.contains("Reconnect") && p.fix.contains("history is kept"), "{}", p.fix);
    assert!(h.needs_reconnect && h.tokens_missing);
    assert!(h.last_success.is_some(), "the last good sync is still shown");
}

/// A mistyped client secret or a changed client id is the developer app's problem, not the
/// authorization's: the tokens stay in the keychain, the panel says where to look, and once the
/// secret is right again the next sync works without reconnecting.
#[test]
fn a_wrong_client_secret_keeps_the_authorization_and_the_corrected_one_syncs_without_reconnecting() {
    let env = Env::new(SimConfig { users: 1, ..sim_config() });
    let (dir, url) = (env.data_dir.path().display().to_string(), env.sim.url());
    let browser = Env::browser().display().to_string();
    let settings = heft::config::Settings::load_with(&|name| match name {
        "HEFT_DATA_DIR" => Some(dir.clone()),
        "HEFT_WITHINGS_API_URL" | "HEFT_WITHINGS_AUTH_URL" => Some(url.clone()),
        "HEFT_REDIRECT_URI" => Some("http://localhost:0/callback".into()),
        "HEFT_BROWSER" => Some(browser.clone()),
        _ => None,
    })
    .unwrap();
    let mut app = App::open(settings, Box::new(heft::keychain::MemoryStore::default())).unwrap();
    let right = ClientSecret::new(DEMO_CLIENT_SECRET);
    app.save_credentials(DEMO_CLIENT_ID, &right).unwrap();
    let account = app.connect(Provider::Withings, false).expect("connects with the right secret");
    sync(&mut app).unwrap();
    let wrong = [
        (DEMO_CLIENT_ID, "mistyped", "a mistyped secret"),
        ("another-app", DEMO_CLIENT_SECRET, "a changed client id"),
    ];
    for (client_id, secret, why) in wrong {
        env.sim.expire_access_tokens(env.userid());
        app.save_credentials(client_id, &ClientSecret::new(secret)).unwrap();
        let err = sync(&mut app).unwrap_err();
        assert!(
            err.contains("check the Withings developer app settings"),
            "{why}: says where to look: {err}"
        );
        let h = app.health(Some(&account.userid)).unwrap();
        let p = h.last_error.expect("the failure is kept for the panel");
        assert_eq!(p.code, "client_rejected", "{why}: {err}");
        assert!(p.fix.contains("client id and secret"), "{why}: says what to fix: {}", p.fix);
        assert!(!h.needs_reconnect, "{why}: no reconnection asked for");
        assert!(!h.tokens_missing, "{why}: the tokens are still in the keychain");
    }
    app.save_credentials(DEMO_CLIENT_ID, &right).unwrap();
    sync(&mut app).expect("with the secret corrected the next sync works, without reconnecting");
    let h = app.health(Some(&account.userid)).unwrap();
    assert!(!h.needs_reconnect && !h.tokens_missing);
    // A weigh-in made after that sync arrives at the next one: the authorization is whole.
    let mut weigh_in = env.sim.truth(env.userid()).unwrap()[0].clone();
    (weigh_in.grpid, weigh_in.date) = (0, env.sim.now() - 60);
    env.sim.add_group(env.userid(), weigh_in).unwrap();
    env.sim.advance(5);
    let before = app.status().unwrap()[0].groups;
    sync(&mut app).unwrap();
    assert_eq!(app.status().unwrap()[0].groups, before + 1, "the new weigh-in was read");
}

fn settings(env: &Env) -> heft::config::Settings {
    let dir = env.data_dir.path().display().to_string();
    heft::config::Settings::load_with(&|name| (name == "HEFT_DATA_DIR").then(|| dir.clone())).unwrap()
}

#[test]
fn settings_are_kept_across_a_restart() {
    let env = Env::new(sim_config());
    let app = App::open(settings(&env), Box::new(heft::keychain::MemoryStore::default())).unwrap();
    let p = app.preferences(true).unwrap();
    assert!(p.sync_on_launch && p.sync_every == SyncEvery::Hourly && p.theme == ThemeChoice::System);
    assert_eq!(p.callback_url, "http://localhost:8765/callback", "the URL to register with Withings");
    assert!(p.client_id.is_none() && !p.client_secret_saved);
    app.save_preferences(&PreferencesUpdate {
        unit: MassUnit::Lb,
        sync_on_launch: false,
        sync_every: SyncEvery::Daily,
        theme: ThemeChoice::Dark,
        remind_after_days: Some(4),
        start_at_login: None,
    })
    .unwrap();
    assert_eq!(p.start_at_login, None, "the CLI's core offers no start at login");
    app.save_credentials("my-app", &heft::redact::ClientSecret::new("s3cret")).unwrap();
    let keychain = app.preferences(true).unwrap().client_secret_saved;
    assert!(keychain, "the secret is in the keychain");
    drop(app);
    let again = App::open(settings(&env), Box::new(heft::keychain::MemoryStore::default())).unwrap();
    let p = again.preferences(true).unwrap();
    assert_eq!(
        (p.unit, p.sync_on_launch, p.sync_every, p.theme, p.remind_after_days),
        (MassUnit::Lb, false, SyncEvery::Daily, ThemeChoice::Dark, Some(4))
    );
    assert_eq!(p.client_id.as_deref(), Some("my-app"));
    let json = std::fs::read_to_string(env.data_dir.path().join("settings.json")).unwrap();
    assert!(!json.contains("s3cret"), "the secret never reaches the settings file");
}

#[test]
fn the_demo_keeps_working_after_a_restart_with_the_same_history() {
    let end = 1_780_000_000;
    let config = |auto_approve| SimConfig {
        seed: 42,
        users: 1,
        page_size: 200,
        end: Some(end),
        auto_approve,
        ..sim_config()
    };
    let env = Env::new(config(true));
    let (mut app, account) = env.app_in_process();
    sync(&mut app).unwrap();
    let before = app.status().unwrap()[0].groups;
    drop(app);
    // The next launch: a new simulator with the same history and none of the old tokens.
    let restarted = withings_sim::Sim::start(config(true)).unwrap();
    let app = App::open(settings(&env), Box::new(heft::keychain::MemoryStore::default())).unwrap();
    assert!(app.has_demo().unwrap());
    let endpoint = heft::auth::Endpoint {
        api_url: restarted.url(),
        auth_url: restarted.url(),
        client_id: withings_sim::DEMO_CLIENT_ID.into(),
        client_secret: heft::redact::ClientSecret::new(withings_sim::DEMO_CLIENT_SECRET),
        redirect_uri: "http://localhost:0/callback".into(),
    };
    let renewed = app.renew_demo(endpoint).unwrap().expect("the demo account is authorized again");
    assert_eq!(renewed.userid, account.userid);
    let results = app.sync(None, false, &mut |_, _| {}, |_| {}).unwrap();
    let report = results[0].result.as_ref().expect("the demo syncs after the restart");
    assert_eq!((report.added, report.changed, report.removed), (0, 0, 0), "the same history");
    assert_eq!(app.status().unwrap()[0].groups, before);
}

/// A keychain that will not answer, as a locked one at login.
struct LockedKeychain;

impl heft::keychain::SecretStore for LockedKeychain {
    fn get(&self, _: &str) -> Result<Option<String>, heft::keychain::KeychainError> {
        Err(heft::keychain::KeychainError::Locked("locked for the test".into()))
    }
    fn set(&self, _: &str, _: &str) -> Result<(), heft::keychain::KeychainError> {
        Err(heft::keychain::KeychainError::Locked("locked for the test".into()))
    }
    fn delete(&self, _: &str) -> Result<(), heft::keychain::KeychainError> {
        Err(heft::keychain::KeychainError::Locked("locked for the test".into()))
    }
}

/// At login the keychain may still be locked: the consent's date cannot be read, yet the
/// reminder of days without a weigh-in still comes (and nothing waits on a prompt).
#[test]
fn a_locked_keychain_costs_the_consent_reminder_only() {
    let env = Env::new(SimConfig { users: 1, years: 1, ..sim_config() });
    let (mut app, _) = env.app_in_process();
    sync(&mut app).unwrap();
    app.set_remind_after_days(Some(3)).unwrap();
    drop(app);
    let later = env.sim.now() + 340 * 86_400;
    let locked = App::open(settings(&env), Box::new(LockedKeychain))
        .unwrap()
        .with_clock(std::sync::Arc::new(move || later));
    let due = locked.due_reminders().expect("checked without the keychain");
    let kinds: Vec<_> = due.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, vec![heft::app::ReminderKind::NoWeighIn], "{due:?}");
}

/// A Heft without its window syncs as the window would: at launch when the settings say so,
/// then once their interval has passed since the last sync; never when syncing is off.
#[test]
fn a_background_heft_syncs_when_the_window_would() {
    let env = Env::new(SimConfig { users: 1, years: 1, ..sim_config() });
    let (mut app, _) = env.app_in_process();
    assert!(app.background_sync_due(false).unwrap(), "never synced");
    sync(&mut app).unwrap();
    assert!(app.background_sync_due(true).unwrap(), "at launch: sync on launch is the default");
    assert!(!app.background_sync_due(false).unwrap(), "synced a moment ago, hourly");
    let now = env.sim.now();
    let later = App::open(settings(&env), Box::new(heft::keychain::MemoryStore::default()))
        .unwrap()
        .with_clock(std::sync::Arc::new(move || now + 61 * 60));
    assert!(later.background_sync_due(false).unwrap(), "an hour on");
    later
        .save_preferences(&PreferencesUpdate {
            unit: MassUnit::Kg,
            sync_on_launch: false,
            sync_every: SyncEvery::Off,
            theme: ThemeChoice::System,
            remind_after_days: None,
            start_at_login: None,
        })
        .unwrap();
    assert!(!later.background_sync_due(true).unwrap() && !later.background_sync_due(false).unwrap(), "off");
}
