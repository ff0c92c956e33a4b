//! `kill -9` at random moments of a sync: the database stays intact, holds only groups exactly
//! as Withings has them, and the next sync converges. `make test` kills 12 times; the full run
//! is `HEFT_CRASH_KILLS=50 scripts/with-test-session.sh cargo test -p heft --test crash`.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{Env, sim_config, stderr};
use heft::store::Store;
use withings_sim::{Faults, SimConfig};

/// A small deterministic generator, so a failing run can be repeated.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Every version of every group Withings has held during the test.
type Versions = std::collections::HashMap<i64, Vec<heft::store::StoredGroup>>;

fn remember(env: &Env, known: &mut Versions) {
    for g in env.truth(env.userid()) {
        let v = known.entry(g.grpid).or_default();
        if !v.contains(&g) {
            v.push(g);
        }
    }
}

/// Intact, and every stored group is exactly one version Withings had (never half a group).
fn check_consistent(env: &Env, known: &Versions, round: usize) {
    let store = Store::open(&env.db_path()).expect("the database opens after a kill");
    assert_eq!(store.integrity_check().unwrap(), "ok", "round {round}: integrity");
    if let Some(a) = store.accounts().unwrap().first() {
        for g in store.groups(a.id).unwrap() {
            let versions = known.get(&g.grpid).map(Vec::as_slice).unwrap_or_default();
            assert!(
                versions.contains(&g),
                "round {round}: group {} is not a version Withings ever had",
                g.grpid
            );
        }
    }
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn killed_syncs_leave_a_consistent_database_and_the_next_sync_converges() {
    common::require_session();
    let kills: usize = std::env::var("HEFT_CRASH_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(12);
    let env = Env::new(SimConfig { years: 10, users: 1, page_size: 100, ..sim_config() });
    env.ok(&["connect"]);
    env.sim.set_faults(Faults { latency_ms: 15, ..Faults::default() });
    let mut rng = Lcg(0x5eed_1234);
    let uid = env.userid();
    let mut known = Versions::new();
    remember(&env, &mut known);
    for round in 0..kills {
        if round % 3 == 2 {
            // Withings changes while Heft is away: edits and deletions to follow.
            let truth = env.sim.truth(uid).unwrap();
            let i = rng.below(40) as usize;
            env.sim.modify_group(uid, truth[i].grpid, |g| g.measures[0].value += 7).unwrap();
            env.sim.delete_group(uid, truth[i + 1].grpid).unwrap();
            env.sim.advance(2);
            remember(&env, &mut known);
        }
        let mut child =
            env.command(&["sync"], &[]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(20 + rng.below(700)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        check_consistent(&env, &known, round);
    }
    env.sim.set_faults(Faults::default());
    env.sim.advance(5);
    env.ok(&["sync", "--full"]);
    env.assert_matches_truth(uid, "after the kills, a full sync converges");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_kill_right_after_a_token_rotation_does_not_lose_the_account() {
    common::require_session();
    // Tokens live 2 s, so every run refreshes (rotates) first; kill runs at random moments
    // around that rotation.
    let env = Env::new(SimConfig { access_token_lifetime: 2, ..sim_config() });
    env.ok(&["connect"]);
    let mut rng = Lcg(7);
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(2_200));
        let mut child =
            env.command(&["sync"], &[]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(5 + rng.below(120)));
        let _ = child.kill();
        let _ = child.wait();
    }
    std::thread::sleep(Duration::from_millis(2_200));
    let out = env.heft(&["sync"]);
    assert!(out.status.success(), "the account still syncs: {}", stderr(&out));
    env.assert_matches_truth(env.userid(), "after kills around rotations");
}

/// What a first download still has to fetch, as seconds of the years since the first scale
/// (`None` once it finished), and the groups stored.
fn download_left(env: &Env) -> (Option<i64>, i64) {
    let store = Store::open(&env.db_path()).unwrap();
    let Some(a) = store.accounts().unwrap().into_iter().next() else { return (Some(i64::MAX), 0) };
    let state = store.sync_state(a.id).unwrap();
    let now = jiff::Timestamp::now().as_second();
    let left = match (state.cursor, state.resume) {
        (Some(_), _) => None,
        (None, Some(r)) => Some(heft::sync::years_span(&r.left, now)),
        (None, None) => Some(i64::MAX),
    };
    (left, store.counts(a.id).unwrap().0)
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_first_download_killed_again_and_again_resumes_instead_of_starting_over() {
    common::require_session();
    let kills = 8;
    let env = Env::new(SimConfig { years: 10, users: 1, page_size: 100, ..sim_config() });
    env.ok(&["connect"]);
    // Slow enough that kills land mid-download (its windows take about ten round trips),
    // fast enough to get somewhere each time.
    env.sim.set_faults(Faults { latency_ms: 150, ..Faults::default() });
    env.sim.reset_stats();
    let mut rng = Lcg(0xd0_0d1e);
    let (mut left, mut stored) = (Some(i64::MAX), 0);
    let mut resumed_from = 0;
    for round in 0..kills {
        let mut child =
            env.command(&["sync"], &[]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(300 + rng.below(300)));
        let _ = child.kill();
        let _ = child.wait();
        let store = Store::open(&env.db_path()).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok", "round {round}: integrity");
        // What the killed attempts stored is kept: the part left never grows back.
        let (now_left, now_stored) = download_left(&env);
        assert!(now_stored >= stored, "round {round}: {now_stored} groups stored, {stored} before");
        match (left, now_left) {
            (_, None) => {}
            (None, Some(_)) => panic!("round {round}: a finished download is unfinished again"),
            (Some(before), Some(now)) => assert!(now <= before, "round {round}: the download started over"),
        }
        if now_left.is_some_and(|l| l < i64::MAX) {
            resumed_from += 1;
        }
        (left, stored) = (now_left, now_stored);
    }
    assert!(resumed_from >= 2, "kills landed mid-download with a resume point {resumed_from} times");
    env.sim.set_faults(Faults::default());
    env.ok(&["sync"]);
    env.assert_matches_truth(env.userid(), "the resumed download has everything");
    // Each kill can cost the pages in flight (one a window) and the one being stored.
    let (_, pages) = env.first_download_bound(env.userid(), 100);
    let bound = pages + kills * (heft::sync::WINDOWS + 1) + 2;
    let fetched = env.getmeas_count();
    assert!(fetched <= bound, "{fetched} getmeas requests over {kills} kills (at most {bound})");
    // And the next sync is an ordinary incremental one, from the first attempt's cursor.
    env.sim.reset_stats();
    env.ok(&["sync"]);
    assert!(env.getmeas_count() <= 2, "a no-change sync after the resumed download stays at two requests");
}

#[test]
fn a_cancelled_first_download_keeps_its_pages_and_the_next_sync_carries_on() {
    let env = Env::new(SimConfig { years: 10, users: 1, page_size: 100, ..sim_config() });
    let (app, account) = env.app_in_process();
    env.sim.reset_stats();
    let cancel = app.canceller();
    let mut seen = Vec::new();
    let mut stored_at_cancel = 0;
    let db = env.db_path();
    let results = app
        .sync(
            None,
            false,
            &mut |_, p| {
                seen.push(*p);
                if p.pages == 20 {
                    // Each page is committed before its progress is reported.
                    stored_at_cancel = Store::open(&db).unwrap().counts(account.id).unwrap().0;
                    cancel.cancel();
                }
            },
            |_| {},
        )
        .unwrap();
    let err = results[0].result.as_ref().expect_err("the sync stops when cancelled");
    assert!(err.to_string().contains("cancelled"), "says it was cancelled: {err}");
    let stored = app.status().unwrap()[0].groups;
    let last = seen.last().unwrap();
    assert_eq!(
        (last.pages, stored),
        (20, stored_at_cancel),
        "the 20 pages stored before the cancel are kept"
    );
    assert!(stored > 0 && stored as u64 <= last.groups, "{stored} groups of {} received", last.groups);
    // The progress told the window how much is fetched and back to which date all of it.
    let share = last.done_permille.unwrap();
    assert!(share > 0 && share < 1000, "a share fetched is reported: {last:?}");
    assert!(last.reached.unwrap() < last.newest.unwrap(), "the date reached is reported: {last:?}");
    let status = app.status().unwrap();
    assert!(status[0].sync.last_error.is_none(), "a cancel is not an error to warn about");
    assert!(status[0].sync.resume.is_some(), "a resume point is kept");

    let mut resumed = false;
    let results = app.sync(None, false, &mut |_, p| resumed |= p.resumed, |_| {}).unwrap();
    results[0].result.as_ref().expect("the second sync finishes");
    assert!(resumed, "the second sync says it resumed");
    // A page each, a part-page for each window, and the pages in flight at the cancel.
    let (_, pages) = env.first_download_bound(env.userid(), 100);
    let bound = pages + heft::sync::WINDOWS + 1;
    assert!(
        env.getmeas_count() <= bound,
        "{} requests (at most {bound}): the cancelled pages were fetched again",
        env.getmeas_count()
    );
    let status = app.status().unwrap();
    assert_eq!(status[0].groups as usize, env.sim.truth(env.userid()).unwrap().len());
    assert!(status[0].sync.resume.is_none() && status[0].sync.cursor.is_some());
    assert_eq!(account.userid, env.userid().to_string());
}

#[test]
fn a_cancel_during_a_wait_for_withings_rate_limit_stops_at_once() {
    let mut env = Env::new(SimConfig { years: 10, users: 1, page_size: 100, ..sim_config() });
    // One window, so the request Withings refuses is the only one under way.
    env.extra.push(("HEFT_SYNC_WINDOWS".into(), "1".into()));
    let (app, _) = env.app_in_process();
    env.sim.reset_stats();
    // Withings asks Heft to wait half a minute; the person cancels while it waits.
    env.sim.set_faults(Faults { rate_limit_next: 1, wait_seconds: 30, ..Faults::default() });
    let cancel = app.canceller();
    let results = app.sync(None, false, &mut |_, _| {}, move |_| cancel.cancel()).unwrap();
    let err = results[0].result.as_ref().expect_err("the sync stops");
    assert!(err.to_string().contains("cancelled"), "a cancel, not a rate limit: {err}");
    // The request Withings refused was not sent again after the wait (it would be, 30 s on).
    let stats = env.sim.stats();
    assert_eq!(stats.rate_limited, 1, "one answer said to wait");
    let answered = stats.requests.iter().filter(|r| r.action.as_deref() == Some("getmeas")).count();
    assert_eq!(answered, 0, "the refused request was not retried");
    let status = app.status().unwrap();
    assert!(status[0].sync.last_error.is_none(), "a cancel is not an error to warn about");
}
