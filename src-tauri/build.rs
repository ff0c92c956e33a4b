fn main() {
    // Each app command gets an `allow-…` permission; capabilities/default.json grants them.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "overview",
        "credentials",
        "connect",
        "demo",
        "sync",
        "chart",
        "summary",
        "weigh_ins",
        "sync_log",
        "weigh_in_near",
        "exclude",
        "review",
        "add_entry",
        "remove_entry",
        "edit_entry",
        "save_account",
        "import_chosen",
        "export_data",
        "cancel",
        "health",
        "preferences",
        "save_preferences",
        "open_data_folder",
        "disconnect",
        "reconnect",
        "show_unit",
        "remove_demo",
        "keychain_problem",
        "set_method",
        "backtest",
        "split",
        "body",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("the Tauri build configuration is valid");
}
