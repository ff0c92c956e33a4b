//! The commands the window may call (each granted in `capabilities/default.json`). Each parses
//! its input, calls one `App` method and maps the error to `{code, message}`.

use heft::app::{
    AccountSyncView, AppError, BacktestRow, BodyFigure, ChartRequest, Entry, ExportFormat, ExportSummary,
    Health, ImportOptions, Imported, Overview, Preferences, PreferencesUpdate, RenderedChart, SplitView,
    Standing, SummaryText, SyncEvery, SyncLine, ThemeChoice, TrendChoice, WeighInRow,
};
use heft::auth::Provider;
use heft::chart::{ChartKind, Theme};
use heft::redact::ClientSecret;
use heft::sync::Progress;
use heft::trend::Method;
use heft::units::MassUnit;
use heft::withings::Waiting;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_opener::OpenerExt;

use crate::dialogs;
use crate::errors::UiError;
use crate::shared::Shared;

/// Runs a command's work on a blocking thread: the main (webview) thread never waits on the
/// database, the keychain or a lock another command holds.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, UiError> + Send + 'static,
) -> Result<T, UiError> {
    tauri::async_runtime::spawn_blocking(work).await?
}

fn unit(unit: &str) -> Result<MassUnit, UiError> {
    MassUnit::parse(unit)
        .ok_or_else(|| UiError { code: "bad_input", message: format!("unknown unit {unit:?}") })
}

#[tauri::command]
pub async fn overview(state: State<'_, Shared>) -> Result<Overview, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().overview()?)).await
}

/// The keychain probe's verdict from start-up, if it found a problem.
#[tauri::command]
pub async fn keychain_problem(state: State<'_, Shared>) -> Result<Option<UiError>, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.keychain_problem())).await
}

/// Saves the Withings developer app: the id in settings, the secret in the keychain.
#[tauri::command]
pub async fn credentials(
    state: State<'_, Shared>,
    client_id: String,
    client_secret: String,
) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().save_credentials(&client_id, &ClientSecret::new(client_secret))?)).await
}

/// Opens Withings' consent page in the system browser and waits for the callback.
#[tauri::command]
pub async fn connect(state: State<'_, Shared>) -> Result<String, UiError> {
    let shared = state.handle();
    blocking(move || Ok(shared.app().connect(Provider::Withings, false)?.userid)).await
}

/// Starts the bundled simulator and connects to it through the same flow.
#[tauri::command]
pub async fn demo(state: State<'_, Shared>) -> Result<String, UiError> {
    let shared = state.handle();
    blocking(move || {
        let endpoint = shared.demo_endpoint()?;
        Ok(shared.app().start_demo(endpoint)?.userid)
    })
    .await
}

#[derive(Clone, Serialize)]
struct ProgressEvent<'a> {
    userid: &'a str,
    #[serde(flatten)]
    progress: Progress,
}

/// Syncs off the UI thread, reporting `sync-progress` and `sync-waiting` events.
#[tauri::command]
pub async fn sync(
    app: AppHandle,
    state: State<'_, Shared>,
    userid: Option<String>,
) -> Result<Vec<AccountSyncView>, UiError> {
    let shared = state.handle();
    blocking(move || {
        let events = app.clone();
        let on_wait = move |w: &Waiting| {
            let code = match w {
                Waiting::RateLimited(_) => "rate_limited",
                Waiting::Retrying { .. } => "retrying",
            };
            let _ = events.emit("sync-waiting", UiError { code, message: w.to_string() });
        };
        let mut progress = |u: &str, p: &Progress| {
            let _ = app.emit("sync-progress", ProgressEvent { userid: u, progress: *p });
        };
        if let Err(e) = shared.ensure_demo() {
            // The demo then fails its sync with this reason; other accounts still sync.
            tracing::warn!("the demo simulator could not start again: {}", e.message);
        }
        let results = shared.app().sync(userid.as_deref(), false, &mut progress, on_wait)?;
        Ok(results.iter().map(|r| r.view()).collect())
    })
    .await
}

#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn chart(
    state: State<'_, Shared>,
    userid: Option<String>,
    kind: String,
    range: String,
    unit: String,
    dark: bool,
    width: u32,
    height: u32,
) -> Result<RenderedChart, UiError> {
    let state = state.handle();
    blocking(move || {
        let req = chart_request(&kind, range, &unit, dark, width, height)?;
        Ok(state.app().render_chart(userid.as_deref(), &req)?)
    })
    .await
}

