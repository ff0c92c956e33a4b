//! The retired Withings OAuth 1.0a flow, verified independently of any client library:
//! the signature base string is rebuilt here from RFC 5849 §3.4 and compared in constant time.

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

use crate::Shared;
use crate::http::{Req, Resp, esc};
use crate::oauth2::{find_client, redirect_allowed};
use crate::state::{Caller, Oauth1Access, Oauth1Request};

/// RFC 5849 §3.6: everything but unreserved characters is percent-encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// How far a request's timestamp may be from the server clock.
const CLOCK_SKEW: i64 = 300;

fn enc(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// All OAuth and request parameters of a request (RFC 5849 §3.4.1.3.1).
fn all_params(req: &Req) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = req.query.iter().chain(req.form.iter()).cloned().collect();
    if let Some(h) = req.header("authorization").and_then(|h| h.strip_prefix("OAuth ")) {
        for part in h.split(',') {
            if let Some((k, val)) = part.trim().split_once('=') {
                let k = percent_encoding::percent_decode_str(k.trim()).decode_utf8_lossy().into_owned();
                let val = val.trim().trim_matches('"');
                let val = percent_encoding::percent_decode_str(val).decode_utf8_lossy().into_owned();
                if k != "realm" {
                    v.push((k, val));
                }
            }
        }
    }
    v
}

fn param<'a>(all: &'a [(String, String)], k: &str) -> &'a str {
    all.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// The signature the client should have sent, computed from the request as received.
fn expected_signature(
    req: &Req,
    all: &[(String, String)],
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let host = req.header("host").unwrap_or("127.0.0.1").to_ascii_lowercase();
    let base_uri = format!("http://{host}{}", req.path);
    let mut pairs: Vec<(String, String)> =
        all.iter().filter(|(k, _)| k != "oauth_signature").map(|(k, v)| (enc(k), enc(v))).collect();
    pairs.sort();
    let normalized = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let base = format!("{}&{}&{}", req.method, enc(&base_uri), enc(&normalized));
    let key = format!("{}&{}", enc(consumer_secret), enc(token_secret));
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()) else { return String::new() };
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

