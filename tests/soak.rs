//! The fault soak: a first full sync of ten years and then an incremental sync, each against a
//! simulator that fails one request in five with HTTP 500, rate-limits (601 with
//! `wait_seconds`), adds latency spikes, cuts one answer in half and lets the access token die
//! mid-sync. Every sync must end either complete or with one clear line (and then complete on
//! the next run), the result must equal the simulator's ground truth, and the number of requests
//! must stay within a small multiple of the pages a fault-free sync needs.

mod common;

use common::{Env, stderr, stdout};
use withings_sim::{Faults, Group, Measure, SimConfig, Stats};

const PAGE: usize = 200;

fn storm(expire_tokens_after: u32) -> Faults {
    Faults {
        http500_rate: 0.2,
        latency_ms: 2,
        spike_rate: 0.1,
        spike_ms: 400,
        truncate_next: 1,
        rate_limit_next: 2,
        wait_seconds: 1,
        expire_tokens_after: Some(expire_tokens_after),
        ..Faults::default()
    }
}

/// Runs `heft sync` until it succeeds (at most three runs, as a person pressing Sync again
/// would), checking that every failed run said what went wrong in one readable line.
/// Returns how many runs it took.
fn sync_through_faults(env: &Env, args: &[&str]) -> usize {
    for run in 1..=3 {
        let out = env.heft(args);
        if out.status.success() {
            assert!(stdout(&out).contains("added"), "a sync report: {}", stdout(&out));
            return run;
        }
        let err = stderr(&out);
        let last = err.lines().last().unwrap_or_default();
        assert!(
            !err.contains("panicked") && last.starts_with("heft: ") && last.len() < 300,
            "run {run} failed without one clear line: {err}"
        );
    }
    panic!("three syncs in a row did not get through the faults");
}

/// One sync (as many runs as it takes) through `faults`, which are cleared afterwards; the
/// access token must have died and been refreshed. Returns the simulator's counts and the runs.
fn sync_in_storm(env: &Env, faults: Faults) -> (Stats, usize) {
    env.sim.reset_stats();
    env.sim.set_faults(faults);
    let runs = sync_through_faults(env, &["sync"]);
    let stats = env.sim.stats();
    env.sim.set_faults(Faults::default());
    assert!(stats.token_requests >= 1, "the access token died mid-sync and was refreshed");
    (stats, runs)
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn full_and_incremental_syncs_survive_a_fault_storm_and_equal_the_ground_truth() {
    common::require_session();
    let env = Env::new(SimConfig {
        auto_approve: true,
        identical_request_window: 0,
        years: 10,
        users: 1,
        page_size: PAGE,
        ..SimConfig::default()
    });
    env.ok(&["connect"]);
    let uid = env.userid();
    let pages = env.truth(uid).len().div_ceil(PAGE);
    assert!(pages >= 20, "a ten-year history spans many pages ({pages})");

    // First sync, from empty.
    let (stats, runs) = sync_in_storm(&env, storm(6));
    assert!(
        stats.http500 > 0 && stats.rate_limited >= 2,
        "the faults were injected: {} HTTP 500s, {} rate limits",
        stats.http500,
        stats.rate_limited
    );
    let requests = stats.requests.len();
    let (_, pages) = env.first_download_bound(uid, PAGE);
    assert!(
        requests <= pages * 2 + 20,
        "no request storm: {requests} requests for {pages} pages in {runs} run(s)"
    );
    eprintln!(
        "soak: full sync, {requests} requests for {pages} pages in {runs} run(s), {} HTTP 500s, {} rate limits",
        stats.http500, stats.rate_limited
    );
    env.assert_matches_truth(uid, "after a full sync through faults");

    // The account changes on the scale and in the Withings app: new weigh-ins, an edited one and
    // a deleted one, all within the last weeks.
    env.sim.advance(3600);
    let now = env.sim.now();
    let truth = env.sim.truth(uid).expect("user exists");
    for i in 0..30 {
        env.sim
            .add_group(
                uid,
                Group {
                    grpid: 0,
                    date: now - 60 * (i + 1),
                    measures: vec![Measure {
                        value: 80_000 + i,
                        kind: 1,
                        unit: -3,
                        algo: None,
                        fm: None,
                        position: None,
                    }],
                    ..truth[0].clone()
                },
            )
            .expect("group added");
    }
    let recent: Vec<i64> = truth
        .iter()
        .filter(|g| g.category == 1 && g.date > now - 20 * 86_400)
        .map(|g| g.grpid)
        .take(2)
        .collect();
    assert_eq!(recent.len(), 2, "the simulator has recent weigh-ins");
    env.sim.modify_group(uid, recent[0], |g| g.measures[0].value += 500).expect("group modified");
    env.sim.delete_group(uid, recent[1]).expect("group deleted");
    env.sim.advance(60);

    // Incremental sync through the same storm.
    let (stats, runs) = sync_in_storm(&env, storm(1));
    let requests = stats.requests.len();
    assert!(requests <= 30, "an incremental sync stays small: {requests} requests in {runs} run(s)");
    eprintln!("soak: incremental sync, {requests} requests in {runs} run(s), {} HTTP 500s", stats.http500);
    env.assert_matches_truth(uid, "after an incremental sync through faults");
}
