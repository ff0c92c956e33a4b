//! Who may talk to the simulator. Heft's demo runs it on a loopback port that any local
//! process, and any web page that finds the port, can reach: its `/_sim/` control endpoints are
//! served only when turned on, and a browser request from another origin is refused, while
//! the consent form, which a browser posts from the simulator's own page, keeps working.

use std::collections::HashMap;

use serde_json::Value;
use withings_sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sim, SimConfig};

mod common;
use common::{REDIRECT, authorize_url};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().max_redirects(0).http_status_as_error(false).build().into()
}

/// The demo's setup: a consent page, and no control endpoints unless `control`.
fn sim(control: bool) -> Sim {
    Sim::start(SimConfig { years: 1, users: 1, identical_request_window: 0, control, ..SimConfig::default() })
        .expect("the simulator starts")
}

/// Sends `method path` with an optional `Origin` and JSON body; the status and the body.
fn send(s: &Sim, method: &str, path: &str, origin: Option<&str>, body: Option<&Value>) -> (u16, String) {
    let url = format!("{}{path}", s.url());
    let mut b = ureq::http::Request::builder().method(method).uri(&url);
    if let Some(o) = origin {
        b = b.header("Origin", o);
    }
    let bytes = body.map(|v| serde_json::to_vec(v).unwrap()).unwrap_or_default();
    let req = b.header("Content-Type", "application/json").body(bytes).expect("a request");
    let mut r = agent().run(req).expect("the request is answered");
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
}

/// How far the simulator's clock runs ahead of the wall clock, in seconds.
fn ahead(s: &Sim) -> i64 {
    let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    s.now() - wall
}

/// Whether an API request gets the API's own answer (not an injected HTTP 500).
fn api_answers(s: &Sim) -> bool {
    let r = agent().post(&format!("{}/v2/oauth2", s.url())).send_form([("action", "requesttoken")]).unwrap();
    r.status().as_u16() == 200
}

/// Every kind of control request: read, add, delete, revoke, move the clock, inject faults,
/// hold API answers (last, so nothing after it waits).
fn control_requests(s: &Sim) -> Vec<(&'static str, String, Option<Value>)> {
    let uid = s.userids()[0];
    let group = serde_json::to_value(&s.truth(uid).unwrap()[0]).unwrap();
    let grpid = group["grpid"].as_i64().unwrap();
    vec![
        ("GET", "/_sim/users".into(), None),
        ("GET", format!("/_sim/truth?userid={uid}"), None),
        ("GET", "/_sim/stats".into(), None),
        ("POST", format!("/_sim/groups?userid={uid}"), Some(group)),
        ("DELETE", format!("/_sim/groups/{grpid}?userid={uid}"), None),
        ("POST", format!("/_sim/revoke_tokens?userid={uid}"), None),
        ("POST", "/_sim/advance?seconds=86400".into(), None),
        ("POST", "/_sim/faults".into(), Some(serde_json::json!({ "http500_rate": 1.0 }))),
        ("GET", "/_sim/held".into(), None),
        ("POST", "/_sim/hold".into(), None),
    ]
}

#[test]
fn control_endpoints_are_not_served_unless_turned_on() {
    let s = sim(false);
    let uid = s.userids()[0];
    let before = s.truth(uid).unwrap();
    for (method, path, body) in control_requests(&s) {
        let (status, _) = send(&s, method, &path, None, body.as_ref());
        assert_eq!(status, 404, "{method} {path} is not served by a simulator without control");
    }
    assert_eq!(s.truth(uid).unwrap(), before, "no group was added or deleted");
    assert!(ahead(&s).abs() < 60, "the clock did not move");
    assert!(!s.answers_held(), "no answer is held");
    assert!(api_answers(&s), "no fault was injected");

    let s = sim(true);
    let uid = s.userids()[0];
    let before = s.truth(uid).unwrap().len();
    for (method, path, body) in control_requests(&s) {
        let (status, answer) = send(&s, method, &path, None, body.as_ref());
        assert_eq!(status, 200, "{method} {path} works once control is turned on: {answer}");
    }
    assert_eq!(s.truth(uid).unwrap().len(), before, "one group added, one deleted");
    assert!(ahead(&s) > 86_400 - 60, "the clock moved a day");
    assert!(s.answers_held(), "answers are held");
    s.release_answers();
    assert!(!api_answers(&s), "the injected fault answers the API with HTTP 500");
}

