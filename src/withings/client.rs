//! The HTTP side of the Withings API: one place that sends requests and applies the error
//! policy of DESIGN §3 (backoff with jitter on 5xx/timeouts/transient codes, `wait_seconds`
//! on 601, no retry on invalid parameters; invalid tokens go back to the caller to refresh).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::Rng;
use serde_json::value::RawValue;

use super::wire::Envelope;
use super::{ApiError, StatusKind};
use crate::redact::AccessToken;

/// How hard to try before giving up.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Longest `wait_seconds` Heft honours before giving up and telling the user when to retry.
    pub max_rate_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_rate_wait: Duration::from_secs(90),
        }
    }
}

impl RetryPolicy {
    /// Capped exponential backoff with ±50 % jitter, so many clients do not retry in step.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.max_delay);
        let jitter: f64 = rand::rng().random_range(0.5..1.5);
        capped.mul_f64(jitter)
    }
}

/// Something the client waits for, reported so a UI can say what it waits for.
#[derive(Debug, Clone, PartialEq)]
pub enum Waiting {
    /// Withings asked Heft to slow down; retrying after this long.
    RateLimited(Duration),
    /// A temporary failure; retrying after this long.
    Retrying { after: Duration, reason: String },
}

/// The sentence a person reads while Heft waits.
impl std::fmt::Display for Waiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Waiting::RateLimited(d) => {
                write!(f, "Withings asked Heft to slow down; retrying in {} s", d.as_secs())
            }
            Waiting::Retrying { after, reason } => {
                write!(f, "{reason}; retrying in {} s", after.as_secs_f64().ceil() as u64)
            }
        }
    }
}

type WaitHook = Arc<dyn Fn(&Waiting) + Send + Sync>;

/// How a request proves who it is for.
pub enum Auth<'a> {
    None,
    Bearer(&'a AccessToken),
}

/// A Withings API client for one base URL.
pub struct Client {
    agent: ureq::Agent,
    api_url: String,
    pub retry: RetryPolicy,
    on_wait: Option<WaitHook>,
    /// Set when the person cancels: a wait before a retry ends at once.
    stop: Option<Arc<AtomicBool>>,
}

/// Largest answer Heft reads; a full history page is well under this.
const MAX_BODY: u64 = 64 << 20;

impl Client {
    pub fn new(api_url: &str) -> Client {
        Client {
            agent: agent(Duration::from_secs(60)),
            api_url: api_url.trim_end_matches('/').to_string(),
            retry: RetryPolicy::default(),
            on_wait: None,
            stop: None,
        }
    }

    /// How long one attempt may take, from connecting to the last byte (60 s by default); a
    /// request that takes longer fails as a network error and is retried like one.
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.agent = agent(timeout);
        self
    }

    /// Waits before retries end early once `stop` is set (the request then fails with
    /// [`ApiError::Stopped`]).
    pub fn with_stop(mut self, stop: Arc<AtomicBool>) -> Client {
        self.stop = Some(stop);
        self
    }

    pub fn with_wait_hook(mut self, hook: impl Fn(&Waiting) + Send + Sync + 'static) -> Client {
        self.on_wait = Some(Arc::new(hook));
        self
    }

    /// Whether the person asked to stop (see [`Client::with_stop`]): other waits on behalf
    /// of a request, such as the refresh lock, end too.
    pub fn is_stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst))
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// Waits before a retry; false if told to stop meanwhile.
    fn wait(&self, w: Waiting) -> bool {
        let d = match &w {
            Waiting::RateLimited(d) => *d,
            Waiting::Retrying { after, .. } => *after,
        };
        tracing::info!(?w, "waiting before retrying");
        if let Some(h) = &self.on_wait {
            h(&w);
        }
        let until = std::time::Instant::now() + d;
        while !self.is_stopped() {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
        false
    }

    fn send_once(&self, url: &str, form: &[(String, String)], auth: &Auth<'_>) -> Result<Vec<u8>, ApiError> {
        let mut req = self.agent.post(url);
        if let Auth::Bearer(t) = auth {
            req = req.header("Authorization", &format!("Bearer {}", t.expose()));
        }
        let resp = req
            .send_form(form.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| ApiError::Network(describe_transport(&e)))?;
        read_answer(resp)
    }

    /// Sends a request to `path` and returns the envelope's body, retrying what may succeed
    /// on a second try. An invalid-token status is returned at once for the caller to refresh.
    pub fn call(
        &self,
        path: &str,
        form: &[(String, String)],
        auth: &Auth<'_>,
    ) -> Result<Box<RawValue>, ApiError> {
        let url = format!("{}{}", self.api_url, path);
        self.with_retries(&|| self.send_once(&url, form, auth))
    }

    /// A GET to a URL built afresh for every attempt (OAuth 1.0a signs each with a new nonce),
    /// with the same retry policy as [`Client::call`].
    pub fn call_signed(&self, make_url: &dyn Fn() -> String) -> Result<Box<RawValue>, ApiError> {
        self.with_retries(&|| {
            let resp =
                self.agent.get(&make_url()).call().map_err(|e| ApiError::Network(describe_transport(&e)))?;
            read_answer(resp)
        })
    }

    fn with_retries(&self, send: &dyn Fn() -> Result<Vec<u8>, ApiError>) -> Result<Box<RawValue>, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = send().and_then(|bytes| Envelope::parse(&bytes)?.into_body());
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let last = attempt >= self.retry.max_attempts;
            match &err {
                ApiError::Status { kind: StatusKind::RateLimited, wait_seconds, .. } => {
                    let wait = Duration::from_secs(wait_seconds.unwrap_or(10).max(1));
                    if last || wait > self.retry.max_rate_wait {
                        return Err(ApiError::RateLimited { retry_after: wait.as_secs() });
                    }
                    if !self.wait(Waiting::RateLimited(wait)) {
                        return Err(ApiError::Stopped);
                    }
                }
                e if e.is_retryable() && !last => {
                    let after = self.retry.backoff(attempt - 1);
                    if !self.wait(Waiting::Retrying { after, reason: err.to_string() }) {
                        return Err(ApiError::Stopped);
                    }
                }
                _ => return Err(err),
            }
        }
    }

    /// A plain GET whose answer is text (OAuth 1.0a's `/account/*` answers are form-encoded).
    pub fn get_text(&self, url: &str) -> Result<String, ApiError> {
        let mut resp = self.agent.get(url).call().map_err(|e| ApiError::Network(describe_transport(&e)))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_string()
            .map_err(|e| ApiError::Malformed(format!("the answer could not be read: {e}")))?;
        match status {
            200 => Ok(body),
            401 => Ok(body), // oauth_problem=… comes with 401; the caller reads it
            _ => Err(ApiError::Http { status }),
        }
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .timeout_connect(Some(timeout.min(Duration::from_secs(15))))
        .http_status_as_error(false)
        .user_agent(concat!("heft/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// The body of an HTTP 200 answer (Withings puts its own status inside), or the HTTP error.
fn read_answer(mut resp: ureq::http::Response<ureq::Body>) -> Result<Vec<u8>, ApiError> {
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| ApiError::Malformed(format!("the answer could not be read: {e}")))?;
    if status != 200 {
        return Err(ApiError::Http { status });
    }
    Ok(body)
}

fn describe_transport(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "the request timed out".into(),
        ureq::Error::HostNotFound => {
            "the Withings server name could not be resolved (are you offline?)".into()
        }
        ureq::Error::ConnectionFailed => "could not connect to Withings (are you offline?)".into(),
        ureq::Error::Io(io) => format!("network error: {}", io.kind()),
        other => format!("network error: {other}"),
    }
}
