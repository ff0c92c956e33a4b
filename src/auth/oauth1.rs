//! The original Withings flow, OAuth 1.0a three-legged (RFC 5849), signed with `oauth1-request`:
//! temporary credentials → the user authorizes in the browser → the callback brings
//! `oauth_token`, `oauth_verifier` and `userid` → token credentials. API calls carry the OAuth
//! parameters in the query string, as Withings required.
//!
//! The pending request token plays the part of OAuth 2.0's `state`: a callback is accepted only
//! if its `oauth_token` matches it (compared in constant time), and only once.

use std::num::NonZeroU64;

use super::callback::CallbackShape;
use super::flow::{Authorized, ConnectOptions, Endpoint, Flow};
use super::session::{Answer, ApiSession, SessionError};
use super::tokens::{Credentials, SessionContext, TokenPair};
use super::{AuthError, CallbackListener, ConnectError, State, browser};
use crate::redact::{ClientSecret, TokenSecret};
use crate::withings::{ApiError, Client, StatusKind};

/// The callback of OAuth 1.0a: the request token is the state, the verifier the code.
pub const OAUTH1_CALLBACK: CallbackShape = CallbackShape {
    state_param: "oauth_token",
    code_param: "oauth_verifier",
    error_params: &["oauth_problem"],
};

/// Who signs: the consumer, and the token once there is one.
pub struct Signer<'a> {
    pub consumer_key: &'a str,
    pub consumer_secret: &'a ClientSecret,
    pub token: Option<&'a TokenPair>,
}

/// Fixed values for reproducible signatures (tests); real calls leave them `None`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Extras<'a> {
    pub callback: Option<&'a str>,
    pub verifier: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub timestamp: Option<u64>,
    pub version: bool,
}

/// The full URL of a signed request: `url` (no query) with the request's parameters and the
/// `oauth_*` parameters, signed with HMAC-SHA1.
pub fn signed_url(
    method: &str,
    url: &str,
    params: &[(String, String)],
    signer: &Signer<'_>,
    extras: Extras<'_>,
) -> String {
    let client = oauth1_request::Credentials::new(signer.consumer_key, signer.consumer_secret.expose());
    let mut b = oauth1_request::Builder::new(client, oauth1_request::HmacSha1::new());
    if let Some(t) = signer.token {
        b.token(oauth1_request::Credentials::new(t.token.as_str(), t.secret.expose()));
    }
    b.callback(extras.callback)
        .verifier(extras.verifier)
        .nonce(extras.nonce)
        .timestamp(extras.timestamp.and_then(NonZeroU64::new))
        .version(extras.version);
    let signed = b.to_query(method, url.to_string(), &EncodedParams::new(params));
    // `to_query` writes only the protocol parameters; the request's own (signed) parameters
    // are appended here.
    let mut out = signed;
    for (k, v) in params {
        out.push('&');
        out.push_str(&enc(k));
        out.push('=');
        out.push_str(&enc(v));
    }
    out
}

/// The request's own parameters, in the order RFC 5849 §3.4.1.3.2 signs them: sorted by
/// *encoded* name, then value. `ParameterList` sorts raw names and writes names into the
/// (already encoded) base string without encoding them, which breaks names such as `c@`;
/// this hands the signer names and values in the form it needs.
struct EncodedParams(Vec<(String, String)>);

impl EncodedParams {
    fn new(params: &[(String, String)]) -> EncodedParams {
        let mut v: Vec<(String, String)> = params.iter().map(|(k, v)| (enc(k), enc(v))).collect();
        v.sort();
        EncodedParams(v)
    }
}

impl oauth1_request::Request for EncodedParams {
    fn serialize<S: oauth1_request::serializer::Serializer>(&self, mut s: S) -> S::Output {
        use oauth1_request::serializer::SerializerExt;
        let (before, after): (Vec<_>, Vec<_>) = self.0.iter().partition(|(k, _)| k.as_str() < "oauth_");
        // The base string is itself percent-encoded: names go in encoded twice; values are
        // passed encoded once and the signer encodes them again.
        for (k, v) in before {
            s.serialize_parameter_encoded(&enc(k), v);
        }
        s.serialize_oauth_parameters();
        for (k, v) in after {
            s.serialize_parameter_encoded(&enc(k), v);
        }
        s.end()
    }
}

const RFC3986: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, RFC3986).to_string()
}

