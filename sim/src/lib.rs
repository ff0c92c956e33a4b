//! `withings-sim`: a faithful simulator of the Withings API over real HTTP on loopback.
//!
//! It behaves like Withings, not like Heft wants: OAuth 2.0 with single-use 30-second codes and
//! refresh-token rotation, the retired OAuth 1.0a flow with real HMAC-SHA1 verification,
//! paginated `getmeas` with `lastupdate`, application errors inside HTTP 200 answers, rate
//! limits, and `/notify`. Tests, benchmarks and Heft's demo account talk to it; `/_sim/`
//! endpoints (and the same methods on [`Sim`]) change its data and inject faults.
//!
//! Any local process, and any web page that finds the port, can reach a loopback server, so
//! the `/_sim/` endpoints are served only when [`SimConfig::control`] asks for them, and a
//! request a browser sends from another origin (its `Origin` header) is refused outright.

mod control;
pub mod data;
mod hold;
mod http;
mod measure;
mod notify;
mod oauth1;
mod oauth2;
mod state;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::sync::watch;

pub use data::{Group, Measure, User};
use http::{Req, Resp};
use state::State;
pub use state::{Faults, RequestRecord, Stats};

/// A developer app registered with the simulator (client id / consumer key).
#[derive(Debug, Clone)]
pub struct ClientApp {
    pub client_id: String,
    pub client_secret: String,
    /// Registered callback URLs, compared exactly (port included), as Withings does.
    pub redirect_uris: Vec<String>,
    /// Also accept any port on a loopback host for a registered path (RFC 8252 §7.3 style).
    pub any_loopback_port: bool,
}

/// Client id of the built-in app (also used by Heft's demo account).
pub const DEMO_CLIENT_ID: &str = "heft-demo-client";
/// Client secret of the built-in app. Not a secret: the simulator is public and local.
pub const DEMO_CLIENT_SECRET: &str = "heft-demo-secret";

impl Default for ClientApp {
    fn default() -> Self {
        ClientApp {
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
            redirect_uris: vec!["http://localhost:8765/callback".into()],
            any_loopback_port: true,
        }
    }
}

/// How the simulator is set up.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Port to bind on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    pub seed: u64,
    pub years: u32,
    pub users: u32,
    pub clients: Vec<ClientApp>,
    /// Redirect at once instead of showing the consent page.
    pub auto_approve: bool,
    /// Groups per `getmeas` page.
    pub page_size: usize,
    /// Access-token lifetime in seconds (Withings: 10800).
    pub access_token_lifetime: i64,
    /// Seconds within which identical `getmeas` arguments are refused with 601 (Withings: 10).
    pub identical_request_window: i64,
    /// Requests per minute per app before 601 (Withings: 120); 0 disables the limit.
    pub requests_per_minute: u32,
    /// Threads of the simulator's async runtime (handlers themselves run on its blocking pool,
    /// so a slow or delayed answer never holds up another connection).
    pub threads: usize,
    /// The instant the generated history ends (default: now). The same seed and end give the
    /// same data, so a demo started again days later serves the history it served before.
    pub end: Option<i64>,
    /// Serve the `/_sim/` control endpoints (add data, revoke tokens, move the clock). Off by
    /// default: Heft's demo runs without them; tests, benchmarks and the binary turn them on.
    pub control: bool,
    /// Keep every request and every secret handed out, for tests to read ([`Sim::stats`]'s
    /// requests, [`Sim::secrets`]). On by default; Heft's demo, which runs for as long as the
    /// desktop app does and never reads them, turns it off so it does not grow without end.
    pub ledger: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            seed: 1,
            years: 3,
            users: 2,
            clients: vec![ClientApp::default()],
            auto_approve: false,
            page_size: 500,
            access_token_lifetime: 10_800,
            identical_request_window: 10,
            requests_per_minute: 120,
            threads: 4,
            end: None,
            control: false,
            ledger: true,
        }
    }
}

/// Errors starting the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("could not listen on 127.0.0.1:{port}: {reason}")]
    Bind { port: u16, reason: String },
    #[error("unknown user {0}")]
    UnknownUser(i64),
    #[error("unknown group {0}")]
    UnknownGroup(i64),
}

pub(crate) struct Shared {
    pub config: SimConfig,
    /// The port it listens on, which its own origin (`http://127.0.0.1:PORT`) names.
    pub port: u16,
    pub state: Mutex<State>,
    /// Seconds added to the wall clock by `/_sim/advance`.
    pub offset: AtomicI64,
    /// API answers held back until released (`/_sim/hold`, [`Sim::hold_answers`]).
    pub hold: hold::Hold,
}

