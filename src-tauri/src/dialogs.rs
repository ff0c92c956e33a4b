//! Native file dialogs (GTK's, through `tauri-plugin-dialog`). The end-to-end tests cannot
//! click in a native dialog, so a debug build answers from `HEFT_TEST_DIALOG_DIR` when it is
//! set: a save dialog with that folder and the suggested name, an open dialog with the path
//! written in its `next-open` file. A release build has none of this.

use std::path::PathBuf;

use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// The path a test chose instead of the person (debug builds only).
#[cfg(debug_assertions)]
fn test_answer(suggested: Option<&str>) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("HEFT_TEST_DIALOG_DIR")?);
    match suggested {
        Some(name) => Some(dir.join(name)),
        None => std::fs::read_to_string(dir.join("next-open")).ok().map(|p| PathBuf::from(p.trim())),
    }
}

#[cfg(not(debug_assertions))]
fn test_answer(_: Option<&str>) -> Option<PathBuf> {
    None
}

/// Asks where to save `name`; none when the person closed the dialog.
pub fn save(app: &AppHandle, title: &str, name: &str, kind: &str, extension: &str) -> Option<PathBuf> {
    if let Some(p) = test_answer(Some(name)) {
        return Some(p);
    }
    let dir = dirs_home();
    let mut d = app.dialog().file().set_title(title).set_file_name(name).add_filter(kind, &[extension]);
    if let Some(dir) = dir {
        d = d.set_directory(dir);
    }
    d.blocking_save_file().and_then(|p| p.into_path().ok())
}

/// Asks which file to open; none when the person closed the dialog.
pub fn open(app: &AppHandle, title: &str, kind: &str, extensions: &[&str]) -> Option<PathBuf> {
    if let Some(p) = test_answer(None) {
        return Some(p);
    }
    let mut d = app.dialog().file().set_title(title).add_filter(kind, extensions);
    if let Some(dir) = dirs_home() {
        d = d.set_directory(dir);
    }
    d.blocking_pick_file().and_then(|p| p.into_path().ok())
}

fn dirs_home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}
