//! The desktop window's attack surface, read from the files that define it: the page may call
//! Heft's own commands and listen to its events, nothing else, and its content security policy
//! lets no inline code and nothing remote in. The window itself refuses a command not granted
//! (the end-to-end test, `src-tauri/tests/e2e.rs`, asks it).
//!
//! Read as text so the check runs with the core's tests, without building the Tauri shell.

use std::collections::BTreeSet;
use std::path::Path;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The commands src-tauri/src/ipc.rs lists (`commands! { name(Args) -> Answer; … }`): the
/// invoke handler and build.rs's permissions are made from this list.
fn listed_commands() -> BTreeSet<String> {
    let ipc = read("src-tauri/src/ipc.rs");
    let from = ipc.find("\ncommands! {").expect("the command list") + "\ncommands! {".len();
    let to = from + ipc[from..].find("\n}").expect("the list's end");
    ipc[from..to].lines().filter_map(|l| l.trim().split_once('(').map(|(n, _)| n.to_string())).collect()
}

/// The functions marked `#[tauri::command]`.
fn defined_commands() -> BTreeSet<String> {
    let src = read("src-tauri/src/commands.rs");
    let mut out = BTreeSet::new();
    let mut rest = src.as_str();
    while let Some(at) = rest.find("#[tauri::command") {
        rest = &rest[at..];
        let f = rest.find("fn ").expect("a function after #[tauri::command]") + 3;
        let name: String = rest[f..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        out.insert(name);
        rest = &rest[f..];
    }
    out
}

fn config() -> serde_json::Value {
    serde_json::from_str(&read("tauri.conf.json")).expect("tauri.conf.json is JSON")
}

#[test]
fn the_commands_are_one_list_in_the_handler_the_manifest_and_the_code() {
    let defined = defined_commands();
    assert!(defined.len() > 20, "found the commands: {defined:?}");
    assert_eq!(listed_commands(), defined, "ipc.rs lists every #[tauri::command], and only those");
    let build = read("src-tauri/build.rs");
    assert!(
        build.contains("src/ipc.rs") && build.contains("command_names"),
        "build.rs makes the permissions from the list"
    );
    let main = read("src-tauri/src/main.rs");
    assert!(main.contains(".invoke_handler(ipc::handler())"), "the handler is the list's");
}

#[test]
fn the_window_is_granted_exactly_the_apps_commands_and_event_listening() {
    let cap: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/default.json")).expect("the capability is JSON");
    assert_eq!(cap["windows"], serde_json::json!(["main"]), "the capability is for the main window only");
    assert!(cap.get("remote").is_none(), "no remote URL may use the capability: {cap}");
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .expect("a list of permissions")
        .iter()
        .map(|p| p.as_str().expect("permissions by name, without scopes").to_string())
        .collect();
    let mut expected: BTreeSet<String> =
        defined_commands().iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    expected.insert("core:event:allow-listen".into());
    expected.insert("core:event:allow-unlisten".into());
    assert_eq!(granted, expected, "granted permissions");
    // Only the one capability file: another would widen what the window may call.
    let files: Vec<_> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/capabilities"))
            .expect("the capabilities folder")
            .map(|e| e.expect("an entry").file_name())
            .collect();
    assert_eq!(files, vec![std::ffi::OsString::from("default.json")]);
    assert!(
        config()["app"]["security"].get("capabilities").is_none(),
        "capabilities come from the capabilities folder only"
    );
}

#[test]
fn the_content_security_policy_allows_no_inline_code_and_nothing_remote() {
    let conf = config();
    let csp = conf["app"]["security"]["csp"].as_str().expect("a CSP string");
    assert!(!csp.contains("unsafe-"), "no 'unsafe-inline' or 'unsafe-eval': {csp}");
    let mut directives = BTreeSet::new();
    for directive in csp.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let mut words = directive.split_whitespace();
        let name = words.next().expect("a directive name");
        directives.insert(name.to_string());
        for source in words {
            let local = matches!(source, "'self'" | "'none'" | "data:" | "ipc:" | "http://ipc.localhost");
            assert!(local, "{name} allows {source}, which is not the app's own: {csp}");
            assert!(source != "data:" || name == "img-src", "data: is for images only: {csp}");
        }
    }
    for needed in ["default-src", "script-src", "style-src", "object-src", "base-uri", "frame-src"] {
        assert!(directives.contains(needed), "the CSP sets {needed}: {csp}");
    }
    assert!(
        conf["app"]["security"].get("dangerousDisableAssetCspModification").is_none(),
        "Tauri adds its own scripts' hashes to the CSP"
    );
}
