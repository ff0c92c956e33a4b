//! The commands the window may call, as `ipc.rs` lists them (with their argument types). Each
//! calls one `App` method off the main thread and maps the error to `{code, message}`.

use heft::app::{
    AccountSyncView, AverageRow, BacktestRow, BodyFigure, ChartRequest, Entry, ExportFormat, ExportSummary,
    Health, ImportOptions, Imported, Overview, Preferences, PreferencesUpdate, RenderedChart, SplitView,
    Standing, SummaryText, SyncLine, TrendChoice, WeighInRow,
};
use heft::auth::Provider;
use heft::chart::Theme;
use heft::error_code::ErrorCode;
use heft::imports::generic::{ColumnMap, Preview, Source as MapPart};
use heft::redact::ClientSecret;
use heft::withings::Waiting;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use crate::dialogs;
use crate::errors::UiError;
use crate::ipc::{
    AccountArgs, AveragesArgs, ChartArgs, CredentialsArgs, DayReadingArgs, DisconnectArgs, EditEntryArgs,
    EntryArgs, Event, ExcludeArgs, ExportArgs, ExportChoice, GroupArgs, ImageFormat, ImportArgs,
    ImportCsvArgs, MethodArgs, NearArgs, NoteArgs, PreferencesArgs, ProgressEvent, ReviewArgs,
    SaveAccountArgs, SaveChartArgs, SavePreferencesArgs, Show, ShowUnitArgs, SplitArgs, SyncLogArgs,
    UnitArgs, UseridArgs, WeighInsArgs,
};
use crate::shared::Shared;

/// Runs a command's work on a blocking thread: the main (webview) thread never waits on the
/// database, the keychain or a lock another command holds.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, UiError> + Send + 'static,
) -> Result<T, UiError> {
    tauri::async_runtime::spawn_blocking(work).await?
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
pub async fn credentials(state: State<'_, Shared>, args: CredentialsArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        Ok(state.app().save_credentials(&args.client_id, &ClientSecret::new(args.client_secret))?)
    })
    .await
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

/// Syncs off the UI thread, reporting `sync-progress` and `sync-waiting` events.
#[tauri::command]
pub async fn sync(
    app: AppHandle,
    state: State<'_, Shared>,
    args: AccountArgs,
) -> Result<Vec<AccountSyncView>, UiError> {
    let shared = state.handle();
    let userid = args.userid;
    blocking(move || {
        let events = app.clone();
        let on_wait = move |w: &Waiting| {
            let code = match w {
                Waiting::RateLimited(_) => ErrorCode::RateLimited,
                Waiting::Retrying { .. } => ErrorCode::Retrying,
            };
            Event::SyncWaiting(UiError { code, message: w.to_string() }).emit(&events);
        };
        let mut progress = |u: &str, p: &heft::sync::Progress| {
            Event::SyncProgress(ProgressEvent { userid: u.to_string(), progress: *p }).emit(&app);
        };
        let results = shared.sync(userid.as_deref(), &mut progress, on_wait)?;
        Ok(results.iter().map(|r| r.view()).collect())
    })
    .await
}

#[tauri::command]
pub async fn chart(state: State<'_, Shared>, args: ChartArgs) -> Result<RenderedChart, UiError> {
    let state = state.handle();
    blocking(move || {
        let req = chart_request(&args);
        Ok(state.app().render_chart(args.userid.as_deref(), &req)?)
    })
    .await
}

/// The chart the window shows, as the core draws it.
fn chart_request(args: &ChartArgs) -> ChartRequest {
    ChartRequest {
        kind: args.kind,
        range: args.range.clone(),
        unit: Some(args.unit),
        theme: if args.dark { Theme::Dark } else { Theme::Light },
        width: args.width.clamp(320, 4000),
        height: args.height.clamp(200, 3000),
        include_ambiguous: false,
        trend: TrendChoice::default(),
    }
}

