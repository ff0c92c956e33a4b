//! Two Heft processes on one account's tokens — the window's hourly sync and the CLI on a
//! timer. Withings rotates the refresh token on every refresh and retires the old one once the
//! new access token is used, so the processes take turns refreshing and each adopts the pair
//! the other saved: neither may lose the authorization. And a process that holds the refresh
//! lock and never lets go (a CLI stopped with Ctrl-Z) neither hangs the other's sync nor
//! outlasts Cancel.
//!
//! The tests check outcomes (what succeeds, what Withings saw, what the keychain holds, how long
//! a wait lasts), not how the waiting is done, so they hold for threads and for async alike.

mod common;

use std::fs::File;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use common::{Env, sim_config, stderr};
use heft::auth::tokens::{
    self, Credentials, Grant, REFRESH_LOCK_TIMEOUT, RefreshingSession, SessionContext, TokenSet,
};
use heft::auth::{ApiSession, Clock, Provider};
use heft::keychain::{MemoryStore, SecretStore};
use heft::redact::{AuthCode, ClientSecret};
use heft::withings::Client;
use withings_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, Sim, SimConfig};

/// Heft's clock and the simulator's, moved forward together.
struct Clocks<'s> {
    sim: &'s Sim,
    now: Arc<AtomicI64>,
}

