//! Minimal request/response types over axum's, so handlers are plain functions.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, request};

/// A parsed request: query and form parameters merged the way Withings reads them.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Largest body the simulator reads; Withings answers bigger posts with an error too.
pub const MAX_BODY: usize = 1 << 20;

impl Req {
    /// The request as handlers see it: header names in lower case, the form body parsed when
    /// it is `application/x-www-form-urlencoded`.
    pub fn from_parts(parts: &request::Parts, body: Vec<u8>) -> Req {
        let headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .map(|(k, v)| {
                (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned())
            })
            .collect();
        let is_form = headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("application/x-www-form-urlencoded"));
        let form = if is_form { parse_pairs(&body) } else { Vec::new() };
        Req {
            method: parts.method.as_str().to_ascii_uppercase(),
            path: parts.uri.path().to_string(),
            query: parse_pairs(parts.uri.query().unwrap_or("").as_bytes()),
            form,
            headers,
            body,
        }
    }

    /// First value of `name`, from the query string or the form body.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().chain(self.form.iter()).find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every parameter except credentials, for the request log and the identical-request rule.
    pub fn public_params(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> =
            self.query.iter().chain(self.form.iter()).filter(|(k, _)| !is_credential(k)).cloned().collect();
        v.sort();
        v
    }
}

fn is_credential(k: &str) -> bool {
    k.starts_with("oauth_")
        || matches!(k, "access_token" | "client_secret" | "code" | "refresh_token" | "code_verifier")
}

pub fn parse_pairs(b: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(b).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A response before it is written out.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(v: &serde_json::Value) -> Resp {
        Resp {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(v).unwrap_or_default(),
        }
    }

    /// A Withings envelope: HTTP 200, application status in the body.
    pub fn withings(status: i64, body: serde_json::Value, error: Option<&str>) -> Resp {
        let mut v = serde_json::json!({ "status": status, "body": body });
        if let Some(e) = error {
            v["error"] = serde_json::Value::String(e.to_string());
        }
        Resp::json(&v)
    }

    /// The Withings status inside the body, or the HTTP status when there is none.
    pub fn app_status(&self) -> i64 {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["status"].as_i64())
            .unwrap_or(i64::from(self.status))
    }

    pub fn with_status(mut self, status: u16) -> Resp {
        self.status = status;
        self
    }

    pub fn html(status: u16, body: String) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.into_bytes(),
        }
    }

    pub fn text(status: u16, body: impl Into<String>) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: body.into().into_bytes(),
        }
    }

    pub fn redirect(location: &str) -> Resp {
        Resp { status: 302, headers: vec![("Location".into(), location.to_string())], body: Vec::new() }
    }

    /// The response as axum writes it; a header that is not valid HTTP is left out.
    pub fn into_response(self) -> axum::response::Response {
        let mut r = axum::response::Response::new(Body::from(self.body));
        *r.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (k, v) in self.headers {
            if let (Ok(k), Ok(v)) =
                (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_bytes(v.as_bytes()))
            {
                r.headers_mut().append(k, v);
            }
        }
        r
    }
}

/// HTML-escapes text placed in the simulator's pages.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
