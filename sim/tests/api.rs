//! The simulator over real HTTP: OAuth 2.0, rotation, paging, limits, OAuth 1.0a, control.

use std::collections::HashMap;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use withings_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, Sim, SimConfig};

mod common;
use common::{REDIRECT, authorize_url};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().max_redirects(0).http_status_as_error(false).build().into()
}

fn sim(config: SimConfig) -> Sim {
    Sim::start(config).expect("simulator starts")
}

fn quiet() -> SimConfig {
    SimConfig {
        auto_approve: true,
        identical_request_window: 0,
        years: 1,
        control: true,
        ..SimConfig::default()
    }
}

fn query_of(location: &str) -> HashMap<String, String> {
    let u = url::Url::parse(location).expect("redirect is a URL");
    u.query_pairs().into_owned().collect()
}

fn get(url: &str) -> (u16, HashMap<String, String>, String) {
    let mut r = agent().get(url).call().expect("request sent");
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let status = r.status().as_u16();
    (status, headers, r.body_mut().read_to_string().unwrap_or_default())
}

fn post_form(url: &str, form: &[(&str, &str)]) -> Value {
    let mut r = agent().post(url).send_form(form.iter().copied()).expect("request sent");
    serde_json::from_str(&r.body_mut().read_to_string().expect("body")).expect("json answer")
}

fn code_for(s: &Sim, redirect: &str) -> String {
    let (status, headers, _) = get(&authorize_url(s, redirect, "st4te"));
    assert_eq!(status, 302, "auto-approve redirects at once");
    let q = query_of(&headers["location"]);
    assert_eq!(q["state"], "st4te", "state comes back unchanged");
    q["code"].clone()
}

fn exchange(s: &Sim, code: &str, redirect: &str) -> Value {
    post_form(
        &format!("{}/v2/oauth2", s.url()),
        &[
            ("action", "requesttoken"),
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("code", code),
            ("redirect_uri", redirect),
        ],
    )
}

