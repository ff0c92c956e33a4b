//! The state the commands share: the core opened twice on the same database (one for syncs
//! and connects, which can take a while; one for reads, so charts never wait for a sync),
//! and the demo simulator while it runs.

use std::sync::{Arc, Mutex, MutexGuard};

use heft::app::{App, AppError, Endpoint};
use heft::config::Settings;
use heft::secret::ClientSecret;
use heft::secrets::KeyringStore;
use tauri_plugin_opener::OpenerExt;
use withings_sim::{Sim, SimConfig};

pub struct Shared {
    writer: Arc<Mutex<App>>,
    reader: Mutex<App>,
    sim: Mutex<Option<Sim>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn open() -> Result<Shared, AppError> {
        let writer = App::open(Settings::load()?, Box::new(KeyringStore::from_env()))?;
        let reader = App::open(Settings::load()?, Box::new(KeyringStore::from_env()))?;
        Ok(Shared { writer: Arc::new(Mutex::new(writer)), reader: Mutex::new(reader), sim: Mutex::new(None) })
    }

    pub fn writer(&self) -> Arc<Mutex<App>> {
        self.writer.clone()
    }

    pub fn reader(&self) -> MutexGuard<'_, App> {
        let mut r = lock(&self.reader);
        // Pick up settings the writer saved (unit, goal, client id).
        if let Ok(s) = Settings::load() {
            r.settings = s;
        }
        r
    }

    /// The consent page opens with the opener plugin: the system browser, never a webview.
    pub fn use_opener(&self, app: tauri::AppHandle) {
        let open: heft::app::Opener =
            Arc::new(move |url: &str| app.opener().open_url(url, None::<&str>).map_err(|e| e.to_string()));
        lock(&self.writer).set_opener(open);
    }

    /// Starts the bundled simulator (once) and makes it the demo provider.
    pub fn start_demo(&self) -> Result<String, String> {
        let mut sim = lock(&self.sim);
        if sim.is_none() {
            let config = SimConfig { seed: 42, years: 3, users: 1, page_size: 200, ..SimConfig::default() };
            *sim = Some(Sim::start(config).map_err(|e| e.to_string())?);
        }
        let url = sim.as_ref().map(|s| s.url()).unwrap_or_default();
        lock(&self.writer).set_demo_endpoint(Some(Endpoint {
            api_url: url.clone(),
            auth_url: url.clone(),
            client_id: withings_sim::DEMO_CLIENT_ID.into(),
            client_secret: ClientSecret::new(withings_sim::DEMO_CLIENT_SECRET),
            // The simulator, like RFC 8252 servers, accepts any loopback port.
            redirect_uri: "http://localhost:0/callback".into(),
        }));
        Ok(url)
    }

    pub fn demo_url(&self) -> Option<String> {
        lock(&self.sim).as_ref().map(|s| s.url())
    }
}
