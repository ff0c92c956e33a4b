//! The core's network runtime. Every HTTP request, every wait before a retry and the
//! callback listener run as tokio tasks here; the code around them that must block (SQLite,
//! the keychain, the CLI, the desktop shell's blocking commands) waits with [`block_on`] from
//! its own thread. One [`CancellationToken`] per long operation stops the request in flight,
//! a backoff or rate-limit wait and the callback wait at once: the future is dropped, so the
//! connection closes instead of running on to its timeout.
//!
//! Why a runtime of the core's own rather than the caller's: the CLI, the tests and the
//! desktop shell's blocking pool all call the same functions, and none of them has to know
//! that a runtime exists. Two worker threads are plenty for one person's requests.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};
pub use tokio_util::sync::CancellationToken;

/// The runtime the core's network tasks run on, started on first use.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("heft-net")
            .enable_all()
            .build()
            // Only an exhausted process (no threads, no file descriptors) gets here.
            .unwrap_or_else(|e| panic!("heft cannot start its network runtime: {e}"))
    })
}

/// Runs `fut` on the network runtime and waits for it on this thread. Call it from blocking
/// code only (a `spawn_blocking` thread, the CLI, a test): never from inside an async task.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    runtime().handle().block_on(fut)
}

/// `fut`'s output, or `None` once `cancel` fires (then `fut` is dropped where it stands).
pub async fn unless_cancelled<F: Future>(cancel: Option<&CancellationToken>, fut: F) -> Option<F::Output> {
    match cancel {
        Some(c) => c.run_until_cancelled(fut).await,
        None => Some(fut.await),
    }
}

/// Sleeps for `d`; false if `cancel` fired first.
pub async fn sleep(d: Duration, cancel: Option<&CancellationToken>) -> bool {
    unless_cancelled(cancel, tokio::time::sleep(d)).await.is_some()
}

/// An HTTP client with Heft's user agent and timeouts (see [`http_builder`]).
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    http_builder(timeout).build().map_err(|e| format!("cannot set up HTTPS: {e}"))
}

/// A builder for an HTTP client with Heft's user agent and timeouts, and TLS from rustls on
/// *ring* (which also builds for Windows with MinGW, where aws-lc does not without more tools).
pub fn http_builder(timeout: Duration) -> reqwest::ClientBuilder {
    static PROVIDER: OnceLock<()> = OnceLock::new();
    PROVIDER.get_or_init(|| {
        // Fails only when a provider is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(15)))
        .user_agent(concat!("heft/", env!("CARGO_PKG_VERSION")))
}

/// A sentence about a failed request a person can act on; never the URL (it may carry an
/// OAuth 1.0a signature or a token).
pub fn describe(e: &reqwest::Error) -> String {
    let mut chain = String::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        chain.push_str(&s.to_string().to_ascii_lowercase());
        chain.push(' ');
        src = s.source();
    }
    if e.is_timeout() {
        "the request timed out".into()
    } else if chain.contains("dns") || chain.contains("lookup") {
        "the Withings server name could not be resolved (are you offline?)".into()
    } else if e.is_connect() {
        "could not connect to Withings (are you offline?)".into()
    } else if e.is_body() || e.is_decode() {
        "the connection broke while the answer was arriving".into()
    } else {
        "network error: the request failed".into()
    }
}

/// Reads an answer's body, at most `limit` bytes (a longer one is an error, not a truncation).
pub async fn read_body(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLong(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| BodyError::Broken(describe(&e)))? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLong(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the answer is longer than {0} bytes")]
    TooLong(usize),
    #[error("{0}")]
    Broken(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_sleep_ends_at_once() {
        let cancel = CancellationToken::new();
        let c = cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            c.cancel();
        });
        assert!(!block_on(sleep(Duration::from_secs(30), Some(&cancel))), "the sleep was not cancelled");
        t.join().unwrap();
        assert!(block_on(sleep(Duration::from_millis(1), None)));
    }
}
