//! The HTTP side of the Withings API: one place that sends requests and applies the error
//! policy of DESIGN §3 (backoff with jitter on 5xx/timeouts/transient codes, `wait_seconds`
//! on 601, no retry on invalid parameters; invalid tokens go back to the caller to refresh).

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use serde_json::value::RawValue;

use super::wire::Envelope;
use super::{ApiError, StatusKind};
use crate::net::{self, CancellationToken};
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

/// A Withings API client for one base URL. Requests run on the core's network runtime
/// ([`crate::net`]); the blocking methods wait for them, the `_async` ones are for tasks.
pub struct Client {
    http: Result<reqwest::Client, String>,
    api_url: String,
    pub retry: RetryPolicy,
    on_wait: Option<WaitHook>,
    /// Cancelled when the person cancels: the request in flight and any wait end at once.
    stop: Option<CancellationToken>,
}

/// Largest answer Heft reads; a full history page is well under this.
const MAX_BODY: usize = 64 << 20;

impl Client {
    pub fn new(api_url: &str) -> Client {
        Client {
            http: net::http_client(Duration::from_secs(60)),
            api_url: api_url.trim_end_matches('/').to_string(),
            retry: RetryPolicy::default(),
            on_wait: None,
            stop: None,
        }
    }

    /// How long one attempt may take, from connecting to the last byte (60 s by default); a
    /// request that takes longer fails as a network error and is retried like one.
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.http = net::http_client(timeout);
        self
    }

    /// Once `stop` is cancelled, the request in flight and any wait before a retry end at once
    /// with [`ApiError::Stopped`].
    pub fn with_stop(mut self, stop: CancellationToken) -> Client {
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
        self.stop.as_ref().is_some_and(|s| s.is_cancelled())
    }

    /// The token that stops this client's requests, if any.
    pub fn stop_token(&self) -> Option<&CancellationToken> {
        self.stop.as_ref()
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    fn http(&self) -> Result<&reqwest::Client, ApiError> {
        self.http.as_ref().map_err(|e| ApiError::Network(e.clone()))
    }

    /// Waits before a retry; false if told to stop meanwhile.
    async fn wait(&self, w: Waiting) -> bool {
        let d = match &w {
            Waiting::RateLimited(d) => *d,
            Waiting::Retrying { after, .. } => *after,
        };
        tracing::info!(?w, "waiting before retrying");
        if let Some(h) = &self.on_wait {
            h(&w);
        }
        net::sleep(d, self.stop.as_ref()).await
    }

    /// One attempt: the body of an HTTP 200 answer (Withings puts its own status inside), or
    /// the HTTP error. Ends with [`ApiError::Stopped`] the moment the person cancels.
    async fn send_once(&self, req: reqwest::RequestBuilder) -> Result<Vec<u8>, ApiError> {
        let attempt = async {
            let resp = req.send().await.map_err(|e| ApiError::Network(net::describe(&e)))?;
            let status = resp.status().as_u16();
            let body = net::read_body(resp, MAX_BODY)
                .await
                .map_err(|e| ApiError::Malformed(format!("the answer could not be read: {e}")))?;
            if status != 200 {
                return Err(ApiError::Http { status });
            }
            Ok(body)
        };
        net::unless_cancelled(self.stop.as_ref(), attempt).await.unwrap_or(Err(ApiError::Stopped))
    }

    /// Sends a request to `path` and returns the envelope's body, retrying what may succeed
    /// on a second try. An invalid-token status is returned at once for the caller to refresh.
    pub fn call(
        &self,
        path: &str,
        form: &[(String, String)],
        auth: &Auth<'_>,
    ) -> Result<Box<RawValue>, ApiError> {
        net::block_on(self.call_async(path, form, auth))
    }

    /// [`Client::call`] for a task on the network runtime.
    pub async fn call_async(
        &self,
        path: &str,
        form: &[(String, String)],
        auth: &Auth<'_>,
    ) -> Result<Box<RawValue>, ApiError> {
        let url = format!("{}{}", self.api_url, path);
        let bearer = match auth {
            Auth::Bearer(t) => Some(format!("Bearer {}", t.expose())),
            Auth::None => None,
        };
        self.with_retries(|| {
            let mut req = self.http()?.post(&url).form(form);
            if let Some(b) = &bearer {
                req = req.header(reqwest::header::AUTHORIZATION, b);
            }
            Ok(req)
        })
        .await
    }

    /// A GET to a URL built afresh for every attempt (OAuth 1.0a signs each with a new nonce),
    /// with the same retry policy as [`Client::call`].
    pub fn call_signed(&self, make_url: &dyn Fn() -> String) -> Result<Box<RawValue>, ApiError> {
        net::block_on(self.call_signed_async(make_url))
    }

    /// [`Client::call_signed`] for a task on the network runtime.
    pub async fn call_signed_async(&self, make_url: &dyn Fn() -> String) -> Result<Box<RawValue>, ApiError> {
        self.with_retries(|| Ok(self.http()?.get(make_url()))).await
    }

    async fn with_retries(
        &self,
        make: impl Fn() -> Result<reqwest::RequestBuilder, ApiError>,
    ) -> Result<Box<RawValue>, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = match make() {
                Ok(req) => self.send_once(req).await,
                Err(e) => Err(e),
            };
            let result = result.and_then(|bytes| Envelope::parse(&bytes)?.into_body());
            let err = match result {
                Ok(v) => return Ok(v),
                Err(ApiError::Stopped) => return Err(ApiError::Stopped),
                Err(e) => e,
            };
            let last = attempt >= self.retry.max_attempts;
            match &err {
                ApiError::Status { kind: StatusKind::RateLimited, wait_seconds, .. } => {
                    let wait = Duration::from_secs(wait_seconds.unwrap_or(10).max(1));
                    if last || wait > self.retry.max_rate_wait {
                        return Err(ApiError::RateLimited { retry_after: wait.as_secs() });
                    }
                    if !self.wait(Waiting::RateLimited(wait)).await {
                        return Err(ApiError::Stopped);
                    }
                }
                e if e.is_retryable() && !last => {
                    let after = self.retry.backoff(attempt - 1);
                    if !self.wait(Waiting::Retrying { after, reason: err.to_string() }).await {
                        return Err(ApiError::Stopped);
                    }
                }
                _ => return Err(err),
            }
        }
    }

    /// A plain GET whose answer is text (OAuth 1.0a's `/account/*` answers are form-encoded).
    pub fn get_text(&self, url: &str) -> Result<String, ApiError> {
        net::block_on(async {
            let attempt = async {
                let resp =
                    self.http()?.get(url).send().await.map_err(|e| ApiError::Network(net::describe(&e)))?;
                let status = resp.status().as_u16();
                let body = net::read_body(resp, 1 << 20)
                    .await
                    .map_err(|e| ApiError::Malformed(format!("the answer could not be read: {e}")))?;
                let body = String::from_utf8(body)
                    .map_err(|_| ApiError::Malformed("the answer is not text".into()))?;
                match status {
                    200 => Ok(body),
                    401 => Ok(body), // oauth_problem=… comes with 401; the caller reads it
                    _ => Err(ApiError::Http { status }),
                }
            };
            net::unless_cancelled(self.stop.as_ref(), attempt).await.unwrap_or(Err(ApiError::Stopped))
        })
    }
}
