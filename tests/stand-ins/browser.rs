//! `heft-test-browser URL`: the system browser and the person in front of it, for tests. Heft
//! runs it as `HEFT_BROWSER` with the consent page's URL. A Rust program rather than a script so
//! the same stand-in runs on Linux, macOS and Windows (under Wine too).
//!
//! What it does is chosen by the environment it inherits from Heft:
//! - `HEFT_TEST_FORGE` set: a hostile browser that sends Heft's listener a callback a real
//!   provider would never send (see [`forge`]);
//! - else `HEFT_TEST_BROWSER`: `follow` (the default; follows the provider's redirects to the
//!   callback, as after an approval in the simulator's auto-approve mode), `approve` (opens the
//!   consent page, clicks Allow and follows the redirect), `hold` (opens the page and never comes
//!   back: the person walked away), `scheme` (Linux: the callback goes through the OS to Heft's
//!   `heft:` URL handler, after a forged `heft:` link).

use std::process::ExitCode;
use std::time::Duration;

use reqwest::{Client, redirect::Policy};
use url::Url;

type Failure = String;

fn main() -> ExitCode {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: heft-test-browser URL");
        return ExitCode::from(2);
    };
    // reqwest is built without a default TLS provider (Heft chooses ring); the consent pages
    // here are plain HTTP on loopback, but a client needs one all the same.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("heft-test-browser: {e}");
            return ExitCode::FAILURE;
        }
    };
    let var = |k: &str| std::env::var(k).ok();
    let result = runtime.block_on(async {
        if let Some(mode) = var("HEFT_TEST_FORGE") {
            return forge(&url, &mode).await;
        }
        match var("HEFT_TEST_BROWSER").as_deref().unwrap_or("follow") {
            "follow" => get(&client(Policy::limited(10))?, &url).await.map(drop),
            "approve" => {
                let location = allow(&url).await?;
                get(&client(Policy::limited(10))?, &location).await.map(drop)
            }
            "hold" => Ok(()),
            "scheme" => scheme(&url).await,
            other => Err(format!("unknown HEFT_TEST_BROWSER mode {other:?}")),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("heft-test-browser: {e}");
            ExitCode::FAILURE
        }
    }
}

fn client(redirects: Policy) -> Result<Client, Failure> {
    Client::builder().redirect(redirects).timeout(Duration::from_secs(20)).build().map_err(|e| e.to_string())
}

/// GETs `url` with `client`'s redirect policy.
async fn get(client: &Client, url: &str) -> Result<reqwest::Response, Failure> {
    client.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))
}

fn location(response: &reqwest::Response) -> Result<String, Failure> {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| format!("{} did not redirect (status {})", response.url(), response.status()))
}

/// The person at the simulator's consent page: opens it, clicks Allow (posts its form with
/// `decision=allow`, the selected user kept) and returns where it redirects to.
async fn allow(page_url: &str) -> Result<String, Failure> {
    let page = get(&client(Policy::none())?, page_url).await?.text().await.map_err(|e| e.to_string())?;
    let form = page.find("<form").map(|i| &page[i..]).ok_or("the consent page has no form")?;
    let action = attribute(form, "action").ok_or("the consent form has no action")?;
    let mut fields: Vec<(String, String)> = Vec::new();
    for input in form.split("<input").skip(1) {
        if attribute(input, "type").as_deref() == Some("hidden")
            && let (Some(name), Some(value)) = (attribute(input, "name"), attribute(input, "value"))
        {
            fields.push((name, value));
        }
    }
    if let Some(selected) =
        form.split("<option").skip(1).find(|o| o.split('>').next().is_some_and(|t| t.contains(" selected")))
        && let Some(user) = attribute(selected, "value")
    {
        fields.retain(|(n, _)| n != "userid");
        fields.push(("userid".into(), user));
    }
    fields.push(("decision".into(), "allow".into()));
    let target = Url::parse(page_url).and_then(|u| u.join(&action)).map_err(|e| e.to_string())?;
    let response = client(Policy::none())?
        .post(target)
        .form(&fields)
        .send()
        .await
        .map_err(|e| format!("posting the consent form: {e}"))?;
    location(&response)
}