fn refresh(s: &Sim, rt: &str) -> Value {
    post_form(
        &format!("{}/v2/oauth2", s.url()),
        &[
            ("action", "requesttoken"),
            ("grant_type", "refresh_token"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("refresh_token", rt),
        ],
    )
}

fn getmeas(s: &Sim, token: &str, params: &[(&str, &str)]) -> Value {
    let mut form = vec![("action", "getmeas")];
    form.extend_from_slice(params);
    let mut r = agent()
        .post(&format!("{}/measure", s.url()))
        .header("Authorization", &format!("Bearer {token}"))
        .send_form(form)
        .expect("request sent");
    serde_json::from_str(&r.body_mut().read_to_string().expect("body")).expect("json answer")
}

fn access_token(s: &Sim) -> (String, String) {
    let t = exchange(s, &code_for(s, REDIRECT), REDIRECT);
    assert_eq!(t["status"], 0, "{t}");
    (t["body"]["access_token"].as_str().unwrap().into(), t["body"]["refresh_token"].as_str().unwrap().into())
}

#[test]
fn full_oauth2_code_exchange_gives_a_token_that_reads_measures() {
    let s = sim(quiet());
    let t = exchange(&s, &code_for(&s, REDIRECT), REDIRECT);
    assert_eq!(t["status"], 0, "{t}");
    let body = &t["body"];
    assert_eq!(body["userid"], Value::String(s.userids()[0].to_string()), "userid as text");
    assert_eq!(body["expires_in"], 10_800);
    assert_eq!(body["token_type"], "Bearer");
    let m = getmeas(&s, body["access_token"].as_str().unwrap(), &[]);
    assert_eq!(m["status"], 0, "{m}");
    assert!(!m["body"]["measuregrps"].as_array().unwrap().is_empty(), "the user has a history");
    assert!(m["body"]["updatetime"].is_i64());
}

#[test]
fn consent_page_deny_sends_access_denied_with_the_state() {
    let s = sim(SimConfig { auto_approve: false, ..quiet() });
    let (status, _, page) = get(&authorize_url(&s, REDIRECT, "abc"));
    assert_eq!(status, 200);
    assert!(page.contains("id=\"allow\"") && page.contains("id=\"deny\""), "consent page has both buttons");
    let r = agent()
        .post(&format!("{}/oauth2_user/decision", s.url()))
        .send_form([
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("state", "abc"),
            ("decision", "deny"),
        ])
        .expect("sent");
    assert_eq!(r.status().as_u16(), 302);
    let q = query_of(r.headers()["location"].to_str().unwrap());
    assert_eq!((q["error"].as_str(), q["state"].as_str()), ("access_denied", "abc"));
    assert!(!q.contains_key("code"));
}

#[test]
fn unregistered_redirect_is_refused_but_any_loopback_port_is_allowed() {
    let s = sim(quiet());
    let (status, headers, page) = get(&authorize_url(&s, "https://evil.example/callback", "x"));
    assert_eq!(status, 400, "never redirects to an unregistered URI");
    assert!(!headers.contains_key("location"));
    assert!(page.contains("redirect_uri"));
    let port_any = "http://127.0.0.1:41234/callback";
    let t = exchange(&s, &code_for(&s, port_any), port_any);
    assert_eq!(t["status"], 0, "loopback on another port is accepted: {t}");
}

#[test]
fn codes_are_single_use_and_die_after_30_seconds() {
    let s = sim(quiet());
    let code = code_for(&s, REDIRECT);
    assert_eq!(exchange(&s, &code, REDIRECT)["status"], 0);
    let again = exchange(&s, &code, REDIRECT);
    assert_eq!(again["status"], 503, "a code works once: {again}");
    let late = code_for(&s, REDIRECT);
    s.advance(31);
    assert_eq!(exchange(&s, &late, REDIRECT)["status"], 503, "expired after 30 s");
    let wrong_secret = post_form(
        &format!("{}/v2/oauth2", s.url()),
        &[
            ("action", "requesttoken"),
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", "nope"),
            ("code", &code_for(&s, REDIRECT)),
            ("redirect_uri", REDIRECT),
        ],
    );
    assert_eq!(
        wrong_secret,
        serde_json::json!({"status": 503, "error": "Invalid Params: invalid client id/secret"}),
        "client secret is checked, and refused in Withings' words"
    );
}

/// Withings refuses every token-endpoint request with status 503 "Invalid Params: …", naming
/// the parameter at fault: a client tells a dead refresh token from a wrong developer app by it.
#[test]
fn the_token_endpoint_refuses_as_withings_does_naming_the_parameter_at_fault() {
    let s = sim(quiet());
    let (_, r0) = access_token(&s);
    let dead = serde_json::json!({"status": 503, "error": "Invalid Params: invalid refresh_token"});
    assert_eq!(refresh(&s, "never-issued"), dead, "an unknown refresh token");
    let token_with = |client_id: &str, secret: &str| {
        post_form(
            &format!("{}/v2/oauth2", s.url()),
            &[
                ("action", "requesttoken"),
                ("grant_type", "refresh_token"),
                ("client_id", client_id),
                ("client_secret", secret),
                ("refresh_token", &r0),
            ],
        )
    };
    let wrong_client =
        serde_json::json!({"status": 503, "error": "Invalid Params: invalid client id/secret"});
    assert_eq!(token_with(DEMO_CLIENT_ID, "mistyped"), wrong_client, "a mistyped secret");
    assert_eq!(token_with("another-app", DEMO_CLIENT_SECRET), wrong_client, "an unknown client id");
    let renewed = refresh(&s, &r0);
    assert_eq!(renewed["status"], 0, "a refusal for the client leaves the refresh token alive: {renewed}");
    s.revoke_tokens(s.userids()[0]);
    let r1 = renewed["body"]["refresh_token"].as_str().unwrap();
    assert_eq!(refresh(&s, r1), dead, "a revoked refresh token");
}

#[test]
fn refresh_rotation_keeps_the_old_token_until_the_new_access_token_is_used() {
    let s = sim(quiet());
    let (a0, r0) = access_token(&s);
    let t1 = refresh(&s, &r0);
    assert_eq!(t1["status"], 0, "{t1}");
    let (a1, r1) =
        (t1["body"]["access_token"].as_str().unwrap(), t1["body"]["refresh_token"].as_str().unwrap());
    assert_ne!(r1, r0, "every refresh returns a new refresh token");
    // Lost answer: the client may refresh again with the old token as long as a1 is unused.
    let t2 = refresh(&s, &r0);
    assert_eq!(t2["status"], 0, "old refresh token still valid before first use: {t2}");
    let a2 = t2["body"]["access_token"].as_str().unwrap();
    assert_eq!(getmeas(&s, a2, &[])["status"], 0);
    assert_eq!(
        refresh(&s, &r0)["error"],
        "Invalid Params: invalid refresh_token",
        "first use of a new access token kills the old refresh token"
    );
    assert_eq!(getmeas(&s, &a0, &[])["status"], 401, "and its access token");
    assert_eq!(getmeas(&s, a1, &[])["status"], 0, "the other new pair is untouched");
    // Eight hours after a refresh the old token dies even if the new one is never used.
    let t3 = refresh(&s, r1);
    assert_eq!(t3["status"], 0);
    s.advance(8 * 3600 + 1);
    assert_eq!(refresh(&s, r1)["error"], "Invalid Params: invalid refresh_token", "8 h grace is over");
}

#[test]
fn short_access_token_lifetime_gives_401_then_refresh_works() {
    let s = sim(SimConfig { access_token_lifetime: 5, ..quiet() });
    let (a, r) = access_token(&s);
    s.advance(6);
    assert_eq!(getmeas(&s, &a, &[])["status"], 401);
    let t = refresh(&s, &r);
    assert_eq!(getmeas(&s, t["body"]["access_token"].as_str().unwrap(), &[])["status"], 0);
}

#[test]
fn paging_newest_first_covers_exactly_the_ground_truth() {
    let s = sim(SimConfig { page_size: 100, ..quiet() });
    let (a, _) = access_token(&s);
    let uid = s.userids()[0];
    let truth = s.truth(uid).unwrap();
    assert!(truth.len() > 300, "one year of weigh-ins: {}", truth.len());
    let mut seen = Vec::new();
    let mut offset: Option<i64> = None;
    let mut pages = 0;
    loop {
        let off = offset.map(|o| o.to_string());
        let params: Vec<(&str, &str)> = off.as_deref().map(|o| vec![("offset", o)]).unwrap_or_default();
        let m = getmeas(&s, &a, &params);
        assert_eq!(m["status"], 0, "{m}");
        pages += 1;
        let groups: Vec<withings_sim::Group> =
            serde_json::from_value(m["body"]["measuregrps"].clone()).unwrap();
        assert!(groups.windows(2).all(|w| w[0].date >= w[1].date), "newest first");
        seen.extend(groups);
        if m["body"]["more"].as_i64().unwrap_or(0) == 0 {
            assert!(m["body"].get("offset").is_none(), "last page has no offset key");
            break;
        }
        offset = m["body"]["offset"].as_i64();
    }
    assert_eq!(pages, truth.len().div_ceil(100));
    assert_eq!(seen, truth, "pages concatenate to the ground truth");
    assert!(truth.iter().all(|g| g.grpid > 2_147_483_648), "grpids above 2^31 like Withings' today");
}

#[test]
fn lastupdate_returns_only_changed_groups_and_deletions_vanish() {
    let s = sim(quiet());
    let (a, _) = access_token(&s);
    let uid = s.userids()[0];
    let first = getmeas(&s, &a, &[]);
    let cursor = first["body"]["updatetime"].as_i64().unwrap();
    let truth = s.truth(uid).unwrap();
    s.advance(60);
    let victim = truth[3].grpid;
    let changed = s.modify_group(uid, truth[5].grpid, |g| g.measures[0].value += 100).unwrap();
    s.delete_group(uid, victim).unwrap();
    let added = s.add_group(uid, withings_sim::Group { grpid: 0, ..truth[0].clone() }).unwrap();
    let lu = cursor.to_string();
    let delta = getmeas(&s, &a, &[("lastupdate", &lu)]);
    let ids: Vec<i64> = delta["body"]["measuregrps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["grpid"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![added.grpid, changed.grpid], "only the added and modified groups, newest first");
    assert!(!ids.contains(&victim), "deleted groups leave no tombstone");
}

#[test]
fn filters_by_type_category_and_date() {
    let s = sim(quiet());
    let (a, _) = access_token(&s);
    let truth = s.truth(s.userids()[0]).unwrap();
    let goals = getmeas(&s, &a, &[("category", "2")]);
    let goals = goals["body"]["measuregrps"].as_array().unwrap();
    assert!(goals.iter().all(|g| g["category"] == 2));
    assert_eq!(goals.len(), truth.iter().filter(|g| g.category == 2).count());
    let fat = getmeas(&s, &a, &[("meastypes", "6,8")]);
    for g in fat["body"]["measuregrps"].as_array().unwrap() {
        assert!(g["measures"].as_array().unwrap().iter().all(|m| m["type"] == 6 || m["type"] == 8));
    }
    let (start, end) = (truth[20].date, truth[10].date);
    let (ss, es) = (start.to_string(), end.to_string());
    let win = getmeas(&s, &a, &[("startdate", &ss), ("enddate", &es)]);
    assert_eq!(
        win["body"]["measuregrps"].as_array().unwrap().len(),
        truth.iter().filter(|g| g.date >= start && g.date <= end).count()
    );
}

#[test]
fn identical_arguments_within_ten_seconds_and_the_minute_limit_give_601() {
    let s = sim(SimConfig { identical_request_window: 10, requests_per_minute: 6, ..quiet() });
    let (a, _) = access_token(&s);
    assert_eq!(getmeas(&s, &a, &[("category", "1")])["status"], 0);
    let again = getmeas(&s, &a, &[("category", "1")]);
    assert_eq!(again["status"], 601, "{again}");
    assert!(again["body"]["wait_seconds"].as_i64().unwrap() > 0);
    s.advance(11);
    assert_eq!(getmeas(&s, &a, &[("category", "1")])["status"], 0, "allowed after 10 s");
    for i in 0..3 {
        let v = i.to_string();
        assert_eq!(getmeas(&s, &a, &[("offset", &v)])["status"], 0);
    }
    let over = getmeas(&s, &a, &[("offset", "9")]);
    assert_eq!(over["status"], 601, "the per-minute limit: {over}");
    s.advance(61);
    assert_eq!(getmeas(&s, &a, &[("offset", "9")])["status"], 0);
}

#[test]
fn faults_inject_500s_truncation_html_and_601() {
    let s = sim(quiet());
    let (a, _) = access_token(&s);
    s.set_faults(Faults { http500_rate: 1.0, ..Faults::default() });
    let r = agent()
        .post(&format!("{}/measure", s.url()))
        .header("Authorization", &format!("Bearer {a}"))
        .send_form([("action", "getmeas")])
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    s.set_faults(Faults { truncate_next: 1, malformed_next: 1, ..Faults::default() });
    let cut = agent()
        .post(&format!("{}/measure", s.url()))
        .header("Authorization", &format!("Bearer {a}"))
        .send_form([("action", "getmeas")])
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(serde_json::from_str::<Value>(&cut).is_err(), "truncated body is not JSON");
    let html = agent()
        .post(&format!("{}/measure", s.url()))
        .header("Authorization", &format!("Bearer {a}"))
        .send_form([("action", "getmeas")])
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(html.starts_with("<html>"), "an HTML page with HTTP 200");
    assert_eq!(getmeas(&s, &a, &[])["status"], 0, "faults were one-shot");
    s.set_faults(Faults { rate_limit_next: 1, wait_seconds: 7, ..Faults::default() });
    let limited = getmeas(&s, &a, &[]);
    assert_eq!((limited["status"].as_i64(), limited["body"]["wait_seconds"].as_i64()), (Some(601), Some(7)));
}

#[test]
fn control_endpoints_change_data_and_report_truth_over_http() {
    let s = sim(quiet());
    let uid = s.userids()[1];
    let (status, _, body) = get(&format!("{}/_sim/truth?userid={uid}", s.url()));
    assert_eq!(status, 200);
    let truth: Value = serde_json::from_str(&body).unwrap();
    let n = truth["measuregrps"].as_array().unwrap().len();
    let victim = truth["measuregrps"][0]["grpid"].as_i64().unwrap();
    let r = agent().delete(&format!("{}/_sim/groups/{victim}?userid={uid}", s.url())).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(s.truth(uid).unwrap().len(), n - 1);
    let stats: Value = serde_json::from_str(&get(&format!("{}/_sim/stats", s.url())).2).unwrap();
    assert!(stats["requests"].is_array());
}

// --- OAuth 1.0a -------------------------------------------------------------------------

/// A minimal RFC 5849 signer for the test side (the simulator's verifier is pinned by the
/// RFC vectors in its unit tests; Heft's real client uses the `oauth1-request` crate).
fn sign(
    method: &str,
    url: &str,
    params: &mut Vec<(String, String)>,
    consumer_secret: &str,
    token_secret: &str,
) {
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, &RFC3986).to_string();
    let mut p: Vec<(String, String)> = params.iter().map(|(k, v)| (enc(k), enc(v))).collect();
    p.sort();
    let norm = p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let base = format!("{method}&{}&{}", enc(url), enc(&norm));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(
        format!("{}&{}", enc(consumer_secret), enc(token_secret)).as_bytes(),
    )
    .unwrap();
    mac.update(base.as_bytes());
    params.push((
        "oauth_signature".into(),
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()),
    ));
}

