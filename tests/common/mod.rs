//! Test harness: an in-process simulator, a temporary data dir, and the real `heft` binary.
#![allow(dead_code)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use heft::export::Export;
use heft::store::StoredGroup;
use heft::withings::WireGroup;
use withings_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sim, SimConfig};

/// Tests that use the real Secret Service are `#[ignore]`d outside the session of
/// `scripts/with-test-session.sh` (so a plain `cargo test` lists them as ignored); run with
/// `--include-ignored` elsewhere, they fail here with the reason instead of touching a
/// developer's own keyring.
pub fn require_session() {
    assert!(
        std::env::var_os("HEFT_IN_TEST_SESSION").is_some(),
        "this test needs the test Secret Service; run `make test` or scripts/with-test-session.sh cargo test -- --include-ignored"
    );
}

pub struct Env {
    pub sim: Sim,
    pub data_dir: tempfile::TempDir,
    pub service: String,
    pub extra: Vec<(String, String)>,
}

pub fn sim_config() -> SimConfig {
    SimConfig { auto_approve: true, identical_request_window: 0, years: 2, users: 2, ..SimConfig::default() }
}

impl Env {
    pub fn new(config: SimConfig) -> Env {
        let sim = Sim::start(config).expect("simulator starts");
        // A keychain service of its own per test, so parallel tests never share entries.
        let service = format!("heft-test-{}", std::process::id()) + &format!("-{}", rand_suffix());
        Env { sim, data_dir: tempfile::tempdir().expect("temp dir"), service, extra: Vec::new() }
    }

    pub fn userid(&self) -> i64 {
        self.sim.userids()[0]
    }

