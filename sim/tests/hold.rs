//! Holding API answers until released: a test proves by order, not by timing, what a client
//! does while its request waits. Deadlines below only turn a hang into a failure.

use std::collections::HashMap;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use withings_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sim, SimConfig};

mod common;
use common::{REDIRECT, authorize_url};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn config(auto_approve: bool) -> SimConfig {
    SimConfig { auto_approve, identical_request_window: 0, years: 1, control: true, ..SimConfig::default() }
}

fn json_of(mut r: ureq::http::Response<ureq::Body>) -> Value {
    serde_json::from_str(&r.body_mut().read_to_string().expect("a body")).expect("a JSON answer")
}

fn access_token(s: &Sim) -> String {
    let r = agent().get(&authorize_url(s, REDIRECT, "st4te")).call().expect("authorize answers");
    assert_eq!(r.status().as_u16(), 302, "auto-approve redirects at once");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let q: HashMap<String, String> = url::Url::parse(&location).unwrap().query_pairs().into_owned().collect();
    let r = agent()
        .post(&format!("{}/v2/oauth2", s.url()))
        .send_form([
            ("action", "requesttoken"),
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("code", q["code"].as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .expect("the token endpoint answers");
    let v = json_of(r);
    assert_eq!(v["status"], 0, "{v}");
    v["body"]["access_token"].as_str().unwrap().to_string()
}

/// A `getmeas` with `params` on a thread of its own, as a client's background request; its
/// JSON answer.
fn getmeas_in_background(s: &Sim, token: &str, params: &'static [(&str, &str)]) -> JoinHandle<Value> {
    let url = format!("{}/measure", s.url());
    let auth = format!("Bearer {token}");
    std::thread::spawn(move || {
        let r = agent()
            .post(&url)
            .header("Authorization", &auth)
            .send_form([("action", "getmeas")].iter().chain(params).copied())
            .expect("the held request is answered in the end");
        json_of(r)
    })
}

/// Waits until `n` requests are being held (a bound only so a bug fails instead of hanging).
fn wait_until_held(s: &Sim, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while s.held_waiting() != n {
        assert!(Instant::now() < deadline, "{} requests held, not {n}", s.held_waiting());
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn control(s: &Sim, method: &str, path: &str) -> Value {
    let url = format!("{}/_sim/{path}", s.url());
    let r = match method {
        "GET" => agent().get(&url).call(),
        _ => agent().post(&url).send_empty(),
    }
    .expect("a control endpoint answers");
    assert_eq!(r.status().as_u16(), 200, "{method} /_sim/{path}");
    json_of(r)
}

#[test]
fn a_held_getmeas_answers_only_once_released_and_then_as_usual() {
    let s = Sim::start(config(true)).expect("the simulator starts");
    let token = access_token(&s);
    let before = s.stats().getmeas;

    s.hold_answers();
    assert!(s.answers_held());
    let client = getmeas_in_background(&s, &token, &[]);
    wait_until_held(&s, 1);
    assert!(!client.is_finished(), "no answer while held");
    assert_eq!(s.stats().getmeas, before, "the held request has not been handled yet");

    s.release_answers();
    assert!(!s.answers_held());
    let answer = client.join().expect("the client thread ends");
    assert_eq!(answer["status"], 0, "released, it answers as usual: {answer}");
    assert!(!answer["body"]["measuregrps"].as_array().expect("groups").is_empty());
    assert_eq!(s.stats().getmeas, before + 1);
    assert_eq!(s.held_waiting(), 0);

    // Released, nothing more is held.
    assert_eq!(getmeas_in_background(&s, &token, &[]).join().unwrap()["status"], 0);
}

#[test]
fn holding_continuations_answers_every_first_page_and_holds_only_the_later_ones() {
    let s = Sim::start(config(true)).expect("the simulator starts");
    let token = access_token(&s);
    let r = agent().post(&format!("{}/_sim/hold?only=continuations", s.url())).send_empty().unwrap();
    assert_eq!(json_of(r), json!({ "held": true, "waiting": 0 }));

    let later = getmeas_in_background(&s, &token, &[("offset", "200")]);
    wait_until_held(&s, 1);
    // A first page (no offset, or offset 0) is answered while the later one waits.
    let first = getmeas_in_background(&s, &token, &[]).join().expect("the first page's client ends");
    assert_eq!(first["status"], 0, "{first}");
    let zero =
        getmeas_in_background(&s, &token, &[("offset", "0")]).join().expect("offset 0 is a first page");
    assert_eq!(zero["status"], 0, "{zero}");
    assert_eq!(s.held_waiting(), 1, "the later page still waits");
    assert!(!later.is_finished(), "no answer for the later page while held");

    s.release_answers();
    assert_eq!(later.join().expect("the later page's client ends")["status"], 0);
    let r = agent().post(&format!("{}/_sim/hold?only=everything", s.url())).send_empty().unwrap();
    assert_eq!(r.status().as_u16(), 400, "an unknown kind is refused, not taken for all");
    assert!(!s.answers_held());
}

#[test]
fn pages_and_control_endpoints_are_served_while_more_requests_are_held_than_workers() {
    // Two workers, three held requests: they wait on threads of their own, not on the workers.
    let s = Sim::start(SimConfig { threads: 2, ..config(false) }).expect("the simulator starts");
    assert_eq!(control(&s, "GET", "held"), json!({ "held": false, "waiting": 0 }));
    assert_eq!(control(&s, "POST", "hold"), json!({ "held": true, "waiting": 0 }));
    assert!(s.answers_held(), "POST /_sim/hold holds");

    let clients: Vec<_> = (0..3).map(|_| getmeas_in_background(&s, "not-a-token", &[])).collect();
    wait_until_held(&s, 3);
    assert_eq!(control(&s, "GET", "held"), json!({ "held": true, "waiting": 3 }));

    // The consent page a person sees is served.
    let page = agent()
        .get(&format!(
            "{}/oauth2_user/authorize2?response_type=code&client_id={DEMO_CLIENT_ID}&scope=user.metrics&redirect_uri={}&state=s",
            s.url(),
            url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
        ))
        .call()
        .expect("the consent page answers")
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(page.contains("<form"), "the consent page: {page}");
    // So are the other control endpoints.
    assert!(control(&s, "GET", "stats")["requests"].as_array().unwrap().is_empty(), "nothing handled yet");
    assert!(control(&s, "GET", "users")["users"].as_array().unwrap().len() == 2);
    // An API request from another origin is refused at once, never held.
    let foreign = agent()
        .post(&format!("{}/measure", s.url()))
        .header("Origin", "http://evil.example")
        .send_form([("action", "getmeas")])
        .unwrap();
    assert_eq!(foreign.status().as_u16(), 403);
    assert_eq!(s.held_waiting(), 3);
    assert!(clients.iter().all(|c| !c.is_finished()), "none answered while held");

    let released = control(&s, "POST", "release");
    assert_eq!(released["held"], false);
    for c in clients {
        let answer = c.join().expect("the client thread ends");
        assert_eq!(answer["status"], 401, "released, a bad token gets Withings' answer: {answer}");
    }
    assert_eq!(control(&s, "GET", "held"), json!({ "held": false, "waiting": 0 }));
}

#[test]
fn a_rate_limit_fault_set_over_http_applies_to_a_held_request_once_released() {
    let s = Sim::start(config(true)).expect("the simulator starts");
    let token = access_token(&s);
    let r = agent()
        .post(&format!("{}/_sim/faults", s.url()))
        .send_json(json!({ "rate_limit_next": 1, "wait_seconds": 7 }))
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    s.hold_answers();
    let client = getmeas_in_background(&s, &token, &[]);
    wait_until_held(&s, 1);
    assert_eq!(s.stats().rate_limited, 0, "the fault waits with the request");
    s.release_answers();
    let limited = client.join().unwrap();
    assert_eq!((limited["status"].as_i64(), limited["body"]["wait_seconds"].as_i64()), (Some(601), Some(7)));
    assert_eq!(getmeas_in_background(&s, &token, &[]).join().unwrap()["status"], 0, "the fault was one-shot");
}

#[test]
fn dropping_the_simulator_lets_a_held_request_go_and_stops_promptly() {
    let s = Sim::start(config(true)).expect("the simulator starts");
    s.hold_answers();
    let client = getmeas_in_background(&s, "not-a-token", &[]);
    wait_until_held(&s, 1);

    let (done, stopped) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(s);
        let _ = done.send(());
    });
    stopped.recv_timeout(Duration::from_secs(20)).expect("dropping a simulator with a held request ends");
    // The held request was answered before the simulator stopped.
    assert_eq!(client.join().expect("the client thread ends")["status"], 401);
}