fn pairs(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

fn get<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// A `/account/*` answer: a token pair, or the server's refusal (`oauth_problem`).
fn token_answer(body: &str) -> Result<(TokenPair, Vec<(String, String)>), ConnectError> {
    let p = pairs(body);
    if let Some(problem) = get(&p, "oauth_problem") {
        return Err(ConnectError::Refused(problem.to_string()));
    }
    match (get(&p, "oauth_token"), get(&p, "oauth_token_secret")) {
        (Some(t), Some(s)) => {
            let pair = TokenPair { token: t.to_string(), secret: TokenSecret::new(s) };
            Ok((pair, p))
        }
        _ => Err(ConnectError::Exchange(ApiError::Malformed("the OAuth 1.0a answer has no token".into()))),
    }
}

fn fetch_pair(client: &Client, url: &str) -> Result<(TokenPair, Vec<(String, String)>), ConnectError> {
    token_answer(&client.get_text(url).map_err(ConnectError::from)?)
}

pub struct Oauth1;

impl Flow for Oauth1 {
    /// The three legs, with the browser in the middle. `ep.auth_url` is the host of
    /// `/account/*`; the consumer key and secret are the endpoint's client id and secret.
    fn authorize(
        &self,
        ep: &Endpoint,
        client: &Client,
        opts: &ConnectOptions<'_>,
        _now: i64,
    ) -> Result<Authorized, ConnectError> {
        let listener = CallbackListener::bind(&ep.redirect_uri)?;
        let callback = listener.redirect_uri().to_string();
        let base = ep.auth_url.trim_end_matches('/');
        let consumer =
            Signer { consumer_key: &ep.client_id, consumer_secret: &ep.client_secret, token: None };
        let temp_url = signed_url(
            "GET",
            &format!("{base}/account/request_token"),
            &[],
            &consumer,
            Extras { callback: Some(&callback), ..Extras::default() },
        );
        let (temp, _) = fetch_pair(client, &temp_url)?;
        let mut auth = url::Url::parse(&format!("{base}/account/authorize"))
            .map_err(|_| AuthError::BadAuthUrl(ep.auth_url.clone()))?;
        auth.query_pairs_mut().append_pair("oauth_token", &temp.token);
        browser::open_with(auth.as_str(), opts.browser, opts.opener)?;
        let expected = State::from_secret(temp.token.clone());
        let verified =
            listener.wait_or_cancel(&expected, OAUTH1_CALLBACK, opts.timeout, client.stop_token())?;
        let with_temp =
            Signer { consumer_key: &ep.client_id, consumer_secret: &ep.client_secret, token: Some(&temp) };
        let access_url = signed_url(
            "GET",
            &format!("{base}/account/access_token"),
            &[],
            &with_temp,
            Extras { verifier: Some(verified.code.expose()), ..Extras::default() },
        );
        let (token, answer) = fetch_pair(client, &access_url)?;
        let userid =
            get(&answer, "userid").or_else(|| verified.param("userid")).map(str::to_string).ok_or_else(
                || ConnectError::Exchange(ApiError::Malformed("no userid came with the token".into())),
            )?;
        Ok(Authorized { userid, scope: None, credentials: Credentials::Signed(token) })
    }

    fn session<'a>(
        &self,
        ep: &Endpoint,
        userid: &str,
        _key: String,
        credentials: Credentials,
        ctx: SessionContext<'a>,
    ) -> Result<Box<dyn ApiSession + 'a>, SessionError> {
        let Credentials::Signed(token) = credentials else {
            return Err(SessionError::ReconnectNeeded {
                userid: userid.to_string(),
                reason: "the keychain holds OAuth 2.0 tokens for an OAuth 1.0a account".into(),
            });
        };
        Ok(Box::new(Oauth1Session {
            userid: userid.to_string(),
            client: ctx.client,
            consumer_key: ep.client_id.clone(),
            consumer_secret: ep.client_secret.clone(),
            token,
        }))
    }
}

/// An OAuth 1.0a account: every call signed, `userid` sent along, nothing to refresh.
#[derive(Clone)]
struct Oauth1Session<'a> {
    userid: String,
    client: &'a Client,
    consumer_key: String,
    consumer_secret: ClientSecret,
    token: TokenPair,
}

