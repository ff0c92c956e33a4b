//! The loopback callback listener (RFC 8252 §7.3) and callback verification.
//!
//! Parse, then trust: a raw callback URL becomes a [`VerifiedCallback`] only after its `state`
//! matched; nothing downstream ever sees an unverified code.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::{AuthError, State};
use crate::net::{self, CancellationToken};
use crate::redact::AuthCode;

/// The URI scheme the desktop app claims; a callback to it arrives as a deep link.
pub const SCHEME: &str = "heft";

/// Whether `redirect_uri` comes back through the app's URI scheme (a deep link, not a port).
pub fn is_scheme_redirect(redirect_uri: &str) -> bool {
    url::Url::parse(redirect_uri).is_ok_and(|u| u.scheme() == SCHEME)
}

/// Largest request head the listener reads; a real callback is a few hundred bytes.
const MAX_REQUEST: usize = 8 * 1024;
/// How long one connection may take to send its request head, however slowly it trickles.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(5);
/// Connections served at once (each by a task of its own); more are closed as they arrive.
const MAX_CONNECTIONS: usize = 16;

/// A callback whose state matched: the code (or OAuth 1.0a verifier) and the other parameters.
#[derive(Debug)]
pub struct VerifiedCallback {
    pub code: AuthCode,
    /// Non-secret parameters that came along (e.g. `userid`).
    pub params: Vec<(String, String)>,
}

impl VerifiedCallback {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Which parameters carry the state and the code (OAuth 2.0 and OAuth 1.0a differ).
#[derive(Debug, Clone, Copy)]
pub struct CallbackShape {
    pub state_param: &'static str,
    pub code_param: &'static str,
    pub error_params: &'static [&'static str],
}

pub const OAUTH2_CALLBACK: CallbackShape =
    CallbackShape { state_param: "state", code_param: "code", error_params: &["error"] };

/// Outcome of checking one callback request.
#[derive(Debug)]
enum Check {
    Verified(VerifiedCallback),
    /// State matched but the provider reports an error: the flow ends.
    Denied(String),
    /// Not for us (wrong or missing state, missing code): reject and keep waiting.
    Rejected(&'static str),
}

fn check(query: &str, expected: &State, shape: CallbackShape) -> Check {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some(state) = get(shape.state_param) else { return Check::Rejected("the state is missing") };
    if !expected.matches(state) {
        return Check::Rejected("the state does not match this authorization");
    }
    for e in shape.error_params {
        if let Some(err) = get(e) {
            let detail = get("error_description").map(|d| format!(" ({d})")).unwrap_or_default();
            return Check::Denied(format!("{err}{detail}"));
        }
    }
    match get(shape.code_param) {
        Some(code) if !code.is_empty() => Check::Verified(VerifiedCallback {
            code: AuthCode::new(code),
            params: pairs
                .iter()
                .filter(|(k, _)| k != shape.code_param && k != shape.state_param)
                .cloned()
                .collect(),
        }),
        _ => Check::Rejected("the code is missing"),
    }
}

/// The query string of a request head if it is a `GET` of the callback path; anything else
/// (`/favicon.ico`, a probe, garbage) is not a callback.
pub fn callback_query<'a>(head: &'a str, path: &str) -> Option<&'a str> {
    let mut parts = head.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (parts.next()?, parts.next()?);
    let (target_path, query) = target.split_once('?').unwrap_or((target, ""));
    (method == "GET" && target_path == path).then_some(query)
}

/// Verifies a callback URL that arrived another way (the app's URI scheme).
pub fn verify_callback_url(
    url: &str,
    expected: &State,
    shape: CallbackShape,
) -> Result<VerifiedCallback, AuthError> {
    let parsed = url::Url::parse(url).map_err(|_| AuthError::BadCallback("the callback is not a URL"))?;
    match check(parsed.query().unwrap_or(""), expected, shape) {
        Check::Verified(v) => Ok(v),
        Check::Denied(e) => Err(AuthError::Denied(e)),
        Check::Rejected(why) => Err(AuthError::BadCallback(why)),
    }
}