enum Check {
    Ok { consumer_key: String },
    BadSignature(&'static str),
}

/// Verifies consumer, timestamp, nonce and signature with the given token secret.
fn check(shared: &Shared, req: &Req, all: &[(String, String)], token_secret: &str) -> Check {
    let key = param(all, "oauth_consumer_key");
    let Some(client) = find_client(shared, key) else { return Check::BadSignature("consumer_key_unknown") };
    if param(all, "oauth_signature_method") != "HMAC-SHA1" {
        return Check::BadSignature("signature_method_rejected");
    }
    let now = shared.now();
    let Ok(ts) = param(all, "oauth_timestamp").parse::<i64>() else {
        return Check::BadSignature("parameter_absent");
    };
    if (ts - now).abs() > CLOCK_SKEW {
        return Check::BadSignature("timestamp_refused");
    }
    let expected = expected_signature(req, all, &client.client_secret, token_secret);
    if !constant_time_eq(&expected, param(all, "oauth_signature")) {
        return Check::BadSignature("signature_invalid");
    }
    let nonce = (key.to_string(), param(all, "oauth_nonce").to_string(), ts.to_string());
    if !shared.state().nonces.insert(nonce) {
        return Check::BadSignature("nonce_used");
    }
    Check::Ok { consumer_key: key.to_string() }
}

fn problem(p: &str) -> Resp {
    Resp::text(401, format!("oauth_problem={p}"))
}

fn form(pairs: &[(&str, &str)]) -> Resp {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    Resp::text(200, body)
}

/// `/account/request_token`: temporary credentials for a registered callback.
pub fn request_token(shared: &Shared, req: &Req) -> Resp {
    let all = all_params(req);
    let Check::Ok { consumer_key } = (match check(shared, req, &all, "") {
        Check::BadSignature(p) => return problem(p),
        ok => ok,
    }) else {
        return problem("signature_invalid");
    };
    let callback = param(&all, "oauth_callback").to_string();
    let allowed = find_client(shared, &consumer_key).is_some_and(|c| redirect_allowed(c, &callback));
    if !allowed {
        return problem("parameter_rejected");
    }
    let mut st = shared.state();
    let token = st.token();
    let secret = st.token();
    st.o1_requests.insert(
        token.clone(),
        Oauth1Request { consumer_key, secret: secret.clone(), callback, verifier: None, userid: None },
    );
    form(&[("oauth_token", &token), ("oauth_token_secret", &secret), ("oauth_callback_confirmed", "true")])
}

/// `/account/authorize`: the user's consent in the browser.
pub fn authorize(shared: &Shared, req: &Req) -> Resp {
    let token = req.param("oauth_token").unwrap_or("").to_string();
    let st = shared.state();
    if !st.o1_requests.contains_key(&token) {
        return Resp::html(
            400,
            "<html><body><p class=\"error\">Invalid or expired oauth_token.</p></body></html>".into(),
        );
    }
    let Some(user) = st.login_userid() else {
        return Resp::html(400, "<html><body>No user.</body></html>".into());
    };
    drop(st);
    if shared.config.auto_approve {
        return approve(shared, &token, user);
    }
    Resp::html(
        200,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Withings – Authorize</title></head>\
             <body style=\"font-family:sans-serif;max-width:30em;margin:3em auto\"><h1>Withings (simulator)</h1>\
             <p>Allow this application to read your measurements?</p>\
             <form method=\"post\" action=\"/account/decision\">\
             <input type=\"hidden\" name=\"oauth_token\" value=\"{}\"><input type=\"hidden\" name=\"userid\" value=\"{user}\">\
             <button id=\"allow\" name=\"decision\" value=\"allow\">Allow</button> \
             <button id=\"deny\" name=\"decision\" value=\"deny\">Deny</button></form></body></html>",
            esc(&token)
        ),
    )
}

/// `POST /account/decision`.
pub fn decision(shared: &Shared, req: &Req) -> Resp {
    let token = req.param("oauth_token").unwrap_or("").to_string();
    let userid = req.param("userid").and_then(|u| u.parse().ok());
    match (req.param("decision"), userid) {
        (Some("allow"), Some(u)) => approve(shared, &token, u),
        _ => {
            let mut st = shared.state();
            match st.o1_requests.remove(&token) {
                Some(r) => Resp::redirect(&add_query(
                    &r.callback,
                    &[("oauth_token", &token), ("oauth_problem", "user_refused")],
                )),
                None => Resp::html(400, "<html><body>Invalid oauth_token.</body></html>".into()),
            }
        }
    }
}

fn add_query(base: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(base) {
        Ok(mut u) => {
            u.query_pairs_mut().extend_pairs(params);
            u.to_string()
        }
        Err(_) => base.to_string(),
    }
}

fn approve(shared: &Shared, token: &str, userid: i64) -> Resp {
    let mut st = shared.state();
    let verifier = st.token();
    let Some(r) = st.o1_requests.get_mut(token) else {
        return Resp::html(400, "<html><body>Invalid oauth_token.</body></html>".into());
    };
    r.verifier = Some(verifier.clone());
    r.userid = Some(userid);
    let cb = r.callback.clone();
    Resp::redirect(&add_query(
        &cb,
        &[("oauth_token", token), ("oauth_verifier", &verifier), ("userid", &userid.to_string())],
    ))
}