/// Saves the chart on screen as PNG or SVG, where the native dialog says; returns the path
/// (none when the person closed the dialog).
#[tauri::command]
pub async fn save_chart(
    app: AppHandle,
    state: State<'_, Shared>,
    args: SaveChartArgs,
) -> Result<Option<String>, UiError> {
    let req = chart_request(&args.chart);
    let (ext, what) = match args.format {
        ImageFormat::Png => ("png", "PNG image"),
        ImageFormat::Svg => ("svg", "SVG drawing"),
    };
    let shared = state.handle();
    blocking(move || {
        let name = format!("heft-{}.{ext}", req.kind.as_str());
        let Some(path) = dialogs::save(&app, "Save the chart", &name, what, ext) else { return Ok(None) };
        shared.app().save_chart(args.chart.userid.as_deref(), &req, &path)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

#[tauri::command]
pub async fn summary(state: State<'_, Shared>, args: UnitArgs) -> Result<SummaryText, UiError> {
    let state = state.handle();
    blocking(move || {
        Ok(state.app().trend(args.userid.as_deref(), TrendChoice::default())?.in_unit(args.unit))
    })
    .await
}

/// Weigh-ins, newest first, with where each stands.
#[tauri::command]
pub async fn weigh_ins(state: State<'_, Shared>, args: WeighInsArgs) -> Result<Vec<WeighInRow>, UiError> {
    let state = state.handle();
    blocking(move || {
        let (only, flagged, limit) = match args.show {
            Show::Review => (Some(Standing::AwaitingReview), false, usize::MAX),
            Show::Flagged => (None, true, usize::MAX),
            Show::All => (None, false, 30),
        };
        Ok(state.app().weigh_ins(args.userid.as_deref(), Some(args.unit), limit, only, flagged)?)
    })
    .await
}

/// The weigh-in nearest to a point clicked on the chart (`within` seconds of `ts`).
#[tauri::command]
pub async fn weigh_in_near(state: State<'_, Shared>, args: NearArgs) -> Result<Option<WeighInRow>, UiError> {
    let state = state.handle();
    blocking(move || {
        Ok(state.app().weigh_in_near(args.userid.as_deref(), Some(args.unit), args.ts, args.within)?)
    })
    .await
}

/// The account's latest syncs with the weigh-ins each touched.
#[tauri::command]
pub async fn sync_log(state: State<'_, Shared>, args: SyncLogArgs) -> Result<Vec<SyncLine>, UiError> {
    let state = state.handle();
    blocking(move || {
        let limit = args.limit.clamp(1, 100) as usize;
        Ok(state.app().sync_log(args.userid.as_deref(), limit, Some(args.unit))?)
    })
    .await
}

/// Leaves a weigh-in out of the trend (Withings keeps it), or counts it again.
#[tauri::command]
pub async fn exclude(state: State<'_, Shared>, args: ExcludeArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let app = state.app();
        if args.excluded {
            app.exclude(args.userid.as_deref(), args.grpid, args.reason.as_deref())?;
        } else {
            app.include(args.userid.as_deref(), args.grpid)?;
        }
        Ok(())
    })
    .await
}

/// "Mine" or "not me" for a weigh-in the scale could not attribute.
#[tauri::command]
pub async fn review(state: State<'_, Shared>, args: ReviewArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().review(args.userid.as_deref(), args.grpid, args.mine)?)).await
}

/// Writes or removes the person's note on a weigh-in.
#[tauri::command]
pub async fn set_note(state: State<'_, Shared>, args: NoteArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().set_note(args.userid.as_deref(), args.grpid, args.note.as_deref())?))
        .await
}

/// What the entry form sent; empty optional fields are left out.
fn entry(args: EntryArgs) -> Entry {
    Entry {
        weight: Some(args.weight),
        unit: Some(args.unit),
        fat_ratio: args.fat_ratio.filter(|f| !f.trim().is_empty()),
        at: args.at.filter(|a| !a.trim().is_empty()),
    }
}

/// Adds a weigh-in typed in the window; returns its number.
#[tauri::command]
pub async fn add_entry(state: State<'_, Shared>, args: EntryArgs) -> Result<i64, UiError> {
    let state = state.handle();
    blocking(move || {
        let userid = args.userid.clone();
        Ok(state.app().add_entry(userid.as_deref(), &entry(args))?.1)
    })
    .await
}

/// Changes a weigh-in the person added or imported.
#[tauri::command]
pub async fn edit_entry(state: State<'_, Shared>, args: EditEntryArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let (grpid, userid) = (args.grpid, args.entry.userid.clone());
        Ok(state.app().edit_entry(userid.as_deref(), grpid, &entry(args.entry))?)
    })
    .await
}

