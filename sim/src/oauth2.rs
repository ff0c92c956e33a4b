//! OAuth 2.0 as Withings serves it: `authorize2` in the browser, `/v2/oauth2` for tokens.

use base64::Engine;
use serde_json::json;
use sha2::Digest;

use crate::http::{Req, Resp, esc};
use crate::state::{AccessToken, AuthCode, RefreshToken};
use crate::{ClientApp, Shared};

const CODE_LIFETIME: i64 = 30;
const REFRESH_LIFETIME: i64 = 365 * 86_400;
const ROTATION_GRACE: i64 = 8 * 3600;

pub(crate) fn find_client<'a>(shared: &'a Shared, client_id: &str) -> Option<&'a ClientApp> {
    shared.config.clients.iter().find(|c| c.client_id == client_id)
}

/// Exact match of a registered URI, or (when the app allows it) the same URI on any loopback port.
pub(crate) fn redirect_allowed(client: &ClientApp, uri: &str) -> bool {
    if client.redirect_uris.iter().any(|r| r == uri) {
        return true;
    }
    if !client.any_loopback_port {
        return false;
    }
    let Ok(u) = url::Url::parse(uri) else { return false };
    let loopback = matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    loopback
        && u.scheme() == "http"
        && client
            .redirect_uris
            .iter()
            .any(|r| url::Url::parse(r).is_ok_and(|reg| reg.path() == u.path() && reg.scheme() == "http"))
}

fn error_page(msg: &str) -> Resp {
    Resp::html(
        400,
        format!(
            "<!doctype html><html><body><h1>Withings</h1><p class=\"error\">{}</p></body></html>",
            esc(msg)
        ),
    )
}

fn with_params(base: &str, params: &[(&str, &str)]) -> String {
    let mut u = match url::Url::parse(base) {
        Ok(u) => u,
        Err(_) => return base.to_string(),
    };
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

/// `GET /oauth2_user/authorize2`: validates the request, then consents or redirects.
pub fn authorize(shared: &Shared, req: &Req) -> Resp {
    let p = |k| req.param(k).unwrap_or("");
    let Some(client) = find_client(shared, p("client_id")) else {
        return error_page("Invalid client_id: this application is not registered.");
    };
    let redirect = p("redirect_uri");
    if !redirect_allowed(client, redirect) {
        return error_page(
            "The redirect_uri does not match the callback URL registered for this application.",
        );
    }
    let state = p("state");
    if state.is_empty() {
        return error_page("Missing state parameter.");
    }
    if p("response_type") != "code" {
        return Resp::redirect(&with_params(
            redirect,
            &[("error", "unsupported_response_type"), ("state", state)],
        ));
    }
    let scopes: Vec<&str> = p("scope").split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let known = ["user.info", "user.metrics", "user.activity", "user.sleepevents"];
    if scopes.is_empty() || scopes.iter().any(|s| !known.contains(s)) {
        return Resp::redirect(&with_params(redirect, &[("error", "invalid_scope"), ("state", state)]));
    }
    let st = shared.state();
    let Some(default_user) = st.login_userid() else {
        return error_page("No user to log in.");
    };
    if shared.config.auto_approve {
        drop(st);
        return approve(shared, req, default_user);
    }
    let users: String = st
        .users
        .iter()
        .map(|u| {
            let sel = if u.userid == default_user { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", u.userid, esc(&u.name))
        })
        .collect();
    let hidden: String =
        ["client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method"]
            .iter()
            .map(|k| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(p(k))))
            .collect();
    Resp::html(
        200,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Withings – Authorize</title></head>\
             <body style=\"font-family:sans-serif;max-width:30em;margin:3em auto\">\
             <h1>Withings (simulator)</h1><p>The application <b>{app}</b> asks to read your \
             measurements (<code>{scope}</code>).</p>\
             <form method=\"post\" action=\"/oauth2_user/decision\">{hidden}\
             <label>Signed in as <select name=\"userid\">{users}</select></label><p>\
             <button id=\"allow\" name=\"decision\" value=\"allow\">Allow this app</button> \
             <button id=\"deny\" name=\"decision\" value=\"deny\">Deny</button></p></form></body></html>",
            app = esc(&client.client_id),
            scope = esc(p("scope")),
        ),
    )
}

/// `POST /oauth2_user/decision`: the consent page's buttons.
pub fn decision(shared: &Shared, req: &Req) -> Resp {
    let p = |k| req.param(k).unwrap_or("");
    let Some(client) = find_client(shared, p("client_id")) else {
        return error_page("Invalid client_id.");
    };
    if !redirect_allowed(client, p("redirect_uri")) {
        return error_page("Invalid redirect_uri.");
    }
    if p("decision") != "allow" {
        return Resp::redirect(&with_params(
            p("redirect_uri"),
            &[("error", "access_denied"), ("state", p("state"))],
        ));
    }
    let Ok(userid) = p("userid").parse::<i64>() else {
        return error_page("Unknown user.");
    };
    if shared.state().user(userid).is_err() {
        return error_page("Unknown user.");
    }
    approve(shared, req, userid)
}

