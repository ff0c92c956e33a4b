//! The state the commands share: the core opened three times on the same database (one for
//! syncs, connects and imports, which can take a while; one for the person's quick edits —
//! an exclusion, a unit, a setting — so they never wait for a sync or a browser; one for
//! reads, so charts never wait for either), the demo simulator while it runs, and the
//! start-up keychain probe's verdict. SQLite serialises the cores' writes (each a short
//! transaction), as it does the window's and the CLI's.

use std::sync::{Arc, Mutex, MutexGuard};

use heft::app::{App, AppError, Opener};
use heft::auth::Endpoint;
use heft::config::Settings;
use heft::keychain::KeyringStore;
use heft::redact::ClientSecret;
use heft::sync::Cancel;
use tauri_plugin_opener::OpenerExt;
use withings_sim::{Sim, SimConfig};

use crate::errors::{DemoError, UiError};

struct Inner {
    writer: Mutex<App>,
    editor: Mutex<App>,
    reader: Mutex<App>,
    sim: Mutex<Option<Sim>>,
    keychain_problem: Mutex<Option<UiError>>,
    /// The writer's cancel handle, usable while a sync holds the writer.
    cancel: Cancel,
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Takes in settings saved since they were last read (a `stat` when none were). Saving never
/// needs this: a save changes the file as it is on disk and keeps what others saved.
fn fresh(mut app: MutexGuard<'_, App>) -> MutexGuard<'_, App> {
    if let Err(e) = app.reload_settings() {
        tracing::warn!("settings could not be re-read: {e}");
    }
    app
}

impl Shared {
    pub fn open() -> Result<Shared, AppError> {
        let writer = App::open(Settings::load()?, Box::new(KeyringStore::from_env()))?;
        let editor = App::open(Settings::load()?, Box::new(KeyringStore::from_env()))?;
        let reader = App::open(Settings::load()?, Box::new(KeyringStore::from_env()))?;
        let cancel = writer.canceller();
        Ok(Shared(Arc::new(Inner {
            cancel,
            writer: Mutex::new(writer),
            editor: Mutex::new(editor),
            reader: Mutex::new(reader),
            sim: Mutex::new(None),
            keychain_problem: Mutex::new(None),
        })))
    }

    pub fn handle(&self) -> Shared {
        self.clone()
    }

    /// The writing core, with the settings another Heft (the CLI) saved since.
    pub fn writer(&self) -> MutexGuard<'_, App> {
        fresh(lock(&self.0.writer))
    }

    /// The core for the person's quick edits (no network, no browser): never held while a
    /// sync or a connect waits, so an edit shows at once.
    pub fn editor(&self) -> MutexGuard<'_, App> {
        fresh(lock(&self.0.editor))
    }

    /// The reading core, with the settings the writer or another Heft saved since (unit, goal,
    /// client id, trend methods).
    pub fn reader(&self) -> MutexGuard<'_, App> {
        fresh(lock(&self.0.reader))
    }

    /// The consent page opens with the opener plugin: the system browser, never a webview.
    pub fn use_opener(&self, app: tauri::AppHandle) {
        let open: Opener =
            Arc::new(move |url: &str| app.opener().open_url(url, None::<&str>).map_err(|e| e.to_string()));
        self.writer().set_opener(open);
    }

    /// Checks the keychain once (off the start path) and keeps what it found for the window.
    pub fn probe_keychain(&self) -> Option<UiError> {
        // Its own handle on the keychain, under no core's lock: the probe may wait on a locked
        // keychain's prompt, and neither reads nor edits wait with it.
        let problem =
            heft::keychain::probe(&KeyringStore::from_env()).err().map(|e| UiError::from(AppError::from(e)));
        if let Some(p) = &problem {
            tracing::warn!("keychain probe: {}", p.message);
        }
        *lock(&self.0.keychain_problem) = problem.clone();
        problem
    }

    /// Stops a running sync after its current page, and a connect waiting for the browser.
    pub fn cancel(&self) {
        self.0.cancel.cancel();
        heft::auth::callback::cancel_pending_callback();
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
            let end = self.writer().demo_data_end()?;
            let config = SimConfig {
                seed: 42,
                years: 3,
                users: 1,
                page_size: 200,
                end: Some(end),
                auto_approve: restarting,
                // No `/_sim/` endpoints for any local process or web page to call.
                control: test_control(),
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
        // The reader shows the demo's address in the overview.
        lock(&self.0.reader).set_demo_endpoint(endpoint.clone());
        Ok(endpoint)
    }

    /// The demo provider for "Try the demo account" (the consent page shows in the browser).
    pub fn demo_endpoint(&self) -> Result<Endpoint, UiError> {
        self.demo_endpoint_for(false)
    }

    /// Before a sync: a demo account from an earlier run gets its simulator back (same
    /// history) and is authorized again, so it keeps syncing after a restart.
    pub fn ensure_demo(&self) -> Result<(), UiError> {
        if lock(&self.0.sim).is_some() || !self.reader().has_demo()? {
            return Ok(());
        }
        let endpoint = self.demo_endpoint_for(true)?;
        if let Some(a) = self.writer().renew_demo(endpoint)? {
            tracing::info!(userid = %a.userid, "the demo simulator started again; the demo account is authorized");
        }
        Ok(())
    }
}
