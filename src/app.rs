//! The use cases, one function each, shared by the CLI and the desktop shell.

use std::time::Duration;

use serde::Serialize;

use crate::auth::oauth1::{self, Oauth1Config};
use crate::auth::oauth2::{self, ConnectError, Oauth2Config};
use crate::chart::{self, ChartData, ChartError, ChartSpec};
use crate::config::{ConfigError, Settings};
use crate::export::{self, ExportError, ImportReport};
use crate::model::MeasureType;
use crate::secret::ClientSecret;
use crate::secrets::{SecretError, SecretStore, TokenSet, token_key};
use crate::secrets::{load_oauth1, save_oauth1};
use crate::series::Query;
use crate::session::{ApiSession, Clock, Oauth1Session, Session, SessionError, system_clock};
use crate::store::{Account, Store, StoreError, SyncState};
use crate::sync::{self, Progress, SyncError, SyncReport};
use crate::trend::{self, ALPHA};
use crate::withings::{Client, Waiting};

/// The provider name of Withings' OAuth 2.0 accounts.
pub const WITHINGS: &str = "withings";
/// The provider name of the original Withings OAuth 1.0a flow.
pub const WITHINGS_OAUTH1: &str = "withings-oauth1";
/// The provider name of the demo account (the bundled simulator), kept apart from real ones.
pub const DEMO: &str = "demo";

/// Where an account's provider lives and how Heft identifies itself there.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub api_url: String,
    pub auth_url: String,
    pub client_id: String,
    pub client_secret: ClientSecret,
    pub redirect_uri: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Csv(#[from] crate::csv_export::CsvError),
    #[error("no account is connected yet; run `heft connect` first")]
    NoAccounts,
    #[error("no account {0}; `heft accounts` lists them")]
    UnknownAccount(String),
    #[error("account {userid}: {source}")]
    Sync { userid: String, source: SyncError },
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("the demo simulator is not running; start the demo again")]
    DemoNotRunning,
}

impl AppError {
    /// A stable code the UI branches on (never the message text).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Config(ConfigError::MissingClientId | ConfigError::MissingClientSecret) => {
                "not_configured"
            }
            AppError::Config(_) => "config_error",
            AppError::Store(StoreError::TooNew { .. }) => "database_too_new",
            AppError::Store(StoreError::DiskFull) => "disk_full",
            AppError::Store(_) => "database_error",
            AppError::Secret(_) => "keychain_unavailable",
            AppError::Connect(_) => "connect_failed",
            AppError::Export(_) => "import_failed",
            AppError::Csv(_) => "export_failed",
            AppError::NoAccounts | AppError::UnknownAccount(_) => "no_account",
            AppError::Sync { source, .. } => source.code(),
            AppError::Chart(ChartError::NoData(_)) => "no_data",
            AppError::Chart(_) => "chart_error",
            AppError::DemoNotRunning => "demo_not_running",
        }
    }
}

/// One account's state for `heft status` and the UI.
#[derive(Debug, Clone, Serialize)]
pub struct AccountStatus {
    pub account: Account,
    pub sync: SyncState,
    pub groups: i64,
    pub measures: i64,
}

/// Today's figures: trend weight, its pace and, with a goal, when it is reached.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrendSummary {
    pub userid: String,
    pub date: jiff::civil::Date,
    pub trend_kg: f64,
    pub weekly_rate_kg: Option<f64>,
    pub change_30d_kg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_kg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected_from: Option<jiff::civil::Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected_to: Option<jiff::civil::Date>,
}

/// Heft's core, opened on a data directory.
pub struct App {
    pub settings: Settings,
    pub store: Store,
    secrets: Box<dyn SecretStore>,
    clock: Clock,
    /// How long to wait for the browser round trip.
    pub callback_timeout: Duration,
    /// The demo provider, while the bundled simulator runs.
    demo: Option<Endpoint>,
    /// Opens the consent page when `HEFT_BROWSER` is not set (the desktop app's opener plugin).
    opener: Option<Opener>,
}

/// Opens a URL in the system browser.
pub type Opener = std::sync::Arc<crate::auth::browser::OpenUrl>;

fn client_secret_key(client_id: &str) -> String {
    format!("client-secret:{client_id}")
}