impl Shared {
    pub fn now(&self) -> i64 {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        wall + self.offset.load(Ordering::Relaxed)
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        // A handler that panicked leaves consistent data behind (every mutation is a single
        // step), so a poisoned lock is safe to keep using.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How long stopping waits for answers in flight (and connections mid-request) before it cuts
/// them off.
const GRACE: Duration = Duration::from_secs(3);

/// A running simulator. Dropping it stops the server gracefully: idle keep-alive connections
/// close at once, answers in flight finish (for at most [`GRACE`]), and its threads are joined.
pub struct Sim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl Sim {
    /// Generates the data set and starts serving on 127.0.0.1, on an async runtime of its own
    /// (so it starts the same from a plain test, a benchmark or inside Tauri's runtime).
    pub fn start(config: SimConfig) -> Result<Sim, SimError> {
        let port = config.port;
        let bind = |e: std::io::Error| SimError::Bind { port, reason: e.to_string() };
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(bind)?;
        listener.set_nonblocking(true).map_err(bind)?;
        let addr = listener.local_addr().map_err(bind)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State { ledger: config.ledger, ..State::default() }),
            offset: AtomicI64::new(0),
            hold: hold::Hold::default(),
            port: addr.port(),
            config,
        });
        let now = shared.now();
        {
            let c = &shared.config;
            shared.state().users = data::generate(c.seed, c.years, c.users, c.end.unwrap_or(now));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(shared.config.threads.max(1))
            .thread_name("withings-sim")
            .enable_io()
            .enable_time()
            .build()
            .map_err(bind)?;
        let listener = {
            let _in = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(bind)?
        };
        let app = axum::Router::new().fallback(handle).with_state(Arc::clone(&shared));
        let (stop, stopped) = watch::channel(false);
        let server = std::thread::Builder::new()
            .name("withings-sim".into())
            .spawn(move || {
                runtime.block_on(serve(listener, app, stopped));
                // The grace is spent: a handler still sleeping in an injected delay is left to
                // finish on its own, and the runtime's threads are joined.
                runtime.shutdown_timeout(Duration::from_millis(100));
            })
            .map_err(bind)?;
        Ok(Sim { shared, addr, stop, server: Some(server) })
    }

    /// `http://127.0.0.1:PORT`, the base of every endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Userids of the simulated users, in order; the first is the demo user.
    pub fn userids(&self) -> Vec<i64> {
        self.shared.state().users.iter().map(|u| u.userid).collect()
    }

    /// The user who approves in auto-approve mode, and the default on the consent page.
    pub fn set_login_user(&self, userid: i64) -> Result<(), SimError> {
        let mut st = self.shared.state();
        if !st.users.iter().any(|u| u.userid == userid) {
            return Err(SimError::UnknownUser(userid));
        }
        st.login_user = Some(userid);
        Ok(())
    }

    /// The data Withings holds for `userid`, newest first, exactly as `getmeas` would send it.
    pub fn truth(&self, userid: i64) -> Result<Vec<Group>, SimError> {
        self.shared.state().truth(userid)
    }

    /// Adds a group (its `created`/`modified` are set to now, as Withings would).
    pub fn add_group(&self, userid: i64, group: Group) -> Result<Group, SimError> {
        let now = self.shared.now();
        self.shared.state().add_group(userid, group, now)
    }

    /// Changes a group in place and moves its `modified` to now.
    pub fn modify_group(
        &self,
        userid: i64,
        grpid: i64,
        change: impl FnOnce(&mut Group),
    ) -> Result<Group, SimError> {
        let now = self.shared.now();
        self.shared.state().modify_group(userid, grpid, now, change)
    }

    /// Deletes a group; like Withings, nothing marks that it existed.
    pub fn delete_group(&self, userid: i64, grpid: i64) -> Result<(), SimError> {
        self.shared.state().delete_group(userid, grpid)
    }

    /// Makes every access token of `userid` expired (refresh tokens stay valid).
    pub fn expire_access_tokens(&self, userid: i64) {
        let now = self.shared.now();
        self.shared.state().expire_access_tokens(userid, now);
    }

    /// Revokes every token of `userid`, as when the user removes the app in their account.
    pub fn revoke_tokens(&self, userid: i64) {
        self.shared.state().revoke_tokens(userid);
    }

    pub fn set_faults(&self, faults: Faults) {
        self.shared.state().faults = faults;
    }

    /// Moves the simulator's clock forward (codes and tokens expire, rate windows pass).
    pub fn advance(&self, seconds: i64) {
        self.shared.offset.fetch_add(seconds, Ordering::Relaxed);
    }

    pub fn now(&self) -> i64 {
        self.shared.now()
    }

    /// Every secret of every connect and refresh so far: authorization codes, `state`, PKCE
    /// verifiers, access and refresh tokens (superseded ones too), client secrets.
    pub fn secrets(&self) -> Vec<String> {
        self.shared.state().secrets.clone()
    }

    /// Counters and the log of API requests (credentials stripped).
    pub fn stats(&self) -> Stats {
        self.shared.state().stats.clone()
    }

    pub fn reset_stats(&self) {
        self.shared.state().stats = Stats::default();
    }

    /// Holds every API request (`/measure`, `/v2/measure`, `/v2/oauth2`, `/notify`, the ones
    /// faults apply to) that arrives from now on: it waits, unanswered and before any fault
    /// applies, until [`Sim::release_answers`]. The consent pages and `/_sim/` are still served.
    pub fn hold_answers(&self) {
        self.shared.hold.hold();
    }

