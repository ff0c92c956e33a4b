//! Reminders as desktop notifications: checked at launch, every hour while Heft runs and
//! whenever the window shows another account (without a window, after a sync when one is
//! due); the core decides what is due and remembers what was said. A reminder about the
//! account the window shows waits (the person sees it there); clicking a notification opens
//! the window on its account.

use std::sync::Mutex;
use std::time::Duration;

use heft::app::Reminder;
use tauri::AppHandle;
use tokio::sync::Notify;

use crate::shared::{Shared, lock};
use crate::window;

const EVERY: Duration = Duration::from_secs(60 * 60);
/// How long the launch's check waits for a new window to say which account it shows.
const FIRST_REPORT: Duration = Duration::from_secs(20);

/// What the window last said it shows, and a nudge for the checking task.
#[derive(Default)]
pub struct Reminders {
    showing: Mutex<Option<String>>,
    changed: Notify,
}

impl Reminders {
    /// The page shows `userid` (none: the welcome screen); checks again, since a reminder held
    /// back for the account shown before may be said now.
    pub fn window_shows(&self, userid: Option<String>) {
        *lock(&self.showing) = userid;
        self.changed.notify_one();
    }

    fn showing(&self) -> Option<String> {
        lock(&self.showing).clone()
    }
}

/// Checks now (after the window's first report, when a window opens with Heft) and then every
/// hour for as long as Heft runs.
pub fn start(app: AppHandle, shared: Shared, window_at_launch: bool) {
    tauri::async_runtime::spawn(async move {
        if window_at_launch {
            let _ = tokio::time::timeout(FIRST_REPORT, shared.reminders().changed.notified()).await;
        }
        let mut at_launch = true;
        loop {
            // Without a window (a start at login), Heft syncs as the window would, so the
            // reminders count from what Withings holds.
            if !window::exists(&app) {
                background_sync(&shared, at_launch).await;
            }
            at_launch = false;
            check(&app, &shared).await;
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = shared.reminders().changed.notified() => {}
            }
        }
    });
}

async fn background_sync(shared: &Shared, at_launch: bool) {
    let shared = shared.clone();
    let done = tauri::async_runtime::spawn_blocking(move || {
        if !shared.app().background_sync_due(at_launch)? {
            return Ok(None);
        }
        shared.sync(None, &mut |_, _| {}, |_| {}).map(Some)
    })
    .await;
    match done {
        Ok(Ok(Some(results))) => {
            for r in &results {
                match &r.result {
                    Ok(_) => tracing::info!(userid = %r.userid, "synced in the background"),
                    Err(e) => tracing::warn!(userid = %r.userid, "a sync in the background failed: {e}"),
                }
            }
        }
        Ok(Ok(None)) => {}
        Ok(Err(e)) => tracing::warn!("no sync in the background: {e}"),
        Err(e) => tracing::warn!("the sync in the background stopped: {e}"),
    }
}

async fn check(app: &AppHandle, shared: &Shared) {
    let showing = window::seen(app).then(|| shared.reminders().showing()).flatten();
    let (app, shared) = (app.clone(), shared.clone());
    let said = tauri::async_runtime::spawn_blocking(move || {
        let said = shared.app().say_reminders(showing.as_deref(), |r| notify(&app, r));
        (showing, said)
    })
    .await;
    match said {
        Ok((showing, Ok(said))) => {
            let showing = showing.as_deref().unwrap_or("none");
            tracing::info!(said = said.len(), showing, "reminders checked");
        }
        Ok((_, Err(e))) => tracing::warn!("reminders could not be checked: {e}"),
        Err(e) => tracing::warn!("the reminder check stopped: {e}"),
    }
}

/// Shows one reminder through the system's notification service (D-Bus on Linux, toasts on
/// Windows, the notification centre on macOS); an error when none answered.
fn notify(app: &AppHandle, r: &Reminder) -> Result<(), String> {
    let mut n = notify_rust::Notification::new();
    n.appname("Heft").summary(&r.title).body(&r.body).icon("heft-desktop");
    #[cfg(target_os = "macos")]
    {
        let _ = app;
        n.show().map(|_| ()).map_err(|e| e.to_string())
    }
    // Shown from a thread of its own that then waits for a click, which opens the window (the
    // service answers whenever the person acts; the connection stays on that thread).
    #[cfg(not(target_os = "macos"))]
    {
        n.action("default", "Open Heft");
        let (told, shown) = std::sync::mpsc::channel();
        let (app, userid) = (app.clone(), r.userid.clone());
        std::thread::Builder::new()
            .name("reminder".into())
            .spawn(move || match n.show() {
                Ok(handle) => {
                    let _ = told.send(Ok(()));
                    handle.wait_for_action(|action| {
                        if action == "default" {
                            window::show(&app, Some(userid));
                        }
                    });
                }
                Err(e) => {
                    let _ = told.send(Err(e.to_string()));
                }
            })
            .map_err(|e| e.to_string())?;
        shown.recv().map_err(|_| "the notification thread ended".to_string())?
    }
}