impl App {
    pub fn open(settings: Settings, secrets: Box<dyn SecretStore>) -> Result<App, AppError> {
        let store = Store::open(&settings.database_path())?;
        let timeout =
            std::env::var("HEFT_CALLBACK_TIMEOUT_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
        Ok(App {
            settings,
            store,
            secrets,
            clock: system_clock(),
            callback_timeout: Duration::from_secs(timeout),
            demo: None,
            opener: None,
        })
    }

    /// Uses `opener` for the consent page (unless `HEFT_BROWSER` names a program).
    pub fn set_opener(&mut self, opener: Opener) {
        self.opener = Some(opener);
    }

    pub fn with_clock(mut self, clock: Clock) -> App {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    fn client_id(&self) -> Result<String, AppError> {
        Ok(self.settings.client_id.clone().ok_or(ConfigError::MissingClientId)?)
    }

    /// The client secret: from the environment, else from the keychain.
    fn client_secret(&self, client_id: &str) -> Result<ClientSecret, AppError> {
        if let Some(s) = &self.settings.client_secret {
            return Ok(s.clone());
        }
        match self.secrets.get(&client_secret_key(client_id))? {
            Some(s) => Ok(ClientSecret::new(s)),
            None => Err(ConfigError::MissingClientSecret.into()),
        }
    }

    /// Stores the developer app's credentials: the id in the settings file, the secret in the keychain.
    pub fn save_credentials(&mut self, client_id: &str, secret: &ClientSecret) -> Result<(), AppError> {
        self.secrets.set(&client_secret_key(client_id), secret.expose())?;
        self.settings.file.client_id = Some(client_id.to_string());
        self.settings.file.write(&self.settings.data_dir)?;
        self.settings.client_id = Some(client_id.to_string());
        Ok(())
    }

    /// Makes the demo provider available (the shell starts the simulator and passes it here).
    pub fn set_demo_endpoint(&mut self, endpoint: Option<Endpoint>) {
        self.demo = endpoint;
    }

    pub fn has_demo_endpoint(&self) -> bool {
        self.demo.is_some()
    }

    /// Whether a real Withings developer app is configured (client id and a secret).
    pub fn is_configured(&self) -> bool {
        self.client_id().and_then(|id| self.client_secret(&id)).is_ok()
    }

    /// The endpoint of a provider.
    pub fn endpoint(&self, provider: &str) -> Result<Endpoint, AppError> {
        match provider {
            DEMO => self.demo.clone().ok_or(AppError::DemoNotRunning),
            WITHINGS_OAUTH1 => {
                let client_id = self.client_id()?;
                Ok(Endpoint {
                    client_secret: self.client_secret(&client_id)?,
                    client_id,
                    api_url: self.settings.api_url.clone(),
                    auth_url: self.settings.oauth1_url.clone().ok_or(ConfigError::MissingOauth1Url)?,
                    redirect_uri: self.settings.redirect_uri.clone(),
                })
            }
            _ => {
                let client_id = self.client_id()?;
                Ok(Endpoint {
                    client_secret: self.client_secret(&client_id)?,
                    client_id,
                    api_url: self.settings.api_url.clone(),
                    auth_url: self.settings.auth_url.clone(),
                    redirect_uri: self.settings.redirect_uri.clone(),
                })
            }
        }
    }

    /// The browser round trip; tokens go to the keychain before the account is recorded.
    /// `withings_demo_user` asks Withings for its demo user (`mode=demo`).
    pub fn connect(&mut self, provider: &str, withings_demo_user: bool) -> Result<Account, AppError> {
        let ep = self.endpoint(provider)?;
        let opener = match (&self.settings.browser, &self.opener) {
            (None, Some(o)) => Some(o.clone()),
            _ => None,
        };
        if provider == WITHINGS_OAUTH1 {
            let cfg = Oauth1Config {
                consumer_key: ep.client_id.clone(),
                consumer_secret: ep.client_secret.clone(),
                base_url: ep.auth_url.clone(),
                redirect_uri: ep.redirect_uri.clone(),
                browser: self.settings.browser.clone(),
                timeout: self.callback_timeout,
            };
            let grant = oauth1::authorize(&cfg, &Client::new(&ep.api_url), opener.as_deref())?;
            save_oauth1(self.secrets.as_ref(), &token_key(provider, &grant.userid), &grant.token)?;
            self.remember_client_secret(&ep)?;
            let id = self.store.upsert_account(provider, &grant.userid, None, None, false, self.now())?;
            return Ok(self.store.account(id)?);
        }
        let cfg = Oauth2Config {
            client_id: ep.client_id.clone(),
            client_secret: ep.client_secret.clone(),
            auth_url: ep.auth_url.clone(),
            redirect_uri: ep.redirect_uri.clone(),
            browser: self.settings.browser.clone(),
            timeout: self.callback_timeout,
            demo_mode: withings_demo_user,
        };
        let grant = oauth2::authorize(&cfg, &Client::new(&ep.api_url), opener.as_deref())?;
        let now = self.now();
        let tokens = TokenSet {
            access: grant.access_token,
            refresh: grant.refresh_token,
            expires_at: now + grant.expires_in,
            obtained_at: now,
        };
        tokens.save(self.secrets.as_ref(), &token_key(provider, &grant.userid))?;
        if provider != DEMO {
            self.remember_client_secret(&ep)?;
        }
        let demo = provider == DEMO;
        let id = self.store.upsert_account(
            provider,
            &grant.userid,
            grant.scope.as_deref(),
            Some(tokens.expires_at),
            demo,
            now,
        )?;
        Ok(self.store.account(id)?)
    }

    /// A secret given in the environment is kept in the keychain for later runs.
    fn remember_client_secret(&self, ep: &Endpoint) -> Result<(), AppError> {
        if self.settings.client_secret.is_some() {
            self.secrets.set(&client_secret_key(&ep.client_id), ep.client_secret.expose())?;
        }
        Ok(())
    }

    pub fn accounts(&self) -> Result<Vec<Account>, AppError> {
        Ok(self.store.accounts()?)
    }

    fn select(&self, userid: Option<&str>) -> Result<Vec<Account>, AppError> {
        let all = self.store.accounts()?;
        if all.is_empty() {
            return Err(AppError::NoAccounts);
        }
        match userid {
            None => Ok(all),
            Some(u) => {
                let found: Vec<Account> = all.into_iter().filter(|a| a.userid == u).collect();
                if found.is_empty() { Err(AppError::UnknownAccount(u.to_string())) } else { Ok(found) }
            }
        }
    }

    /// Syncs the selected accounts (all by default), one after the other.
    pub fn sync(
        &mut self,
        userid: Option<&str>,
        full: bool,
        progress: &mut dyn FnMut(&str, &Progress),
        on_wait: impl Fn(&Waiting) + Send + Sync + Clone + 'static,
    ) -> Result<Vec<SyncReport>, AppError> {
        let accounts = self.select(userid)?;
        let mut reports = Vec::new();
        for a in accounts {
            let ep = self.endpoint(&a.provider)?;
            let client = Client::new(&ep.api_url).with_wait_hook(on_wait.clone());
            let result = (|| {
                let mut session: Box<dyn ApiSession + '_> = if a.provider == WITHINGS_OAUTH1 {
                    let key = token_key(&a.provider, &a.userid);
                    let token = load_oauth1(self.secrets.as_ref(), &key)
                        .map_err(SessionError::from)?
                        .ok_or_else(|| SessionError::ReconnectNeeded {
                            userid: a.userid.clone(),
                            reason: "no tokens in the keychain".into(),
                        })?;
                    Box::new(Oauth1Session {
                        userid: a.userid.clone(),
                        client: &client,
                        consumer_key: ep.client_id.clone(),
                        consumer_secret: ep.client_secret.clone(),
                        token,
                    })
                } else {
                    Box::new(
                        Session::open(
                            &a.provider,
                            &a.userid,
                            &client,
                            self.secrets.as_ref(),
                            &ep.client_id,
                            ep.client_secret.clone(),
                            self.clock.clone(),
                        )?
                        .with_lock_dir(&self.settings.data_dir),
                    )
                };
                tracing::debug!(userid = %a.userid, "tokens loaded; syncing");
                let now = self.now();
                let r = sync::sync_account(&mut self.store, session.as_mut(), a.id, full, now, &mut |p| {
                    progress(&a.userid, p)
                });
                if let Some(exp) = session.expires_at() {
                    self.store.set_token_expiry(a.id, exp)?;
                }
                r
            })();
            match result {
                Ok(r) => reports.push(r),
                Err(e) => {
                    if matches!(e, SyncError::Session(SessionError::ReconnectNeeded { .. })) {
                        self.store.set_needs_reconnect(a.id, true)?;
                    }
                    let _ = self.store.record_sync_error(a.id, &e.to_string());
                    return Err(AppError::Sync { userid: a.userid, source: e });
                }
            }
        }
        Ok(reports)
    }

    pub fn status(&self) -> Result<Vec<AccountStatus>, AppError> {
        self.store
            .accounts()?
            .into_iter()
            .map(|a| {
                let (groups, measures) = self.store.counts(a.id)?;
                Ok(AccountStatus { sync: self.store.sync_state(a.id)?, groups, measures, account: a })
            })
            .collect()
    }

    /// One account: the given userid, or the only/first connected one.
    pub fn account_for(&self, userid: Option<&str>) -> Result<Account, AppError> {
        self.select(userid)?.into_iter().next().ok_or(AppError::NoAccounts)
    }

    /// The goal in effect: Heft's own setting, else Withings' latest goal.
    pub fn goal_kg(&self, account: i64) -> Result<Option<f64>, AppError> {
        Ok(match self.settings.file.goal_kg {
            Some(g) => Some(g),
            None => self.store.withings_goal_kg(account)?,
        })
    }

    /// Sets (or with `None` clears) Heft's goal weight.
    pub fn set_goal_kg(&mut self, goal: Option<f64>) -> Result<(), AppError> {
        self.settings.file.goal_kg = goal;
        self.settings.file.write(&self.settings.data_dir)?;
        Ok(())
    }

    /// The data of a chart and the account's time zone (for date labels).
    pub fn chart_data(
        &self,
        userid: Option<&str>,
        spec: &ChartSpec,
    ) -> Result<(ChartData, jiff::tz::TimeZone), AppError> {
        let a = self.account_for(userid)?;
        let mut spec = spec.clone();
        if spec.goal_kg.is_none() {
            spec.goal_kg = self.settings.file.goal_kg;
        }
        let data = chart::chart_data(&self.store, a.id, &spec, self.now())?;
        Ok((data, self.store.timezone(a.id)?))
    }

    pub fn trend(&self, userid: Option<&str>) -> Result<TrendSummary, AppError> {
        let a = self.account_for(userid)?;
        let q = Query {
            account: a.id,
            kind: MeasureType::WEIGHT,
            from: i64::MIN,
            to: i64::MAX,
            include_ambiguous: false,
        };
        let pts: Vec<(i64, f64)> = self.store.series(q)?.iter().map(|p| (p.ts, p.value)).collect();
        let tz = self.store.timezone(a.id)?;
        let days = trend::daily_trend(&pts, &tz, ALPHA);
        let last = days.last().ok_or_else(|| ChartError::NoData("weight".into()))?;
        let rate = trend::weekly_rate(&days);
        let change_30d = days.len().checked_sub(31).map(|i| last.trend - days[i].trend);
        let goal = self.goal_kg(a.id)?;
        let projection = match (goal, rate) {
            (Some(g), Some(r)) => trend::project(last.date, last.trend, r, g),
            _ => None,
        };
        Ok(TrendSummary {
            userid: a.userid,
            date: last.date,
            trend_kg: last.trend,
            weekly_rate_kg: rate,
            change_30d_kg: change_30d,
            goal_kg: goal,
            projected_from: projection.map(|p| p.from),
            projected_to: projection.map(|p| p.to),
        })
    }

    pub fn export_json(&self) -> Result<String, AppError> {
        let e = export::export(&self.store)?;
        serde_json::to_string_pretty(&e)
            .map_err(|e| AppError::Export(ExportError::NotAnExport(e.to_string())))
    }

    /// Body measurements as CSV; returns the number of rows.
    pub fn export_csv(&self, out: impl std::io::Write) -> Result<usize, AppError> {
        Ok(crate::csv_export::write_csv(&self.store, out)?)
    }

    pub fn import_json(&mut self, bytes: &[u8]) -> Result<ImportReport, AppError> {
        let data = export::parse(bytes)?;
        let now = self.now();
        Ok(export::import(&mut self.store, data, now)?)
    }

    /// Removes the demo account, its tokens and its history (real accounts are untouched,
    /// even one with the same userid).
    pub fn remove_demo(&mut self, userid: &str) -> Result<(), AppError> {
        let demo = self.store.accounts()?.into_iter().find(|a| a.provider == DEMO && a.userid == userid);
        let a = demo.ok_or_else(|| AppError::UnknownAccount(userid.to_string()))?;
        self.secrets.delete(&token_key(&a.provider, &a.userid))?;
        self.store.delete_account(a.id)?;
        Ok(())
    }

    /// Forgets an account's tokens (keychain); its history stays unless `delete_data`.
    pub fn disconnect(&mut self, userid: Option<&str>, delete_data: bool) -> Result<Vec<Account>, AppError> {
        let accounts = self.select(userid)?;
        for a in &accounts {
            self.secrets.delete(&token_key(&a.provider, &a.userid))?;
            if delete_data {
                self.store.delete_account(a.id)?;
            } else {
                self.store.set_needs_reconnect(a.id, true)?;
            }
        }
        Ok(accounts)
    }
}