/// Deletes a weigh-in the person added or imported.
#[tauri::command]
pub async fn remove_entry(state: State<'_, Shared>, args: GroupArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().remove_entry(args.userid.as_deref(), args.grpid)?)).await
}

/// An account's name, colour, own unit and goal.
#[tauri::command]
pub async fn save_account(state: State<'_, Shared>, args: SaveAccountArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let app = state.app();
        let who = Some(args.userid.as_str());
        app.rename_account(who, &args.name)?;
        app.set_account_colour(who, args.colour.as_deref().filter(|c| !c.is_empty()))?;
        app.set_account_unit(who, args.unit)?;
        app.set_goal_kg(who, args.goal.map(|g| args.goal_unit.to_kg(g)))?;
        Ok(())
    })
    .await
}

/// The unit an account is shown in: its own if it has one, else the default for all.
#[tauri::command]
pub async fn show_unit(state: State<'_, Shared>, args: ShowUnitArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        let app = state.app();
        let a = app.account_for(Some(&args.userid))?;
        if a.unit.is_some() {
            app.set_account_unit(Some(&args.userid), Some(args.unit))?;
        } else {
            app.set_unit(args.unit)?;
        }
        Ok(())
    })
    .await
}

/// Imports a file chosen in the native dialog: a Heft backup, or Withings', Apple Health's,
/// Fitbit's, openScale's or Libra's export. None when the person closed the dialog.
#[tauri::command]
pub async fn import_chosen(
    app: AppHandle,
    state: State<'_, Shared>,
    args: ImportArgs,
) -> Result<Option<Imported>, UiError> {
    let shared = state.handle();
    blocking(move || {
        let kinds = ["zip", "csv", "json", "xml"];
        let Some(path) = dialogs::open(&app, "Import into Heft", "An app's export or a Heft backup", &kinds)
        else {
            return Ok(None);
        };
        let opts = ImportOptions {
            account: args.userid,
            timezone: args.timezone.filter(|t| !t.is_empty()),
            unit: args.unit,
            map: None,
        };
        Ok(Some(shared.app().import_path(&path, &opts)?))
    })
    .await
}

/// Chooses a CSV in the native dialog and shows its headers and first rows, so the person can
/// say which column holds what; the file is kept for `import_csv` (the page never names a path).
#[tauri::command]
pub async fn preview_csv(app: AppHandle, state: State<'_, Shared>) -> Result<Option<Preview>, UiError> {
    let shared = state.handle();
    blocking(move || {
        let Some(path) = dialogs::open(&app, "Import a CSV", "CSV", &["csv", "txt"]) else { return Ok(None) };
        let preview = shared.app().preview_csv(&path)?;
        shared.choose_csv(path);
        Ok(Some(preview))
    })
    .await
}

/// Imports the CSV last previewed by the columns the person chose.
#[tauri::command]
pub async fn import_csv(state: State<'_, Shared>, args: ImportCsvArgs) -> Result<Imported, UiError> {
    let shared = state.handle();
    blocking(move || {
        let path = shared.chosen_csv().ok_or_else(|| UiError {
            code: ErrorCode::BadInput,
            message: "choose the CSV first (Import a CSV by its columns…)".into(),
        })?;
        let map = ColumnMap {
            time: args.time,
            weight: args.weight,
            fat: args.fat.filter(|f| !f.is_empty()),
            unit: Some(MapPart::Value(args.unit.as_str().to_string())),
            zone: args.zone.filter(|z| !z.trim().is_empty()).map(|z| MapPart::Value(z.trim().to_string())),
        };
        let opts =
            ImportOptions { account: args.userid, timezone: None, unit: Some(args.unit), map: Some(map) };
        Ok(shared.app().import_path(&path, &opts)?)
    })
    .await
}

