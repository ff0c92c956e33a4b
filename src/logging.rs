//! One logging setup for both binaries: `HEFT_LOG` (an `EnvFilter`, default `warn`) to stderr.
//! Secrets never reach it: they are redacted types with no `Display`.

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HEFT_LOG").unwrap_or_else(|_| "warn".into());
    // A second call (tests, a re-entered main) keeps the first subscriber.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
