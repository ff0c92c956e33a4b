//! A Tauri 2 window and a static page, nothing else: what the framework itself costs, for
//! `bench/run` to compare Heft's window with.

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("minimal-window: {e}");
        std::process::exit(1);
    }
}
