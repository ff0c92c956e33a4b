//! The original three-legged OAuth 1.0a flow end to end against the simulator, through the
//! same client, sync engine and store as OAuth 2.0.

mod common;

use common::{Env, sim_config, stderr};
use withings_sim::SimConfig;

fn oauth1_connected(env: &Env) {
    let out = env.ok(&["connect", "--provider", "withings-oauth1"]);
    assert!(out.contains(&format!("Connected Withings user {}", env.userid())), "{out}");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn connect_full_and_incremental_sync_match_the_oauth2_path_on_the_same_data() {
    common::require_session();
    let env = Env::new(SimConfig { page_size: 150, ..sim_config() });
    oauth1_connected(&env);
    env.ok(&["sync"]);
    env.assert_matches_truth(env.userid(), "OAuth 1.0a first sync");
    let uid = env.userid();
    let truth = env.sim.truth(uid).unwrap();
    env.sim.modify_group(uid, truth[4].grpid, |g| g.measures[0].value += 321).unwrap();
    env.sim.delete_group(uid, truth[7].grpid).unwrap();
    env.sim.advance(5);
    let out = env.ok(&["sync"]);
    assert!(out.contains("0 added, 1 changed, 1 removed"), "{out}");
    env.assert_matches_truth(uid, "OAuth 1.0a incremental sync");

    // The same simulator, the OAuth 2.0 provider, another data dir: the same rows.
    let dir = tempfile::tempdir().unwrap();
    let other = [("HEFT_DATA_DIR", dir.path().to_str().unwrap())];
    for args in [&["connect"][..], &["sync"][..]] {
        let out = env.heft_with(args, &other);
        assert!(out.status.success(), "OAuth 2.0 {args:?}: {}", stderr(&out));
    }
    let exported = env.heft_with(&["export", "--format", "json"], &other);
    let oauth2: heft::export::Export = serde_json::from_slice(&exported.stdout).unwrap();
    let oauth2_groups: Vec<_> = oauth2.groups.into_iter().map(|g| g.group).collect();
    assert_eq!(oauth2_groups, env.stored(uid), "both flows store identical data");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_wrong_signature_is_rejected_by_the_server_with_a_clear_error() {
    common::require_session();
    let env = Env::new(sim_config());
    oauth1_connected(&env);
    let out = env.heft_with(&["sync"], &[("HEFT_WITHINGS_CLIENT_SECRET", "not-the-consumer-secret")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("342") && err.contains("signature"), "{err}");
    assert!(env.stored(env.userid()).is_empty(), "nothing stored");
}

#[test]
#[ignore = "needs the test keychain session and display: run `make test`"]
fn a_mismatched_token_missing_verifier_or_refusal_stores_nothing() {
    common::require_session();
    let env = Env::new(sim_config());
    let forge = Env::browser();
    for mode in ["wrong-token", "no-verifier", "refused"] {
        let out = env.heft_with(
            &["connect", "--provider", "withings-oauth1"],
            &[
                ("HEFT_BROWSER", forge.to_str().unwrap()),
                ("HEFT_TEST_FORGE", mode),
                ("HEFT_CALLBACK_TIMEOUT_SECS", "3"),
            ],
        );
        assert!(!out.status.success(), "{mode}: must not connect");
        let err = stderr(&out);
        if mode == "refused" {
            assert!(err.contains("user_refused"), "{mode}: {err}");
        } else {
            assert!(err.contains("no answer from Withings"), "{mode}: the callback was ignored: {err}");
        }
        assert_eq!(env.ok(&["accounts"]).trim(), "", "{mode}: no account stored");
    }
}
