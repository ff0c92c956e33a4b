//! Reminders as desktop notifications, in the test session: the real desktop app, the real
//! notification service (dunst on the session bus, asked with `dunstctl` what it was given),
//! two Withings accounts on the simulator whose last weigh-ins are ten days old.
//!
//! One story: the window shows one account, so only the other's reminder comes; started in the
//! background (as at login) there is no window and the held-back reminder comes; a new
//! occurrence comes at the next start, and a click on it opens the window on its account; a
//! later start says nothing again.

mod driver;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use driver::{browser, core_bin, require_session, which};
use serde_json::Value;
use withings_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sim, SimConfig};

struct Setup {
    sim: Sim,
    data: tempfile::TempDir,
    service: String,
}

impl Setup {
    fn env(&self) -> Vec<(String, String)> {
        let url = self.sim.url();
        let mut env: Vec<(String, String)> = [
            ("HEFT_DATA_DIR", self.data.path().display().to_string()),
            ("HEFT_KEYRING_SERVICE", self.service.clone()),
            ("HEFT_WITHINGS_API_URL", url.clone()),
            ("HEFT_WITHINGS_AUTH_URL", url),
            ("HEFT_WITHINGS_CLIENT_ID", DEMO_CLIENT_ID.into()),
            ("HEFT_WITHINGS_CLIENT_SECRET", DEMO_CLIENT_SECRET.into()),
            ("HEFT_REDIRECT_URI", "http://localhost:0/callback".into()),
            ("HEFT_CALLBACK_TIMEOUT_SECS", "30".into()),
            ("HEFT_LOG", "heft_desktop=info,warn".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        env.extend(browser("follow").map(|(k, v)| (k.to_string(), v)));
        env
    }

    /// The `heft` CLI on the same data and keychain.
    fn heft(&self, args: &[&str]) -> String {
        let exe = core_bin("heft");
        let out: Output = Command::new(&exe).args(args).envs(self.env()).output().expect("heft runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "heft {args:?}: {}{text}", String::from_utf8_lossy(&out.stderr));
        text
    }

    /// The desktop app, its log kept in a file.
    fn launch(&self, args: &[&str]) -> Desktop {
        let log = tempfile::NamedTempFile::new().expect("a log file");
        let child = Command::new(env!("CARGO_BIN_EXE_heft-desktop"))
            .args(args)
            .envs(self.env())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log.reopen().expect("the log opens")))
            .spawn()
            .expect("heft-desktop starts");
        Desktop { child, log }
    }
}

struct Desktop {
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Desktop {
    /// The app's log, without the colours tracing may add.
    fn log(&self) -> String {
        let raw = String::from_utf8_lossy(&std::fs::read(self.log.path()).unwrap_or_default()).into_owned();
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                // An SGR sequence: ESC [ … m
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The `said` of each "reminders checked" line so far, with whom the window showed.
    fn checks(&self) -> Vec<(usize, String)> {
        self.log()
            .lines()
            .filter(|l| l.contains("reminders checked"))
            .map(|l| {
                let field = |name: &str| {
                    l.split_whitespace()
                        .find_map(|w| w.strip_prefix(&format!("{name}=")))
                        .map(|v| v.trim_matches('"').to_string())
                        .unwrap_or_default()
                };
                (field("said").parse().unwrap_or(usize::MAX), field("showing"))
            })
            .collect()
    }

    fn wait_checks(&self, n: usize, what: &str) -> Vec<(usize, String)> {
        wait(what, 60, || self.checks().len() >= n);
        self.checks()
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn dunstctl(args: &[&str]) -> String {
    let out = Command::new("dunstctl").args(args).output().expect("dunstctl runs");
    assert!(out.status.success(), "dunstctl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every notification the service was given so far, `(app, summary, body)`: those on screen are
/// closed into the history first.
fn notifications() -> Vec<(String, String, String)> {
    dunstctl(&["close-all"]);
    std::thread::sleep(Duration::from_millis(300));
    let history: Value = serde_json::from_str(&dunstctl(&["history"])).expect("dunst's history is JSON");
    let field = |n: &Value, k: &str| n[k]["data"].as_str().unwrap_or_default().to_string();
    history["data"][0]
        .as_array()
        .map(|all| all.iter().map(|n| (field(n, "appname"), field(n, "summary"), field(n, "body"))).collect())
        .unwrap_or_default()
}

/// Whether the X server has a window titled "Heft".
fn heft_window() -> bool {
    let out = Command::new("xwininfo").args(["-root", "-tree"]).output().expect("xwininfo runs");
    String::from_utf8_lossy(&out.stdout).lines().any(|l| l.contains("\"Heft\""))
}

#[test]
#[ignore = "needs the desktop test session (Xvfb, D-Bus, dunst, keychain): run `make test`"]
fn reminders_come_as_notifications_once_wait_while_shown_and_reach_a_background_start() {
    require_session();
    for bin in ["dunstctl", "xwininfo"] {
        assert!(which(bin), "needs {bin}; `scripts/deps.sh test` installs it");
    }
    let now = jiff::Timestamp::now().as_second();
    let sim = Sim::start(SimConfig {
        auto_approve: true,
        identical_request_window: 0,
        years: 1,
        users: 2,
        end: Some(now - 10 * 86_400),
        ..SimConfig::default()
    })
    .expect("the simulator starts");
    let (anna, ben) = (sim.userids()[0], sim.userids()[1]);
    let setup = Setup {
        sim,
        data: tempfile::tempdir().expect("temp dir"),
        service: format!("heft-reminders-{}", std::process::id()),
    };
    setup.heft(&["connect"]);
    setup.sim.set_login_user(ben).expect("the second user");
    setup.heft(&["connect"]);
    setup.heft(&["account", "--account", &anna.to_string(), "--name", "Anna"]);
    setup.heft(&["account", "--account", &ben.to_string(), "--name", "Ben"]);
    setup.heft(&["sync"]);
    setup.heft(&["reminders", "--after-days", "3"]);
    let due = setup.heft(&["reminders"]);
    assert!(
        due.contains("Anna: time to step on the scale") && due.contains("Ben: time to step on the scale"),
        "{due}"
    );
    assert!(notifications().is_empty(), "the session starts with no notification");

    // The window opens on one account: only the other one's reminder comes.
    let window = setup.launch(&[]);
    let checks = window.wait_checks(1, "the first check, after the window said what it shows");
    let shown = checks[0].1.clone();
    assert!(
        shown == anna.to_string() || shown == ben.to_string(),
        "the window showed an account: {checks:?}\n{}",
        window.log()
    );
    assert_eq!(checks[0].0, 1, "one reminder said, the shown account's held back: {checks:?}");
    let (held, other) = if shown == anna.to_string() { ("Anna", "Ben") } else { ("Ben", "Anna") };
    let seen = notifications();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].0, "Heft");
    assert_eq!(seen[0].1, format!("{other}: time to step on the scale"));
    assert!(seen[0].2.starts_with("No weigh-in for 10 days"), "{seen:?}");
    window.stop();

    // Started at login: no window, and the reminder the window held back comes now.
    let background = setup.launch(&["--background"]);
    let checks = background.wait_checks(1, "the background start's check");
    assert_eq!(checks[0], (1, "none".to_string()), "{checks:?}");
    assert!(!heft_window(), "a background start opens no window");
    let seen = notifications();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].1, format!("{held}: time to step on the scale"), "the newest first: {seen:?}");
    background.stop();

    // The other account weighs in once more, six days ago, on the scale only: the database does
    // not know. Started in the background again, Heft syncs first (as the window would at
    // launch), so the reminder counts from that weigh-in: a new occurrence, said. A click on it
    // opens the window on that account (not the first one, which a window opens on by itself),
    // and the page's report of it triggers a second, silent check.
    let (other_id, held_id) = if held == "Anna" { (ben, anna) } else { (anna, ben) };
    let mut weigh_in = setup.sim.truth(other_id).expect("the other account's history")[0].clone();
    weigh_in.grpid = 0;
    weigh_in.date = now - 6 * 86_400;
    setup.sim.add_group(other_id, weigh_in).expect("a new weigh-in");
    let background = setup.launch(&["--background"]);
    assert_eq!(background.wait_checks(1, "the check")[0], (1, "none".to_string()));
    let log = background.log();
    let lines: Vec<&str> = log.lines().collect();
    let synced = lines
        .iter()
        .position(|l| l.contains("synced in the background") && l.contains(&format!("userid={other_id}")));
    let checked = lines.iter().position(|l| l.contains("reminders checked"));
    assert!(synced.is_some() && synced < checked, "synced before the check:\n{log}");
    assert!(!heft_window(), "still no window");
    assert_eq!(dunstctl(&["count", "displayed"]).trim(), "1", "the new reminder is on screen");
    dunstctl(&["action", "0"]);
    wait("the window a click on the reminder opens", 60, heft_window);
    let checks = background.wait_checks(2, "the check after the window opened");
    assert_eq!(checks[1], (0, other_id.to_string()), "the window shows the reminder's account: {checks:?}");
    assert_ne!(other_id, held_id);
    let seen = notifications();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[0].1, format!("{other}: time to step on the scale"), "{seen:?}");
    assert!(seen[0].2.starts_with("No weigh-in for 6 days"), "{seen:?}");
    background.stop();

    // Said once: another start says nothing again.
    let again = setup.launch(&["--background"]);
    assert_eq!(again.wait_checks(1, "the next start's check")[0], (0, "none".to_string()));
    assert_eq!(notifications().len(), 3, "no reminder said twice");
    again.stop();
}