/// Where a callback that did not come through the port reaches the waiting authorization: a
/// deep link, or the window's Cancel. A channel rather than a flag, so the wait wakes the moment
/// either arrives instead of looking now and then.
type Outcomes = mpsc::UnboundedSender<Result<VerifiedCallback, AuthError>>;

/// The authorization waiting for its callback, so that a callback arriving by the app's URI
/// scheme (deep link) reaches it and passes the same state check as the loopback one.
struct Pending {
    state: String,
    shape: CallbackShape,
    tx: Outcomes,
}

/// What the deep-link path shares with the authorization in progress.
struct Slot {
    waiting: Option<Pending>,
    /// The state of the last authorization that got its answer (a code or a denial). The OS
    /// may hand the same link over more than once; a copy of the answered link is not a new
    /// callback, so it neither reaches a connect again nor is reported as an error.
    answered: Option<(State, CallbackShape)>,
}

impl Slot {
    fn is_answered(&self, url: &str) -> bool {
        let Some((state, shape)) = &self.answered else { return false };
        let Ok(parsed) = url::Url::parse(url) else { return false };
        parsed.query_pairs().any(|(k, v)| k == shape.state_param && state.matches(&v))
    }
}

static SLOT: std::sync::Mutex<Slot> = std::sync::Mutex::new(Slot { waiting: None, answered: None });

fn slot() -> std::sync::MutexGuard<'static, Slot> {
    SLOT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands a callback URL that arrived by deep link to the authorization in progress, once.
/// A wrong or missing state is refused here (and the authorization keeps waiting); the same
/// link delivered again after its authorization got its answer is ignored.
pub fn deliver_callback_url(url: &str) -> Result<(), AuthError> {
    let mut slot = slot();
    if slot.is_answered(url) {
        tracing::debug!("ignored a deep link delivered again: its authorization already has its answer");
        return Ok(());
    }
    let Some(p) = slot.waiting.as_ref() else {
        return Err(AuthError::BadCallback("no authorization is in progress"));
    };
    let expected = State::from_secret(p.state.clone());
    let (outcome, reply) = match verify_callback_url(url, &expected, p.shape) {
        Ok(v) => (Ok(v), Ok(())),
        Err(AuthError::Denied(e)) => (Err(AuthError::Denied(e.clone())), Err(AuthError::Denied(e))),
        Err(e) => return Err(e),
    };
    let _ = p.tx.send(outcome);
    slot.answered = Some((expected, p.shape));
    reply
}

/// Stops the authorization waiting for its callback (the window's Cancel); returns whether
/// one was waiting. The port is released as the wait ends.
pub fn cancel_pending_callback() -> bool {
    match slot().waiting.as_ref() {
        Some(p) => p.tx.send(Err(AuthError::Cancelled)).is_ok(),
        None => false,
    }
}

/// A listener bound to the redirect URI's port on 127.0.0.1 and ::1, before the browser opens.
pub struct CallbackListener {
    v4: Option<TcpListener>,
    /// Absent where the system has no IPv6 loopback.
    v6: Option<TcpListener>,
    redirect_uri: String,
    path: String,
}

fn is_loopback_host(h: &str) -> bool {
    matches!(h, "localhost" | "127.0.0.1" | "[::1]" | "::1")
}

