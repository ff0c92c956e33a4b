//! The use cases: one method per action a person can take, shared by the CLI and the desktop
//! shell. Both only parse their input, call one method here and show the result or the error.

use crate::error_code::ErrorCode;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::auth::tokens::{Credentials, REFRESH_LOCK_TIMEOUT, RefreshLocks, SessionContext};
use crate::auth::{ApiSession, Clock, ConnectError, ConnectOptions, Endpoint, Provider, SessionError};
use crate::auth::{browser::OpenUrl, system_clock};
use crate::chart::{self, ChartError, ChartKind, ChartSpec, PlotArea, Range, Theme};
use crate::config::{self, ConfigError, Settings, TrendSetting};
use crate::export::{self, ExportError, ImportError, ImportReport};
use crate::keychain::{self, KeychainError, SecretStore};
use crate::model::MeasureType;
use crate::net::{self, CancellationToken};
use crate::redact::ClientSecret;
use crate::store::{Account, Store, StoreError, SyncState};
use crate::sync::{self, Cancel, Progress, SyncError, SyncReport};
use crate::trend::{
    self, Backtest, DayReading, GoalBand, Method, Period, PeriodAverage, Split, Trend, TrendSpec,
};
use crate::units::MassUnit;
use crate::withings::{Client, Waiting};

mod health;
mod history;
mod preferences;
mod reminders;
mod your_data;

pub use crate::store::Standing;
pub use health::{Health, Problem, fix_for};
pub use history::{ChangeLine, SyncLine};
pub use preferences::{Preferences, PreferencesUpdate, SyncEvery, ThemeChoice};
pub use reminders::{FAILED_SYNCS, Reminder, ReminderKind};
pub use your_data::{Entry, ImportOptions, Imported, LOCAL_USERID, WeighInRow, WithingsImport};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Autostart(#[from] crate::autostart::AutostartError),
    #[error("account {userid}: {source}")]
    Sync {
        userid: String,
        #[source]
        source: SyncError,
    },
    #[error("no account is connected yet; connect one first")]
    NoAccounts,
    #[error("no account {0}; `heft accounts` lists them")]
    UnknownAccount(String),
    #[error("the demo simulator is not running; start the demo again")]
    DemoNotRunning,
    #[error(
        "this account lives only on this computer (made by an import or for your own entries); there is nothing to connect or sync"
    )]
    LocalOnly,
    #[error("{0}")]
    BadInput(String),
}

impl AppError {
    /// A stable code the UI branches on (never the message text); each layer decides its own.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Config(e) => e.code(),
            AppError::Store(e) => e.code(),
            AppError::Keychain(e) => e.code(),
            AppError::Connect(e) => e.code(),
            AppError::Export(e) => e.code(),
            AppError::Import(e) => e.code(),
            AppError::Chart(e) => e.code(),
            AppError::Autostart(_) => ErrorCode::ConfigError,
            AppError::Sync { source, .. } => source.code(),
            AppError::NoAccounts | AppError::UnknownAccount(_) => ErrorCode::NoAccount,
            AppError::DemoNotRunning => ErrorCode::DemoNotRunning,
            AppError::LocalOnly => ErrorCode::LocalOnly,
            AppError::BadInput(_) => ErrorCode::BadInput,
        }
    }

    /// The consent page's address when no browser could be opened (for a terminal only).
    pub fn manual_url(&self) -> Option<&str> {
        match self {
            AppError::Connect(e) => e.manual_url(),
            _ => None,
        }
    }
}

/// One account's state for `heft status` and the window.
#[derive(Debug, Clone, Serialize)]
pub struct AccountStatus {
    pub account: Account,
    pub sync: SyncState,
    pub groups: i64,
    pub measures: i64,
}

/// What the window shows before anything else.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Overview {
    /// A Withings developer app is set up (client id and secret).
    pub configured: bool,
    pub accounts: Vec<AccountView>,
    pub unit: MassUnit,
    /// The bundled simulator's address while the demo runs.
    pub demo_url: Option<String>,
}

/// An account as the window lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountView {
    pub userid: String,
    /// The name the person gave it ("Anna"), else none.
    pub name: Option<String>,
    pub colour: Option<String>,
    /// Its display unit: its own, else the default.
    pub unit: MassUnit,
    /// Its own unit, if the person chose one for it.
    pub own_unit: Option<String>,
    /// Its own goal set in Heft, in kg.
    pub goal_kg: Option<f64>,
    /// The same goal in `unit` (stones as a decimal), for the account form: the window
    /// converts no units.
    pub goal: Option<f64>,
    /// Weigh-ins Withings could not attribute and the person has not reviewed.
    pub to_review: usize,
    pub provider: Provider,
    pub demo: bool,
    pub needs_reconnect: bool,
    pub last_sync_at: Option<i64>,
    pub last_error: Option<String>,
    pub groups: i64,
    /// The time zone its dates are shown in (IANA name), as the charts use it.
    pub timezone: Option<String>,
    /// Its trend method and which weigh-in stands for a day (every chart and figure uses them).
    pub method: Method,
    pub day_reading: DayReading,
}

/// Today's figures: trend weight, its pace and, with a goal, when it is reached.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrendSummary {
    pub userid: String,
    pub method: Method,
    pub date: jiff::civil::Date,
    pub trend_kg: f64,
    pub weekly_rate_kg: Option<f64>,
    pub change_30d_kg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_kg: Option<f64>,
    /// The goal is reached already.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub goal_reached: bool,
    /// When the trend reaches the goal at the current pace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected: Option<jiff::civil::Date>,
    /// The earliest and latest likely days (80 % band); no latest when the slow edge of the
    /// band never reaches the goal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected_from: Option<jiff::civil::Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected_to: Option<jiff::civil::Date>,
    /// Body mass index from the trend and the latest height.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bmi: Option<f64>,
}

/// One week's or month's averages, in a unit, as a person reads them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AverageRow {
    /// "Week of Jan 5, 2026", "January 2026".
    pub period: String,
    pub start: jiff::civil::Date,
    pub end: jiff::civil::Date,
    pub weigh_ins: usize,
    pub mean: String,
    /// The trend on the period's last day (the last day with data, for the current one).
    pub trend: Option<String>,
    /// Against the period before's trend: "−0.4 kg".
    pub change: Option<String>,
}

impl AverageRow {
    fn new(p: &PeriodAverage, monthly: bool, u: MassUnit) -> AverageRow {
        AverageRow {
            period: if monthly {
                p.start.strftime("%B %Y").to_string()
            } else {
                format!("Week of {}", p.start.strftime("%b %-d, %Y"))
            },
            start: p.start,
            end: p.end,
            weigh_ins: p.weigh_ins,
            mean: u.format(p.mean_kg),
            trend: p.trend_kg.map(|t| u.format(t)),
            change: p.change_kg.map(|c| u.format_delta(c)),
        }
    }
}

/// [`TrendSummary`] in a unit, as a person reads it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SummaryText {
    pub method: Method,
    pub method_label: &'static str,
    pub trend: String,
    pub weekly_rate: Option<String>,
    pub change_30d: Option<String>,
    pub goal: Option<String>,
    /// "Mar 2 – Apr 9, 2027 (most likely Mar 20)", or why there is no date.
    pub projected: Option<String>,
    pub bmi: Option<String>,
    pub date: String,
}

