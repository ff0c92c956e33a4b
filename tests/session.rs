//! Token refresh and the store, with the simulator over real HTTP and an in-memory keychain.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use heft::secret::{AuthCode, ClientSecret};
use heft::secrets::{MemoryStore, SecretError, SecretStore, TokenSet, token_key};
use heft::session::{ApiSession, Session, SessionError};
use heft::store::{Store, StoreError};
use heft::withings::{Client, Grant};
use withings_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sim, SimConfig};

/// A keychain that can be made to fail writes, as a locked or full one would.
#[derive(Default)]
struct FlakyStore {
    inner: MemoryStore,
    fail_writes: AtomicBool,
}

impl SecretStore for FlakyStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), SecretError> {
        if self.fail_writes.load(Ordering::Relaxed) {
            return Err(SecretError::Unavailable("locked for the test".into()));
        }
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), SecretError> {
        self.inner.delete(key)
    }
}

/// Authorizes against the simulator without a browser (the listener is covered elsewhere).
fn tokens(sim: &Sim, client: &Client) -> (String, TokenSet) {
    let url = format!(
        "{}/oauth2_user/authorize2?response_type=code&client_id={DEMO_CLIENT_ID}&scope=user.metrics&redirect_uri=http://localhost:8765/callback&state=s",
        sim.url()
    );
    let agent: ureq::Agent = ureq::Agent::config_builder().max_redirects(0).build().into();
    let resp = agent.get(&url).call().expect("authorize answers");
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    let code =
        url::Url::parse(&loc).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let g = client
        .request_token(
            DEMO_CLIENT_ID,
            &ClientSecret::new(DEMO_CLIENT_SECRET),
            Grant::Code {
                code: &AuthCode::new(code),
                redirect_uri: "http://localhost:8765/callback",
                verifier: None,
            },
        )
        .expect("code exchange");
    let now = sim.now();
    (
        g.userid,
        TokenSet {
            access: g.access_token,
            refresh: g.refresh_token,
            expires_at: now + g.expires_in,
            obtained_at: now,
        },
    )
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
    t.save(&store, &token_key("withings", &userid)).unwrap();
    let clock: heft::session::Clock = Arc::new(|| jiff::Timestamp::now().as_second());
    let secret = ClientSecret::new(DEMO_CLIENT_SECRET);
    let mut s =
        Session::open("withings", &userid, &client, &store, DEMO_CLIENT_ID, secret.clone(), clock.clone())
            .unwrap();
    store.fail_writes.store(true, Ordering::Relaxed);
    let err = s.refresh().unwrap_err();
    assert!(matches!(err, SessionError::Secret(_)), "{err}");
    assert!(err.to_string().contains("unlock"), "actionable: {err}");
    // The unsaved pair was never used, so Withings still honours the stored refresh token.
    store.fail_writes.store(false, Ordering::Relaxed);
    let mut s = Session::open("withings", &userid, &client, &store, DEMO_CLIENT_ID, secret, clock).unwrap();
    s.refresh().expect("the old refresh token is still valid");
    assert!(s.getmeas(&[]).is_ok());
}

#[test]
fn a_token_refused_mid_session_is_refreshed_once() {
    let sim = start();
    let client = Client::new(&sim.url());
    let (userid, t) = tokens(&sim, &client);
    let store = MemoryStore::default();
    t.save(&store, &token_key("withings", &userid)).unwrap();
    let clock: heft::session::Clock = Arc::new(|| jiff::Timestamp::now().as_second());
    let mut s = Session::open(
        "withings",
        &userid,
        &client,
        &store,
        DEMO_CLIENT_ID,
        ClientSecret::new(DEMO_CLIENT_SECRET),
        clock,
    )
    .unwrap();
    sim.expire_access_tokens(userid.parse().unwrap());
    let body = s.getmeas(&[]).expect("refreshed and retried");
    assert!(!body.measuregrps.is_empty());
    let saved = TokenSet::load(&store, &token_key("withings", &userid)).unwrap().unwrap();
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
fn applying_the_same_page_twice_gives_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("heft.db")).unwrap();
    let acct = store.upsert_account("withings", "1", None, None, false, 0).unwrap();
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
    let acct = store.upsert_account("withings", "1", None, None, false, 0).unwrap();
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