/// `/account/access_token`: exchanges an authorized request token (signed with its secret).
pub fn access_token(shared: &Shared, req: &Req) -> Resp {
    let all = all_params(req);
    let token = param(&all, "oauth_token").to_string();
    let Some(pending) = shared.state().o1_requests.get(&token).cloned() else {
        return problem("token_rejected");
    };
    match check(shared, req, &all, &pending.secret) {
        Check::BadSignature(p) => return problem(p),
        Check::Ok { consumer_key } if consumer_key != pending.consumer_key => {
            return problem("token_rejected");
        }
        Check::Ok { .. } => {}
    }
    let (Some(verifier), Some(userid)) = (pending.verifier.as_deref(), pending.userid) else {
        return problem("permission_unknown");
    };
    if !constant_time_eq(verifier, param(&all, "oauth_verifier")) {
        return problem("verifier_invalid");
    }
    let mut st = shared.state();
    st.o1_requests.remove(&token); // single use
    let access = st.token();
    let secret = st.token();
    st.o1_access.insert(
        access.clone(),
        Oauth1Access { consumer_key: pending.consumer_key, secret: secret.clone(), userid },
    );
    form(&[
        ("oauth_token", &access),
        ("oauth_token_secret", &secret),
        ("userid", &userid.to_string()),
        ("deviceid", "0"),
    ])
}

/// A signed API call: Withings' status 342 (bad signature), 283 (bad token), 250 (wrong user).
pub(crate) fn verify_api_call(shared: &Shared, req: &Req) -> Result<Caller, Resp> {
    let all = all_params(req);
    let token = param(&all, "oauth_token").to_string();
    let Some(access) = shared.state().o1_access.get(&token).cloned() else {
        return Err(Resp::withings(283, json!({}), Some("Token is invalid or doesn't exist")));
    };
    match check(shared, req, &all, &access.secret) {
        Check::BadSignature(_) => {
            return Err(Resp::withings(342, json!({}), Some("The signature (using Oauth) is invalid")));
        }
        Check::Ok { consumer_key } if consumer_key != access.consumer_key => {
            return Err(Resp::withings(283, json!({}), Some("Token is invalid or doesn't exist")));
        }
        Check::Ok { .. } => {}
    }
    if param(&all, "userid") != access.userid.to_string() {
        return Err(Resp::withings(
            250,
            json!({}),
            Some("The provided userid and/or Oauth credentials do not match"),
        ));
    }
    Ok(Caller {
        userid: access.userid,
        app: access.consumer_key,
        scopes: "user.info,user.metrics,user.activity".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, host: &str, path: &str, query: &[(&str, &str)]) -> Req {
        Req {
            method: method.into(),
            path: path.into(),
            query: query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            form: Vec::new(),
            headers: vec![("host".into(), host.into())],
            body: Vec::new(),
        }
    }

    #[test]
    fn verifier_reproduces_rfc5849_section_1_2() {
        let r = req(
            "GET",
            "photos.example.net",
            "/photos",
            &[
                ("file", "vacation.jpg"),
                ("size", "original"),
                ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
                ("oauth_token", "nnch734d00sl2jdk"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "137131202"),
                ("oauth_nonce", "chapoH"),
            ],
        );
        let all = all_params(&r);
        assert_eq!(
            expected_signature(&r, &all, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
    }

    #[test]
    fn verifier_reproduces_oauth_core_1_0a_appendix_a5() {
        let r = req(
            "GET",
            "photos.example.net",
            "/photos",
            &[
                ("file", "vacation.jpg"),
                ("size", "original"),
                ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
                ("oauth_token", "nnch734d00sl2jdk"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "1191242096"),
                ("oauth_nonce", "kllo9940pd9333jh"),
                ("oauth_version", "1.0"),
            ],
        );
        let all = all_params(&r);
        assert_eq!(
            expected_signature(&r, &all, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
        );
    }

    #[test]
    fn authorization_header_parameters_are_read_and_realm_ignored() {
        let mut r =
            req("GET", "photos.example.net", "/photos", &[("file", "vacation.jpg"), ("size", "original")]);
        r.headers.push((
            "authorization".into(),
            "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_token=\"nnch734d00sl2jdk\", \
             oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131202\", oauth_nonce=\"chapoH\", \
             oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\""
                .into(),
        ));
        let all = all_params(&r);
        assert_eq!(param(&all, "oauth_signature"), "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
        assert!(all.iter().all(|(k, _)| k != "realm"));
        assert_eq!(
            expected_signature(&r, &all, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
    }
}