/// The value of `name="…"` in the first tag of `html`, entities decoded.
fn attribute(html: &str, name: &str) -> Option<String> {
    let tag = &html[..html.find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// Sends Heft's listener a callback chosen by `mode`, built from the provider's real redirect
/// (asked for without following it):
/// - OAuth 2.0: `wrong-state` (its state replaced), `no-state`, `deny` (error=access_denied with
///   the right state: the person clicked Deny), `replay` (an earlier callback's query from
///   `HEFT_TEST_REPLAY`), `record` (follow normally, saving the callback's query to
///   `HEFT_TEST_RECORD`);
/// - OAuth 1.0a: `wrong-token` (another oauth_token), `no-verifier`, `refused`
///   (oauth_problem=user_refused with the right token).
async fn forge(url: &str, mode: &str) -> Result<(), Failure> {
    let provider = location(&get(&client(Policy::none())?, url).await?)?;
    let callback = Url::parse(&provider).map_err(|e| format!("the provider's redirect {provider:?}: {e}"))?;
    let mut params: Vec<(String, String)> = callback.query_pairs().into_owned().collect();
    let mut base = callback.clone();
    base.set_query(None);
    let state = || params_get(&params, "state");
    let set = |params: &mut Vec<(String, String)>, k: &str, v: String| {
        params.retain(|(n, _)| n != k);
        params.push((k.into(), v));
    };
    let query = match mode {
        "wrong-state" => {
            let forged = format!("forged-{}", state()?.chars().take(8).collect::<String>());
            set(&mut params, "state", forged);
            encode(&params)
        }
        "no-state" => {
            params.retain(|(n, _)| n != "state");
            encode(&params)
        }
        "deny" => encode(&[("error".into(), "access_denied".into()), ("state".into(), state()?)]),
        "replay" => std::env::var("HEFT_TEST_REPLAY").map_err(|_| "replay needs HEFT_TEST_REPLAY")?,
        "record" => {
            let file = std::env::var("HEFT_TEST_RECORD").map_err(|_| "record needs HEFT_TEST_RECORD")?;
            std::fs::write(&file, callback.query().unwrap_or("")).map_err(|e| format!("{file}: {e}"))?;
            callback.query().unwrap_or("").to_string()
        }
        "wrong-token" => {
            let token = params_get(&params, "oauth_token")?;
            set(&mut params, "oauth_token", format!("forged{}", token.chars().skip(6).collect::<String>()));
            encode(&params)
        }
        "no-verifier" => {
            params.retain(|(n, _)| n != "oauth_verifier");
            encode(&params)
        }
        "refused" => encode(&[
            ("oauth_token".into(), params_get(&params, "oauth_token")?),
            ("oauth_problem".into(), "user_refused".into()),
        ]),
        other => return Err(format!("unknown HEFT_TEST_FORGE mode {other:?}")),
    };
    // Heft answers a forged callback with an error page or closes the connection: either way
    // the browser's part is done.
    let _ = get(&client(Policy::none())?, &format!("{base}?{query}")).await;
    Ok(())
}

fn params_get(params: &[(String, String)], key: &str) -> Result<String, Failure> {
    params.iter().find(|(n, _)| n == key).map(|(_, v)| v.clone()).ok_or(format!("the callback has no {key}"))
}

fn encode(params: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish()
}

/// The callback through the OS: a forged `heft:` link first (wrong state), then the person
/// clicks Allow and the browser hands the `heft://callback?…` redirect to `xdg-open`, which
/// starts Heft's registered handler (the running window receives it: single instance).
async fn scheme(url: &str) -> Result<(), Failure> {
    let open = |link: &str| -> Result<(), Failure> {
        let status = std::process::Command::new("xdg-open")
            .arg(link)
            .status()
            .map_err(|e| format!("xdg-open: {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("xdg-open {link}: {status}")) }
    };
    open("heft://callback?code=forged&state=not-this-authorization")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let location = allow(url).await?;
    if !location.starts_with("heft:") {
        return Err(format!("expected a heft: redirect, got {location}"));
    }
    open(&location)
}
