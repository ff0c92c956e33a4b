//! The commands the window may call (each granted in `capabilities/default.json`).

use heft::app::{AppError, DEMO, WITHINGS};
use heft::chart::{self, ChartKind, ChartSpec, PlotArea, Range, Theme};
use heft::secret::ClientSecret;
use heft::sync::{Progress, SyncReport};
use heft::units::MassUnit;
use heft::withings::Waiting;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::shared::Shared;

/// An error the window can act on: a stable `code` to branch on and a sentence for people.
#[derive(Debug, Serialize)]
pub struct UiError {
    code: &'static str,
    message: String,
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        UiError { code: e.code(), message: e.to_string() }
    }
}

fn internal(message: impl ToString) -> UiError {
    UiError { code: "internal", message: message.to_string() }
}

fn parse_unit(unit: &str) -> Result<MassUnit, UiError> {
    MassUnit::parse(unit)
        .ok_or_else(|| UiError { code: "bad_input", message: format!("unknown unit {unit:?}") })
}

#[derive(Serialize)]
pub struct AccountView {
    userid: String,
    provider: String,
    demo: bool,
    needs_reconnect: bool,
    last_sync_at: Option<i64>,
    last_error: Option<String>,
    groups: i64,
}

#[derive(Serialize)]
pub struct Overview {
    /// A Withings developer app is set up (client id and secret).
    configured: bool,
    accounts: Vec<AccountView>,
    unit: String,
    demo_url: Option<String>,
}

#[tauri::command]
pub fn overview(state: State<'_, Shared>) -> Result<Overview, UiError> {
    let app = state.reader();
    let accounts = app
        .status()?
        .into_iter()
        .map(|s| AccountView {
            userid: s.account.userid,
            provider: s.account.provider,
            demo: s.account.demo,
            needs_reconnect: s.account.needs_reconnect,
            last_sync_at: s.sync.last_sync_at,
            last_error: s.sync.last_error,
            groups: s.groups,
        })
        .collect();
    Ok(Overview {
        configured: app.is_configured(),
        accounts,
        unit: app.settings.file.unit.clone().unwrap_or_else(|| "kg".into()),
        demo_url: state.demo_url(),
    })
}

/// Saves the Withings developer app: the id in settings, the secret in the keychain.
#[tauri::command]
pub fn credentials(
    state: State<'_, Shared>,
    client_id: String,
    client_secret: String,
) -> Result<(), UiError> {
    let (id, secret) = (client_id.trim().to_string(), client_secret.trim().to_string());
    if id.is_empty() || secret.is_empty() {
        return Err(UiError {
            code: "bad_input",
            message: "enter both the client id and the client secret".into(),
        });
    }
    let writer = state.writer();
    let mut app = writer.lock().map_err(internal)?;
    Ok(app.save_credentials(&id, &ClientSecret::new(secret))?)
}

async fn connect_with(state: State<'_, Shared>, provider: &'static str) -> Result<String, UiError> {
    let writer = state.writer();
    tauri::async_runtime::spawn_blocking(move || {
        let mut app = writer.lock().map_err(internal)?;
        Ok(app.connect(provider, false)?.userid)
    })
    .await
    .map_err(internal)?
}

/// Opens Withings' consent page in the system browser and waits for the callback.
#[tauri::command]
pub async fn connect(state: State<'_, Shared>) -> Result<String, UiError> {
    connect_with(state, WITHINGS).await
}

/// Starts the bundled simulator and connects to it through the same flow.
#[tauri::command]
pub async fn demo(state: State<'_, Shared>) -> Result<String, UiError> {
    state.start_demo().map_err(|m| UiError { code: "demo_failed", message: m })?;
    connect_with(state, DEMO).await
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
) -> Result<Vec<SyncReport>, UiError> {
    let writer = state.writer();
    tauri::async_runtime::spawn_blocking(move || {
        let mut core = writer.lock().map_err(internal)?;
        let events = app.clone();
        let on_wait = move |w: &Waiting| {
            let _ = events.emit("sync-waiting", w.to_string());
        };
        let mut progress = |u: &str, p: &Progress| {
            let _ = app.emit("sync-progress", ProgressEvent { userid: u, progress: *p });
        };
        Ok(core.sync(userid.as_deref(), false, &mut progress, on_wait)?)
    })
    .await
    .map_err(internal)?
}

#[derive(Serialize)]
pub struct ChartView {
    svg: String,
    area: PlotArea,
    from: i64,
    to: i64,
    /// The first series' weigh-ins as drawn (x = Unix seconds), for hover values.
    points: Vec<(f64, f64)>,
    y_label: String,
}

