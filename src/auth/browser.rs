//! Opening the consent page in the system browser (never in the app's own webview).

use std::path::Path;
use std::process::{Command, Stdio};

use super::AuthError;

/// Something that opens a URL in the system browser (the desktop app's opener plugin).
pub type OpenUrl = dyn Fn(&str) -> Result<(), String> + Send + Sync;

/// Opens `url` with `program` (`HEFT_BROWSER`) if set, else `opener`, else the platform's.
pub fn open_with(url: &str, program: Option<&Path>, opener: Option<&OpenUrl>) -> Result<(), AuthError> {
    match (program, opener) {
        (None, Some(open)) => open(url).map_err(|reason| AuthError::Browser { reason, url: url.to_string() }),
        _ => open(url, program),
    }
}

/// Opens `url` with `program` or the platform's opener.
pub fn open(url: &str, program: Option<&Path>) -> Result<(), AuthError> {
    let mut cmd = match program {
        Some(p) => Command::new(p),
        None if cfg!(target_os = "macos") => Command::new("open"),
        None if cfg!(target_os = "windows") => {
            let mut c = Command::new("rundll32");
            c.arg("url.dll,FileProtocolHandler");
            c
        }
        None => Command::new("xdg-open"),
    };
    cmd.arg(url).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let mut child =
        cmd.spawn().map_err(|e| AuthError::Browser { reason: e.to_string(), url: url.to_string() })?;
    // Reap the opener when it exits; it may outlive the authorization (a browser tab).
    std::thread::spawn(move || child.wait());
    Ok(())
}
