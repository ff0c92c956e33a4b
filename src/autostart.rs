//! "Start Heft at login, in the background": the system's own way to start a program when the
//! person logs in, so a reminder can reach someone who did not open Heft that day. The entry
//! starts the desktop app with [`BACKGROUND_FLAG`]: no window, only the reminders.
//!
//! - Linux and the BSDs: an XDG autostart entry, `$XDG_CONFIG_HOME/autostart/heft.desktop`
//!   (the Desktop Application Autostart Specification; GNOME, KDE, Xfce and others read it).
//! - Windows: the value `Heft` under `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`.
//! - macOS: a LaunchAgent, `~/Library/LaunchAgents/app.heft.desktop.plist`.
//!
//! Whether it is on is read from the system each time (never kept in the settings): a person
//! who removes the entry in their desktop's settings sees it off in Heft.

use std::path::{Path, PathBuf};

/// The desktop app's argument for a start with no window.
pub const BACKGROUND_FLAG: &str = "--background";

#[derive(Debug, thiserror::Error)]
pub enum AutostartError {
    #[error("could not change Heft's start at login ({path}): {source}")]
    Io { path: String, source: std::io::Error },
    #[error("could not find your configuration folder to add Heft's start at login; is HOME set?")]
    NoConfigDir,
    #[cfg(windows)]
    #[error("could not change Heft's start at login in the registry: {0}")]
    Registry(String),
}

impl AutostartError {
    fn io(path: &Path, source: std::io::Error) -> AutostartError {
        AutostartError::Io { path: path.display().to_string(), source }
    }
}

/// Whether the system starts `program` at login (an entry naming another program, e.g. an
/// older install's, counts as off: turning it on points it here).
pub fn enabled(program: &Path) -> Result<bool, AutostartError> {
    imp::enabled(program)
}

/// Adds (or removes) the entry that starts `program --background` at login.
pub fn set(on: bool, program: &Path) -> Result<(), AutostartError> {
    if on { imp::add(program) } else { imp::remove() }
}

/// A desktop entry's `Exec` argument, quoted as the Desktop Entry Specification asks: inside
/// double quotes, `"`, `` ` ``, `$` and `\` take a backslash; `%` is doubled (field codes).
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
fn desktop_exec_arg(arg: &str) -> String {
    let mut out = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
fn desktop_entry(program: &Path) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Heft\n\
         Comment=Heft's reminders: a weigh-in, consent or sync that needs you\n\
         Exec={} {BACKGROUND_FLAG}\n\
         Icon=heft-desktop\n\
         Terminal=false\n\
         NoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n",
        desktop_exec_arg(&program.display().to_string())
    )
}

/// Where the XDG entry lives: `$XDG_CONFIG_HOME/autostart`, `~/.config/autostart` without it.
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
fn xdg_entry_path() -> Result<PathBuf, AutostartError> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))
        .ok_or(AutostartError::NoConfigDir)?;
    Ok(config.join("autostart").join("heft.desktop"))
}

/// Writes the entry atomically ([`crate::files::write_atomic`]): a crash leaves the old entry
/// or the new one.
#[cfg_attr(windows, allow(dead_code))]
fn write_file(path: &Path, text: &str) -> Result<(), AutostartError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AutostartError::io(dir, e))?;
    }
    crate::files::write_atomic(path, text.as_bytes()).map_err(|e| AutostartError::io(path, e))
}

#[cfg_attr(windows, allow(dead_code))]
fn remove_file(path: &Path) -> Result<(), AutostartError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(AutostartError::io(path, e)),
        _ => Ok(()),
    }
}

#[cfg(not(any(windows, target_os = "macos")))]
mod imp {
    use super::*;

    pub fn enabled(program: &Path) -> Result<bool, AutostartError> {
        enabled_at(&xdg_entry_path()?, program)
    }

    pub fn add(program: &Path) -> Result<(), AutostartError> {
        write_file(&xdg_entry_path()?, &desktop_entry(program))
    }

    pub fn remove() -> Result<(), AutostartError> {
        remove_file(&xdg_entry_path()?)
    }

    /// On when the entry starts this program and the desktop has not turned it off (GNOME's
    /// startup applications write `X-GNOME-Autostart-enabled=false`, others `Hidden=true`).
    pub fn enabled_at(entry: &Path, program: &Path) -> Result<bool, AutostartError> {
        let text = match std::fs::read_to_string(entry) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(AutostartError::io(entry, e)),
        };
        let exec = format!("Exec={} {BACKGROUND_FLAG}", desktop_exec_arg(&program.display().to_string()));
        let turned_off = |l: &str| l == "Hidden=true" || l == "X-GNOME-Autostart-enabled=false";
        Ok(text.lines().any(|l| l.trim() == exec) && !text.lines().any(|l| turned_off(l.trim())))
    }
}

