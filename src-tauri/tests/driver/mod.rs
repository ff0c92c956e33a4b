//! The WebDriver client the desktop tests share: tauri-driver + WebKitWebDriver on a real
//! window under the test session's Xvfb.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// The test is `#[ignore]`d outside `make test`'s session; run there (or with
/// `--include-ignored` elsewhere) it fails with the reason if something it needs is missing.
pub fn require_session() {
    assert!(
        std::env::var_os("HEFT_IN_TEST_SESSION").is_some(),
        "needs the test session (Xvfb, D-Bus, gnome-keyring); run `make test`"
    );
    for bin in ["tauri-driver", "WebKitWebDriver"] {
        assert!(which(bin), "needs {bin} on PATH; `scripts/deps.sh test` installs it");
    }
}

pub fn which(bin: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {bin}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The core's stand-in browser (`tests/stand-ins/browser.rs`, built by `cargo build -p heft`),
/// as `HEFT_BROWSER`, and what the person does there (`HEFT_TEST_BROWSER`: follow, approve,
/// hold or scheme).
pub fn browser(mode: &str) -> [(&'static str, String); 2] {
    let path = core_bin("heft-test-browser");
    [("HEFT_BROWSER", path.display().to_string()), ("HEFT_TEST_BROWSER", mode.to_string())]
}

/// A debug binary of the core's package (`heft`, `heft-test-browser`), which this package's
/// tests cannot name through `CARGO_BIN_EXE_`.
pub fn core_bin(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let path = target.join("debug").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing: run `cargo build -p heft --bin {name}`", path.display());
    path
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A WebDriver session on one launch of the app.
pub struct Driver {
    base: String,
    session: String,
    agent: ureq::Agent,
    driver: Child,
    /// The app's standard error (through tauri-driver), for the leak check.
    stderr: Option<tempfile::NamedTempFile>,
}

impl Driver {
    /// Launches `app` (the debug build, or the installed binary) through tauri-driver.
    pub fn launch(app: &Path, env: &[(&str, &str)]) -> Driver {
        let (port, native) = (free_port(), free_port());
        let mut cmd = Command::new("tauri-driver");
        // HEFT_E2E_STDERR=1 shows the app's log (with HEFT_LOG) when a run needs looking into;
        // otherwise it is kept in a file, which `stderr_log` reads.
        let (stderr, log) = if std::env::var_os("HEFT_E2E_STDERR").is_some() {
            (Stdio::inherit(), None)
        } else {
            let file = tempfile::NamedTempFile::new().expect("a file for the app's log");
            (Stdio::from(file.reopen().expect("the log file opens")), Some(file))
        };
        cmd.args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .stdout(Stdio::null())
            .stderr(stderr);
        // WebKitWebDriver's screenshots need WebKit's compositor, which Heft's window leaves
        // off unless HEFT_GPU=1 (main.rs): the tests that take them run the GPU path; the
        // window bench (HEFT_GPU=0) and tests/desktop-smoke.sh run the default one.
        if !env.iter().any(|(k, _)| *k == "HEFT_GPU") {
            cmd.env("HEFT_GPU", "1");
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = cmd.spawn().expect("tauri-driver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": app}}}});
        let deadline = Instant::now() + Duration::from_secs(30);
        let session = loop {
            if let Ok(mut r) = agent.post(&format!("{base}/session")).send_json(&caps) {
                let v: Value = r.body_mut().read_json().unwrap_or(Value::Null);
                if let Some(id) = v["value"]["sessionId"].as_str() {
                    break id.to_string();
                }
                assert!(Instant::now() < deadline, "no WebDriver session: {v}");
            }
            assert!(Instant::now() < deadline, "tauri-driver did not answer");
            std::thread::sleep(Duration::from_millis(200));
        };
        Driver { base, session, agent, driver, stderr: log }
    }

    /// What the app wrote to standard error so far (empty with HEFT_E2E_STDERR=1, which
    /// shows it instead).
    pub fn stderr_log(&self) -> String {
        self.stderr
            .as_ref()
            .map(|f| String::from_utf8_lossy(&std::fs::read(f.path()).unwrap_or_default()).into_owned())
            .unwrap_or_default()
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut r = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, Some(b)) => self.agent.post(&url).send_json(&b),
            (_, None) => self.agent.post(&url).send_json(json!({})),
        }
        .expect("WebDriver answers");
        r.body_mut().read_json::<Value>().unwrap_or(Value::Null)["value"].take()
    }

    /// Runs JavaScript in the window and returns its result.
    pub fn js(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({"script": script, "args": []})))
    }

    pub fn text(&self, id: &str) -> String {
        self.js(&format!("const e = document.getElementById('{id}'); return e ? e.textContent : null;"))
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn visible(&self, id: &str) -> bool {
        self.js(&format!(
            "const e = document.getElementById('{id}'); return !!e && !e.hidden && e.offsetParent !== null;"
        ))
        .as_bool()
        .unwrap_or(false)
    }

    pub fn click(&self, id: &str) {
        self.js(&format!("document.getElementById('{id}').click(); return true;"));
    }

    /// Goes to a view ("overview", "weigh-ins", "trends", "your-data", "accounts",
    /// "settings") by its tab, as a person clicks it, and waits until it is on screen.
    /// Goes to a view and waits until what it loads on being shown has come (the page counts
    /// those loads in `body[data-loading]`).
    pub fn view(&self, name: &str) {
        self.click(&format!("tab-{name}"));
        self.wait(&format!("the {name} view, loaded"), 20, |d| {
            d.visible(&format!("view-{name}"))
                && d.js("return (document.body.dataset.loading || '0') === '0';") == Value::Bool(true)
        });
    }

    /// Waits for a condition, saying what it waited for if it never came.
    pub fn wait(&self, what: &str, secs: u64, cond: impl FnMut(&Driver) -> bool) {
        self.wait_every(what, secs, Duration::from_millis(150), cond);
    }

    /// [`Driver::wait`], asking every `pause`: a timing asks as often as WebDriver answers, so
    /// what it measures is the page, not the pause between two looks.
    pub fn wait_every(&self, what: &str, secs: u64, pause: Duration, mut cond: impl FnMut(&Driver) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !cond(self) {
            if Instant::now() >= deadline {
                let log = self.stderr_log();
                let tail: Vec<&str> = log.lines().rev().take(40).collect();
                panic!(
                    "timed out waiting for {what}; message: {:?}; progress: {:?}\nthe app's log, last lines:\n{}",
                    self.text("message"),
                    self.text("progress-text"),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            std::thread::sleep(pause);
        }
    }

    pub fn screenshot(&self, name: &str) {
        self.screenshot_into(&root().join("target/e2e-screenshots"), name);
    }

    /// A screenshot the README shows: into `target/e2e-screenshots/views/`, and with
    /// `HEFT_UPDATE_DOCS=1` into `docs/views/` too (committed; a plain test run leaves them).
    pub fn screenshot_for_docs(&self, name: &str) {
        self.screenshot_into(&root().join("target/e2e-screenshots/views"), name);
        if std::env::var_os("HEFT_UPDATE_DOCS").is_some() {
            self.screenshot_into(&root().join("docs/views"), name);
        }
    }

    fn screenshot_into(&self, dir: &Path, name: &str) {
        std::thread::sleep(Duration::from_millis(500)); // let the last DOM change paint
        let b64 = self.call("GET", "/screenshot", None);
        if let Some(png) = b64.as_str().and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(name), png);
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.agent.delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Runs `act` and waits until `shown`; the milliseconds from the one to the other, to within
/// one WebDriver round trip (a few milliseconds).
pub fn timed(d: &Driver, what: &str, act: impl Fn(&Driver), shown: impl FnMut(&Driver) -> bool) -> u128 {
    let t0 = Instant::now();
    act(d);
    d.wait_every(what, 20, Duration::from_millis(2), shown);
    t0.elapsed().as_millis()
}

/// A unit, a range, Settings and an exclusion (and its undoing), each shown in the window,
/// `during` something; how long each took to show, as `unit_ms=… range_ms=… settings_ms=…
/// exclusion_ms=…`. Ends on the overview.
pub fn changes(d: &Driver, during: &str) -> String {
    d.view("overview");
    let unit = timed(
        d,
        &format!("pounds {during}"),
        |d| d.click("unit-lb"),
        |d| d.text("trend-weight").ends_with("lb"),
    );
    d.click("unit-kg");
    d.wait("kilograms again", 20, |d| d.text("trend-weight").ends_with("kg"));
    let from = d.js("return document.getElementById('chart').dataset.from;");
    let range = timed(
        d,
        &format!("another range {during}"),
        |d| {
            d.js("const b = [...document.querySelectorAll('#range-tabs [role=tab]')].find(b => b.getAttribute('aria-selected') !== 'true'); b.click(); return true;");
        },
        |d| d.js("return document.getElementById('chart').dataset.from;") != from,
    );
    // The settings are read from the core each time their view is shown.
    d.js("document.getElementById('pref-dir').textContent = ''; return true;");
    let settings = timed(
        d,
        &format!("Settings {during}"),
        |d| d.click("tab-settings"),
        |d| d.visible("view-settings") && !d.text("pref-dir").is_empty(),
    );
    d.view("weigh-ins");
    let newest = d.js("return document.querySelector('#recent tr[data-standing=counted]').dataset.grpid;");
    let newest = newest.as_str().expect("a counted weigh-in").to_string();
    let press = |d: &Driver, label: &str| {
        d.js(&format!(
            "const b = [...document.querySelectorAll('#recent tr[data-grpid=\"{newest}\"] button')].find(b => b.textContent === '{label}'); b.click(); return true;"
        ));
    };
    let standing = |d: &Driver| {
        d.js(&format!("const r = document.querySelector('#recent tr[data-grpid=\"{newest}\"]'); return r ? r.dataset.standing : null;"))
    };
    let exclusion = timed(
        d,
        &format!("an exclusion {during}"),
        |d| press(d, "Exclude"),
        |d| standing(d) == json!("excluded"),
    );
    press(d, "Include");
    d.wait("the weigh-in counted again", 20, |d| standing(d) == json!("counted"));
    d.view("overview");
    format!("unit_ms={unit} range_ms={range} settings_ms={settings} exclusion_ms={exclusion}")
}

/// A first download under way with at least one page stored (what the progress line says).
pub fn first_pages_stored(d: &Driver) -> bool {
    let text = d.text("progress-text");
    text.starts_with("Downloading") && !text.starts_with("Downloading — 0 pages")
}