const RFC3986: percent_encoding::AsciiSet =
    percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn oauth_params(s: &Sim, token: Option<&str>, nonce: &str) -> Vec<(String, String)> {
    let mut v = vec![
        ("oauth_consumer_key".to_string(), DEMO_CLIENT_ID.to_string()),
        ("oauth_nonce".into(), nonce.into()),
        ("oauth_signature_method".into(), "HMAC-SHA1".into()),
        ("oauth_timestamp".into(), s.now().to_string()),
        ("oauth_version".into(), "1.0".into()),
    ];
    if let Some(t) = token {
        v.push(("oauth_token".into(), t.into()));
    }
    v
}

fn signed_get(path_url: &str, params: &[(String, String)]) -> String {
    let mut u = url::Url::parse(path_url).unwrap();
    u.query_pairs_mut().extend_pairs(params);
    let mut r = agent().get(u.as_str()).call().unwrap();
    r.body_mut().read_to_string().unwrap()
}

#[test]
fn oauth1_three_legged_flow_and_a_signed_getmeas() {
    let s = sim(quiet());
    let cb = "http://localhost:8765/callback";
    let rt_url = format!("{}/account/request_token", s.url());
    let mut p = oauth_params(&s, None, "n1");
    p.push(("oauth_callback".into(), cb.into()));
    sign("GET", &rt_url, &mut p, DEMO_CLIENT_SECRET, "");
    let answer: HashMap<String, String> =
        url::form_urlencoded::parse(signed_get(&rt_url, &p).as_bytes()).into_owned().collect();
    let (rt, rs) = (answer["oauth_token"].clone(), answer["oauth_token_secret"].clone());
    let (status, headers, _) = get(&format!("{}/account/authorize?oauth_token={rt}", s.url()));
    assert_eq!(status, 302);
    let q = query_of(&headers["location"]);
    assert_eq!(q["oauth_token"], rt);
    assert_eq!(q["userid"], s.userids()[0].to_string(), "the callback carries userid");
    let at_url = format!("{}/account/access_token", s.url());
    let mut p = oauth_params(&s, Some(&rt), "n2");
    p.push(("oauth_verifier".into(), q["oauth_verifier"].clone()));
    sign("GET", &at_url, &mut p, DEMO_CLIENT_SECRET, &rs);
    let access: HashMap<String, String> =
        url::form_urlencoded::parse(signed_get(&at_url, &p).as_bytes()).into_owned().collect();
    assert_eq!(access["userid"], s.userids()[0].to_string());
    let (at, ats) = (access["oauth_token"].clone(), access["oauth_token_secret"].clone());

    let m_url = format!("{}/measure", s.url());
    let mut p = oauth_params(&s, Some(&at), "n3");
    p.extend([("action".into(), "getmeas".into()), ("userid".into(), s.userids()[0].to_string())]);
    sign("GET", &m_url, &mut p, DEMO_CLIENT_SECRET, &ats);
    let m: Value = serde_json::from_str(&signed_get(&m_url, &p)).unwrap();
    assert_eq!(m["status"], 0, "{m}");
    assert!(!m["body"]["measuregrps"].as_array().unwrap().is_empty());

    let replay: Value = serde_json::from_str(&signed_get(&m_url, &p)).unwrap();
    assert_eq!(replay["status"], 342, "a replayed nonce is refused");
    let mut p = oauth_params(&s, Some(&at), "n4");
    p.extend([("action".into(), "getmeas".into()), ("userid".into(), s.userids()[0].to_string())]);
    sign("GET", &m_url, &mut p, DEMO_CLIENT_SECRET, "wrong-secret");
    let bad: Value = serde_json::from_str(&signed_get(&m_url, &p)).unwrap();
    assert_eq!(bad["status"], 342, "a tampered signature is rejected");
    let mut p = oauth_params(&s, Some(&at), "n5");
    p.extend([("action".into(), "getmeas".into()), ("userid".into(), s.userids()[1].to_string())]);
    sign("GET", &m_url, &mut p, DEMO_CLIENT_SECRET, &ats);
    let other: Value = serde_json::from_str(&signed_get(&m_url, &p)).unwrap();
    assert_eq!(other["status"], 250, "another user's id with this token");
}