#[cfg(windows)]
mod imp {
    use super::*;

    const RUN: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
    const VALUE: &str = "Heft";

    fn command(program: &Path) -> String {
        format!("\"{}\" {BACKGROUND_FLAG}", program.display())
    }

    fn reg<T>(r: windows_registry::Result<T>) -> Result<T, AutostartError> {
        r.map_err(|e| AutostartError::Registry(e.message()))
    }

    pub fn enabled(program: &Path) -> Result<bool, AutostartError> {
        let key = reg(windows_registry::CURRENT_USER.create(RUN))?;
        Ok(key.get_string(VALUE).is_ok_and(|v| v == command(program)))
    }

    pub fn add(program: &Path) -> Result<(), AutostartError> {
        reg(reg(windows_registry::CURRENT_USER.create(RUN))?.set_string(VALUE, command(program)))
    }

    pub fn remove() -> Result<(), AutostartError> {
        let key = reg(windows_registry::CURRENT_USER.create(RUN))?;
        if key.get_string(VALUE).is_ok() {
            reg(key.remove_value(VALUE))?;
        }
        Ok(())
    }
}

#[cfg(target_os = "macos")]
mod imp {
    use super::*;

    fn plist_path() -> Result<PathBuf, AutostartError> {
        let home = dirs::home_dir().ok_or(AutostartError::NoConfigDir)?;
        Ok(home.join("Library/LaunchAgents/app.heft.desktop.plist"))
    }

    fn escape(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    }

    fn plist(program: &Path) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
             <plist version=\"1.0\">\n<dict>\n\
             <key>Label</key><string>app.heft.desktop</string>\n\
             <key>ProgramArguments</key><array><string>{}</string><string>{BACKGROUND_FLAG}</string></array>\n\
             <key>RunAtLoad</key><true/>\n\
             </dict>\n</plist>\n",
            escape(&program.display().to_string())
        )
    }

    pub fn enabled(program: &Path) -> Result<bool, AutostartError> {
        let path = plist_path()?;
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text == plist(program)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(AutostartError::io(&path, e)),
        }
    }

    pub fn add(program: &Path) -> Result<(), AutostartError> {
        write_file(&plist_path()?, &plist(program))
    }

    pub fn remove() -> Result<(), AutostartError> {
        remove_file(&plist_path()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_path_with_spaces_and_specials_is_one_quoted_exec_argument() {
        assert_eq!(desktop_exec_arg("/opt/My Apps/heft-desktop"), "\"/opt/My Apps/heft-desktop\"");
        assert_eq!(desktop_exec_arg("/a/$b\\c\"d`e%f"), "\"/a/\\$b\\\\c\\\"d\\`e%%f\"");
        let entry = desktop_entry(Path::new("/opt/My Apps/heft-desktop"));
        assert!(entry.contains("\nExec=\"/opt/My Apps/heft-desktop\" --background\n"), "{entry}");
        assert!(entry.starts_with("[Desktop Entry]\nType=Application\n"));
    }

    /// The XDG entry, written to and read from a real folder of the test's own.
    #[cfg(not(any(windows, target_os = "macos")))]
    #[test]
    fn the_xdg_entry_turns_on_points_at_the_program_and_is_off_when_the_desktop_hides_it() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let entry = dir.path().join("autostart").join("heft.desktop");
        let program = Path::new("/opt/Heft Test/heft-desktop");
        assert!(!imp::enabled_at(&entry, program).expect("read"), "no entry: off");
        write_file(&entry, &desktop_entry(program)).expect("write");
        assert!(imp::enabled_at(&entry, program).expect("read"), "on after writing it");
        assert!(
            !imp::enabled_at(&entry, Path::new("/usr/bin/heft-desktop")).expect("read"),
            "another program's"
        );
        let hidden = std::fs::read_to_string(&entry).expect("read").replace("enabled=true", "enabled=false");
        std::fs::write(&entry, hidden).expect("write");
        assert!(!imp::enabled_at(&entry, program).expect("read"), "turned off in GNOME's settings");
        remove_file(&entry).expect("remove");
        remove_file(&entry).expect("removing twice is fine");
        assert!(!entry.exists());
    }

    /// The Run value in the real registry (Wine's under `make windows`).
    #[cfg(windows)]
    #[test]
    fn the_run_value_turns_on_points_at_the_program_and_turns_off() {
        let program = std::env::temp_dir().join("Heft Test").join("heft-desktop.exe");
        set(true, &program).expect("on");
        assert!(enabled(&program).expect("read"), "on after turning it on");
        assert!(!enabled(Path::new(r"C:\other\heft-desktop.exe")).expect("read"), "another program's");
        set(false, &program).expect("off");
        assert!(!enabled(&program).expect("read"), "off after turning it off");
        set(false, &program).expect("off twice is fine");
    }
}
