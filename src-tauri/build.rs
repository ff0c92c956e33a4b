//! Each command in src/ipc.rs's list gets an `allow-…` permission (capabilities/default.json
//! grants them; a test in ipc.rs checks that the grant and the list agree).

/// The names in the `commands! { name(Args) -> Answer; … }` block of src/ipc.rs.
fn command_names(ipc: &str) -> Vec<String> {
    let start = ipc.find("\ncommands! {").expect("src/ipc.rs declares its commands with `commands! {`");
    let block = &ipc[start + "\ncommands! {".len()..];
    let block = &block[..block.find("\n}").expect("the commands! block ends with `}`")];
    block
        .lines()
        .filter_map(|l| l.trim().split_once('(').map(|(name, _)| name.to_string()))
        .filter(|n| !n.is_empty())
        .collect()
}

fn main() {
    println!("cargo:rerun-if-changed=src/ipc.rs");
    let ipc = std::fs::read_to_string("src/ipc.rs").expect("src/ipc.rs is readable");
    // tauri-build keeps the names for the whole build script's run.
    let names: Vec<&'static str> = command_names(&ipc).into_iter().map(|n| &*n.leak()).collect();
    let manifest = tauri_build::AppManifest::new().commands(names.leak());
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("the Tauri build configuration is valid");
}