/// Exports through the native save dialog: everything as JSON (lossless, for backups and
/// import), body measurements as CSV, or the account's weigh-ins as a FIT file.
#[tauri::command]
pub async fn export_data(
    app: AppHandle,
    state: State<'_, Shared>,
    args: ExportArgs,
) -> Result<Option<ExportSummary>, UiError> {
    let (fmt, name, kind, ext) = match args.format {
        ExportChoice::Json => (ExportFormat::Json, "heft-export.json", "Heft backup", "json"),
        ExportChoice::Csv => (ExportFormat::Csv, "heft-weigh-ins.csv", "Spreadsheet (CSV)", "csv"),
        ExportChoice::Fit => (ExportFormat::Fit, "heft-weight.fit", "Garmin FIT", "fit"),
    };
    let shared = state.handle();
    blocking(move || {
        let Some(path) = dialogs::save(&app, "Export from Heft", name, kind, ext) else {
            return Ok(None);
        };
        let account = if fmt == ExportFormat::Json { None } else { args.userid.as_deref() };
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
pub async fn health(state: State<'_, Shared>, args: AccountArgs) -> Result<Health, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().health(args.userid.as_deref())?)).await
}

/// The settings (with `check_secret`, whether the keychain holds the client secret).
#[tauri::command]
pub async fn preferences(state: State<'_, Shared>, args: PreferencesArgs) -> Result<Preferences, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().preferences(args.check_secret)?)).await
}

#[tauri::command]
pub async fn save_preferences(
    state: State<'_, Shared>,
    args: SavePreferencesArgs,
) -> Result<Preferences, UiError> {
    let state = state.handle();
    blocking(move || {
        let update = PreferencesUpdate {
            unit: args.unit,
            sync_on_launch: args.sync_on_launch,
            sync_every: args.sync_every,
            theme: args.theme,
            remind_after_days: args.remind_after_days,
            start_at_login: args.start_at_login,
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
        app.opener().open_path(dir.display().to_string(), None::<&str>).map_err(|e| UiError {
            code: ErrorCode::Internal,
            message: format!("cannot open {}: {e}", dir.display()),
        })
    })
    .await
}

/// Forgets the account's tokens (its history stays), or with `delete_data` the history too.
#[tauri::command]
pub async fn disconnect(state: State<'_, Shared>, args: DisconnectArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || {
        state.app().disconnect(Some(&args.userid), args.delete_data)?;
        Ok(())
    })
    .await
}

/// Connects an account again through its own flow (the demo's through the bundled simulator).
#[tauri::command]
pub async fn reconnect(state: State<'_, Shared>, args: UseridArgs) -> Result<String, UiError> {
    let shared = state.handle();
    blocking(move || {
        let provider = shared.app().account_for(Some(&args.userid))?.provider;
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
pub async fn set_method(state: State<'_, Shared>, args: MethodArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().set_trend_method(args.userid.as_deref(), args.method, None)?)).await
}

/// How well each method predicts the account's weigh-ins a week ahead, best first.
#[tauri::command]
pub async fn backtest(state: State<'_, Shared>, args: UnitArgs) -> Result<Vec<BacktestRow>, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().backtest_rows(args.userid.as_deref(), args.unit)?)).await
}

/// Weekly or monthly averages, newest first.
#[tauri::command]
pub async fn averages(state: State<'_, Shared>, args: AveragesArgs) -> Result<Vec<AverageRow>, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().average_rows(args.userid.as_deref(), args.monthly, args.unit)?)).await
}

/// Chooses which weigh-in stands for a day (first, lowest or mean); every daily trend and
/// figure follows.
#[tauri::command]
pub async fn set_day_reading(state: State<'_, Shared>, args: DayReadingArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().set_day_reading(args.userid.as_deref(), args.day_reading)?)).await
}

/// The fat / lean split of the trend change between two instants (default: the last 90 days).
#[tauri::command]
pub async fn split(state: State<'_, Shared>, args: SplitArgs) -> Result<SplitView, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().split_view(args.userid.as_deref(), args.unit, args.from, args.to)?)).await
}

/// The latest value of each body measure the account has.
#[tauri::command]
pub async fn body(state: State<'_, Shared>, args: AccountArgs) -> Result<Vec<BodyFigure>, UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().body_figures(args.userid.as_deref())?)).await
}

/// Removes the demo account and its history (never a real account).
#[tauri::command]
pub async fn remove_demo(state: State<'_, Shared>, args: UseridArgs) -> Result<(), UiError> {
    let state = state.handle();
    blocking(move || Ok(state.app().remove_demo(&args.userid)?)).await
}

/// The account the window shows (none: no account yet): its reminders wait while it is shown.
#[tauri::command]
pub async fn showing(state: State<'_, Shared>, args: AccountArgs) -> Result<(), UiError> {
    state.reminders().window_shows(args.userid);
    Ok(())
}
