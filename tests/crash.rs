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