impl CallbackListener {
    /// Binds the port of `redirect_uri`; port 0 picks a free port, reflected in
    /// [`CallbackListener::redirect_uri`].
    pub fn bind(redirect_uri: &str) -> Result<CallbackListener, AuthError> {
        let bad = || AuthError::BadRedirectUri(redirect_uri.to_string());
        let mut url = url::Url::parse(redirect_uri).map_err(|_| bad())?;
        if url.scheme() == SCHEME {
            // The callback comes back through the OS (the desktop app's deep link): nothing
            // to listen on; `wait` takes it from `deliver_callback_url`.
            return Ok(CallbackListener {
                v4: None,
                v6: None,
                path: url.path().to_string(),
                redirect_uri: url.to_string(),
            });
        }
        if url.scheme() != "http" || !url.host_str().is_some_and(is_loopback_host) {
            return Err(bad());
        }
        let port = url.port_or_known_default().ok_or_else(bad)?;
        let map = |addr: SocketAddr, e: std::io::Error| match e.kind() {
            ErrorKind::AddrInUse => AuthError::PortInUse { port: addr.port() },
            _ => AuthError::Listen { addr: addr.to_string(), source: e },
        };
        // Bound here, on the caller's thread, so that a taken port fails before the browser
        // opens; handed to the network runtime (which needs non-blocking sockets) right after.
        let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let first = std::net::TcpListener::bind(v4).map_err(|e| map(v4, e))?;
        let actual = first.local_addr().map_err(|e| map(v4, e))?.port();
        let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, actual));
        let second = match std::net::TcpListener::bind(v6) {
            Ok(l) => Some(l),
            Err(e) if e.kind() == ErrorKind::AddrInUse => return Err(AuthError::PortInUse { port: actual }),
            Err(e) => {
                tracing::debug!("no IPv6 loopback for the callback: {e}");
                None
            }
        };
        let _runtime = net::runtime().enter();
        let to_tokio = |l: std::net::TcpListener, addr: SocketAddr| {
            l.set_nonblocking(true).and_then(|()| TcpListener::from_std(l)).map_err(|e| map(addr, e))
        };
        let first = to_tokio(first, v4)?;
        let second = second.map(|l| to_tokio(l, v6)).transpose()?;
        if port == 0 {
            url.set_port(Some(actual)).map_err(|_| bad())?;
        }
        Ok(CallbackListener {
            v4: Some(first),
            v6: second,
            path: url.path().to_string(),
            redirect_uri: url.to_string(),
        })
    }

    /// The redirect URI to send to the provider (with the real port).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    pub fn port(&self) -> Option<u16> {
        self.v4.as_ref().and_then(|l| l.local_addr().ok()).map(|a| a.port())
    }

    /// Serves requests until one carries the expected state, or `timeout` passes. Requests for
    /// other paths (`/favicon.ico`) and callbacks with a wrong or missing state are answered
    /// and ignored. The port is released when this returns.
    pub fn wait(
        self,
        expected: &State,
        shape: CallbackShape,
        timeout: Duration,
    ) -> Result<VerifiedCallback, AuthError> {
        self.wait_or_cancel(expected, shape, timeout, None)
    }

    /// [`CallbackListener::wait`] that also ends, with [`AuthError::Cancelled`], the moment
    /// `cancel` fires: the operation's own token stops the browser wait as it stops a request.
    pub fn wait_or_cancel(
        self,
        expected: &State,
        shape: CallbackShape,
        timeout: Duration,
        cancel: Option<&CancellationToken>,
    ) -> Result<VerifiedCallback, AuthError> {
        let (tx, mut delivered) = mpsc::unbounded_channel();
        slot().waiting = Some(Pending { state: expected.as_str().to_string(), shape, tx });
        // The timer is made inside the runtime: a tokio timer needs its runtime when created.
        let answered = net::block_on(async {
            let served =
                tokio::time::timeout(timeout, self.serve_until_answered(expected, shape, &mut delivered));
            net::unless_cancelled(cancel, served).await
        });
        // The port is released before anyone hears the answer.
        drop(self);
        let result = match answered {
            None => Err(AuthError::Cancelled),
            Some(Err(_elapsed)) => Err(AuthError::TimedOut(timeout.as_secs())),
            Some(Ok(result)) => result,
        };
        let mut slot = slot();
        slot.waiting = None;
        if matches!(result, Ok(_) | Err(AuthError::Denied(_))) {
            slot.answered = Some((State::from_secret(expected.as_str().to_string()), shape));
        }
        result
    }

    /// Accepts connections without ever reading from one here: each is served by a task of its
    /// own with its own deadline, so a client that trickles bytes or sends nothing can neither
    /// delay the real callback nor push back the overall deadline. The tasks end with this
    /// future (the set aborts them when dropped), so none outlives the wait.
    async fn serve_until_answered(
        &self,
        expected: &State,
        shape: CallbackShape,
        delivered: &mut mpsc::UnboundedReceiver<Result<VerifiedCallback, AuthError>>,
    ) -> Result<VerifiedCallback, AuthError> {
        let expected = Arc::new(State::from_secret(expected.as_str().to_string()));
        let path: Arc<str> = Arc::from(self.path.as_str());
        let mut connections: JoinSet<Option<Check>> = JoinSet::new();
        // Closed only if another authorization took the slot; the port may still answer.
        let mut slot_open = true;
        loop {
            let accepted = tokio::select! {
                biased;
                outcome = delivered.recv(), if slot_open => match outcome {
                    Some(outcome) => return outcome,
                    None => {
                        slot_open = false;
                        continue;
                    }
                },
                Some(joined) = connections.join_next() => {
                    match joined {
                        Ok(Some(Check::Verified(v))) => return Ok(v),
                        Ok(Some(Check::Denied(e))) => return Err(AuthError::Denied(e)),
                        Ok(Some(Check::Rejected(why))) => tracing::warn!("ignored a callback: {why}"),
                        Ok(None) => {}
                        Err(e) => tracing::debug!("a callback connection ended early: {e}"),
                    }
                    continue;
                }
                accepted = accept(self.v4.as_ref()) => accepted,
                accepted = accept(self.v6.as_ref()) => accepted,
            };
            match accepted {
                // Beyond the cap the connection is closed at once rather than left to wait: a
                // flood of local connections holds at most MAX_CONNECTIONS sockets, each for
                // at most CONNECTION_DEADLINE, and the wait's own deadline is never at stake.
                Ok(_stream) if connections.len() >= MAX_CONNECTIONS => {
                    tracing::debug!("closed a callback connection: {MAX_CONNECTIONS} are being served");
                }
                Ok(stream) => {
                    let (expected, path) = (expected.clone(), path.clone());
                    connections.spawn(async move { serve(stream, &path, &expected, shape).await });
                }
                Err(e) => {
                    // An error that persists (no file descriptors left) would otherwise make
                    // this loop spin; the browser's connection waits in the backlog meanwhile.
                    tracing::debug!("callback accept failed: {e}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            }
        }
    }
}

/// How long to wait after a failed `accept` before the next one.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The next connection on `listener`; never, if there is none (a deep-link redirect, or no
/// IPv6 loopback), so that `select!` can treat both addresses alike.
async fn accept(listener: Option<&TcpListener>) -> std::io::Result<TcpStream> {
    match listener {
        Some(l) => l.accept().await.map(|(stream, _)| stream),
        None => std::future::pending().await,
    }
}

/// Why a request head could not be read.
enum HeadError {
    TooLarge,
    TooSlow,
}

/// Reads one request head, at most [`MAX_REQUEST`] bytes by [`CONNECTION_DEADLINE`]. A
/// connection that ends or breaks early yields what arrived, which then is no callback.
async fn read_head(stream: &mut TcpStream) -> Result<Vec<u8>, HeadError> {
    let read = async {
        let mut buf = Vec::with_capacity(1024);
        let mut chunk = [0u8; 1024];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            if buf.len() > MAX_REQUEST {
                return Err(HeadError::TooLarge);
            }
            match stream.read(&mut chunk).await {
                Ok(0) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        Ok(buf)
    };
    tokio::time::timeout(CONNECTION_DEADLINE, read).await.unwrap_or(Err(HeadError::TooSlow))
}

/// Reads one request head within [`CONNECTION_DEADLINE`], answers it and says what it was.
async fn serve(mut stream: TcpStream, path: &str, expected: &State, shape: CallbackShape) -> Option<Check> {
    let buf = match read_head(&mut stream).await {
        Ok(buf) => buf,
        Err(HeadError::TooLarge) => {
            respond(&mut stream, 431, "Request too large", "This request is too large.").await;
            return None;
        }
        Err(HeadError::TooSlow) => {
            respond(&mut stream, 408, "Too slow", "This request took too long.").await;
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf);
    let Some(query) = callback_query(&head, path) else {
        respond(&mut stream, 404, "Not found", "Nothing here.").await;
        return None;
    };
    let outcome = check(query, expected, shape);
    match &outcome {
        Check::Verified(_) => {
            respond(
                &mut stream,
                200,
                "Heft is connected",
                "Heft received the authorization. You can close this tab and return to Heft.",
            )
            .await
        }
        Check::Denied(e) => {
            respond(
                &mut stream,
                200,
                "Not connected",
                &format!("Withings did not authorize Heft ({}). You can close this tab.", html_escape(e)),
            )
            .await
        }
        Check::Rejected(why) => {
            respond(&mut stream, 400, "Callback rejected", &format!("This callback was rejected: {why}."))
                .await
        }
    }
    Some(outcome)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A small self-contained page: no external resources, no referrer leaks, not cached. A
/// client that does not read it gets [`CONNECTION_DEADLINE`], then the connection closes.
async fn respond(stream: &mut TcpStream, status: u16, title: &str, message: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:32em;margin:4em auto;color:#1d2624\">\
         <h1 style=\"color:#268480\">{title}</h1><p>{message}</p></body></html>"
    );
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        408 => "Request Timeout",
        _ => "Request Header Fields Too Large",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Referrer-Policy: no-referrer\r\nCache-Control: no-store\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let send = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.flush().await
    };
    if let Ok(Err(e)) = tokio::time::timeout(CONNECTION_DEADLINE, send).await {
        tracing::debug!("could not answer a callback connection: {e}");
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    use super::*;

    fn state() -> State {
        State::generate().unwrap()
    }

    /// One authorization waits at a time (as in the app); tests that wait take turns.
    static WAITING: std::sync::Mutex<()> = std::sync::Mutex::new(());

    /// Until a connect waits for its link (a test's deliveries must not race the wait).
    fn until_waiting() {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while slot().waiting.is_none() {
            assert!(std::time::Instant::now() < deadline, "no authorization started waiting");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
        WAITING.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[test]
    fn only_a_matching_state_yields_a_code() {
        let s = state();
        let ok = format!("code=abc&state={}&userid=42", s.as_str());
        match check(&ok, &s, OAUTH2_CALLBACK) {
            Check::Verified(v) => {
                assert_eq!(v.code.expose(), "abc");
                assert_eq!(v.param("userid"), Some("42"));
            }
            other => panic!("expected verified, got {other:?}"),
        }
        assert!(matches!(check("code=abc", &s, OAUTH2_CALLBACK), Check::Rejected(_)), "missing state");
        assert!(
            matches!(check("code=abc&state=forged", &s, OAUTH2_CALLBACK), Check::Rejected(_)),
            "wrong state"
        );
        let denied = format!("error=access_denied&state={}", s.as_str());
        assert!(matches!(check(&denied, &s, OAUTH2_CALLBACK), Check::Denied(e) if e == "access_denied"));
        let forged_error = "error=access_denied&state=forged";
        assert!(
            matches!(check(forged_error, &s, OAUTH2_CALLBACK), Check::Rejected(_)),
            "an error needs the state too"
        );
    }

    #[test]
    fn deep_link_urls_go_through_the_same_check() {
        let s = state();
        let url = format!("heft://callback?code=xyz&state={}", s.as_str());
        assert_eq!(verify_callback_url(&url, &s, OAUTH2_CALLBACK).unwrap().code.expose(), "xyz");
        assert!(verify_callback_url("heft://callback?code=xyz&state=nope", &s, OAUTH2_CALLBACK).is_err());
    }

    #[test]
    fn listener_ignores_other_paths_and_wrong_states_then_accepts_the_right_one() {
        let _turn = one_at_a_time();
        let l = CallbackListener::bind("http://localhost:0/callback").unwrap();
        let port = l.port().unwrap();
        assert_eq!(l.redirect_uri(), format!("http://localhost:{port}/callback"));
        let s = state();
        let good = s.as_str().to_string();
        let client = std::thread::spawn(move || {
            let get = |path: &str| {
                let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
                write!(c, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
                let mut out = String::new();
                let _ = c.read_to_string(&mut out);
                out
            };
            let fav = get("/favicon.ico");
            let forged = get("/callback?code=evil&state=forged");
            let ok = get(&format!("/callback?code=good&state={good}"));
            (fav, forged, ok)
        });
        let v = l.wait(&s, OAUTH2_CALLBACK, Duration::from_secs(10)).unwrap();
        assert_eq!(v.code.expose(), "good", "the forged code never came through");
        let (fav, forged, ok) = client.join().unwrap();
        assert!(fav.starts_with("HTTP/1.1 404"));
        assert!(forged.starts_with("HTTP/1.1 400"));
        assert!(ok.starts_with("HTTP/1.1 200") && ok.contains("Referrer-Policy: no-referrer"));
        assert!(!ok.contains("http://") && !ok.contains("https://"), "no external resources");
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is released");
    }

    #[test]
    fn a_cancelled_wait_ends_at_once_and_releases_the_port() {
        let _turn = one_at_a_time();
        let l = CallbackListener::bind("http://127.0.0.1:0/callback").unwrap();
        let port = l.port().unwrap();
        let canceller = std::thread::spawn(|| {
            // Until the wait has registered itself there is nothing to cancel.
            while !cancel_pending_callback() {
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let err = l.wait(&state(), OAUTH2_CALLBACK, Duration::from_secs(30)).unwrap_err();
        canceller.join().unwrap();
        assert!(matches!(err, AuthError::Cancelled), "{err}");
        assert!(!cancel_pending_callback(), "nothing is waiting any more");
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is released");
    }

    #[test]
    fn the_operations_token_ends_the_wait_and_releases_the_port() {
        let _turn = one_at_a_time();
        let l = CallbackListener::bind("http://127.0.0.1:0/callback").unwrap();
        let port = l.port().unwrap();
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        let canceller = std::thread::spawn(move || {
            until_waiting();
            stop.cancel();
        });
        let err =
            l.wait_or_cancel(&state(), OAUTH2_CALLBACK, Duration::from_secs(30), Some(&cancel)).unwrap_err();
        canceller.join().unwrap();
        assert!(matches!(err, AuthError::Cancelled), "{err}");
        assert!(!cancel_pending_callback(), "nothing is waiting any more");
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is released");
    }

    #[test]
    fn a_connection_beyond_the_cap_is_closed_unanswered() {
        let _turn = one_at_a_time();
        let l = CallbackListener::bind("http://127.0.0.1:0/callback").unwrap();
        let port = l.port().unwrap();
        let s = state();
        let link = format!("heft://callback?code=capped&state={}", s.as_str());
        let client = std::thread::spawn(move || {
            let held: Vec<TcpStream> =
                (0..MAX_CONNECTIONS).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
            let mut extra = TcpStream::connect(("127.0.0.1", port)).unwrap();
            // Only so that a regression fails instead of hanging; a served connection would
            // get its 408 page well within this.
            extra.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let mut out = Vec::new();
            let _ = extra.read_to_end(&mut out);
            until_waiting();
            let delivered = deliver_callback_url(&link);
            drop(held);
            (out, delivered)
        });
        let v = l.wait(&s, OAUTH2_CALLBACK, Duration::from_secs(60)).unwrap();
        let (out, delivered) = client.join().unwrap();
        assert!(out.is_empty(), "the extra connection was answered: {}", String::from_utf8_lossy(&out));
        assert!(delivered.is_ok(), "{delivered:?}");
        assert_eq!(v.code.expose(), "capped");
    }

    #[test]
    fn a_taken_port_is_a_clear_error_naming_it() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let err =
            CallbackListener::bind(&format!("http://localhost:{port}/callback")).err().expect("port in use");
        assert!(err.to_string().contains(&port.to_string()), "{err}");
    }

    #[test]
    fn an_oversized_request_is_refused_and_times_out_cleanly() {
        let _turn = one_at_a_time();
        let l = CallbackListener::bind("http://127.0.0.1:0/callback").unwrap();
        let port = l.port().unwrap();
        let t = std::thread::spawn(move || {
            let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let long = "a".repeat(20_000);
            let _ = write!(c, "GET /callback?x={long} HTTP/1.1\r\n\r\n");
            let mut out = String::new();
            let _ = c.read_to_string(&mut out);
            out
        });
        let err = l.wait(&state(), OAUTH2_CALLBACK, Duration::from_secs(1)).unwrap_err();
        assert!(matches!(err, AuthError::TimedOut(_)));
        assert!(t.join().unwrap().starts_with("HTTP/1.1 431"));
    }

    #[test]
    fn a_deep_link_reaches_the_waiting_authorization_only_with_the_right_state() {
        let _turn = one_at_a_time();
        assert!(deliver_callback_url("heft://callback?code=x&state=y").is_err(), "nothing is waiting");
        let l = CallbackListener::bind("http://127.0.0.1:0/callback").unwrap();
        let s = state();
        let good = format!("heft://callback?code=deep&state={}", s.as_str());
        let t = std::thread::spawn(move || {
            until_waiting();
            let forged = deliver_callback_url("heft://callback?code=evil&state=forged");
            let ok = deliver_callback_url(&good);
            (forged, ok)
        });
        let v = l.wait(&s, OAUTH2_CALLBACK, Duration::from_secs(10)).unwrap();
        let (forged, ok) = t.join().unwrap();
        assert!(matches!(forged, Err(AuthError::BadCallback(_))), "{forged:?}");
        assert!(ok.is_ok());
        assert_eq!(v.code.expose(), "deep");
    }

    #[test]
    fn a_trickling_or_silent_client_neither_delays_the_real_callback_nor_the_deadline() {
        let _turn = one_at_a_time();
        let l = CallbackListener::bind("http://127.0.0.1:0/callback").unwrap();
        let port = l.port().unwrap();
        let s = state();
        let good = s.as_str().to_string();
        let trickled = Arc::new(AtomicUsize::new(0));
        let bytes = trickled.clone();
        // Sends one byte every 300 ms for 3 s, never finishing its head.
        let trickler = std::thread::spawn(move || {
            let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
            for b in b"GET /callback?code=slow".iter().take(10) {
                if c.write_all(&[*b]).is_err() {
                    break;
                }
                bytes.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        let silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let client = std::thread::spawn(move || {
            let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(c, "GET /callback?code=good&state={good} HTTP/1.1\r\n\r\n").unwrap();
            let mut out = String::new();
            let _ = c.read_to_string(&mut out);
            out
        });
        let v = l.wait(&s, OAUTH2_CALLBACK, Duration::from_secs(20)).unwrap();
        let sent_by_then = trickled.load(Ordering::SeqCst);
        assert_eq!(v.code.expose(), "good");
        assert!(client.join().unwrap().starts_with("HTTP/1.1 200"));
        assert!(
            sent_by_then < 10,
            "the callback was served while the trickler was still sending ({sent_by_then} bytes)"
        );
        trickler.join().unwrap();
        drop(silent);

        // Only slow clients: the overall deadline holds although each keeps its connection busy.
        let l = CallbackListener::bind("http://127.0.0.1:0/callback").unwrap();
        let port = l.port().unwrap();
        let started = Instant::now();
        let slow: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
        let err = l.wait(&state(), OAUTH2_CALLBACK, Duration::from_millis(600)).unwrap_err();
        assert!(matches!(err, AuthError::TimedOut(_)), "{err:?}");
        assert!(
            started.elapsed() < CONNECTION_DEADLINE,
            "the wait ended at its own deadline, not after the slow connections' {CONNECTION_DEADLINE:?}"
        );
        drop(slow);
    }

    #[test]
    fn a_scheme_redirect_waits_for_the_deep_link_alone() {
        let _turn = one_at_a_time();
        let l = CallbackListener::bind("heft://callback").unwrap();
        assert_eq!((l.redirect_uri(), l.port()), ("heft://callback", None), "nothing listens on a port");
        let s = state();
        let good = format!("heft://callback?code=scheme&state={}", s.as_str());
        let t = std::thread::spawn(move || {
            until_waiting();
            deliver_callback_url(&good)
        });
        let v = l.wait(&s, OAUTH2_CALLBACK, Duration::from_secs(10)).unwrap();
        assert!(t.join().unwrap().is_ok());
        assert_eq!(v.code.expose(), "scheme");
    }

    /// The desktop app may be handed one `heft:` link twice (the single-instance plugin's
    /// deep-link event and the second launch's arguments): the connect takes it once, and the
    /// copy is neither a second callback nor "no authorization is in progress".
    #[test]
    fn a_deep_link_delivered_twice_completes_the_connect_once_without_an_error() {
        let _turn = one_at_a_time();
        let s = state();
        let link = format!("heft://callback?code=once&state={}", s.as_str());
        let l = CallbackListener::bind("heft://callback").unwrap();
        let delivered = link.clone();
        let t = std::thread::spawn(move || {
            until_waiting();
            [deliver_callback_url(&delivered), deliver_callback_url(&delivered)]
        });
        let v = l.wait(&s, OAUTH2_CALLBACK, Duration::from_secs(10)).expect("the connect gets its code");
        assert_eq!(v.code.expose(), "once");
        for (i, r) in t.join().unwrap().into_iter().enumerate() {
            assert!(r.is_ok(), "delivery {} while the connect takes it: {r:?}", i + 1);
        }
        let late = deliver_callback_url(&link);
        assert!(late.is_ok(), "the copy that comes after the connect ended is no error: {late:?}");

        // The next connect is not disturbed by a late copy of the old link: it takes its own.
        let next = state();
        let l = CallbackListener::bind("heft://callback").unwrap();
        let own = format!("heft://callback?code=next&state={}", next.as_str());
        let t = std::thread::spawn(move || {
            until_waiting();
            (deliver_callback_url(&link), deliver_callback_url(&own))
        });
        let v = l.wait(&next, OAUTH2_CALLBACK, Duration::from_secs(10)).expect("the next connect's code");
        assert_eq!(v.code.expose(), "next", "the old link's code never reaches the next connect");
        let (old, own) = t.join().unwrap();
        assert!(old.is_ok() && own.is_ok(), "{old:?} {own:?}");

        // A link that was never answered is still refused when nothing waits.
        let forged = deliver_callback_url("heft://callback?code=x&state=forged");
        assert!(matches!(forged, Err(AuthError::BadCallback(_))), "{forged:?}");
    }

    #[test]
    fn non_loopback_redirects_are_refused() {
        assert!(CallbackListener::bind("https://example.com/callback").is_err());
        assert!(CallbackListener::bind("http://192.168.1.2:8765/callback").is_err());
    }
}
