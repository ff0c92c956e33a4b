//! Any bytes as a request to the loopback listener, and as a deep-link URL: only a callback
//! carrying exactly the expected state is ever accepted.
#![no_main]
use heft::auth::State;
use heft::auth::callback::{OAUTH2_CALLBACK, callback_query, verify_callback_url};
use libfuzzer_sys::fuzz_target;

const STATE: &str = "8mT3kq0vQ9xYb2LrWc5ZfA";

fuzz_target!(|data: &[u8]| {
    let expected = State::from_secret(STATE.to_string());
    let text = String::from_utf8_lossy(data);
    if let Some(query) = callback_query(&text, "/callback") {
        let url = format!("http://127.0.0.1:8765/callback?{query}");
        check(&url, &expected);
    }
    check(&text, &expected);
});

fn check(url: &str, expected: &State) {
    if let Ok(verified) = verify_callback_url(url, expected, OAUTH2_CALLBACK) {
        let query = url::Url::parse(url).ok().and_then(|u| u.query().map(str::to_string)).unwrap_or_default();
        let state_ok = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "state")
            .is_some_and(|(_, v)| v == STATE);
        assert!(state_ok, "accepted a callback without the expected state: {url:?}");
        assert!(verified.params.iter().all(|(k, _)| k != "code" && k != "state"));
    }
}