impl<'s> Clocks<'s> {
    fn new(sim: &'s Sim) -> Clocks<'s> {
        Clocks { sim, now: Arc::new(AtomicI64::new(sim.now())) }
    }

    fn clock(&self) -> Clock {
        let now = self.now.clone();
        Arc::new(move || now.load(Ordering::SeqCst))
    }

    fn now(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    fn advance(&self, seconds: i64) {
        self.sim.advance(seconds);
        self.now.fetch_add(seconds, Ordering::SeqCst);
    }
}

/// Authorizes the simulator's first user without a browser (the consent page auto-approves),
/// stamping the pair with `now`.
fn authorize(sim: &Sim, client: &Client, now: i64) -> (String, TokenSet) {
    let url = format!(
        "{}/oauth2_user/authorize2?response_type=code&client_id={DEMO_CLIENT_ID}&scope=user.metrics&redirect_uri=http://localhost:8765/callback&state=s",
        sim.url()
    );
    let browser = heft::net::http_builder(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let resp = heft::net::block_on(async { browser.get(&url).send().await }).expect("authorize answers");
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let code =
        url::Url::parse(&location).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let grant = Grant::Code {
        code: &AuthCode::new(code),
        redirect_uri: "http://localhost:8765/callback",
        verifier: None,
    };
    let g = tokens::request(client, DEMO_CLIENT_ID, &ClientSecret::new(DEMO_CLIENT_SECRET), grant, now)
        .expect("code exchange");
    (g.userid, g.tokens)
}

fn key(userid: &str) -> String {
    Provider::Withings.token_key(userid)
}

fn stored(keychain: &dyn SecretStore, userid: &str) -> Option<TokenSet> {
    match Credentials::load(keychain, &key(userid)).unwrap() {
        Some(Credentials::Bearer(t)) => Some(t),
        _ => None,
    }
}

/// One process's session on the account: its own copy of the pair, the shared keychain and
/// data folder.
fn session<'a>(
    client: &'a Client,
    keychain: &'a dyn SecretStore,
    userid: &str,
    tokens: TokenSet,
    lock_dir: &'a Path,
    clock: Clock,
    lock_timeout: Duration,
) -> RefreshingSession<'a> {
    // Each session is its own "process" here: only the lock file serializes their refreshes.
    let ctx = SessionContext {
        client,
        keychain,
        clock,
        lock_dir,
        lock_timeout,
        refresh_locks: Box::leak(Box::default()),
    };
    RefreshingSession::new(
        key(userid),
        userid,
        tokens,
        DEMO_CLIENT_ID,
        ClientSecret::new(DEMO_CLIENT_SECRET),
        ctx,
    )
}

/// Token requests Withings refused (a dead refresh token, say).
fn refused_token_requests(sim: &Sim) -> usize {
    sim.stats().requests.iter().filter(|r| r.path == "/v2/oauth2" && r.status != 0).count()
}

fn start(config: SimConfig) -> Sim {
    Sim::start(SimConfig { auto_approve: true, identical_request_window: 0, years: 1, users: 1, ..config })
        .expect("sim")
}

/// Holds an account's refresh lock as another Heft process does while it refreshes; a process
/// stopped with Ctrl-Z at that moment holds it until it is continued.
fn hold_refresh_lock(data_dir: &Path, key: &str) -> File {
    let path = tokens::refresh_lock_path(data_dir, key);
    let file = File::options().read(true).write(true).create(true).truncate(false).open(&path).unwrap();
    file.lock().unwrap();
    file
}

/// Whether some process holds the lock file now.
#[cfg(unix)]
fn lock_is_held(path: &Path) -> bool {
    match File::open(path) {
        Ok(f) => matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

/// Runs `f` on its own thread and returns its result, or fails the test if it has not
/// finished within `limit` (instead of hanging the test run with it).
fn within<T: Send + 'static>(limit: Duration, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).unwrap_or_else(|_| panic!("{what} did not end within {limit:?}"))
}

#[test]
fn a_session_left_behind_by_another_refresh_takes_the_keychains_pair_and_refreshes_with_its_token() {
    // Regression (two Heft processes lose the authorization): the window's pair went stale
    // while the CLI refreshed and used the new pair, which retired the window's refresh token.
    // When the CLI's pair was due in turn, the window refreshed with its own dead token;
    // Withings refused it and Heft deleted the valid pair.
    let sim = start(SimConfig { access_token_lifetime: 100, ..SimConfig::default() });
    let clocks = Clocks::new(&sim);
    let client = Client::new(&sim.url());
    let keychain = MemoryStore::default();
    let dir = tempfile::tempdir().unwrap();
    let (userid, first) = authorize(&sim, &client, clocks.now());
    Credentials::Bearer(first.clone()).save(&keychain, &key(&userid)).unwrap();
    let open = |t: TokenSet| {
        session(&client, &keychain, &userid, t, dir.path(), clocks.clock(), REFRESH_LOCK_TIMEOUT)
    };
    let window = open(first.clone());
    let cli = open(first.clone());
    window.getmeas(&[]).expect("the window syncs with the first pair");

    clocks.advance(80); // the first pair is due (a quarter of its 100 s before expiry)
    cli.getmeas(&[]).expect("the CLI refreshes, saves and uses the new pair");
    let second = stored(&keychain, &userid).expect("the CLI's pair is in the keychain");
    assert_ne!(second.refresh, first.refresh, "the CLI rotated the refresh token");

    clocks.advance(80); // the CLI's pair is due in turn
    window.getmeas(&[]).expect("the window adopts the CLI's pair and refreshes with its refresh token");
    assert_eq!(
        refused_token_requests(&sim),
        0,
        "Withings refused no refresh token: the dead one was never sent"
    );
    let third = stored(&keychain, &userid).expect("the window's new pair is in the keychain");
    assert_ne!(third.refresh, second.refresh, "the window rotated the CLI's pair");

    cli.getmeas(&[]).expect("the CLI, in turn, takes the window's pair");
    let next = open(stored(&keychain, &userid).unwrap());
    next.getmeas(&[]).expect("the pair in the keychain still works for the next process");
    assert_eq!(refused_token_requests(&sim), 0, "no token request was refused");
    assert_eq!(sim.stats().token_requests, 3, "the code exchange and one refresh per due pair");
}

#[test]
fn a_session_whose_tokens_left_the_keychain_sends_no_refresh_token() {
    // Another process disconnected the account (or Withings had refused its tokens there):
    // the refresh token still in this session's memory is not sent, and nothing comes back
    // into the keychain.
    let sim = start(SimConfig { access_token_lifetime: 100, ..SimConfig::default() });
    let clocks = Clocks::new(&sim);
    let client = Client::new(&sim.url());
    let keychain = MemoryStore::default();
    let dir = tempfile::tempdir().unwrap();
    let (userid, first) = authorize(&sim, &client, clocks.now());
    Credentials::Bearer(first.clone()).save(&keychain, &key(&userid)).unwrap();
    let window =
        session(&client, &keychain, &userid, first, dir.path(), clocks.clock(), REFRESH_LOCK_TIMEOUT);
    keychain.delete(&key(&userid)).unwrap();
    clocks.advance(80);
    let before = sim.stats().token_requests;
    let err = window.getmeas(&[]).map(|_| ()).expect_err("no tokens to refresh with");
    assert_eq!(err.code(), "reconnect_needed", "{err}");
    assert_eq!(sim.stats().token_requests, before, "no refresh token was sent");
    assert!(stored(&keychain, &userid).is_none(), "nothing was written back into the keychain");
}

#[test]
fn a_refresh_lock_held_elsewhere_gives_up_after_its_timeout_and_says_what_to_do() {
    // Regression (the refresh lock waits forever): a CLI stopped with Ctrl-Z while it holds the
    // lock hung the window's sync.
    let sim = start(SimConfig { access_token_lifetime: 100, ..SimConfig::default() });
    let clocks = Clocks::new(&sim);
    let client = Client::new(&sim.url());
    let (userid, first) = authorize(&sim, &client, clocks.now());
    let dir = tempfile::tempdir().unwrap();
    let holder = hold_refresh_lock(dir.path(), &key(&userid));
    clocks.advance(80); // the pair is due: the next call refreshes
    let requests = sim.stats().token_requests;

    let (url, lock_dir, clock, t, uid) =
        (sim.url(), dir.path().to_path_buf(), clocks.clock(), first.clone(), userid.clone());
    let started = Instant::now();
    let result = within(Duration::from_secs(20), "a refresh waiting for a held lock", move || {
        let client = Client::new(&url);
        let keychain = MemoryStore::default();
        Credentials::Bearer(t.clone()).save(&keychain, &key(&uid)).unwrap();
        let s = session(&client, &keychain, &uid, t, &lock_dir, clock, Duration::from_secs(1));
        s.getmeas(&[]).map(|_| ()).map_err(|e| (e.code(), e.to_string()))
    });
    let waited = started.elapsed();
    let (code, message) = result.expect_err("the sync cannot refresh while the lock is held");
    assert_eq!(code, "refresh_busy", "{message}");
    assert!(message.contains("another Heft process"), "says who holds it: {message}");
    assert!(message.contains("Ctrl-Z") && message.contains("sync again"), "says what to do: {message}");
    assert!(waited >= Duration::from_secs(1), "it waited its timeout first ({waited:?})");
    assert!(waited < Duration::from_secs(10), "and not much longer ({waited:?})");
    assert_eq!(sim.stats().token_requests, requests, "no refresh was sent while another held the lock");

    // The holder lets go: the pair was kept, and the next refresh goes through.
    drop(holder);
    let keychain = MemoryStore::default();
    Credentials::Bearer(first.clone()).save(&keychain, &key(&userid)).unwrap();
    let s = session(&client, &keychain, &userid, first, dir.path(), clocks.clock(), Duration::from_secs(1));
    s.getmeas(&[]).expect("refreshed once the lock is free");
}

#[test]
fn cancel_ends_a_sync_waiting_for_the_refresh_lock_and_keeps_the_tokens() {
    // The window's sync waits for a refresh lock another process holds; the person clicks
    // Cancel. The lock's own timeout (30 s) is far off: only Cancel can end the wait this soon.
    let env = Env::new(SimConfig { users: 1, ..sim_config() });
    let (app, account) = env.app_in_process();
    let holder = hold_refresh_lock(env.data_dir.path(), &account.provider.token_key(&account.userid));
    env.sim.expire_access_tokens(env.userid());
    let cancel = app.canceller();
    let started = Instant::now();
    let sim = &env.sim;
    let (app, error) = std::thread::scope(|scope| {
        scope.spawn(move || {
            // Cancel is pressed once the sync has been refused with the expired token, that
            // is, once it is on its way to the refresh lock, and a little after.
            let deadline = Instant::now() + Duration::from_secs(15);
            while !sim.stats().requests.iter().any(|r| r.path.contains("measure")) {
                assert!(Instant::now() < deadline, "the sync never asked Withings");
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        });
        within(Duration::from_secs(20), "a cancelled sync", move || {
            let app = app;
            let results = app.sync(None, false, &mut |_, _| {}, |_| {}).expect("the sync runs");
            let error = results[0].result.as_ref().err().map(|e| (e.code(), e.to_string()));
            (app, error)
        })
    });
    let app = app;
    let waited = started.elapsed();
    let (code, message) = error.expect("the sync stops when cancelled");
    assert_eq!(code, "cancelled", "a cancel, not a lock timeout: {message}");
    assert!(waited < Duration::from_secs(10), "Cancel ended the wait ({waited:?})");
    let status = app.status().unwrap();
    assert!(status[0].sync.last_error.is_none(), "a cancel is not an error to warn about");
    assert!(!status[0].account.needs_reconnect, "the authorization is kept");

    drop(holder);
    let results = app.sync(None, false, &mut |_, _| {}, |_| {}).expect("the sync runs");
    results[0].result.as_ref().expect("once the lock is free the next sync refreshes and finishes");
}

/// A `heft` process the test started; continued and ended if the test fails half-way.
struct Running(Option<Child>);

impl Running {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("still running")
    }

    #[cfg(unix)]
    fn signal(&mut self, sig: &str) {
        let pid = self.child().id().to_string();
        let ok = std::process::Command::new("kill").args([sig, &pid]).status().is_ok_and(|s| s.success());
        assert!(ok, "kill {sig} {pid}");
    }

    /// Its output once it ends, or a failed test if it has not ended within `limit`.
    fn finish_within(mut self, limit: Duration, what: &str) -> std::process::Output {
        let until = Instant::now() + limit;
        while self.child().try_wait().expect("heft runs").is_none() {
            assert!(Instant::now() < until, "{what} did not end within {limit:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        self.0.take().expect("still running").wait_with_output().expect("heft finishes")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take()
            && child.try_wait().ok().flatten().is_none()
        {
            let _ = std::process::Command::new("kill").args(["-CONT", &child.id().to_string()]).status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn(env: &Env, args: &[&str], extra: &[(&str, &str)]) -> Running {
    Running(Some(
        env.command(args, extra).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("heft starts"),
    ))
}

fn wait_until(limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let until = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < until, "{what} did not happen within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
fn lock_path(env: &Env) -> std::path::PathBuf {
    tokens::refresh_lock_path(env.data_dir.path(), &Provider::Withings.token_key(&env.userid().to_string()))
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_sync_that_waited_out_a_601_while_another_process_rotated_the_tokens_keeps_the_authorization() {
    // Regression (two Heft processes lose the authorization), as reported: one sync waits out
    // a 601 while a second one rotates the pair and uses it, which retires the first one's
    // refresh token; by the time the first resumes, the second's pair is due too. It must
    // refresh with the keychain's token, not its own dead one (which Withings refuses, and
    // Heft then deleted the valid pair and asked to connect again).
    common::require_session();
    // Tokens live 12 s: due 3 s before expiry.
    let env = Env::new(SimConfig { access_token_lifetime: 12, users: 1, years: 1, ..sim_config() });
    env.ok(&["connect"]);
    env.ok(&["sync"]); // the first download; the syncs below fetch only what changed
    // The first process's first request is told to wait 14 s.
    env.sim.set_faults(Faults { rate_limit_next: 1, wait_seconds: 14, ..Faults::default() });
    let first = spawn(&env, &["sync"], &[]);
    wait_until(Duration::from_secs(10), "the first sync's 601", || env.sim.stats().rate_limited == 1);
    // Meanwhile Withings stops accepting the access token: the second process refreshes, saves
    // the new pair and uses it, which retires the refresh token the first process holds.
    env.sim.expire_access_tokens(env.userid());
    let second = env.heft(&["sync"]);
    assert!(second.status.success(), "the second sync refreshes and finishes: {}", stderr(&second));
    assert_eq!(env.token_requests(), 2, "the code exchange and the second process's refresh");

    let first = first.finish_within(Duration::from_secs(40), "the first sync");
    assert!(first.status.success(), "the first sync resumes and finishes: {}", stderr(&first));
    // Whether the first process then refreshes once more depends on how long the 601 took
    // against the tokens' life; what matters is that no dead token was sent.
    assert!((2..=3).contains(&env.token_requests()), "at most one more refresh: {}", env.token_requests());
    assert_eq!(
        refused_token_requests(&env.sim),
        0,
        "no refresh token was refused: the dead one was never sent"
    );
    let later = env.heft(&["sync"]);
    assert!(later.status.success(), "the tokens are kept: {}", stderr(&later));
    assert!(!env.ok(&["status"]).contains("reconnect needed"), "no reconnect is asked for");
}

/// Unix only: a process stopped with Ctrl-Z (SIGSTOP) has no Windows counterpart.
#[cfg(unix)]
#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_sync_beside_a_cli_stopped_while_refreshing_gives_up_with_what_to_do_and_nothing_is_lost() {
    // Regression (the refresh lock waits forever): a CLI stopped with Ctrl-Z while refreshing
    // hung every other sync of the account.
    common::require_session();
    let env = Env::new(SimConfig { users: 1, years: 1, ..sim_config() });
    env.ok(&["connect"]);
    env.ok(&["sync"]);
    // Every request takes 1.5 s, so the first process is caught inside its refresh.
    env.sim.set_faults(Faults { latency_ms: 1_500, ..Faults::default() });
    env.sim.expire_access_tokens(env.userid());
    let mut stopped = spawn(&env, &["sync"], &[]);
    let lock = lock_path(&env);
    wait_until(Duration::from_secs(20), "the first sync's refresh", || lock_is_held(&lock));
    stopped.signal("-STOP"); // Ctrl-Z

    let started = Instant::now();
    let other = spawn(&env, &["sync"], &[("HEFT_REFRESH_LOCK_TIMEOUT_SECS", "2")]);
    let other = other.finish_within(Duration::from_secs(20), "a sync beside the stopped one");
    let waited = started.elapsed();
    assert!(!other.status.success(), "it cannot refresh while the lock is held");
    let message = stderr(&other);
    assert!(message.contains("another Heft process"), "says who holds it: {message}");
    assert!(message.contains("Ctrl-Z"), "says what to do: {message}");
    assert!(waited < Duration::from_secs(12), "it gave up after its timeout ({waited:?})");

    stopped.signal("-CONT"); // fg
    let resumed = stopped.finish_within(Duration::from_secs(30), "the continued sync");
    assert!(resumed.status.success(), "the continued sync finishes: {}", stderr(&resumed));
    env.sim.set_faults(Faults::default());
    let later = env.heft(&["sync"]);
    assert!(later.status.success(), "the tokens are kept: {}", stderr(&later));
    assert!(!env.ok(&["status"]).contains("reconnect needed"), "no reconnect is asked for");
}
