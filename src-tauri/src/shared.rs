//! The state the commands share: the core (a handle every command clones: it holds no lock
//! across a network call, a browser wait or a rate limit, so a quick edit never waits for a
//! sync), the demo simulator while it runs, and the start-up keychain probe's verdict.

use std::sync::{Arc, Mutex, MutexGuard};

use heft::app::{AccountSync, App, AppError, Opener};
use heft::auth::Endpoint;
use heft::config::Settings;
use heft::keychain::KeyringStore;
use heft::redact::ClientSecret;
use heft::sync::Progress;
use heft::withings::Waiting;
use tauri_plugin_opener::OpenerExt;
use withings_sim::{Sim, SimConfig};

use crate::errors::{DemoError, UiError};
use crate::reminders::Reminders;

struct Inner {
    app: App,
    sim: Mutex<Option<Sim>>,
    keychain_problem: Mutex<Option<UiError>>,
    /// The CSV the person chose to import by its columns (the page never names a path).
    chosen_csv: Mutex<Option<std::path::PathBuf>>,
    reminders: Reminders,
}

/// Cheap to clone: commands move a handle onto a blocking thread.
#[derive(Clone)]
pub struct Shared(Arc<Inner>);

/// Whether the demo simulator serves its `/_sim/` control endpoints: only in a debug build
/// whose end-to-end test asks for them with `HEFT_TEST_SIM_CONTROL=1`. A release build never
/// serves them.
fn test_control() -> bool {
    cfg!(debug_assertions) && std::env::var_os("HEFT_TEST_SIM_CONTROL").is_some_and(|v| v == "1")
}

/// A poisoned lock's value is still what was last stored: no panic of another thread loses it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn open() -> Result<Shared, AppError> {
        let app = App::open(Settings::load()?, Box::new(KeyringStore::from_env()))?;
        Ok(Shared(Arc::new(Inner {
            app,
            sim: Mutex::new(None),
            keychain_problem: Mutex::new(None),
            chosen_csv: Mutex::new(None),
            reminders: Reminders::default(),
        })))
    }

    pub fn handle(&self) -> Shared {
        self.clone()
    }

    /// The core, with the settings another Heft (the CLI) saved since they were last read (a
    /// `stat` when none were). Saving never needs this: a save changes the file as it is on
    /// disk and keeps what others saved.
    pub fn app(&self) -> App {
        if let Err(e) = self.0.app.reload_settings() {
            tracing::warn!("settings could not be re-read: {e}");
        }
        self.0.app.clone()
    }

    /// The consent page opens with the opener plugin: the system browser, never a webview.
    pub fn use_opener(&self, app: tauri::AppHandle) {
        let open: Opener =
            Arc::new(move |url: &str| app.opener().open_url(url, None::<&str>).map_err(|e| e.to_string()));
        self.0.app.set_opener(open);
    }

    /// Checks the keychain once (off the start path) and keeps what it found for the window.
    pub fn probe_keychain(&self) -> Option<UiError> {
        // Its own handle on the keychain: the probe may wait on a locked keychain's prompt, and
        // nothing else waits with it.
        let problem =
            heft::keychain::probe(&KeyringStore::from_env()).err().map(|e| UiError::from(AppError::from(e)));
        if let Some(p) = &problem {
            tracing::warn!("keychain probe: {}", p.message);
        }
        *lock(&self.0.keychain_problem) = problem.clone();
        problem
    }

    /// Stops a running sync, and a connect waiting for the browser, at once.
    pub fn cancel(&self) {
        self.0.app.canceller().cancel();
        heft::auth::callback::cancel_pending_callback();
    }

    pub fn choose_csv(&self, path: std::path::PathBuf) {
        *lock(&self.0.chosen_csv) = Some(path);
    }

    pub fn chosen_csv(&self) -> Option<std::path::PathBuf> {
        lock(&self.0.chosen_csv).clone()
    }

    pub fn reminders(&self) -> &Reminders {
        &self.0.reminders
    }

    pub fn keychain_problem(&self) -> Option<UiError> {
        lock(&self.0.keychain_problem).clone()
    }

    /// Starts the bundled simulator (once) and returns it as the demo provider. Its history ends
    /// where the demo's first run ended it, so every launch serves the same data. When
    /// `restarting` (an existing demo account), it approves without a consent page, so the demo
    /// can be authorized again without a browser.
    pub fn demo_endpoint_for(&self, restarting: bool) -> Result<Endpoint, UiError> {
        let mut sim = lock(&self.0.sim);
        if sim.is_none() {
            let end = self.0.app.demo_data_end()?;
            let config = SimConfig {
                seed: 42,
                years: 3,
                users: 1,
                page_size: 200,
                end: Some(end),
                auto_approve: restarting,
                // No `/_sim/` endpoints for any local process or web page to call.
                control: test_control(),
                // The end-to-end test's leak check reads the secrets through `/_sim/`; a demo
                // otherwise keeps no list that grows for as long as Heft runs.
                ledger: test_control(),
                ..SimConfig::default()
            };
            *sim = Some(Sim::start(config).map_err(DemoError)?);
        }
        let url = sim.as_ref().map(|s| s.url()).unwrap_or_default();
        let endpoint = Endpoint {
            api_url: url.clone(),
            auth_url: url,
            client_id: withings_sim::DEMO_CLIENT_ID.into(),
            client_secret: ClientSecret::new(withings_sim::DEMO_CLIENT_SECRET),
            // The simulator, like RFC 8252 servers, accepts any loopback port.
            redirect_uri: "http://localhost:0/callback".into(),
        };
        // The overview shows the demo's address.
        self.0.app.set_demo_endpoint(endpoint.clone());
        Ok(endpoint)
    }

    /// The demo provider for "Try the demo account" (the consent page shows in the browser).
    pub fn demo_endpoint(&self) -> Result<Endpoint, UiError> {
        self.demo_endpoint_for(false)
    }

    /// Syncs every account (or `userid`'s), the demo's simulator started again first.
    pub fn sync(
        &self,
        userid: Option<&str>,
        progress: &mut dyn FnMut(&str, &Progress),
        on_wait: impl Fn(&Waiting) + Send + Sync + Clone + 'static,
    ) -> Result<Vec<AccountSync>, AppError> {
        if let Err(e) = self.ensure_demo() {
            // The demo then fails its sync with this reason; other accounts still sync.
            tracing::warn!("the demo simulator could not start again: {}", e.message);
        }
        self.app().sync(userid, false, progress, on_wait)
    }

    /// Before a sync: a demo account from an earlier run gets its simulator back (same
    /// history) and is authorized again, so it keeps syncing after a restart.
    pub fn ensure_demo(&self) -> Result<(), UiError> {
        if lock(&self.0.sim).is_some() || !self.app().has_demo()? {
            return Ok(());
        }
        let endpoint = self.demo_endpoint_for(true)?;
        if let Some(a) = self.app().renew_demo(endpoint)? {
            tracing::info!(userid = %a.userid, "the demo simulator started again; the demo account is authorized");
        }
        Ok(())
    }
}
