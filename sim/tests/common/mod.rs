//! What the simulator's tests share: the consent page's address as a client asks for it.
#![allow(dead_code)]

use withings_sim::{DEMO_CLIENT_ID, Sim};

/// The redirect URI the tests register (any loopback port is accepted).
pub const REDIRECT: &str = "http://localhost:8765/callback";

/// The OAuth 2.0 consent page for the demo client, as Heft opens it.
pub fn authorize_url(s: &Sim, redirect: &str, state: &str) -> String {
    let mut u = url::Url::parse(&format!("{}/oauth2_user/authorize2", s.url())).expect("the simulator's URL");
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", DEMO_CLIENT_ID)
        .append_pair("scope", "user.metrics")
        .append_pair("redirect_uri", redirect)
        .append_pair("state", state);
    u.to_string()
}
