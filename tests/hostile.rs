//! Malformed and hostile Withings answers, served over real HTTP by a server that says
//! whatever the case wants: each gives a typed, readable error or a defined tolerant result,
//! never a panic or a hang, and never changes what was already stored.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use heft::auth::Provider;
use heft::auth::tokens::{Credentials, RefreshingSession, SessionContext, TokenSet};
use heft::keychain::{MemoryStore, SecretStore};
use heft::redact::{AccessToken, ClientSecret, RefreshToken};
use heft::store::Store;
use heft::sync::{SyncError, sync_account};
use heft::withings::{Client, RetryPolicy};

/// What the hostile server answers: an HTTP status and a body, or nothing at all.
type Reply = Option<(u16, Vec<u8>)>;

/// Answers every request with the same status and body (or never answers).
struct Hostile {
    url: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    fn serve(status: u16, body: Vec<u8>) -> Hostile {
        Hostile::start(Some((status, body)))
    }

    /// `None` reads each request and keeps its connection open without a word: the client
    /// times out.
    fn start(reply: Reply) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut unanswered = Vec::new();
            while !s.load(Ordering::Relaxed) {
                let Ok((mut c, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                r.fetch_add(1, Ordering::Relaxed);
                let _ = c.set_nonblocking(false);
                let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while let Ok(n) = c.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().to_string())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let Some((status, body)) = &reply else {
                    unanswered.push(c);
                    continue;
                };
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = c.write_all(head.as_bytes());
                let _ = c.write_all(body);
            }
        });
        Hostile { url, requests, stop }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