/// The chart the window shows, as the commands receive it.
fn chart_request(
    kind: &str,
    range: String,
    unit: &str,
    dark: bool,
    width: u32,
    height: u32,
) -> Result<ChartRequest, UiError> {
    Ok(ChartRequest {
        kind: ChartKind::parse(kind).map_err(AppError::from)?,
        range,
        unit: Some(self::unit(unit)?),
        theme: if dark { Theme::Dark } else { Theme::Light },
        width: width.clamp(320, 4000),
        height: height.clamp(200, 3000),
        include_ambiguous: false,
        trend: TrendChoice::default(),
    })
}

/// Saves the chart on screen as PNG or SVG, where the native dialog says; returns the path
/// (none when the person closed the dialog).
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn save_chart(
    app: AppHandle,
    state: State<'_, Shared>,
    userid: Option<String>,
    kind: String,
    range: String,
    unit: String,
    dark: bool,
    width: u32,
    height: u32,
    format: String,
) -> Result<Option<String>, UiError> {
    let req = chart_request(&kind, range, &unit, dark, width, height)?;
    let (ext, what) = match format.as_str() {
        "png" => ("png", "PNG image"),
        "svg" => ("svg", "SVG drawing"),
        other => return Err(UiError { code: "bad_input", message: format!("unknown format {other:?}") }),
    };
    let shared = state.handle();
    blocking(move || {
        let name = format!("heft-{kind}.{ext}");
        let Some(path) = dialogs::save(&app, "Save the chart", &name, what, ext) else { return Ok(None) };
        shared.app().save_chart(userid.as_deref(), &req, &path)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

#[tauri::command]
pub async fn summary(
    state: State<'_, Shared>,
    userid: Option<String>,
    unit: String,
) -> Result<SummaryText, UiError> {
    let state = state.handle();
    blocking(move || {
        let u = self::unit(&unit)?;
        Ok(state.app().trend(userid.as_deref(), TrendChoice::default())?.in_unit(u))
    })
    .await
}

/// Weigh-ins, newest first, with where each stands; `show` is "all", "review" or "flagged".
#[tauri::command]
pub async fn weigh_ins(
    state: State<'_, Shared>,
    userid: Option<String>,
    unit: String,
    show: String,
) -> Result<Vec<WeighInRow>, UiError> {
    let state = state.handle();
    blocking(move || {
        let u = self::unit(&unit)?;
        let (only, flagged, limit) = match show.as_str() {
            "review" => (Some(Standing::AwaitingReview), false, usize::MAX),
            "flagged" => (None, true, usize::MAX),
            _ => (None, false, 30),
        };
        Ok(state.app().weigh_ins(userid.as_deref(), Some(u), limit, only, flagged)?)
    })
    .await
}

/// The weigh-in nearest to a point clicked on the chart (`within` seconds of `ts`).
#[tauri::command]
pub async fn weigh_in_near(
    state: State<'_, Shared>,
    userid: Option<String>,
    unit: String,
    ts: i64,
    within: i64,
) -> Result<Option<WeighInRow>, UiError> {
    let state = state.handle();
    blocking(move || {
        let u = self::unit(&unit)?;
        Ok(state.app().weigh_in_near(userid.as_deref(), Some(u), ts, within)?)
    })
    .await
}

/// The account's latest syncs with the weigh-ins each touched.
#[tauri::command]
pub async fn sync_log(
    state: State<'_, Shared>,
    userid: Option<String>,
    unit: String,
    limit: usize,
) -> Result<Vec<SyncLine>, UiError> {
    let state = state.handle();
    blocking(move || {
        let u = self::unit(&unit)?;
        Ok(state.app().sync_log(userid.as_deref(), limit.clamp(1, 100), Some(u))?)
    })
    .await
}

/// Leaves a weigh-in out of the trend (Withings keeps it), or counts it again.
#[tauri::command]
pub async fn exclude(
    state: State<'_, Shared>,
    userid: Option<String>,
    grpid: i64,
    excluded: bool,
    reason: Option<String>,
) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let app = state.app();
        if excluded {
            app.exclude(userid.as_deref(), grpid, reason.as_deref())?;
        } else {
            app.include(userid.as_deref(), grpid)?;
        }
        Ok(())
    })
    .await
}

/// "Mine" or "not me" for a weigh-in the scale could not attribute.
#[tauri::command]
pub async fn review(
    state: State<'_, Shared>,
    userid: Option<String>,
    grpid: i64,
    mine: bool,
) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().review(userid.as_deref(), grpid, mine)?)).await
}