impl TrendSummary {
    pub fn in_unit(&self, u: MassUnit) -> SummaryText {
        let day = |d: jiff::civil::Date| d.strftime("%b %-d, %Y").to_string();
        let projected = self.goal_kg.map(|_| {
            match (self.goal_reached, self.projected, self.projected_from, self.projected_to) {
                (true, ..) => "reached".to_string(),
                (_, Some(x), Some(a), Some(b)) => format!("{} – {} (most likely {})", day(a), day(b), day(x)),
                (_, Some(x), Some(a), None) => {
                    format!(
                        "from {} (most likely {}); the pace is too uncertain for a latest date",
                        day(a),
                        day(x)
                    )
                }
                _ => "not reached at the current pace".to_string(),
            }
        });
        SummaryText {
            method: self.method,
            method_label: self.method.label(),
            trend: u.format(self.trend_kg),
            weekly_rate: self.weekly_rate_kg.map(|r| format!("{} / week", u.format_delta(r))),
            change_30d: self.change_30d_kg.map(|c| u.format_delta(c)),
            goal: self.goal_kg.map(|g| u.format(g)),
            projected,
            bmi: self.bmi.map(|b| crate::locale::number(format!("{b:.1}"))),
            date: self.date.to_string(),
        }
    }
}

/// "Since Sep 1 you lost 3.2 kg: 2.5 kg fat, 0.7 kg lean", in `u`.
pub fn split_sentence(s: &Split, u: MassUnit) -> String {
    let verb = if s.weight_change_kg <= 0.0 { "lost" } else { "gained" };
    let part = |kg: f64, what: &str| {
        let sign = if kg * s.weight_change_kg < 0.0 { if kg < 0.0 { "−" } else { "+" } } else { "" };
        format!("{sign}{} {what}", u.format(kg.abs()))
    };
    format!(
        "From {} to {} you {verb} {}: {}, {}",
        s.from.strftime("%b %-d, %Y"),
        s.to.strftime("%b %-d, %Y"),
        u.format(s.weight_change_kg.abs()),
        part(s.fat_change_kg, "fat"),
        part(s.lean_change_kg, "lean")
    )
}

/// A split with its sentence, for the window.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SplitView {
    #[serde(flatten)]
    pub split: Split,
    pub sentence: String,
}

/// One row of the backtest table, its error in the display unit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BacktestRow {
    pub method: Method,
    pub label: &'static str,
    pub mae_kg: f64,
    pub error: String,
    pub predictions: usize,
}

/// The latest value of a body measure the account has.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BodyFigure {
    pub key: &'static str,
    pub name: String,
    /// The exact value with its unit ("12.5", "kg").
    pub value: String,
    pub unit: &'static str,
    pub date: String,
}

/// A trend method asked for by one request; what it leaves out comes from the account's
/// choice (`settings.json`), else the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TrendChoice {
    pub method: Option<Method>,
    pub smoothing_days: Option<f64>,
}

/// What a chart request names; the range is parsed in the account's time zone.
#[derive(Debug, Clone)]
pub struct ChartRequest {
    pub kind: ChartKind,
    pub range: String,
    /// `None`: the saved unit.
    pub unit: Option<MassUnit>,
    pub theme: Theme,
    pub width: u32,
    pub height: u32,
    pub include_ambiguous: bool,
    pub trend: TrendChoice,
}

/// A drawn chart and what the window needs for hover values.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RenderedChart {
    pub svg: String,
    pub area: PlotArea,
    pub from: i64,
    pub to: i64,
    /// The first series' weigh-ins as drawn (x = Unix seconds), for hover values.
    pub points: Vec<(f64, f64)>,
    /// Every series drawn (weigh-ins, trends, stacked parts), downsampled like the drawing,
    /// so the hover readout and the table view can give each one's value at a date.
    pub series: Vec<Series>,
    pub y_label: String,
    /// (Unix seconds, text) of the weigh-ins in view with a note (or a comment of their own),
    /// for the hover readout.
    pub notes: Vec<(i64, String)>,
}

/// One series of a chart, by name.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Everything, losslessly (for backups and import).
    Json,
    /// Body measurements for spreadsheets.
    Csv,
    /// A FIT weight file for Garmin Connect.
    Fit,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportSummary {
    pub path: PathBuf,
    /// Groups (JSON) or rows (CSV).
    pub items: usize,
}

/// One account's part of a sync.
#[derive(Debug)]
pub struct AccountSync {
    pub userid: String,
    pub name: Option<String>,
    pub result: Result<SyncReport, AppError>,
}

impl AccountSync {
    /// The name the person gave the account, else its userid.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.userid)
    }

    /// The result as the window reads it: the report, or the error's code and words.
    pub fn view(&self) -> AccountSyncView {
        let (report, error_code, error) = match &self.result {
            Ok(r) => (Some(r.clone()), None, None),
            Err(e) => (None, Some(e.code()), Some(e.to_string())),
        };
        AccountSyncView {
            userid: self.userid.clone(),
            label: self.label().to_string(),
            report,
            error_code,
            error,
        }
    }
}

/// [`AccountSync`] for the window.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountSyncView {
    pub userid: String,
    pub label: String,
    pub report: Option<SyncReport>,
    pub error_code: Option<ErrorCode>,
    pub error: Option<String>,
}

/// Heft's core, opened on a data directory.
/// The use cases as a handle: clones share one state, every method takes `&self`, and none
/// holds a lock while it waits on the network, a browser or a rate limit. The window calls
/// it from many commands at once; a sync never keeps a quick edit waiting.
///
/// SQLite connections come from a small pool, one per call in progress (a sync keeps its own
/// for its whole run, so nothing else waits on it); caches key on a connection that only
/// watches SQLite's data version, which moves with every commit of any other connection —
/// the pool's, or another Heft process's. Settings are an immutable snapshot swapped on
/// every change (see [`App::update_settings`]).
#[derive(Clone)]
pub struct App(Arc<Core>);

pub struct Core {
    settings: Mutex<Arc<Settings>>,
    /// The data folder (fixed for the life of the app).
    data_dir: PathBuf,
    database: PathBuf,
    idle: Mutex<Vec<Store>>,
    /// Never writes: its data version says when anything changed the database.
    watch: Mutex<Store>,
    keychain: Box<dyn SecretStore>,
    clock: Mutex<Clock>,
    /// How long to wait for the browser round trip.
    callback_timeout: Duration,
    /// How long a token refresh waits for another process's (`HEFT_REFRESH_LOCK_TIMEOUT_SECS`).
    refresh_lock_timeout: Duration,
    /// One refresh at a time per account among this app's sessions.
    refresh_locks: RefreshLocks,
    /// The demo provider, while the bundled simulator runs.
    demo: Mutex<Option<Endpoint>>,
    /// Opens the consent page when `HEFT_BROWSER` is not set (the desktop app's opener plugin).
    opener: Mutex<Option<Opener>>,
    /// The window's Cancel: ends the running sync or connect at once.
    cancel: Cancel,
    /// The desktop app's own program, which "start at login" starts (none in the CLI).
    desktop_program: Mutex<Option<PathBuf>>,
    /// Charts' whole-history series and trends, until the database changes.
    charts: chart::Memo,
    /// The weight trend and the methods' backtest, likewise.
    trends: chart::Memo<Trend>,
    backtests: chart::Memo<Vec<Backtest>>,
}