#[test]
fn notify_subscribe_list_revoke() {
    let s = sim(quiet());
    let (a, _) = access_token(&s);
    let call = |form: &[(&str, &str)]| -> Value {
        let mut r = agent()
            .post(&format!("{}/notify", s.url()))
            .header("Authorization", &format!("Bearer {a}"))
            .send_form(form.iter().copied())
            .unwrap();
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
    };
    assert_eq!(
        call(&[("action", "subscribe"), ("callbackurl", "http://localhost/x"), ("appli", "1")])["status"],
        293,
        "needs public https"
    );
    assert_eq!(
        call(&[("action", "subscribe"), ("callbackurl", "https://example.org/hook"), ("appli", "1")])["status"],
        0
    );
    let list = call(&[("action", "list")]);
    assert_eq!(list["body"]["profiles"][0]["callbackurl"], "https://example.org/hook");
    assert_eq!(list["body"]["profiles"][0]["expires"], 2_147_483_647);
    assert_eq!(
        call(&[("action", "revoke"), ("callbackurl", "https://example.org/hook"), ("appli", "1")])["status"],
        0
    );
    assert_eq!(call(&[("action", "list")])["body"]["profiles"].as_array().unwrap().len(), 0);
}

#[test]
fn same_seed_gives_the_same_data_and_start_up_is_quick() {
    let t = std::time::Instant::now();
    let a = sim(SimConfig { seed: 7, years: 10, users: 1, ..quiet() });
    let started = t.elapsed();
    let b = sim(SimConfig { seed: 7, years: 10, users: 1, ..quiet() });
    let ta = a.truth(a.userids()[0]).unwrap();
    assert_eq!(ta, b.truth(b.userids()[0]).unwrap(), "deterministic from the seed");
    assert!(ta.len() > 3_000, "10 years of weigh-ins: {}", ta.len());
    // Body Cardio weigh-ins give several groups with one date; Body Scan repeats types by position.
    let mut dates: HashMap<i64, usize> = HashMap::new();
    for g in &ta {
        *dates.entry(g.date).or_default() += 1;
    }
    assert!(dates.values().any(|&n| n >= 3));
    assert!(ta.iter().any(|g| g.measures.iter().filter(|m| m.kind == 173).count() == 5));
    assert!(
        ta.iter().any(|g| g.attrib == 17)
            && ta.iter().any(|g| g.attrib == 1)
            && ta.iter().any(|g| g.category == 2)
    );
    assert!(ta.iter().any(|g| g.attrib == 2 && g.deviceid.is_none()));
    let units: std::collections::BTreeSet<i64> =
        ta.iter().flat_map(|g| g.measures.iter().filter(|m| m.kind == 1).map(|m| m.unit)).collect();
    assert_eq!(units.into_iter().collect::<Vec<_>>(), [-4, -3, -2, -1]);
    eprintln!("start-up with 10 years of data: {started:?}");
}

/// The demo runs the simulator for as long as the desktop app runs: without a ledger it keeps
/// no list of requests or secrets, yet serves and counts the same.
#[test]
fn without_a_ledger_the_simulator_keeps_no_requests_or_secrets() {
    let kept = sim(quiet());
    let lean = sim(SimConfig { ledger: false, ..quiet() });
    for s in [&kept, &lean] {
        let code = code_for(s, REDIRECT);
        let tokens = exchange(s, &code, REDIRECT);
        assert_eq!(tokens["status"], 0, "{tokens}");
    }
    assert!(kept.secrets().len() >= 3 && !kept.stats().requests.is_empty(), "the ledger is kept by default");
    assert!(lean.secrets().is_empty(), "{:?}", lean.secrets().len());
    assert!(lean.stats().requests.is_empty());
    assert_eq!(lean.stats().token_requests, 1, "counted all the same");
}