/// What the entry form sent; empty optional fields are left out.
fn entry(
    weight: String,
    unit: &str,
    fat_ratio: Option<String>,
    at: Option<String>,
) -> Result<Entry, UiError> {
    Ok(Entry {
        weight: Some(weight),
        unit: Some(self::unit(unit)?),
        fat_ratio: fat_ratio.filter(|f| !f.trim().is_empty()),
        at: at.filter(|a| !a.trim().is_empty()),
    })
}

/// Adds a weigh-in typed in the window; returns its number.
#[tauri::command]
pub async fn add_entry(
    state: State<'_, Shared>,
    userid: Option<String>,
    weight: String,
    unit: String,
    fat_ratio: Option<String>,
    at: Option<String>,
) -> Result<i64, UiError> {
    let state = state.handle();
    blocking(move || {
        let entry = entry(weight, &unit, fat_ratio, at)?;
        Ok(state.app().add_entry(userid.as_deref(), &entry)?.1)
    })
    .await
}

/// Changes a weigh-in the person added or imported.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn edit_entry(
    state: State<'_, Shared>,
    userid: Option<String>,
    grpid: i64,
    weight: String,
    unit: String,
    fat_ratio: Option<String>,
    at: Option<String>,
) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let entry = entry(weight, &unit, fat_ratio, at)?;
        Ok(state.app().edit_entry(userid.as_deref(), grpid, &entry)?)
    })
    .await
}

/// Deletes a weigh-in the person added or imported.
#[tauri::command]
pub async fn remove_entry(
    state: State<'_, Shared>,
    userid: Option<String>,
    grpid: i64,
) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().remove_entry(userid.as_deref(), grpid)?)).await
}

/// An account's name, colour, own unit (none: the default) and goal (in `goal_unit`; none
/// clears it).
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn save_account(
    state: State<'_, Shared>,
    userid: String,
    name: String,
    colour: Option<String>,
    unit: Option<String>,
    goal: Option<f64>,
    goal_unit: String,
) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let unit = unit.filter(|u| !u.is_empty()).map(|u| self::unit(&u)).transpose()?;
        let goal_unit = self::unit(&goal_unit)?;
        let app = state.app();
        let who = Some(userid.as_str());
        app.rename_account(who, &name)?;
        app.set_account_colour(who, colour.as_deref().filter(|c| !c.is_empty()))?;
        app.set_account_unit(who, unit)?;
        app.set_goal_kg(who, goal.map(|g| goal_unit.to_kg(g)))?;
        Ok(())
    })
    .await
}

/// The unit an account is shown in: its own if it has one, else the default for all.
#[tauri::command]
pub async fn show_unit(state: State<'_, Shared>, userid: String, unit: String) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let u = self::unit(&unit)?;
        let app = state.app();
        let a = app.account_for(Some(&userid))?;
        if a.unit.is_some() {
            app.set_account_unit(Some(&userid), Some(u))?;
        } else {
            app.set_unit(u)?;
        }
        Ok(())
    })
    .await
}

/// Imports a file chosen in the native dialog: a Heft JSON export or Withings' export (its
/// ZIP or weight.csv). None when the person closed the dialog.
#[tauri::command]
pub async fn import_chosen(
    app: AppHandle,
    state: State<'_, Shared>,
    userid: Option<String>,
    timezone: Option<String>,
) -> Result<Option<Imported>, UiError> {
    let shared = state.handle();
    blocking(move || {
        let kinds = ["zip", "csv", "json"];
        let Some(path) = dialogs::open(&app, "Import into Heft", "Withings export or Heft backup", &kinds)
        else {
            return Ok(None);
        };
        let opts = ImportOptions { account: userid, timezone: timezone.filter(|t| !t.is_empty()) };
        Ok(Some(shared.app().import_path(&path, &opts)?))
    })
    .await
}

/// Exports through the native save dialog: everything as JSON (lossless, for backups and
/// import), body measurements as CSV, or the account's weigh-ins as a FIT file.
#[tauri::command]
pub async fn export_data(
    app: AppHandle,
    state: State<'_, Shared>,
    userid: Option<String>,
    format: String,
) -> Result<Option<ExportSummary>, UiError> {
    let (fmt, name, kind) = match format.as_str() {
        "json" => (ExportFormat::Json, "heft-export.json", "Heft backup"),
        "csv" => (ExportFormat::Csv, "heft-weigh-ins.csv", "Spreadsheet (CSV)"),
        "fit" => (ExportFormat::Fit, "heft-weight.fit", "Garmin FIT"),
        other => return Err(UiError { code: "bad_input", message: format!("unknown format {other:?}") }),
    };
    let shared = state.handle();
    blocking(move || {
        let Some(path) = dialogs::save(&app, "Export from Heft", name, kind, &format) else {
            return Ok(None);
        };
        let account = if fmt == ExportFormat::Json { None } else { userid.as_deref() };
        Ok(Some(shared.app().export_to(fmt, &path, account)?))
    })
    .await
}