    /// Holds only the API requests for a later page of a chain (a non-zero `offset`): the
    /// first page of each is answered, the rest wait until [`Sim::release_answers`].
    pub fn hold_continuations(&self) {
        self.shared.hold.hold_only(hold::Held::Continuations);
    }

    /// Lets every held request go on at once (each then answers as it would have), and holds
    /// no more.
    pub fn release_answers(&self) {
        self.shared.hold.release();
    }

    /// Whether API answers are being held.
    pub fn answers_held(&self) -> bool {
        self.shared.hold.is_held()
    }

    /// How many API requests are waiting, held, now: a test waits for this to reach the count
    /// it sent before it looks at what the client does meanwhile.
    pub fn held_waiting(&self) -> usize {
        self.shared.hold.waiting()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // Held requests go on and answer, so stopping never waits for a release.
        self.shared.hold.stop();
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

/// Serves until `stopped` turns true, then shuts down gracefully within [`GRACE`].
async fn serve(listener: tokio::net::TcpListener, app: axum::Router, stopped: watch::Receiver<bool>) {
    // Real API servers send without Nagle's delay; with it the tail of a page waited for the
    // client's delayed ACK (40 ms, at random).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let mut signal = stopped.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        // A closed channel (the `Sim` is gone) stops it too.
        let _ = signal.wait_for(|stop| *stop).await;
    });
    let mut late = stopped;
    let deadline = async move {
        let _ = late.wait_for(|stop| *stop).await;
        tokio::time::sleep(GRACE).await;
    };
    tokio::select! {
        _ = server => {}
        () = deadline => {}
    }
}

/// The one route: every request becomes a [`Req`] for the plain handlers, as it always was.
async fn handle(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, http::MAX_BODY).await else {
        return Resp::text(413, "withings-sim: a request body is at most 1 MiB\n").into_response();
    };
    let req = Req::from_parts(&parts, body.to_vec());
    // Handlers are plain functions that lock the state and may sleep (injected latency), so
    // they run on the blocking pool, never on the threads that serve the connections.
    match tokio::task::spawn_blocking(move || dispatch(&shared, &req)).await {
        Ok(resp) => resp.into_response(),
        Err(_) => Resp::text(500, "withings-sim: the handler failed\n").into_response(),
    }
}

/// Whether faults apply: only the API proper, never the pages a person sees or `/_sim/`.
fn is_api(path: &str) -> bool {
    matches!(path, "/measure" | "/v2/measure" | "/v2/oauth2" | "/notify")
}

/// Whether a request may be served: one without `Origin` (curl, Heft's client, any HTTP
/// library) or one a browser sent from the simulator's own pages (the consent form). A page
/// of another origin, `null` included, never reaches a handler, whatever the method.
fn origin_allowed(shared: &Shared, req: &Req) -> bool {
    let Some(origin) = req.header("origin") else { return true };
    let port = shared.port;
    [format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")]
        .iter()
        .any(|own| origin.trim().eq_ignore_ascii_case(own))
}

fn dispatch(shared: &Shared, req: &Req) -> Resp {
    if !origin_allowed(shared, req) {
        return Resp::text(403, "withings-sim: requests from another origin are refused\n");
    }
    if is_api(&req.path) {
        // On the blocking pool (see `handle`), so a held request keeps no connection's thread
        // from the consent pages or `/_sim/release`.
        shared.hold.wait(req.param("offset").is_some_and(|o| o.trim() != "0"));
        match state::pre_fault(shared) {
            state::Fault::None => {}
            state::Fault::Delay(ms) => std::thread::sleep(Duration::from_millis(ms)),
            state::Fault::Http500 => {
                return Resp::html(
                    500,
                    "<html><body><h1>500 Internal Server Error</h1></body></html>".into(),
                );
            }
            state::Fault::RateLimited(wait) => {
                return Resp::withings(
                    601,
                    serde_json::json!({ "wait_seconds": wait }),
                    Some("Too Many Requests"),
                );
            }
        }
    }
    let resp = route(shared, req);
    if is_api(&req.path) { state::post_fault(shared, resp) } else { resp }
}

fn route(shared: &Shared, req: &Req) -> Resp {
    match (req.method.as_str(), req.path.as_str()) {
        (_, "/oauth2_user/authorize2") => oauth2::authorize(shared, req),
        ("POST", "/oauth2_user/decision") => oauth2::decision(shared, req),
        ("POST", "/v2/oauth2") => oauth2::token(shared, req),
        (_, "/account/request_token") => oauth1::request_token(shared, req),
        (_, "/account/authorize") => oauth1::authorize(shared, req),
        ("POST", "/account/decision") => oauth1::decision(shared, req),
        (_, "/account/access_token") => oauth1::access_token(shared, req),
        (_, "/measure") | (_, "/v2/measure") => measure::handle(shared, req),
        (_, "/notify") => notify::handle(shared, req),
        (_, p) if p.starts_with("/_sim/") && shared.config.control => control::handle(shared, req),
        (_, "/") => Resp::text(200, "withings-sim: a Withings API simulator\n"),
        _ => Resp::html(404, "<html><body><h1>404 Not Found</h1></body></html>".into()),
    }
}