impl std::ops::Deref for App {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.0
    }
}

/// Idle connections kept for the next call; more are opened when calls overlap.
const IDLE_CONNECTIONS: usize = 4;

/// A connection of the pool, back in it when dropped.
pub struct Pooled<'a> {
    store: Option<Store>,
    idle: &'a Mutex<Vec<Store>>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().unwrap_or_else(|| unreachable!("a pooled connection is taken only on drop"))
    }
}

impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.store.as_mut().unwrap_or_else(|| unreachable!("a pooled connection is taken only on drop"))
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < IDLE_CONNECTIONS {
                idle.push(store);
            }
        }
    }
}

/// Opens a URL in the system browser.
pub type Opener = std::sync::Arc<OpenUrl>;

fn client_secret_key(client_id: &str) -> String {
    format!("client-secret:{client_id}")
}

impl App {
    pub fn open(settings: Settings, keychain: Box<dyn SecretStore>) -> Result<App, AppError> {
        let database = settings.database_path();
        let store = Store::open(&database)?;
        let watch = Store::open(&database)?;
        let timeout =
            std::env::var("HEFT_CALLBACK_TIMEOUT_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
        let refresh_lock_timeout = std::env::var("HEFT_REFRESH_LOCK_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(REFRESH_LOCK_TIMEOUT, Duration::from_secs);
        Ok(App(Arc::new(Core {
            data_dir: settings.data_dir.clone(),
            settings: Mutex::new(Arc::new(settings)),
            database,
            idle: Mutex::new(vec![store]),
            watch: Mutex::new(watch),
            keychain,
            clock: Mutex::new(system_clock()),
            callback_timeout: Duration::from_secs(timeout),
            refresh_lock_timeout,
            refresh_locks: RefreshLocks::default(),
            demo: Mutex::new(None),
            opener: Mutex::new(None),
            cancel: Cancel::default(),
            desktop_program: Mutex::new(None),
            charts: chart::Memo::default(),
            trends: chart::Memo::default(),
            backtests: chart::Memo::default(),
        })))
    }

    /// A connection to the database for one call.
    fn store(&self) -> Result<Pooled<'_>, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let store = match idle {
            Some(s) => s,
            None => Store::open(&self.database)?,
        };
        Ok(Pooled { store: Some(store), idle: &self.idle })
    }

    /// Changes whenever the database does (through this app or any other process): what
    /// the caches key on.
    fn data_version(&self) -> Result<(i64, u64), AppError> {
        Ok(self.watch.lock().unwrap_or_else(|e| e.into_inner()).data_version()?)
    }