#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub fn chart(
    state: State<'_, Shared>,
    userid: Option<String>,
    kind: String,
    range: String,
    unit: String,
    dark: bool,
    width: u32,
    height: u32,
) -> Result<ChartView, UiError> {
    let app = state.reader();
    let account = app.account_for(userid.as_deref())?;
    let tz = app.store.timezone(account.id).map_err(AppError::from)?;
    let spec = ChartSpec {
        kind: ChartKind::parse(&kind).map_err(AppError::from)?,
        range: Range::parse(&range, &tz).map_err(AppError::from)?,
        unit: parse_unit(&unit)?,
        theme: if dark { Theme::Dark } else { Theme::Light },
        width: width.clamp(320, 4000),
        height: height.clamp(200, 3000),
        goal_kg: None,
        include_ambiguous: false,
    };
    let (data, tz) = app.chart_data(Some(&account.userid), &spec)?;
    let (svg, area) = chart::render_svg_with_area(&data, &spec, &tz).map_err(AppError::from)?;
    let cols = (area.right - area.left).max(1) as u32;
    let points = data
        .lines
        .first()
        .map(|l| chart::downsample(&l.points, data.from as f64, data.to as f64, cols))
        .unwrap_or_default();
    Ok(ChartView { svg, area, from: data.from, to: data.to, points, y_label: data.y_label })
}

#[derive(Serialize)]
pub struct SummaryView {
    trend: String,
    weekly_rate: Option<String>,
    change_30d: Option<String>,
    goal: Option<String>,
    projected: Option<String>,
    date: String,
}

#[tauri::command]
pub fn summary(
    state: State<'_, Shared>,
    userid: Option<String>,
    unit: String,
) -> Result<SummaryView, UiError> {
    let u = parse_unit(&unit)?;
    let t = state.reader().trend(userid.as_deref())?;
    Ok(SummaryView {
        trend: u.format(t.trend_kg),
        weekly_rate: t.weekly_rate_kg.map(|r| format!("{} / week", u.format_delta(r))),
        change_30d: t.change_30d_kg.map(|c| u.format_delta(c)),
        goal: t.goal_kg.map(|g| u.format(g)),
        projected: match (t.projected_from, t.projected_to) {
            (Some(a), Some(b)) => {
                Some(format!("{} – {}", a.strftime("%b %-d, %Y"), b.strftime("%b %-d, %Y")))
            }
            _ => None,
        },
        date: t.date.to_string(),
    })
}

#[derive(Serialize)]
pub struct RecentRow {
    date: String,
    weight: String,
    fat: String,
    flags: Vec<&'static str>,
}

#[tauri::command]
pub fn recent(
    state: State<'_, Shared>,
    userid: Option<String>,
    unit: String,
) -> Result<Vec<RecentRow>, UiError> {
    let u = parse_unit(&unit)?;
    let app = state.reader();
    let account = app.account_for(userid.as_deref())?;
    let tz = app.store.timezone(account.id).map_err(AppError::from)?;
    let rows = app.store.recent_weigh_ins(account.id, 12).map_err(AppError::from)?;
    Ok(rows
        .into_iter()
        .map(|w| {
            let date = jiff::Timestamp::from_second(w.ts)
                .map(|t| t.to_zoned(tz.clone()).strftime("%a %b %-d, %H:%M").to_string())
                .unwrap_or_default();
            let mut flags = Vec::new();
            if w.manual {
                flags.push("manual");
            }
            if w.ambiguous {
                flags.push("unconfirmed");
            }
            RecentRow {
                date,
                weight: u.format(w.weight_kg),
                fat: w.fat_ratio.map(|f| format!("{f:.1} %")).unwrap_or_else(|| "—".into()),
                flags,
            }
        })
        .collect())
}

/// Remembers the display unit.
#[tauri::command]
pub fn unit(state: State<'_, Shared>, unit: String) -> Result<(), UiError> {
    parse_unit(&unit)?;
    let writer = state.writer();
    let mut app = writer.lock().map_err(internal)?;
    app.settings.file.unit = Some(unit);
    app.settings.file.write(&app.settings.data_dir).map_err(AppError::from)?;
    Ok(())
}

/// Removes the demo account and its history.
#[tauri::command]
pub fn forget(state: State<'_, Shared>, userid: String) -> Result<(), UiError> {
    let writer = state.writer();
    let mut app = writer.lock().map_err(internal)?;
    Ok(app.remove_demo(&userid)?)
}
