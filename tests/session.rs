//! Token refresh and the store, with the simulator over real HTTP and an in-memory keychain.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use heft::auth::tokens::{self, Credentials, Grant, RefreshingSession, SessionContext, TokenSet};
use heft::auth::{ApiSession, Clock, Pkce, Provider, SessionError};
use heft::keychain::{KeychainError, MemoryStore, SecretStore};
use heft::redact::{AuthCode, ClientSecret, PkceVerifier};
use heft::store::{Store, StoreError};
use heft::withings::Client;
use withings_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sim, SimConfig};

/// A keychain that can be made to fail writes, as a locked or full one would.
#[derive(Default)]
struct FlakyStore {
    inner: MemoryStore,
    fail_writes: AtomicBool,
}

impl SecretStore for FlakyStore {
    fn get(&self, key: &str) -> Result<Option<String>, KeychainError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), KeychainError> {
        if self.fail_writes.load(Ordering::Relaxed) {
            return Err(KeychainError::Locked("locked for the test".into()));
        }
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), KeychainError> {
        self.inner.delete(key)
    }
}

/// The code the simulator's consent page grants (auto-approved), for `challenge` if given.
fn code_for(sim: &Sim, challenge: Option<&str>) -> String {
    let mut url = format!(
        "{}/oauth2_user/authorize2?response_type=code&client_id={DEMO_CLIENT_ID}&scope=user.metrics&redirect_uri=http://localhost:8765/callback&state=s",
        sim.url()
    );
    if let Some(c) = challenge {
        url += &format!("&code_challenge={c}&code_challenge_method=S256");
    }
    let browser = heft::net::http_builder(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let resp = heft::net::block_on(async { browser.get(&url).send().await }).expect("authorize answers");
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    url::Url::parse(&loc).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned()
}

fn exchange(
    sim: &Sim,
    client: &Client,
    code: String,
    verifier: Option<&PkceVerifier>,
) -> Result<tokens::Granted, heft::withings::ApiError> {
    let grant =
        Grant::Code { code: &AuthCode::new(code), redirect_uri: "http://localhost:8765/callback", verifier };
    tokens::request(client, DEMO_CLIENT_ID, &ClientSecret::new(DEMO_CLIENT_SECRET), grant, sim.now())
}

/// Authorizes against the simulator without a browser (the listener is covered elsewhere).
fn tokens(sim: &Sim, client: &Client) -> (String, TokenSet) {
    let g = exchange(sim, client, code_for(sim, None), None).expect("code exchange");
    (g.userid, g.tokens)
}

fn save(store: &dyn SecretStore, userid: &str, t: &TokenSet) -> String {
    let key = Provider::Withings.token_key(userid);
    Credentials::Bearer(t.clone()).save(store, &key).unwrap();
    key
}

fn session<'a>(
    client: &'a Client,
    store: &'a dyn SecretStore,
    userid: &str,
    t: TokenSet,
    dir: &'a std::path::Path,
) -> RefreshingSession<'a> {
    let clock: Clock = Arc::new(|| jiff::Timestamp::now().as_second());
    let ctx = SessionContext {
        client,
        keychain: store,
        clock,
        lock_dir: dir,
        lock_timeout: tokens::REFRESH_LOCK_TIMEOUT,
        // One app's locks per session, as if each were its own process (the lock file serializes them).
        refresh_locks: Box::leak(Box::default()),
    };
    let key = Provider::Withings.token_key(userid);
    RefreshingSession::new(key, userid, t, DEMO_CLIENT_ID, ClientSecret::new(DEMO_CLIENT_SECRET), ctx)
}