/// Stops the running sync after the page it is storing, or a connect waiting for the browser.
#[tauri::command]
pub async fn cancel(state: State<'_, Shared>) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        state.cancel();
        Ok(())
    })
    .await
}

/// The connection health of one account (reads the keychain, so only on demand).
#[tauri::command]
pub async fn health(state: State<'_, Shared>, userid: Option<String>) -> Result<Health, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().health(userid.as_deref())?)).await
}

#[tauri::command]
/// The settings; `check_secret` also asks the keychain whether a client secret is saved (the
/// settings page), which the start path does not wait for.
pub async fn preferences(state: State<'_, Shared>, check_secret: bool) -> Result<Preferences, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().preferences(check_secret)?)).await
}

#[tauri::command]
pub async fn save_preferences(
    state: State<'_, Shared>,
    unit: String,
    sync_on_launch: bool,
    sync_every: String,
    theme: String,
) -> Result<Preferences, UiError> {
    let state = state.handle();
    blocking(move || {
        let bad = |what: &str| UiError { code: "bad_input", message: format!("unknown choice {what:?}") };
        let update = PreferencesUpdate {
            unit: self::unit(&unit)?,
            sync_on_launch,
            sync_every: SyncEvery::parse(&sync_every).ok_or_else(|| bad(&sync_every))?,
            theme: ThemeChoice::parse(&theme).ok_or_else(|| bad(&theme))?,
        };
        Ok(state.app().save_preferences(&update)?)
    })
    .await
}

/// Opens the data folder in the file manager.
#[tauri::command]
pub async fn open_data_folder(app: AppHandle, state: State<'_, Shared>) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let dir = state.app().data_dir().to_path_buf();
        app.opener()
            .open_path(dir.display().to_string(), None::<&str>)
            .map_err(|e| UiError { code: "internal", message: format!("cannot open {}: {e}", dir.display()) })
    })
    .await
}

/// Forgets the account's tokens (its history stays), or with `delete_data` the history too.
#[tauri::command]
pub async fn disconnect(state: State<'_, Shared>, userid: String, delete_data: bool) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        state.app().disconnect(Some(&userid), delete_data)?;
        Ok(())
    })
    .await
}

/// Connects an account again through its own flow (the demo's through the bundled simulator).
#[tauri::command]
pub async fn reconnect(state: State<'_, Shared>, userid: String) -> Result<String, UiError> {
    let shared = state.handle();
    blocking(move || {
        let provider = shared.app().account_for(Some(&userid))?.provider;
        let account = if provider.is_demo() {
            let endpoint = shared.demo_endpoint()?;
            shared.app().start_demo(endpoint)?
        } else {
            shared.app().connect(provider, false)?
        };
        Ok(account.userid)
    })
    .await
}

/// Chooses the account's trend method; every chart and figure uses it.
#[tauri::command]
pub async fn set_method(
    state: State<'_, Shared>,
    userid: Option<String>,
    method: String,
) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let m = Method::parse(&method).map_err(|e| UiError { code: "bad_input", message: e.to_string() })?;
        Ok(state.app().set_trend_method(userid.as_deref(), m, None)?)
    })
    .await
}

/// How well each method predicts the account's weigh-ins a week ahead, best first.
#[tauri::command]
pub async fn backtest(
    state: State<'_, Shared>,
    userid: Option<String>,
    unit: String,
) -> Result<Vec<BacktestRow>, UiError> {
    let state = state.handle();
    blocking(move || {
        let u = self::unit(&unit)?;
        Ok(state.app().backtest_rows(userid.as_deref(), u)?)
    })
    .await
}

/// The fat / lean split of the trend change between two instants (default: the last 90 days).
#[tauri::command]
pub async fn split(
    state: State<'_, Shared>,
    userid: Option<String>,
    unit: String,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<SplitView, UiError> {
    let state = state.handle();
    blocking(move || {
        let u = self::unit(&unit)?;
        Ok(state.app().split_view(userid.as_deref(), u, from, to)?)
    })
    .await
}

/// The latest value of each body measure the account has.
#[tauri::command]
pub async fn body(state: State<'_, Shared>, userid: Option<String>) -> Result<Vec<BodyFigure>, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().body_figures(userid.as_deref())?)).await
}

/// Removes the demo account and its history (never a real account).
#[tauri::command]
pub async fn remove_demo(state: State<'_, Shared>, userid: String) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().remove_demo(&userid)?)).await
}
