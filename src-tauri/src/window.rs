//! Heft's one window: made at launch, or later for a Heft started at login in the background
//! (`--background`), when the person opens Heft again or clicks a reminder.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindow};

use crate::ipc::Event;

const MAIN: &str = "main";

/// Makes the window from its entry in `tauri.conf.json` (which Tauri does not make itself:
/// `"create": false`, so a background start costs no web process), opening on `account` if
/// given (the page reads `#account=` before its first overview).
pub fn create(app: &AppHandle, account: Option<&str>) -> Result<WebviewWindow, String> {
    let mut config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or("tauri.conf.json has no main window")?;
    if let Some(userid) = account {
        let userid: String = url::form_urlencoded::byte_serialize(userid.as_bytes()).collect();
        config.url = WebviewUrl::App(format!("index.html#account={userid}").into());
    }
    let window = tauri::WebviewWindowBuilder::from_config(app, &config)
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?;
    #[cfg(target_os = "linux")]
    software_rendering(&window);
    Ok(window)
}

/// Brings the window to the front, making it first when Heft runs in the background; with
/// `account`, showing that account.
pub fn show(app: &AppHandle, account: Option<String>) {
    let handle = app.clone();
    let queued = app.run_on_main_thread(move || {
        if let Some(w) = handle.get_webview_window(MAIN) {
            let _ = w.unminimize();
            let _ = w.show();
            let _ = w.set_focus();
            if let Some(userid) = account {
                Event::OpenAccount(userid).emit(&handle);
            }
        } else if let Err(e) = create(&handle, account.as_deref()) {
            tracing::error!("could not open the window: {e}");
        }
    });
    if let Err(e) = queued {
        tracing::warn!("could not open the window: {e}");
    }
}

/// Whether the window was made (Heft does not run in the background only).
pub fn exists(app: &AppHandle) -> bool {
    app.get_webview_window(MAIN).is_some()
}

/// The window when the person can see it: made, shown and not minimized.
pub fn seen(app: &AppHandle) -> bool {
    app.get_webview_window(MAIN)
        .is_some_and(|w| w.is_visible().unwrap_or(false) && !w.is_minimized().unwrap_or(false))
}

/// WebKitGTK draws the window on the CPU unless `HEFT_GPU=1`: Heft's pages have no video, 3D or
/// animation to gain from the GPU, while WebKitGTK's GL compositing costs its web process
/// about 90 MB (measured with `make bench`: docs/benchmarks.md) and is where WebKitGTK's
/// blank-window bugs on some drivers live.
#[cfg(target_os = "linux")]
fn software_rendering(window: &WebviewWindow) {
    if std::env::var_os("HEFT_GPU").is_some_and(|v| v == "1") {
        return;
    }
    let done = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    if let Err(e) = done {
        tracing::warn!("could not choose software rendering: {e}");
    }
}