#[test]
fn an_exchange_is_refused_unless_it_carries_the_verifier_of_the_challenge_sent() {
    let sim = start();
    let client = Client::new(&sim.url());
    let pkce = Pkce::from_verifier(PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    let wrong = PkceVerifier::new("not-the-verifier-of-this-challenge-0123456789");
    let missing = exchange(&sim, &client, code_for(&sim, Some(&pkce.challenge)), None).unwrap_err();
    assert!(missing.to_string().contains("code_verifier"), "no verifier: {missing}");
    let mismatched =
        exchange(&sim, &client, code_for(&sim, Some(&pkce.challenge)), Some(&wrong)).unwrap_err();
    assert!(mismatched.to_string().contains("code_verifier"), "wrong verifier: {mismatched}");
    let ok = exchange(&sim, &client, code_for(&sim, Some(&pkce.challenge)), Some(&pkce.verifier));
    assert!(ok.is_ok(), "the matching verifier is accepted: {ok:?}");
}

fn start() -> Sim {
    Sim::start(SimConfig {
        auto_approve: true,
        identical_request_window: 0,
        years: 1,
        users: 1,
        ..SimConfig::default()
    })
    .expect("sim")
}

#[test]
fn if_the_new_pair_cannot_be_saved_it_is_not_used_and_the_old_refresh_token_still_works() {
    let sim = start();
    let client = Client::new(&sim.url());
    let (userid, t) = tokens(&sim, &client);
    let store = FlakyStore::default();
    let dir = tempfile::tempdir().unwrap();
    save(&store, &userid, &t);
    let s = session(&client, &store, &userid, t.clone(), dir.path());
    store.fail_writes.store(true, Ordering::Relaxed);
    let err = s.refresh().unwrap_err();
    assert!(matches!(err, SessionError::Keychain(_)), "{err}");
    assert!(err.to_string().contains("unlock"), "actionable: {err}");
    // The unsaved pair was never used, so Withings still honours the stored refresh token.
    store.fail_writes.store(false, Ordering::Relaxed);
    let s = session(&client, &store, &userid, t, dir.path());
    s.refresh().expect("the old refresh token is still valid");
    assert!(s.getmeas(&[]).is_ok());
}

#[test]
fn a_token_refused_mid_session_is_refreshed_once() {
    let sim = start();
    let client = Client::new(&sim.url());
    let (userid, t) = tokens(&sim, &client);
    let store = MemoryStore::default();
    let dir = tempfile::tempdir().unwrap();
    let key = save(&store, &userid, &t);
    let s = session(&client, &store, &userid, t.clone(), dir.path());
    sim.expire_access_tokens(userid.parse().unwrap());
    let body = s.getmeas(&[]).expect("refreshed and retried");
    assert!(!body.measuregrps.is_empty());
    let Some(Credentials::Bearer(saved)) = Credentials::load(&store, &key).unwrap() else {
        panic!("bearer tokens are saved")
    };
    assert_ne!(saved.refresh.expose(), t.refresh.expose(), "the rotated refresh token was saved");
}

#[test]
fn a_database_from_a_newer_heft_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("heft.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    conn.execute("CREATE TABLE future (x)", []).unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();
    match Store::open(&path) {
        Err(e @ StoreError::TooNew { .. }) => assert!(e.to_string().contains("newer Heft"), "{e}"),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer database must be refused"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file is untouched");
}

#[test]
fn a_database_made_by_the_first_schema_opens_upgrades_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("heft.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/heft-schema1.sqlite"), &path).unwrap();
    let store = Store::open(&path).expect("an old database opens");
    let version: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert!(version > 1, "migrated past the first schema (now {version})");
    let accounts = store.accounts().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!((accounts[0].provider, accounts[0].userid.as_str()), (Provider::Withings, "4242"));
    assert_eq!(store.counts(accounts[0].id).unwrap(), (2, 3), "every group and measure kept");
    let groups = store.groups(accounts[0].id).unwrap();
    let weight = |grpid| {
        let g = groups.iter().find(|g| g.grpid == grpid).expect("group kept");
        let m = g.measures.iter().find(|m| m.kind == 1).expect("weight kept");
        heft::model::ExactValue::new(m.value, m.unit).to_string()
    };
    assert_eq!((weight(101), weight(102)), ("72.345".to_string(), "72.10".to_string()), "exact values");
    assert_eq!(store.sync_state(accounts[0].id).unwrap().cursor, Some(1_600_086_400), "the sync cursor");
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[cfg(unix)]
#[test]
fn the_database_and_its_wal_are_private_in_a_private_folder_even_when_they_were_not() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("heft");
    let path = data.join("heft.db");
    {
        let store = Store::open(&path).unwrap();
        store.upsert_account(Provider::Withings, "1", None, None, 0).unwrap();
        let wal = data.join("heft.db-wal");
        assert!(wal.exists(), "WAL mode");
        assert_eq!((mode(&path), mode(&wal), mode(&data.join("heft.db-shm"))), (0o600, 0o600, 0o600));
        assert_eq!(mode(&data), 0o700);
    }
    // An older Heft left them readable by others: opening tightens them.
    for p in [&path, &data] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    drop(Store::open(&path).unwrap());
    assert_eq!((mode(&path), mode(&data)), (0o600, 0o700));
}

#[test]
fn applying_the_same_page_twice_gives_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("heft.db")).unwrap();
    let acct = store.upsert_account(heft::auth::Provider::Withings, "1", None, None, 0).unwrap();
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/withings/withings-sas_measure_excerpt.json"
    ))
    .unwrap();
    let body = heft::withings::parse_getmeas(&bytes).unwrap();
    let plan = heft::sync::plan_page(&body);
    let first = store.apply(acct, &plan, &[], None).unwrap();
    assert_eq!(first.added, 25);
    let rows = store.groups(acct).unwrap();
    let second = store.apply(acct, &plan, &[], None).unwrap();
    assert_eq!((second.added, second.changed, second.unchanged), (0, 0, 25), "idempotent");
    assert_eq!(store.groups(acct).unwrap(), rows);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn repeated_measures_and_grpids_in_one_answer_are_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("heft.db")).unwrap();
    let acct = store.upsert_account(heft::auth::Provider::Withings, "1", None, None, 0).unwrap();
    let list = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/withings/aiowithings_measurement_positions.json"
    ))
    .unwrap();
    let groups: Vec<heft::withings::WireGroup> = serde_json::from_slice(&list).unwrap();
    let body = heft::withings::MeasureBody {
        updatetime: None,
        timezone: None,
        measuregrps: groups,
        more: false,
        offset: None,
    };
    store.apply(acct, &heft::sync::plan_page(&body), &[], None).unwrap();
    let (g, m) = store.counts(acct).unwrap();
    assert_eq!(g, 2);
    assert_eq!(m, 2 * 26, "28 measures per group, two exact repeats (types 5 and 8 at position 7) kept once");
    let dup = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/withings/aiowithings_measurement.json"
    ))
    .unwrap();
    let body = heft::withings::parse_getmeas(&dup).unwrap();
    let plan = heft::sync::plan_page(&body);
    assert_eq!(plan.len(), 1, "the same grpid twice in one answer is one group");
    assert_eq!(plan[0].attrib, 8, "the later copy wins");
}