fn approve(shared: &Shared, req: &Req, userid: i64) -> Resp {
    let p = |k| req.param(k).unwrap_or("");
    let now = shared.now();
    let mut st = shared.state();
    let code = st.token();
    st.saw_secret(&code);
    st.saw_secret(p("state"));
    let challenge = match (p("code_challenge"), p("code_challenge_method")) {
        ("", _) => None,
        (c, "S256") => Some(c.to_string()),
        _ => {
            return Resp::redirect(&with_params(
                p("redirect_uri"),
                &[("error", "invalid_request"), ("state", p("state"))],
            ));
        }
    };
    st.codes.insert(
        code.clone(),
        AuthCode {
            client_id: p("client_id").to_string(),
            userid,
            redirect_uri: p("redirect_uri").to_string(),
            scope: p("scope").to_string(),
            expires_at: now + CODE_LIFETIME,
            code_challenge: challenge,
        },
    );
    Resp::redirect(&with_params(p("redirect_uri"), &[("code", &code), ("state", p("state"))]))
}

/// How Withings refuses a token request, whatever is wrong: status 503 and a text naming the
/// parameter at fault, without a body.
fn invalid(msg: &str) -> Resp {
    Resp::json(&json!({ "status": 503, "error": format!("Invalid Params: {msg}") }))
}

/// Withings' words for a wrong client id or secret (it does not say which).
const BAD_CLIENT: &str = "invalid client id/secret";
/// For a refresh token that is unknown, expired, retired by rotation or revoked.
const DEAD_REFRESH_TOKEN: &str = "invalid refresh_token";

/// `POST /v2/oauth2 action=requesttoken`: both grants, answers wrapped in the envelope.
pub fn token(shared: &Shared, req: &Req) -> Resp {
    let resp = token_inner(shared, req);
    let status = resp.app_status();
    let mut st = shared.state();
    for k in ["code", "code_verifier", "client_secret", "refresh_token"] {
        st.saw_secret(req.param(k).unwrap_or(""));
    }
    st.stats.token_requests += 1;
    st.record(&req.path, req.param("action"), req.public_params(), status);
    resp
}

fn token_inner(shared: &Shared, req: &Req) -> Resp {
    let p = |k| req.param(k).unwrap_or("");
    if p("action") != "requesttoken" {
        return invalid("action");
    }
    let Some(client) = find_client(shared, p("client_id")) else {
        return invalid(BAD_CLIENT);
    };
    if client.client_secret != p("client_secret") {
        return invalid(BAD_CLIENT);
    }
    let now = shared.now();
    let mut st = shared.state();
    match p("grant_type") {
        "authorization_code" => {
            // Single use: the code is consumed even when the exchange then fails.
            let Some(code) = st.codes.remove(p("code")) else {
                return invalid("invalid code");
            };
            if code.expires_at <= now {
                return invalid("code expired");
            }
            if code.client_id != client.client_id || code.redirect_uri != p("redirect_uri") {
                return invalid("redirect_uri mismatch");
            }
            if let Some(challenge) = &code.code_challenge {
                let digest = sha2::Sha256::digest(p("code_verifier").as_bytes());
                let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
                if &computed != challenge {
                    return invalid("code_verifier");
                }
            }
            let (access, refresh) = issue(shared, &mut st, &code.client_id, code.userid, &code.scope, now);
            token_answer(shared, code.userid, &access, &refresh, &code.scope)
        }
        "refresh_token" => {
            let rt = p("refresh_token").to_string();
            let Some(old) = st.refresh.get(&rt).cloned() else {
                return invalid(DEAD_REFRESH_TOKEN);
            };
            if old.expires_at <= now
                || old.dies_at.is_some_and(|d| d <= now)
                || old.client_id != client.client_id
            {
                st.refresh.remove(&rt);
                return invalid(DEAD_REFRESH_TOKEN);
            }
            let (access, refresh) = issue(shared, &mut st, &old.client_id, old.userid, &old.scope, now);
            if let Some(r) = st.refresh.get_mut(&rt) {
                r.successors.push(access.clone());
                r.dies_at.get_or_insert(now + ROTATION_GRACE);
            }
            token_answer(shared, old.userid, &access, &refresh, &old.scope)
        }
        _ => invalid("grant_type"),
    }
}

fn issue(
    shared: &Shared,
    st: &mut crate::state::State,
    client_id: &str,
    userid: i64,
    scope: &str,
    now: i64,
) -> (String, String) {
    let access = st.token();
    let refresh = st.token();
    st.saw_secret(&access);
    st.saw_secret(&refresh);
    st.access.insert(
        access.clone(),
        AccessToken {
            client_id: client_id.to_string(),
            userid,
            scope: scope.to_string(),
            expires_at: now + shared.config.access_token_lifetime,
            used: false,
        },
    );
    st.refresh.insert(
        refresh.clone(),
        RefreshToken {
            client_id: client_id.to_string(),
            userid,
            scope: scope.to_string(),
            expires_at: now + REFRESH_LIFETIME,
            paired_access: access.clone(),
            successors: Vec::new(),
            dies_at: None,
        },
    );
    (access, refresh)
}

fn token_answer(shared: &Shared, userid: i64, access: &str, refresh: &str, scope: &str) -> Resp {
    // Withings sends userid as a string here (and as a number elsewhere).
    Resp::withings(
        0,
        json!({
            "userid": userid.to_string(),
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": shared.config.access_token_lifetime,
            "scope": scope,
            "csrf_token": "",
            "token_type": "Bearer",
        }),
        None,
    )
}