    /// A stand-in browser that does nothing but leave `marker` behind when it is run (a test
    /// that must not open the browser checks the marker): a shell script, a batch file on
    /// Windows.
    pub fn marker_browser(&self, marker: &Path) -> PathBuf {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let script = self.data_dir.path().join("browser.sh");
            std::fs::write(&script, format!("#!/bin/sh\ntouch '{}'\n", marker.display()))
                .expect("the script");
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("executable");
            script
        }
        #[cfg(windows)]
        {
            let script = self.data_dir.path().join("browser.cmd");
            std::fs::write(&script, format!("@echo off\r\ntype nul > \"{}\"\r\n", marker.display()))
                .expect("the batch file");
            script
        }
    }

    /// The stand-in browser (`tests/stand-ins/browser.rs`): it follows the provider's redirects
    /// unless `HEFT_TEST_BROWSER` or `HEFT_TEST_FORGE` in Heft's environment say otherwise.
    pub fn browser() -> PathBuf {
        PathBuf::from(env!("CARGO_BIN_EXE_heft-test-browser"))
    }

    pub fn heft(&self, args: &[&str]) -> Output {
        self.heft_with(args, &[])
    }

    pub fn heft_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(args, env).output().expect("heft runs")
    }

    /// The `heft` command with this environment, not yet started.
    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_heft"));
        c.args(args)
            .env("HEFT_DATA_DIR", self.data_dir.path())
            .env("HEFT_WITHINGS_API_URL", self.sim.url())
            .env("HEFT_WITHINGS_AUTH_URL", self.sim.url())
            .env("HEFT_WITHINGS_OAUTH1_URL", self.sim.url())
            .env("HEFT_WITHINGS_CLIENT_ID", DEMO_CLIENT_ID)
            .env("HEFT_WITHINGS_CLIENT_SECRET", DEMO_CLIENT_SECRET)
            .env("HEFT_REDIRECT_URI", "http://localhost:0/callback")
            .env("HEFT_BROWSER", Self::browser())
            .env("HEFT_KEYRING_SERVICE", &self.service)
            .env("HEFT_CALLBACK_TIMEOUT_SECS", "20")
            // Numbers as the assertions write them, whatever the machine's locale.
            .env("LC_ALL", "C.UTF-8");
        for (k, v) in &self.extra {
            c.env(k, v);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        c
    }

    /// Runs heft and insists it succeeded.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.heft(args);
        assert!(out.status.success(), "heft {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn export(&self) -> Export {
        let json = self.ok(&["export", "--format", "json"]);
        serde_json::from_str(&json).expect("export parses")
    }

    /// The stored groups of `userid`, newest first.
    pub fn stored(&self, userid: i64) -> Vec<StoredGroup> {
        let uid = userid.to_string();
        self.export().groups.into_iter().filter(|g| g.account == uid).map(|g| g.group).collect()
    }

    /// The simulator's ground truth for `userid`, normalised like Heft stores it.
    pub fn truth(&self, userid: i64) -> Vec<StoredGroup> {
        self.sim
            .truth(userid)
            .expect("user exists")
            .iter()
            .map(|g| {
                let wire: WireGroup = serde_json::from_value(serde_json::to_value(g).unwrap()).unwrap();
                StoredGroup::from_wire(&wire)
            })
            .collect()
    }

    pub fn assert_matches_truth(&self, userid: i64, why: &str) {
        let stored = self.stored(userid);
        let truth = self.truth(userid);
        if stored != truth {
            let s: HashSet<i64> = stored.iter().map(|g| g.grpid).collect();
            let t: HashSet<i64> = truth.iter().map(|g| g.grpid).collect();
            let missing: Vec<_> = t.difference(&s).take(5).collect();
            let extra: Vec<_> = s.difference(&t).take(5).collect();
            let differing: Vec<i64> = stored
                .iter()
                .filter(|g| truth.iter().any(|x| x.grpid == g.grpid && x != *g))
                .map(|g| g.grpid)
                .take(5)
                .collect();
            panic!(
                "{why}: stored {} groups, truth {}; missing {missing:?}, extra {extra:?}, differing {differing:?}",
                stored.len(),
                truth.len()
            );
        }
    }

    /// The date windows the first downloads so far asked for (distinct `startdate`/`enddate`
    /// pairs), and the most requests those may cost for `userid`'s history: one a page, plus
    /// for each window a part-page at its end and a page that crossed into the older half it
    /// handed on.
    pub fn first_download_bound(&self, userid: i64, page_size: usize) -> (usize, usize) {
        let windows: std::collections::HashSet<(Option<String>, Option<String>)> = self
            .sim
            .stats()
            .requests
            .iter()
            .filter(|r| r.action.as_deref() == Some("getmeas"))
            .map(|r| {
                let get = |k: &str| r.params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                (get("startdate"), get("enddate"))
            })
            .collect();
        let pages = self.sim.truth(userid).unwrap().len().div_ceil(page_size);
        (windows.len(), pages + 2 * windows.len())
    }

    pub fn getmeas_count(&self) -> usize {
        self.sim.stats().requests.iter().filter(|r| r.action.as_deref() == Some("getmeas")).count()
    }

    pub fn token_requests(&self) -> u64 {
        self.sim.stats().token_requests
    }

    /// The core in this process (its own keychain in memory), connected to the simulator's
    /// first user through the demo flow, before any sync.
    pub fn app_in_process(&self) -> (heft::app::App, heft::store::Account) {
        let dir = self.data_dir.path().to_path_buf();
        let browser = Self::browser();
        let settings = heft::config::Settings::load_with(&|name| match name {
            "HEFT_DATA_DIR" => Some(dir.display().to_string()),
            "HEFT_BROWSER" => Some(browser.display().to_string()),
            _ => self.extra.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
        })
        .expect("settings load");
        let app = heft::app::App::open(settings, Box::new(heft::keychain::MemoryStore::default()))
            .expect("the core opens");
        let endpoint = heft::auth::Endpoint {
            api_url: self.sim.url(),
            auth_url: self.sim.url(),
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: heft::redact::ClientSecret::new(DEMO_CLIENT_SECRET),
            redirect_uri: "http://localhost:0/callback".into(),
        };
        let account = app.start_demo(endpoint).expect("the demo flow connects");
        (app, account)
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.path().join("heft.db")
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    u64::from(t) ^ (N.fetch_add(1, Ordering::Relaxed) << 32)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