impl ApiSession for Oauth1Session<'_> {
    fn userid(&self) -> &str {
        &self.userid
    }

    fn getmeas_raw<'s>(&'s self, params: &'s [(String, String)]) -> Answer<'s> {
        Box::pin(async move {
            let mut all = vec![
                ("action".to_string(), "getmeas".to_string()),
                ("userid".to_string(), self.userid.clone()),
            ];
            all.extend_from_slice(params);
            let url = format!("{}/measure", self.client.api_url());
            let signer = Signer {
                consumer_key: &self.consumer_key,
                consumer_secret: &self.consumer_secret,
                token: Some(&self.token),
            };
            let make = || signed_url("GET", &url, &all, &signer, Extras::default());
            self.client.call_signed_async(&make).await.map_err(|e| match e {
                ApiError::Status { kind: StatusKind::InvalidToken, message, .. } => {
                    SessionError::ReconnectNeeded { userid: self.userid.clone(), reason: message }
                }
                other => SessionError::Api(other),
            })
        })
    }

    fn expires_at(&self) -> Option<i64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature_of(url: &str) -> String {
        let u = url::Url::parse(url).expect("a URL");
        u.query_pairs().find(|(k, _)| k == "oauth_signature").map(|(_, v)| v.into_owned()).unwrap_or_default()
    }

    fn sign(
        method: &str,
        url: &str,
        params: &[(&str, &str)],
        consumer: (&str, &str),
        token: Option<(&str, &str)>,
        extras: Extras<'_>,
    ) -> String {
        let secret = ClientSecret::new(consumer.1);
        let pair = token.map(|(t, s)| TokenPair { token: t.into(), secret: TokenSecret::new(s) });
        let signer = Signer { consumer_key: consumer.0, consumer_secret: &secret, token: pair.as_ref() };
        let params: Vec<(String, String)> =
            params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        signature_of(&signed_url(method, url, &params, &signer, extras))
    }

    const PHOTOS: (&str, &str) = ("dpf43f3p2l4k3l03", "kd94hf93k423kf44");

    #[test]
    fn rfc5849_section_1_2_temporary_credentials() {
        let e = Extras {
            callback: Some("http://printer.example.com/ready"),
            nonce: Some("wIjqoS"),
            timestamp: Some(137_131_200),
            ..Extras::default()
        };
        assert_eq!(
            sign("POST", "https://photos.example.net/initiate", &[], PHOTOS, None, e),
            "74KNZJeDHnMBp0EMJ9ZHt/XKycU="
        );
    }

    #[test]
    fn rfc5849_section_1_2_token_credentials() {
        let e = Extras {
            verifier: Some("hfdp7dh39dks9884"),
            nonce: Some("walatlh"),
            timestamp: Some(137_131_201),
            ..Extras::default()
        };
        let token = Some(("hh5s93j4hdidpola", "hdhd0244k9j7ao03"));
        assert_eq!(
            sign("POST", "https://photos.example.net/token", &[], PHOTOS, token, e),
            "gKgrFCywp7rO0OXSjdot/IHF7IU="
        );
    }

    #[test]
    fn rfc5849_section_1_2_protected_resource_over_http() {
        let e = Extras { nonce: Some("chapoH"), timestamp: Some(137_131_202), ..Extras::default() };
        let token = Some(("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"));
        let params = [("file", "vacation.jpg"), ("size", "original")];
        assert_eq!(
            sign("GET", "http://photos.example.net/photos", &params, PHOTOS, token, e),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
    }

    #[test]
    fn rfc5849_section_3_4_1_1_with_erratum_2550() {
        let e = Extras { nonce: Some("7d8f3e4a"), timestamp: Some(137_131_201), ..Extras::default() };
        let token = Some(("kkk9d7dh3k39sjv7", "dh893hdasih9"));
        let params = [("b5", "=%3D"), ("a3", "a"), ("c@", ""), ("a2", "r b"), ("c2", ""), ("a3", "2 q")];
        let sig = sign(
            "POST",
            "http://example.com/request",
            &params,
            ("9djdj82h48djs9d2", "j49sk3j29djd"),
            token,
            e,
        );
        assert_eq!(sig, "r6/TJjbCOr97/+UU0NsvSne7s5g=");
    }

    #[test]
    fn oauth_core_1_0a_appendix_a5() {
        let e = Extras {
            nonce: Some("kllo9940pd9333jh"),
            timestamp: Some(1_191_242_096),
            version: true,
            ..Extras::default()
        };
        let token = Some(("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"));
        let params = [("file", "vacation.jpg"), ("size", "original")];
        assert_eq!(
            sign("GET", "http://photos.example.net/photos", &params, PHOTOS, token, e),
            "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
        );
    }

    #[test]
    fn a_refusal_by_the_server_is_reported_as_a_refusal_not_a_malformed_answer() {
        let err = token_answer("oauth_problem=consumer_key_rejected").unwrap_err();
        assert!(matches!(&err, ConnectError::Refused(p) if p == "consumer_key_rejected"), "{err:?}");
        assert_eq!(err.code(), "connect_refused");
        assert!(err.to_string().contains("consumer_key_rejected"), "{err}");
    }

    #[test]
    fn request_parameters_are_in_the_url_exactly_once() {
        let secret = ClientSecret::new("s");
        let signer = Signer { consumer_key: "k", consumer_secret: &secret, token: None };
        let url = signed_url(
            "GET",
            "http://h/measure",
            &[("action".into(), "getmeas".into())],
            &signer,
            Extras::default(),
        );
        assert_eq!(url.matches("action=getmeas").count(), 1, "{url}");
    }
}