#[test]
fn a_request_from_another_origin_is_refused_before_it_does_anything() {
    let s = sim(true);
    let uid = s.userids()[0];
    let before = s.truth(uid).unwrap();
    let port = s.addr().port();
    let foreign = [
        "http://evil.example".to_string(),
        "null".to_string(),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        format!("https://127.0.0.1:{port}"),
        format!("http://localhost.evil.example:{port}"),
    ];
    let consent = [
        ("client_id", DEMO_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("state", "from-elsewhere"),
        ("scope", "user.metrics"),
        ("userid", &uid.to_string()),
        ("decision", "allow"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", urlencode(v)))
    .collect::<Vec<_>>()
    .join("&");
    for origin in &foreign {
        for (method, path, body) in control_requests(&s) {
            let (status, _) = send(&s, method, &path, Some(origin), body.as_ref());
            assert_eq!(status, 403, "{method} {path} from {origin} is refused");
        }
        let r = agent()
            .post(&format!("{}/oauth2_user/decision", s.url()))
            .header("Origin", origin)
            .content_type("application/x-www-form-urlencoded")
            .send(&consent)
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "a consent posted from {origin} is refused");
        assert!(r.headers().get("location").is_none(), "and no code is handed out");
        let token = agent()
            .post(&format!("{}/v2/oauth2", s.url()))
            .header("Origin", origin)
            .send_form([("action", "requesttoken"), ("grant_type", "refresh_token"), ("refresh_token", "x")])
            .unwrap();
        assert_eq!(token.status().as_u16(), 403, "the API refuses {origin} too");
        let (status, _) = send(&s, "GET", "/measure?action=getmeas", Some(origin), None);
        assert_eq!(status, 403, "getmeas from {origin} is refused");
    }
    assert_eq!(s.truth(uid).unwrap(), before, "no group was added or deleted");
    assert!(ahead(&s).abs() < 60, "the clock did not move");
    assert_eq!(s.stats().token_requests, 0, "no token request reached the handler");
    assert!(!s.answers_held(), "no answer is held");
    assert!(api_answers(&s), "no fault was injected");
}

fn urlencode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

fn unescape(v: &str) -> String {
    v.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// What a browser submits when the person clicks Allow: the form's action resolved against
/// the page's address, its hidden fields, the chosen user and the button's value.
fn allow_form(page_url: &str, page: &str) -> (String, Vec<(String, String)>) {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = start + tag[start..].find('"')?;
        Some(unescape(&tag[start..end]))
    };
    let form_tag = &page[page.find("<form").expect("a form")..];
    let action = attr(&form_tag[..form_tag.find('>').unwrap()], "action").expect("an action");
    let action = url::Url::parse(page_url).unwrap().join(&action).unwrap().to_string();
    let mut fields: Vec<(String, String)> = page
        .split("<input ")
        .skip(1)
        .filter_map(|tag| {
            let tag = &tag[..tag.find('>')?];
            Some((attr(tag, "name")?, attr(tag, "value")?))
        })
        .collect();
    let select = &page[page.find("<select").expect("the user choice")..];
    let name = attr(&select[..select.find('>').unwrap()], "name").unwrap();
    let chosen = &select[..select.find(" selected").expect("a chosen user")];
    let chosen = &chosen[chosen.rfind("<option").unwrap()..];
    fields.push((name, attr(chosen, "value").unwrap()));
    fields.push(("decision".into(), "allow".into()));
    (action, fields)
}

#[test]
fn the_consent_form_posted_from_its_own_page_connects() {
    // The demo's simulator: no control endpoints, a consent page the person answers.
    let s = sim(false);
    let page_url = authorize_url(&s, REDIRECT, "mine");
    let mut r = agent().get(&page_url).call().unwrap();
    assert_eq!(r.status().as_u16(), 200, "the consent page");
    let page = r.body_mut().read_to_string().unwrap();
    let (action, fields) = allow_form(&page_url, &page);
    // The Origin a browser sends with a form post: the origin of the page that holds the form.
    let own = url::Url::parse(&page_url).unwrap().origin().ascii_serialization();
    assert_eq!(own, s.url(), "the page's origin is the simulator's own");
    let localhost = own.replace("127.0.0.1", "localhost");
    let mut codes = Vec::new();
    for origin in [own.as_str(), localhost.as_str()] {
        let body = fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
        let r = agent()
            .post(&action)
            .header("Origin", origin)
            .header("Referer", &page_url)
            .content_type("application/x-www-form-urlencoded")
            .send(&body)
            .unwrap();
        assert_eq!(r.status().as_u16(), 302, "a consent posted from {origin} redirects to the app");
        let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        let q: HashMap<String, String> = location.query_pairs().into_owned().collect();
        assert_eq!(q.get("state").map(String::as_str), Some("mine"), "the state comes back");
        codes.push(q["code"].clone());
    }
    // The code it handed out is good: the app (no Origin, like any HTTP client) exchanges it.
    let mut r = agent()
        .post(&format!("{}/v2/oauth2", s.url()))
        .send_form([
            ("action", "requesttoken"),
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("code", &codes[0]),
            ("redirect_uri", REDIRECT),
        ])
        .unwrap();
    let t: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(t["status"], 0, "the code from the consent form gives tokens: {t}");
}
