//! Heft's desktop shell: Tauri commands and events over the `heft` core, nothing more.
//! Each command parses its input, calls one core function, maps the error to `{code, message}`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod dialogs;
mod errors;
mod ipc;
mod reminders;
mod shared;
mod window;

use tauri::Manager;
use tauri_plugin_deep_link::DeepLinkExt;

use crate::errors::UiError;
use crate::ipc::Event;

/// A callback URL that arrived through the `heft:` scheme goes through the same state check as
/// the loopback callback; a rejected one is reported to the window as `{code, message}`.
fn deliver_deep_link(app: &tauri::AppHandle, url: &str) {
    if let Err(e) = heft::auth::callback::deliver_callback_url(url) {
        tracing::warn!("deep link rejected: {e}");
        Event::CallbackRejected(UiError { code: e.code(), message: e.to_string() }).emit(app);
    }
}

fn main() {
    // Started at login for the reminders: no window until the person opens Heft.
    let background = std::env::args().any(|a| a == heft::autostart::BACKGROUND_FLAG);
    heft::logging::init();
    heft::locale::init(heft::locale::Locale::from_env());
    let shared = match shared::Shared::open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("heft-desktop: {e}");
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        // Registered first: a second launch (e.g. the browser opening heft://…) hands its
        // arguments to the running window instead of starting another app. With its
        // `deep-link` feature the plugin hands a sole `heft:` URL argument (the desktop entry's
        // `%u`) to the deep-link plugin, whose `on_open_url` below delivers it: this callback
        // only raises the window (making it when Heft runs in the background), so each link
        // reaches the waiting connect once. Another background start changes nothing.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if !argv.iter().any(|a| a == heft::autostart::BACKGROUND_FLAG) {
                window::show(app, None);
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .manage(shared)
        .setup(move |app| {
            if !background {
                window::create(app.handle(), None)?;
            }
            // An installed package claims the scheme in its desktop entry; a build run from
            // the source tree registers itself (with xdg-utils; without them the loopback
            // callback still works), on a thread of its own: it writes a desktop entry and
            // runs programs, which need not delay the window.
            let installed = std::env::current_exe().is_ok_and(|p| p.starts_with("/usr/"));
            if !installed {
                let handle = app.handle().clone();
                std::thread::spawn(move || {
                    if let Err(e) = handle.deep_link().register_all() {
                        tracing::warn!("could not register the heft: URL scheme: {e}");
                    }
                });
            }
            // The one way a `heft:` link arrives: from the OS, or from a second launch through
            // the single-instance plugin.
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                for url in event.urls() {
                    deliver_deep_link(&handle, url.as_str());
                }
            });
            let shared = app.state::<shared::Shared>().handle();
            shared.use_opener(app.handle().clone());
            // "Start at login" starts this program.
            match std::env::current_exe() {
                Ok(program) => shared.app().set_desktop_program(program),
                Err(e) => tracing::warn!("Heft cannot offer to start at login: {e}"),
            }
            reminders::start(app.handle().clone(), shared.clone(), !background);
            // The keychain is probed off the start path, so cached data shows at once; a
            // problem is reported once, with its fix.
            let events = app.handle().clone();
            std::thread::spawn(move || {
                if let Some(problem) = shared.probe_keychain() {
                    Event::KeychainProblem(problem).emit(&events);
                }
            });
            Ok(())
        })
        .invoke_handler(ipc::handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("heft-desktop: could not start the window: {e}");
        std::process::exit(1);
    }
}
