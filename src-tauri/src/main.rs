//! Heft's desktop shell: a window on the `heft` core. Commands call one core function each.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("heft-desktop: could not start the window: {e}");
        std::process::exit(1);
    }
}