    /// The settings as they are now (a snapshot: holding it blocks nobody).
    fn settings(&self) -> Arc<Settings> {
        self.0.settings.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Applies an edit to settings.json (under its lock, merged with what another process
    /// saved) and makes the result the snapshot every later call sees.
    ///
    /// The snapshot's lock is not held meanwhile (the file's lock may wait for another process):
    /// two saves at once each write only their own keys, and a snapshot that missed the other's
    /// is replaced at the next [`App::reload_settings`], which sees the file changed.
    fn update_settings<T>(&self, edit: impl FnOnce(&mut config::SettingsFile) -> T) -> Result<T, AppError> {
        let mut next = Settings::clone(&self.settings());
        let out = next.update(edit)?;
        *self.0.settings.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        Ok(out)
    }

    /// Stops the running sync (or a connect waiting for the browser), from any thread.
    pub fn canceller(&self) -> Cancel {
        self.cancel.clone()
    }

    /// Uses `opener` for the consent page (unless `HEFT_BROWSER` names a program).
    pub fn set_opener(&self, opener: Opener) {
        *self.opener.lock().unwrap_or_else(|e| e.into_inner()) = Some(opener);
    }

    /// The desktop app names its program, so the settings can offer "start at login".
    pub fn set_desktop_program(&self, program: PathBuf) {
        *self.desktop_program.lock().unwrap_or_else(|e| e.into_inner()) = Some(program);
    }

    fn desktop_program(&self) -> Option<PathBuf> {
        self.desktop_program.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn opener(&self) -> Option<Opener> {
        self.opener.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn with_clock(self, clock: Clock) -> App {
        *self.0.clock.lock().unwrap_or_else(|e| e.into_inner()) = clock;
        self
    }

    fn clock(&self) -> Clock {
        self.0.clock.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn now(&self) -> i64 {
        (self.clock())()
    }

    /// Takes in the settings another process saved since they were last read here (a `stat`
    /// when nothing changed).
    pub fn reload_settings(&self) -> Result<(), AppError> {
        let mut next = Settings::clone(&self.settings());
        if next.refresh()? {
            *self.0.settings.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        }
        Ok(())
    }

    /// Stores, reads back and removes a probe value: a missing, locked or stand-in keychain
    /// is reported here, once, with its fix.
    pub fn probe_keychain(&self) -> Result<(), AppError> {
        Ok(keychain::probe(self.keychain.as_ref())?)
    }

    fn client_id(&self) -> Result<String, AppError> {
        Ok(self.settings().client_id.clone().ok_or(ConfigError::MissingClientId)?)
    }

    /// The client secret: from the environment, else from the keychain.
    fn client_secret(&self, client_id: &str) -> Result<ClientSecret, AppError> {
        if let Some(s) = &self.settings().client_secret {
            return Ok(s.clone());
        }
        match self.keychain.get(&client_secret_key(client_id))? {
            Some(s) => Ok(ClientSecret::new(s)),
            None => Err(ConfigError::MissingClientSecret.into()),
        }
    }

    /// Stores the developer app's credentials: the id in the settings file, the secret in the keychain.
    pub fn save_credentials(&self, client_id: &str, secret: &ClientSecret) -> Result<(), AppError> {
        let (id, secret_text) = (client_id.trim(), secret.expose().trim());
        if id.is_empty() || secret_text.is_empty() {
            return Err(AppError::BadInput("enter both the client id and the client secret".into()));
        }
        self.keychain.set(&client_secret_key(id), secret_text)?;
        // The environment's client id, if any, still wins (as the settings page says).
        self.update_settings(|f| f.client_id = Some(id.to_string()))?;
        Ok(())
    }

    /// Makes the demo provider available at `url` (the shell runs the bundled simulator).
    pub fn set_demo_endpoint(&self, endpoint: Endpoint) {
        *self.demo.lock().unwrap_or_else(|e| e.into_inner()) = Some(endpoint);
    }

    fn demo(&self) -> Option<Endpoint> {
        self.demo.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether a real Withings developer app is configured (client id and a secret).
    pub fn is_configured(&self) -> bool {
        self.client_id().and_then(|id| self.client_secret(&id)).is_ok()
    }

    /// The endpoint of a provider; hosts that are not this computer must be https.
    fn endpoint(&self, provider: Provider) -> Result<Endpoint, AppError> {
        let ep = match provider {
            Provider::Demo => self.demo().ok_or(AppError::DemoNotRunning)?,
            Provider::Local => return Err(AppError::LocalOnly),
            Provider::Withings | Provider::WithingsOauth1 => {
                let client_id = self.client_id()?;
                let auth_url = match provider {
                    Provider::WithingsOauth1 => {
                        self.settings().oauth1_url.clone().ok_or(ConfigError::MissingOauth1Url)?
                    }
                    _ => self.settings().auth_url.clone(),
                };
                Endpoint {
                    client_secret: self.client_secret(&client_id)?,
                    client_id,
                    api_url: self.settings().api_url.clone(),
                    auth_url,
                    redirect_uri: self.settings().redirect_uri.clone(),
                }
            }
        };
        config::require_secure("the API address", &ep.api_url)?;
        config::require_secure("the consent page address", &ep.auth_url)?;
        Ok(ep)
    }

    /// The browser round trip; credentials go to the keychain before the account is recorded.
    /// `withings_demo_user` asks Withings for its demo user (`mode=demo`).
    pub fn connect(&self, provider: Provider, withings_demo_user: bool) -> Result<Account, AppError> {
        self.connect_with(provider, withings_demo_user, self.opener(), self.settings().browser.clone())
    }

    /// [`App::connect`], opening the consent page with `browser` (a program), else `opener`.
    fn connect_with(
        &self,
        provider: Provider,
        withings_demo_user: bool,
        opener: Option<Opener>,
        browser: Option<PathBuf>,
    ) -> Result<Account, AppError> {
        let ep = self.endpoint(provider)?;
        if crate::auth::callback::is_scheme_redirect(&ep.redirect_uri) && opener.is_none() {
            // Only the desktop app receives `heft:` links; a terminal would wait in vain.
            return Err(AppError::BadInput(format!(
                "the callback {} comes back through the desktop app; connect there, or use a loopback callback (http://localhost:PORT/callback) here",
                ep.redirect_uri
            )));
        }
        // A keychain that cannot keep the tokens is found before the browser opens.
        self.probe_keychain()?;
        let opts = ConnectOptions {
            browser: browser.as_deref(),
            opener: opener.as_deref(),
            timeout: self.callback_timeout,
            withings_demo_user,
        };
        let now = self.now();
        let flow = provider.flow().ok_or(AppError::LocalOnly)?;
        // The window's Cancel ends the wait for the browser and the code exchange alike.
        let client = Client::new(&ep.api_url).with_stop(self.cancel.begin());
        let done = flow.authorize(&ep, &client, &opts, now)?;
        done.credentials.save(self.keychain.as_ref(), &provider.token_key(&done.userid))?;
        if !provider.is_demo() && self.settings().client_secret.is_some() {
            // A secret given in the environment is kept in the keychain for later runs.
            self.keychain.set(&client_secret_key(&ep.client_id), ep.client_secret.expose())?;
        }
        let expires = done.credentials.expires_at();
        let id = self.store()?.upsert_account(provider, &done.userid, done.scope.as_deref(), expires, now)?;
        Ok(self.store()?.account(id)?)
    }

    /// Makes the demo provider available and connects its user through the same flow.
    pub fn start_demo(&self, endpoint: Endpoint) -> Result<Account, AppError> {
        self.set_demo_endpoint(endpoint);
        self.connect(Provider::Demo, false)
    }

    /// The demo account after a restart: the bundled simulator has started again with the same
    /// history (see [`App::demo_data_end`]) but none of the tokens it issued before, and it
    /// approves at once; the demo is authorized again here, without a browser. A demo the
    /// person disconnected stays disconnected. Returns the account renewed, if any.
    pub fn renew_demo(&self, endpoint: Endpoint) -> Result<Option<Account>, AppError> {
        if !self.has_demo()? {
            return Ok(None);
        }
        self.set_demo_endpoint(endpoint);
        // The simulator's consent page redirects straight to the loopback callback: following
        // its redirects is the whole "browser" round trip.
        // Like a browser, it runs beside the flow, which is about to wait for that callback.
        let follow: Opener = Arc::new(|url: &str| {
            let url = url.to_string();
            net::runtime().spawn(async move {
                let answer = match net::http_client(Duration::from_secs(30)) {
                    Ok(http) => http.get(&url).send().await.map(|_| ()).map_err(|e| net::describe(&e)),
                    Err(e) => Err(e),
                };
                if let Err(e) = answer {
                    tracing::warn!("the demo simulator's consent page did not answer: {e}");
                }
            });
            Ok(())
        });
        self.connect_with(Provider::Demo, false, Some(follow), None).map(Some)
    }

    /// Where the demo's history ends: fixed the first time the demo starts, kept in the settings.
    pub fn demo_data_end(&self) -> Result<i64, AppError> {
        if let Some(end) = self.settings().file().demo_data_end {
            return Ok(end);
        }
        let now = self.now();
        // Under the file's lock: a demo another Heft started first keeps its end.
        self.update_settings(|f| *f.demo_data_end.get_or_insert(now))
    }

    /// There is a demo account that expects the bundled simulator.
    pub fn has_demo(&self) -> Result<bool, AppError> {
        Ok(self.store()?.accounts()?.iter().any(|a| a.provider.is_demo() && !a.needs_reconnect))
    }

    pub fn accounts(&self) -> Result<Vec<Account>, AppError> {
        Ok(self.store()?.accounts()?)
    }

    fn select(&self, userid: Option<&str>) -> Result<Vec<Account>, AppError> {
        let all = self.store()?.accounts()?;
        if all.is_empty() {
            return Err(AppError::NoAccounts);
        }
        match userid {
            None => Ok(all),
            Some(u) => {
                // A userid, or the name the person gave the account ("Anna").
                let found: Vec<Account> = all
                    .into_iter()
                    .filter(|a| a.userid == u || a.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(u)))
                    .collect();
                if found.is_empty() { Err(AppError::UnknownAccount(u.to_string())) } else { Ok(found) }
            }
        }
    }

    /// Syncs the selected accounts (every one that syncs, by default), one after the other.
    /// One account that fails (revoked, offline, demo stopped) never stops the others: each
    /// gets its own result, and its error is recorded for the window.
    pub fn sync(
        &self,
        userid: Option<&str>,
        full: bool,
        progress: &mut dyn FnMut(&str, &Progress),
        on_wait: impl Fn(&Waiting) + Send + Sync + Clone + 'static,
    ) -> Result<Vec<AccountSync>, AppError> {
        let accounts = self.select(userid)?;
        let asked_for_one = userid.is_some();
        let mut out = Vec::new();
        let cancel = self.cancel.begin();
        for a in accounts {
            if !a.provider.syncs() {
                if asked_for_one {
                    return Err(AppError::LocalOnly);
                }
                continue;
            }
            let result = self.sync_account(&a, full, progress, on_wait.clone(), &cancel);
            let cancelled = matches!(result, Err(AppError::Sync { source: SyncError::Cancelled, .. }));
            out.push(AccountSync { userid: a.userid.clone(), name: a.name.clone(), result });
            if cancelled {
                break; // the person asked to stop: the other accounts wait for the next sync
            }
        }
        Ok(out)
    }

    fn sync_account(
        &self,
        a: &Account,
        full: bool,
        progress: &mut dyn FnMut(&str, &Progress),
        on_wait: impl Fn(&Waiting) + Send + Sync + 'static,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, AppError> {
        let ep = self.endpoint(a.provider)?;
        // A 601 is kept for the health panel: when, and how long Withings asked Heft to wait.
        let slowed: Arc<Mutex<Option<i64>>> = Arc::default();
        let seen = slowed.clone();
        let client = Client::new(&ep.api_url).with_stop(cancel.clone()).with_wait_hook(move |w: &Waiting| {
            if let Waiting::RateLimited(d) = w {
                *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(d.as_secs() as i64);
            }
            on_wait(w)
        });
        let result = self.sync_one(a, &ep, &client, full, progress, cancel);
        if let Some(wait) = *slowed.lock().unwrap_or_else(|p| p.into_inner())
            && let Err(s) = self.store()?.record_rate_limit(a.id, self.now(), wait)
        {
            tracing::warn!("could not record Withings' request to slow down: {s}");
        }
        let report = result.map_err(|e| {
            if matches!(e, SyncError::Session(SessionError::ReconnectNeeded { .. })) {
                // Withings says these tokens are dead (only then: a refusal naming the client
                // or anything else keeps them, see `tokens::refresh_refused`): forget them,
                // keep the history.
                if let Err(k) = self.keychain.delete(&a.provider.token_key(&a.userid)) {
                    tracing::warn!("could not remove dead tokens from the keychain: {k}");
                }
                if let Err(s) = self.store().and_then(|db| db.set_needs_reconnect(a.id, true)) {
                    tracing::warn!("could not mark the account for reconnection: {s}");
                }
            }
            // A cancel is the person's choice, not a problem for the health panel.
            if !matches!(e, SyncError::Cancelled)
                && let Err(s) =
                    self.store().and_then(|db| db.record_sync_error(a.id, e.code().as_str(), &e.to_string()))
            {
                tracing::warn!("could not record the sync error: {s}");
            }
            AppError::Sync { userid: a.userid.clone(), source: e }
        })?;
        // Weigh-ins imported from a Withings export that the API has now sent give way to it.
        let retired = self.store()?.retire_imported_twins(a.id)?;
        if retired > 0 {
            tracing::info!(retired, "imported weigh-ins now synced from Withings gave way to Withings' copy");
        }
        Ok(report)
    }

    fn sync_one(
        &self,
        a: &Account,
        ep: &Endpoint,
        client: &Client,
        full: bool,
        progress: &mut dyn FnMut(&str, &Progress),
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        let key = a.provider.token_key(&a.userid);
        let credentials = Credentials::load(self.keychain.as_ref(), &key)
            .map_err(SessionError::from)?
            .ok_or_else(|| SessionError::ReconnectNeeded {
                userid: a.userid.clone(),
                reason: "no tokens in the keychain".into(),
            })?;
        let ctx = SessionContext {
            client,
            keychain: self.keychain.as_ref(),
            clock: self.clock(),
            lock_dir: &self.data_dir,
            lock_timeout: self.refresh_lock_timeout,
            refresh_locks: &self.refresh_locks,
        };
        let flow = a.provider.flow().ok_or_else(|| SessionError::ReconnectNeeded {
            userid: a.userid.clone(),
            reason: "this account lives only on this computer".into(),
        })?;
        let mut session: Box<dyn ApiSession + '_> = flow.session(ep, &a.userid, key, credentials, ctx)?;
        tracing::debug!(userid = %a.userid, "credentials loaded; syncing");
        let now = self.now();
        let r = sync::sync_account(
            &mut *self.store()?,
            session.as_mut(),
            a.id,
            sync::SyncOptions { full, windows: self.settings().sync_windows },
            now,
            &mut |p| progress(&a.userid, p),
            cancel,
        );
        if let Some(exp) = session.expires_at() {
            self.store()?.set_token_expiry(a.id, exp)?;
        }
        r
    }

    pub fn status(&self) -> Result<Vec<AccountStatus>, AppError> {
        self.store()?
            .accounts()?
            .into_iter()
            .map(|a| {
                let (groups, measures) = self.store()?.counts(a.id)?;
                Ok(AccountStatus { sync: self.store()?.sync_state(a.id)?, groups, measures, account: a })
            })
            .collect()
    }

    /// The accounts, the unit and whether a developer app is configured, for the window.
    pub fn overview(&self) -> Result<Overview, AppError> {
        let accounts = self
            .status()?
            .into_iter()
            .map(|s| {
                let unit = self.unit_of(&s.account);
                let spec = self.trend_spec(&s.account)?;
                Ok(AccountView {
                    method: spec.method,
                    day_reading: spec.day_reading,
                    timezone: self.store()?.timezone(s.account.id)?.iana_name().map(String::from),
                    unit,
                    goal: s.account.goal_kg.map(|g| unit.from_kg(g)),
                    own_unit: s.account.unit.clone(),
                    goal_kg: s.account.goal_kg,
                    to_review: self.store()?.awaiting_review(s.account.id)?,
                    name: s.account.name,
                    colour: s.account.colour,
                    userid: s.account.userid,
                    provider: s.account.provider,
                    demo: s.account.demo,
                    needs_reconnect: s.account.needs_reconnect,
                    last_sync_at: s.sync.last_sync_at,
                    last_error: s.sync.last_error,
                    groups: s.groups,
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(Overview {
            configured: self.is_configured(),
            accounts,
            unit: self.unit(),
            demo_url: self.demo().map(|d| d.api_url),
        })
    }

    /// One account: the given userid, or the first connected one.
    pub fn account_for(&self, userid: Option<&str>) -> Result<Account, AppError> {
        self.select(userid)?.into_iter().next().ok_or(AppError::NoAccounts)
    }

    /// The saved display unit (kg until one is chosen).
    pub fn unit(&self) -> MassUnit {
        self.settings().file().unit.as_deref().and_then(MassUnit::parse).unwrap_or(MassUnit::Kg)
    }

    /// The account's own display unit, else the saved default.
    pub fn unit_of(&self, a: &Account) -> MassUnit {
        a.unit.as_deref().and_then(MassUnit::parse).unwrap_or_else(|| self.unit())
    }

    /// Remembers the display unit.
    pub fn set_unit(&self, unit: MassUnit) -> Result<(), AppError> {
        self.update_settings(|f| f.unit = Some(unit.as_str().to_string()))?;
        Ok(())
    }

    /// The goal in effect: the account's own goal set in Heft, else one set by an earlier
    /// Heft for every account (`settings.json`), else Withings' latest goal.
    pub fn goal_kg(&self, account: i64) -> Result<Option<f64>, AppError> {
        let own = self.store()?.account(account)?.goal_kg.or(self.settings().file().goal_kg);
        Ok(match own {
            Some(g) => Some(g),
            None => self.store()?.withings_goal_kg(account)?,
        })
    }

    /// Sets (or with `None` clears) the account's goal weight.
    pub fn set_goal_kg(&self, userid: Option<&str>, goal: Option<f64>) -> Result<(), AppError> {
        if let Some(g) = goal
            && !(g > 0.0 && g < 1000.0)
        {
            return Err(AppError::BadInput(format!("a goal of {g} kg is not a body weight")));
        }
        let a = self.account_for(userid)?;
        self.store()?.set_account_goal(a.id, goal)?;
        self.reload_settings()?;
        let everyone = self.settings().file().goal_kg;
        if let Some(everyone) = everyone {
            // The old goal for everyone becomes each account's own, so clearing it here
            // does not bring it back for this one.
            for other in self.store()?.accounts()? {
                if other.id != a.id && other.goal_kg.is_none() {
                    self.store()?.set_account_goal(other.id, Some(everyone))?;
                }
            }
            self.update_settings(|f| f.goal_kg = None)?;
        }
        Ok(())
    }

    fn chart_parts(
        &self,
        userid: Option<&str>,
        req: &ChartRequest,
    ) -> Result<(chart::ChartData, ChartSpec, jiff::tz::TimeZone, Account), AppError> {
        let a = self.account_for(userid)?;
        let tz = self.store()?.timezone(a.id)?;
        let spec = ChartSpec {
            kind: req.kind,
            range: Range::parse(&req.range, &tz)?,
            unit: req.unit.unwrap_or_else(|| self.unit_of(&a)),
            theme: req.theme,
            width: req.width.clamp(200, 8000),
            height: req.height.clamp(150, 8000),
            goal_kg: a.goal_kg.or(self.settings().file().goal_kg),
            include_ambiguous: req.include_ambiguous,
            trend: self.trend_spec_with(&a, req.trend)?,
            goal_band: true,
            colour: a.colour.as_deref().and_then(chart::parse_colour),
        };
        let data = chart::chart_data_memo(
            &*self.store()?,
            &self.charts,
            self.data_version()?,
            a.id,
            &spec,
            self.now(),
        )?;
        Ok((data, spec, tz, a))
    }

    /// Draws a chart as SVG, with what the window needs for hover values.
    pub fn render_chart(&self, userid: Option<&str>, req: &ChartRequest) -> Result<RenderedChart, AppError> {
        let (data, spec, tz, a) = self.chart_parts(userid, req)?;
        let (svg, area) = chart::render_svg_with_area(&data, &spec, &tz)?;
        let cols = (area.right - area.left).max(1) as u32;
        let thin = |p: &[(f64, f64)]| chart::downsample(p, data.from as f64, data.x_end as f64, cols);
        let mut series = Vec::new();
        for l in &data.lines {
            series.push(Series { label: l.label.clone(), points: thin(&l.points) });
            if !l.trend.is_empty() {
                series.push(Series { label: format!("{} trend", l.label), points: thin(&l.trend) });
            }
        }
        for layer in &data.layers {
            // A stacked part's own value is the height of its band.
            let part: Vec<(f64, f64)> =
                layer.lower.iter().zip(&layer.upper).map(|(lo, hi)| (lo.0, hi.1 - lo.1)).collect();
            series.push(Series { label: layer.label.clone(), points: thin(&part) });
        }
        // The first series is the first line's weigh-ins: the points hover reads.
        let points = series.first().map(|s| s.points.clone()).unwrap_or_default();
        let notes = self.store()?.notes_between(a.id, data.from, data.x_end)?;
        // The axis may run past `to` to show the goal band; hover maps over the whole axis.
        Ok(RenderedChart {
            notes,
            svg,
            area,
            from: data.from,
            to: data.x_end,
            points,
            series,
            y_label: data.y_label,
        })
    }

    /// Draws a chart to a file, SVG or PNG by its extension.
    pub fn save_chart(&self, userid: Option<&str>, req: &ChartRequest, out: &Path) -> Result<(), AppError> {
        let ext = out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        if !matches!(ext.as_deref(), Some("svg" | "png")) {
            return Err(AppError::BadInput("the chart file must end in .svg or .png".into()));
        }
        let (data, spec, tz, _) = self.chart_parts(userid, req)?;
        if ext.as_deref() == Some("png") {
            return Ok(chart::render_png(&data, &spec, &tz, out)?);
        }
        let svg = chart::render_svg(&data, &spec, &tz)?;
        write_export(out, svg.as_bytes())
    }

    fn settings_key(a: &Account) -> String {
        a.provider.token_key(&a.userid)
    }

    /// The account's trend method (ema until one is chosen).
    pub fn trend_spec(&self, a: &Account) -> Result<TrendSpec, AppError> {
        self.trend_spec_with(a, TrendChoice::default())
    }

    /// `choice` where it says something, else the account's saved choice, else the defaults.
    fn trend_spec_with(&self, a: &Account, choice: TrendChoice) -> Result<TrendSpec, AppError> {
        let settings = self.settings();
        let saved = settings.file().trend.get(&Self::settings_key(a));
        let method = match (choice.method, saved) {
            (Some(m), _) => m,
            (None, Some(t)) => Method::parse(&t.method).map_err(|e| ConfigError::BadTrend(e.to_string()))?,
            (None, None) => Method::default(),
        };
        let smoothing_days = choice
            .smoothing_days
            .or(saved.and_then(|t| t.smoothing_days))
            .unwrap_or(trend::DEFAULT_SMOOTHING_DAYS);
        let day_reading = match saved.and_then(|t| t.day_reading.as_deref()) {
            Some(r) => DayReading::parse(r).map_err(|e| ConfigError::BadTrend(e.to_string()))?,
            None => DayReading::default(),
        };
        Ok(TrendSpec { method, smoothing_days, day_reading })
    }

    /// Chooses which weigh-in stands for a day in the account's daily trends, backtest and
    /// figures (its first, lowest or mean).
    pub fn set_day_reading(&self, userid: Option<&str>, reading: DayReading) -> Result<(), AppError> {
        let a = self.account_for(userid)?;
        let key = Self::settings_key(&a);
        self.update_settings(|f| {
            let setting = f.trend.entry(key).or_insert_with(|| TrendSetting {
                method: Method::default().as_str().to_string(),
                smoothing_days: None,
                day_reading: None,
            });
            setting.day_reading = (reading != DayReading::First).then(|| reading.as_str().to_string());
        })?;
        Ok(())
    }

    /// Chooses an account's trend method (and `time-aware`'s smoothing time, in days).
    pub fn set_trend_method(
        &self,
        userid: Option<&str>,
        method: Method,
        smoothing_days: Option<f64>,
    ) -> Result<(), AppError> {
        if let Some(s) = smoothing_days
            && !(s > 0.0 && s <= 365.0)
        {
            return Err(AppError::BadInput(format!("a smoothing time of {s} days is not between 0 and 365")));
        }
        let a = self.account_for(userid)?;
        let key = Self::settings_key(&a);
        self.update_settings(|f| {
            let day_reading = f.trend.get(&key).and_then(|t| t.day_reading.clone());
            f.trend.insert(
                key,
                TrendSetting { method: method.as_str().to_string(), smoothing_days, day_reading },
            )
        })?;
        Ok(())
    }

    fn weights(&self, a: &Account, kind: MeasureType) -> Result<Vec<(i64, f64)>, AppError> {
        Ok(self.store()?.values(a.id, kind, false)?)
    }

    /// The account's weight trend, computed once per change of the database (and of the
    /// method chosen): the figures, the split and the window's refreshes share it.
    fn weight_trend(&self, a: &Account, choice: TrendChoice) -> Result<Arc<Trend>, AppError> {
        let spec = self.trend_spec_with(a, choice)?;
        let key = format!("{}:{:?}:{}:{:?}", a.id, spec.method, spec.smoothing_days, spec.day_reading);
        self.trends.get_or(self.data_version()?, key, || {
            let tz = self.store()?.timezone(a.id)?;
            Ok(trend::compute(&self.weights(a, MeasureType::WEIGHT)?, &tz, spec))
        })
    }

    /// The weight trend (its spec says which method made it).
    pub fn trend_series(&self, userid: Option<&str>, choice: TrendChoice) -> Result<Arc<Trend>, AppError> {
        self.weight_trend(&self.account_for(userid)?, choice)
    }

    pub fn trend(&self, userid: Option<&str>, choice: TrendChoice) -> Result<TrendSummary, AppError> {
        let a = self.account_for(userid)?;
        let t = self.weight_trend(&a, choice)?;
        let days = t.days();
        let last = days.last().ok_or_else(|| ChartError::NoData("weight".into()))?;
        let rate = trend::weekly_rate(&days);
        let change_30d = days.len().checked_sub(31).map(|i| last.trend - days[i].trend);
        let goal = self.goal_kg(a.id)?;
        let band: Option<GoalBand> = goal.and_then(|g| trend::goal_band(&days, g));
        let height = self.store()?.latest_values(a.id)?.into_iter().find(|l| l.kind == MeasureType::HEIGHT);
        let bmi =
            height.map(|h| h.value.to_f64()).filter(|h| *h > 0.5 && *h < 2.8).map(|h| last.trend / (h * h));
        Ok(TrendSummary {
            userid: a.userid,
            method: t.spec.method,
            date: last.date,
            trend_kg: last.trend,
            weekly_rate_kg: rate,
            change_30d_kg: change_30d,
            goal_kg: goal,
            goal_reached: band.as_ref().is_some_and(|b| b.reached),
            projected: band.as_ref().and_then(|b| b.expected),
            projected_from: band.as_ref().and_then(|b| b.expected.and(b.earliest)),
            projected_to: band.as_ref().and_then(|b| b.expected.and(b.latest)),
            bmi,
        })
    }

    /// The account's weekly (from the locale's first day) or monthly averages, newest first:
    /// the mean of the counted weigh-ins, the trend at each period's end and its change.
    pub fn averages(&self, userid: Option<&str>, monthly: bool) -> Result<Vec<PeriodAverage>, AppError> {
        let a = self.account_for(userid)?;
        let t = self.weight_trend(&a, TrendChoice::default())?;
        let tz = self.store()?.timezone(a.id)?;
        let period = if monthly {
            Period::Month
        } else {
            Period::Week { first_day: crate::locale::current().first_weekday }
        };
        let points = self.weights(&a, MeasureType::WEIGHT)?;
        if points.is_empty() {
            return Err(ChartError::NoData("weight".into()).into());
        }
        Ok(trend::averages(&points, &t.days(), &tz, period))
    }

    /// [`App::averages`] in `unit`, as a person reads them.
    pub fn average_rows(
        &self,
        userid: Option<&str>,
        monthly: bool,
        unit: MassUnit,
    ) -> Result<Vec<AverageRow>, AppError> {
        Ok(self.averages(userid, monthly)?.iter().map(|p| AverageRow::new(p, monthly, unit)).collect())
    }

    /// How well each method predicts this account's weigh-ins a week ahead, best first.
    pub fn backtest(&self, userid: Option<&str>) -> Result<Vec<Backtest>, AppError> {
        let a = self.account_for(userid)?;
        let spec = self.trend_spec(&a)?;
        let key = format!("{}:{}:{:?}", a.id, spec.smoothing_days, spec.day_reading);
        let tests = self.backtests.get_or(self.data_version()?, key, || {
            let tz = self.store()?.timezone(a.id)?;
            Ok::<_, AppError>(trend::backtest(
                &self.weights(&a, MeasureType::WEIGHT)?,
                &tz,
                spec.smoothing_days,
                spec.day_reading,
            ))
        })?;
        Ok(tests.as_ref().clone())
    }

    /// What the change in trend weight between `from` and `to` (default: the last 90 days)
    /// was made of.
    pub fn split(
        &self,
        userid: Option<&str>,
        from: Option<jiff::civil::Date>,
        to: Option<jiff::civil::Date>,
        choice: TrendChoice,
    ) -> Result<Split, AppError> {
        self.split_of(&self.account_for(userid)?, from, to, choice)
    }

    fn split_of(
        &self,
        a: &Account,
        from: Option<jiff::civil::Date>,
        to: Option<jiff::civil::Date>,
        choice: TrendChoice,
    ) -> Result<Split, AppError> {
        let spec = self.trend_spec_with(a, choice)?;
        let tz = self.store()?.timezone(a.id)?;
        let to = to.or_else(|| trend::local_day(self.now(), &tz)).unwrap_or_default();
        let from = match from {
            Some(f) => f,
            None => to.checked_sub(jiff::Span::new().days(90)).unwrap_or(to),
        };
        if from >= to {
            return Err(AppError::BadInput(format!(
                "the window {from} – {to} is empty; FROM must be before TO"
            )));
        }
        let weight = self.weights(a, MeasureType::WEIGHT)?;
        let fat = self.weights(a, MeasureType::FAT_MASS)?;
        trend::split(&weight, &fat, &tz, spec, from, to)
            .ok_or_else(|| ChartError::NoData("fat mass".into()).into())
    }

    /// [`App::split`] between two instants (the window's chart selection), for the window.
    pub fn split_view(
        &self,
        userid: Option<&str>,
        unit: MassUnit,
        from_ts: Option<i64>,
        to_ts: Option<i64>,
    ) -> Result<SplitView, AppError> {
        let a = self.account_for(userid)?;
        let tz = self.store()?.timezone(a.id)?;
        let day = |ts: Option<i64>| ts.and_then(|t| trend::local_day(t, &tz));
        let split = self.split_of(&a, day(from_ts), day(to_ts), TrendChoice::default())?;
        Ok(SplitView { sentence: split_sentence(&split, unit), split })
    }

    /// [`App::backtest`] as the window's table shows it.
    pub fn backtest_rows(&self, userid: Option<&str>, unit: MassUnit) -> Result<Vec<BacktestRow>, AppError> {
        Ok(self
            .backtest(userid)?
            .into_iter()
            .map(|b| BacktestRow {
                method: b.method,
                label: b.method.label(),
                mae_kg: b.mae_kg,
                // Methods differ by hundredths: one decimal would show them all alike.
                error: unit.format_small(b.mae_kg),
                predictions: b.predictions,
            })
            .collect())
    }

    /// The latest value of each body measure the account has (height, BMI's inputs, visceral
    /// fat, BMR, …), weight-related ones in the account's unit of choice elsewhere.
    pub fn body_figures(&self, userid: Option<&str>) -> Result<Vec<BodyFigure>, AppError> {
        let a = self.account_for(userid)?;
        let tz = self.store()?.timezone(a.id)?;
        Ok(self
            .store()?
            .latest_values(a.id)?
            .into_iter()
            .map(|l| {
                let kind = l.kind.kind();
                BodyFigure {
                    key: kind.map_or("other", |k| k.key),
                    name: kind.map_or_else(|| l.kind.name(), |k| k.name.to_string()),
                    value: crate::locale::number(l.value.to_string()),
                    unit: kind.map_or("", |k| k.unit),
                    date: local_time(l.ts, &tz, "%b %-d, %Y"),
                }
            })
            .collect())
    }

    /// The lossless JSON export, as text.
    pub fn export_json(&self) -> Result<String, AppError> {
        let e = export::export(&*self.store()?)?;
        Ok(serde_json::to_string_pretty(&e).map_err(ExportError::Encode)?)
    }

    /// Body measurements as CSV; returns the number of rows.
    pub fn export_csv(&self, out: impl std::io::Write) -> Result<usize, AppError> {
        Ok(crate::csv_export::write_csv(&*self.store()?, out)?)
    }

    /// Writes an export to `path` atomically: the old file stays if anything fails.
    /// `userid` chooses the account of a FIT file (the others hold every account).
    pub fn export_to(
        &self,
        format: ExportFormat,
        path: &Path,
        userid: Option<&str>,
    ) -> Result<ExportSummary, AppError> {
        let (bytes, items) = match format {
            ExportFormat::Json => {
                let e = export::export(&*self.store()?)?;
                let n = e.groups.len();
                (serde_json::to_vec_pretty(&e).map_err(ExportError::Encode)?, n)
            }
            ExportFormat::Csv => {
                let mut out = Vec::new();
                let n = self.export_csv(&mut out)?;
                (out, n)
            }
            ExportFormat::Fit => self.fit_bytes(userid)?,
        };
        write_export(path, &bytes)?;
        Ok(ExportSummary { path: path.to_path_buf(), items })
    }

    /// Imports a Heft JSON export; a broken file changes nothing.
    pub fn import_json(&self, file: impl std::io::Read) -> Result<ImportReport, AppError> {
        let data = export::parse_reader(file)?;
        let now = self.now();
        Ok(export::import(&mut *self.store()?, data, now)?)
    }

    /// Removes the demo account, its tokens and its history (real accounts are untouched,
    /// even one with the same userid).
    pub fn remove_demo(&self, userid: &str) -> Result<(), AppError> {
        let demo = self.store()?.accounts()?.into_iter().find(|a| a.provider.is_demo() && a.userid == userid);
        let a = demo.ok_or_else(|| AppError::UnknownAccount(userid.to_string()))?;
        self.keychain.delete(&a.provider.token_key(&a.userid))?;
        self.store()?.delete_account(a.id)?;
        Ok(())
    }

    /// Forgets an account's tokens (keychain); its history stays unless `delete_data`.
    pub fn disconnect(&self, userid: Option<&str>, delete_data: bool) -> Result<Vec<Account>, AppError> {
        let accounts = self.select(userid)?;
        for a in &accounts {
            self.keychain.delete(&a.provider.token_key(&a.userid))?;
            if delete_data {
                self.store()?.delete_account(a.id)?;
            } else {
                self.store()?.set_needs_reconnect(a.id, true)?;
            }
        }
        Ok(accounts)
    }
}

/// A timestamp in the account's time zone, as `fmt` (strftime) writes it.
fn local_time(ts: i64, tz: &jiff::tz::TimeZone, fmt: &str) -> String {
    jiff::Timestamp::from_second(ts)
        .map(|t| t.to_zoned(tz.clone()).strftime(fmt).to_string())
        .unwrap_or_default()
}

fn write_export(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    crate::files::write_atomic(path, bytes)
        .map_err(|source| ExportError::Write { path: path.display().to_string(), source }.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthError;

    /// Every code the window branches on, with the message a person reads. Changing one is a
    /// change of the UI contract: update `ui/app.js` with it.
    #[test]
    fn error_codes_and_messages_the_window_relies_on() {
        let io = || std::io::Error::other("disk on fire");
        let cases: Vec<(AppError, &str, &str)> = vec![
            (ConfigError::MissingClientId.into(), "not_configured", "no Withings client id is set"),
            (
                ConfigError::Insecure { name: "HEFT_WITHINGS_API_URL", value: "http://x.example".into() }
                    .into(),
                "insecure_url",
                "must be https",
            ),
            (
                ConfigError::Busy { path: "/d/settings.json.lock".into(), waited_secs: 5 }.into(),
                "settings_busy",
                "another Heft has been changing the settings",
            ),
            (StoreError::DiskFull.into(), "disk_full", "disk is full"),
            (StoreError::TooNew { found: 9, known: 3 }.into(), "database_too_new", "newer Heft"),
            (KeychainError::Locked("x".into()).into(), "keychain_unavailable", "unlock your login keyring"),
            (KeychainError::Missing("x".into()).into(), "keychain_unavailable", "start a Secret Service"),
            (KeychainError::Damaged("withings:1".into()).into(), "keychain_damaged", "is damaged"),
            (ConnectError::from(AuthError::PortInUse { port: 8765 }).into(), "port_in_use", "8765"),
            (ConnectError::from(AuthError::TimedOut(300)).into(), "connect_timed_out", "within 300 s"),
            (ConnectError::Refused("nope".into()).into(), "connect_refused", "refused Heft (nope)"),
            (
                ExportError::Write { path: "/x.json".into(), source: io() }.into(),
                "export_failed",
                "cannot write /x.json",
            ),
            (ImportError::NotAnExport("bad".into()).into(), "import_failed", "nothing was imported"),
            (ChartError::NoData("weight".into()).into(), "no_data", "no weight measurements"),
            (
                AppError::Sync {
                    userid: "7".into(),
                    source: SyncError::Session(SessionError::ReconnectNeeded {
                        userid: "7".into(),
                        reason: "invalid refresh_token".into(),
                    }),
                },
                "reconnect_needed",
                "your history is kept",
            ),
            (
                AppError::Sync {
                    userid: "7".into(),
                    source: SyncError::Session(SessionError::ClientRejected {
                        reason: "Invalid Params: invalid client id/secret".into(),
                    }),
                },
                "client_rejected",
                "check the Withings developer app settings",
            ),
            (
                AppError::Sync {
                    userid: "7".into(),
                    source: SyncError::Session(SessionError::RefreshRefused {
                        userid: "7".into(),
                        reason: "Invalid Params: grant_type".into(),
                    }),
                },
                "refresh_refused",
                "tries again at the next sync",
            ),
            (
                AppError::Sync {
                    userid: "7".into(),
                    source: SyncError::Session(SessionError::Api(crate::withings::ApiError::Network(
                        "x".into(),
                    ))),
                },
                "offline",
                "cannot reach Withings",
            ),
            (
                AppError::Sync {
                    userid: "7".into(),
                    source: SyncError::Session(SessionError::Api(crate::withings::ApiError::RateLimited {
                        retry_after: 30,
                    })),
                },
                "rate_limited",
                "try again in 30 s",
            ),
            (AppError::NoAccounts, "no_account", "no account is connected"),
            (AppError::DemoNotRunning, "demo_not_running", "start the demo again"),
        ];
        for (err, code, words) in cases {
            assert_eq!(err.code(), code, "{err}");
            assert!(err.to_string().contains(words), "{code}: {err:?} should say {words:?}");
        }
    }

    #[test]
    fn no_connect_error_message_carries_the_consent_address() {
        let url = "https://account.withings.com/oauth2_user/authorize2?state=s3cr3t&code_challenge=c";
        let err: AppError =
            ConnectError::from(AuthError::Browser { reason: "no browser".into(), url: url.into() }).into();
        let text = err.to_string();
        assert!(!text.contains("authorize2") && !text.contains("s3cr3t"), "{text}");
        assert_eq!(err.manual_url(), Some(url), "a terminal can still print it on purpose");
    }
}