enum Expect {
    /// A typed error whose message contains this.
    Error(&'static str),
    /// Success, with this many groups stored afterwards.
    Stored(usize),
}

fn group(grpid: i64, date: i64, value: i64) -> String {
    format!(
        r#"{{"grpid":{grpid},"attrib":0,"date":{date},"category":1,"measures":[{{"value":{value},"type":1,"unit":-3}}]}}"#
    )
}

fn page(groups: &[String], extra: &str) -> Vec<u8> {
    format!(
        r#"{{"status":0,"body":{{"updatetime":1700000000,"measuregrps":[{}]{extra}}}}}"#,
        groups.join(",")
    )
    .into_bytes()
}

fn cases() -> Vec<(&'static str, u16, Vec<u8>, Expect)> {
    use Expect::*;
    let g = |id| group(id, 1_700_000_000 - id, 80_000);
    vec![
        ("invalid JSON", 200, br#"{"status":0,"body":"#.to_vec(), Error("cut off")),
        ("HTML error page with HTTP 200", 200, b"<html><body>Maintenance</body></html>".to_vec(), Error("HTML page")),
        ("empty body", 200, Vec::new(), Error("could not read")),
        ("a JSON array", 200, b"[1,2,3]".to_vec(), Error("could not read")),
        ("status is text", 200, br#"{"status":"ok","body":{}}"#.to_vec(), Error("could not read")),
        ("no measuregrps", 200, br#"{"status":0,"body":{"updatetime":1}}"#.to_vec(), Error("measuregrps")),
        ("measuregrps is an object", 200, br#"{"status":0,"body":{"measuregrps":{}}}"#.to_vec(), Error("could not read")),
        ("grpid is a fraction", 200, page(&[r#"{"grpid":1.5,"date":1,"measures":[]}"#.into()], ""), Error("could not read")),
        ("value beyond i64", 200, page(&[group(1, 1_700_000_000, 0).replace(r#""value":0"#, r#""value":99999999999999999999"#)], ""), Error("could not read")),
        ("unit of +400", 200, page(&[group(1, 1_700_000_000, 1).replace("-3", "400")], ""), Error("exponent 400")),
        ("unit of -400", 200, page(&[group(1, 1_700_000_000, 1).replace("-3", "-400")], ""), Error("exponent -400")),
        ("negative date", 200, page(&[group(1, -5, 80_000)], ""), Error("impossible date")),
        ("absurd date", 200, page(&[group(1, 1_000_000_000_000_000, 80_000)], ""), Error("impossible date")),
        ("a measure without a type", 200, page(&[r#"{"grpid":1,"date":1,"measures":[{"value":1,"unit":0}]}"#.into()], ""), Error("could not read")),
        ("deeply nested JSON", 200, ("[".repeat(100_000) + &"]".repeat(100_000)).into_bytes(), Error("could not read")),
        ("10 MB of garbage", 200, vec![b'x'; 10 << 20], Error("could not read")),
        ("more=1 forever at the same offset", 200, page(&[g(1)], r#","more":1,"offset":0"#), Error("more")),
        ("invalid parameters (503)", 200, br#"{"status":503,"body":{},"error":"Invalid Params"}"#.to_vec(), Error("503")),
        ("unknown application status", 200, br#"{"status":2554,"body":{},"error":"Unknown"}"#.to_vec(), Error("2554")),
        ("HTTP 500 every time", 500, b"oops".to_vec(), Error("HTTP 500")),
        ("HTTP 404", 404, b"not here".to_vec(), Error("HTTP 404")),
        ("token refused and refresh refused", 200, br#"{"status":401,"body":{},"error":"invalid_token"}"#.to_vec(), Error("heft connect")),
        ("duplicated grpid with different data: the later copy wins", 200,
            page(&[group(7, 1_700_000_000, 80_000), group(7, 1_700_000_000, 81_000)], ""), Stored(3)),
        ("unknown keys and types are kept", 200,
            page(&[r#"{"grpid":8,"date":1700000000,"attrib":99,"new":{"x":1},"measures":[{"value":5,"type":4242,"unit":0,"z":[]}]}"#.into()], ""), Stored(3)),
    ]
}

#[test]
fn hostile_answers_give_typed_errors_and_never_change_stored_data() {
    for (name, status, body, expect) in cases() {
        let server = Hostile::serve(status, body);
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("heft.db")).unwrap();
        let acct = store.upsert_account(heft::auth::Provider::Withings, "1", None, None, 0).unwrap();
        // Two groups already stored, and a cursor: this is an incremental sync.
        let before_page = heft::withings::parse_getmeas(&page(
            &[group(1, 1_600_000_000, 70_000), group(2, 1_600_000_100, 70_500)],
            "",
        ))
        .unwrap();
        let cursor =
            heft::store::CursorUpdate { cursor: 1_600_000_200, synced_at: 1_600_000_200, full: true };
        store
            .apply(
                acct,
                &heft::sync::plan_page(&before_page),
                &[],
                Some(heft::store::Checkpoint::Finished(cursor)),
            )
            .unwrap();
        let before = store.groups(acct).unwrap();

        let secrets = MemoryStore::default();
        let tokens = TokenSet {
            access: AccessToken::new("a"),
            refresh: RefreshToken::new("r"),
            expires_at: i64::MAX / 2,
            obtained_at: 0,
        };
        let key = Provider::Withings.token_key("1");
        Credentials::Bearer(tokens.clone()).save(&secrets, &key).unwrap();
        let mut client = Client::new(&server.url);
        client.retry = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_rate_wait: Duration::from_secs(1),
        };
        let clock: heft::auth::Clock = Arc::new(|| 1_700_000_000);
        let ctx = SessionContext {
            client: &client,
            keychain: &secrets,
            clock,
            lock_dir: dir.path(),
            lock_timeout: heft::auth::tokens::REFRESH_LOCK_TIMEOUT,
            refresh_locks: &heft::auth::tokens::RefreshLocks::default(),
        };
        let mut session = RefreshingSession::new(key, "1", tokens, "id", ClientSecret::new("s"), ctx);
        let result = sync_account(
            &mut store,
            &mut session,
            acct,
            heft::sync::SyncOptions::default(),
            1_700_000_000,
            &mut |_| {},
            &heft::net::CancellationToken::new(),
        );
        match (&expect, &result) {
            (Expect::Error(text), Err(e)) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(text),
                    "{name}: the error says {msg:?}, expected it to mention {text:?}"
                );
                assert_eq!(store.groups(acct).unwrap(), before, "{name}: stored data unchanged");
                assert!(!matches!(e, SyncError::Store(_)), "{name}: not a database error");
            }
            (Expect::Stored(n), Ok(_)) => {
                assert_eq!(store.groups(acct).unwrap().len(), *n, "{name}");
            }
            (Expect::Error(_), Ok(r)) => panic!("{name}: expected an error, sync reported {r:?}"),
            (Expect::Stored(_), Err(e)) => panic!("{name}: expected success, got {e}"),
        }
        assert_eq!(store.integrity_check().unwrap(), "ok", "{name}");
        assert!(server.requests.load(Ordering::Relaxed) <= 8, "{name}: no request storm");
    }
}

#[test]
fn a_duplicated_grpid_keeps_the_later_copy() {
    let body = heft::withings::parse_getmeas(&page(
        &[group(7, 1_700_000_000, 80_000), group(7, 1_700_000_000, 81_000)],
        "",
    ))
    .unwrap();
    let plan = heft::sync::plan_page(&body);
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].measures[0].value, 81_000);
}

/// What a token endpoint answers a refresh: `{"status":0,"body":{…}}` with a good grant for
/// account 1, changed by `change`.
fn grant_answer(change: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> Vec<u8> {
    let mut body = serde_json::json!({
        "userid": "1",
        "access_token": "new-access",
        "refresh_token": "new-refresh",
        "expires_in": 10800,
        "scope": "user.metrics",
        "token_type": "Bearer",
    });
    change(body.as_object_mut().unwrap());
    serde_json::to_vec(&serde_json::json!({ "status": 0, "body": body })).unwrap()
}

/// A token endpoint's answer to a refresh: what it sends, and the error code and words each
/// must give.
#[rustfmt::skip]
fn token_cases() -> Vec<(&'static str, Reply, &'static str, &'static str)> {
    use serde_json::json;
    let answer = |f: fn(&mut serde_json::Map<String, serde_json::Value>)| Some((200, grant_answer(f)));
    let status = |text: &str| Some((200, text.as_bytes().to_vec()));
    vec![
        ("expires_in of i64::MAX", answer(|b| _ = b.insert("expires_in".into(), json!(i64::MAX))), "withings_malformed", "expires_in"),
        ("expires_in beyond any integer", answer(|b| _ = b.insert("expires_in".into(), json!(1e300))), "withings_malformed", "expires_in"),
        ("expires_in of ten years", answer(|b| _ = b.insert("expires_in".into(), json!(315_360_000))), "withings_malformed", "expires_in"),
        ("negative expires_in", answer(|b| _ = b.insert("expires_in".into(), json!(-10800))), "withings_malformed", "expires_in"),
        ("expires_in of zero", answer(|b| _ = b.insert("expires_in".into(), json!(0))), "withings_malformed", "expires_in"),
        ("expires_in is words", answer(|b| _ = b.insert("expires_in".into(), json!("three hours"))), "withings_malformed", "expires_in"),
        ("no access token", answer(|b| _ = b.remove("access_token")), "withings_malformed", "access_token"),
        ("no refresh token", answer(|b| _ = b.remove("refresh_token")), "withings_malformed", "refresh_token"),
        ("an empty access token", answer(|b| _ = b.insert("access_token".into(), json!(""))), "withings_malformed", "access_token"),
        ("the tokens of another account", answer(|b| _ = b.insert("userid".into(), json!(2))), "withings_error", "account 2"),
        ("HTML with HTTP 200", Some((200, b"<html><body>Maintenance</body></html>".to_vec())), "withings_malformed", "HTML page"),
        ("HTTP 500", Some((500, b"<html>oops</html>".to_vec())), "withings_error", "HTTP 500"),
        ("HTTP 503", Some((503, b"<html>busy</html>".to_vec())), "withings_error", "HTTP 503"),
        ("a timeout", None, "offline", "timed out"),
        // Withings refuses token requests with status 503 "Invalid Params: …"; the parameter
        // named decides whether the authorization is dead.
        ("a dead refresh token", status(r#"{"status":503,"error":"Invalid Params: invalid refresh_token"}"#), "reconnect_needed", "connect it again"),
        ("an authentication failure", status(r#"{"status":401,"error":"invalid_token"}"#), "reconnect_needed", "connect it again"),
        ("a wrong client id or secret", status(r#"{"status":503,"error":"Invalid Params: invalid client id/secret"}"#), "client_rejected", "check the Withings developer app settings"),
        ("a wrong client_secret", status(r#"{"status":503,"body":{},"error":"Invalid Params: client_secret"}"#), "client_rejected", "client_secret"),
        ("a bad signature", status(r#"{"status":503,"error":"Invalid Params: invalid signature"}"#), "client_rejected", "signature"),
        ("any other refusal", status(r#"{"status":503,"error":"Invalid Params: grant_type"}"#), "refresh_refused", "Invalid Params: grant_type"),
    ]
}

/// Every hostile answer to a refresh gives a typed error without a panic, leaves the
/// keychain's pair as it was and costs no more requests than the client's retries.
#[test]
fn hostile_token_answers_give_typed_errors_and_leave_the_keychain_pair_alone() {
    let mut failures = Vec::new();
    for (name, reply, code, words) in token_cases() {
        let reply_is_silence = reply.is_none();
        let server = Hostile::start(reply);
        let dir = tempfile::tempdir().unwrap();
        let secrets = MemoryStore::default();
        let now = 1_700_000_000;
        let tokens = TokenSet {
            access: AccessToken::new("old-access"),
            refresh: RefreshToken::new("old-refresh"),
            expires_at: now - 3600,
            obtained_at: now - 3600 - 10_800,
        };
        let key = Provider::Withings.token_key("1");
        Credentials::Bearer(tokens.clone()).save(&secrets, &key).unwrap();
        let before = secrets.get(&key).unwrap();
        // A short timeout for the server that never answers only: a loaded machine may take
        // longer than that to answer the others.
        let timeout = if reply_is_silence { Duration::from_millis(300) } else { Duration::from_secs(20) };
        let mut client = Client::new(&server.url).with_timeout(timeout);
        client.retry = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_rate_wait: Duration::from_secs(1),
        };
        let clock: heft::auth::Clock = Arc::new(move || now);
        let ctx = SessionContext {
            client: &client,
            keychain: &secrets,
            clock,
            lock_dir: dir.path(),
            lock_timeout: heft::auth::tokens::REFRESH_LOCK_TIMEOUT,
            refresh_locks: &heft::auth::tokens::RefreshLocks::default(),
        };
        let session = RefreshingSession::new(key.clone(), "1", tokens, "id", ClientSecret::new("s"), ctx);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| session.refresh()));
        let requests = server.requests.load(Ordering::Relaxed);
        match outcome {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(())) => failures.push(format!("{name}: accepted")),
            Ok(Err(e)) => {
                if e.code() != code || !e.to_string().contains(words) {
                    failures
                        .push(format!("{name}: {} {e:?} — expected {code} mentioning {words:?}", e.code()));
                }
            }
        }
        if secrets.get(&key).unwrap() != before {
            failures.push(format!("{name}: the keychain's pair changed"));
        }
        if requests > client.retry.max_attempts as usize {
            failures.push(format!(
                "{name}: {requests} requests, more than the client's {} tries",
                client.retry.max_attempts
            ));
        }
    }
    assert!(failures.is_empty(), "hostile token answers mishandled:\n{}", failures.join("\n"));
}
