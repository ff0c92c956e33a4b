//! Minimal request/response types over `tiny_http`, so handlers are plain functions.

use std::io::Read;

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
const MAX_BODY: u64 = 1 << 20;

impl Req {
    pub fn from_tiny(rq: &mut tiny_http::Request) -> Req {
        let url = rq.url().to_string();
        let (path, qs) = url.split_once('?').unwrap_or((url.as_str(), ""));
        let headers: Vec<(String, String)> = rq
            .headers()
            .iter()
            .map(|h| (h.field.as_str().as_str().to_ascii_lowercase(), h.value.as_str().to_string()))
            .collect();
        let mut body = Vec::new();
        let _ = rq.as_reader().take(MAX_BODY).read_to_end(&mut body);
        let is_form = headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("application/x-www-form-urlencoded"));
        let form = if is_form { parse_pairs(&body) } else { Vec::new() };
        Req {
            method: rq.method().as_str().to_ascii_uppercase(),
            path: path.to_string(),
            query: parse_pairs(qs.as_bytes()),
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

    pub fn into_tiny(self) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
        let mut r = tiny_http::Response::from_data(self.body).with_status_code(self.status);
        for (k, v) in self.headers {
            if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                r.add_header(h);
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
