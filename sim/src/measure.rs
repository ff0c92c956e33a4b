//! `/measure action=getmeas`: filtering, newest-first paging, rate limits, token checks.

use serde_json::json;

use crate::http::{Req, Resp};
use crate::state::{Caller, sort_newest_first};
use crate::{Shared, oauth1};

/// Authenticates a bearer token or an OAuth 1.0a signed request; `Err` is the answer to send.
pub(crate) fn authenticate(shared: &Shared, req: &Req) -> Result<Caller, Resp> {
    if req.param("oauth_consumer_key").is_some()
        || req.header("authorization").is_some_and(|h| h.starts_with("OAuth "))
    {
        return oauth1::verify_api_call(shared, req);
    }
    let bearer = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .or_else(|| req.param("access_token"))
        .unwrap_or("")
        .trim()
        .to_string();
    let now = shared.now();
    let mut st = shared.state();
    match st.use_access_token(&bearer, now) {
        Some(t) => Ok(Caller { userid: t.userid, app: t.client_id, scopes: t.scope }),
        None => Err(Resp::withings(
            401,
            json!({}),
            Some("XRequestID: Not provided invalid_token: The access token provided is invalid"),
        )),
    }
}

/// Applies the app-wide per-minute limit and the identical-arguments rule.
pub(crate) fn limit(shared: &Shared, caller: &Caller, params: &[(String, String)]) -> Result<(), Resp> {
    let now = shared.now();
    let mut st = shared.state();
    let wait = st.rate_limited(&caller.app, now, shared.config.requests_per_minute).or_else(|| {
        let window = shared.config.identical_request_window;
        let key = (caller.userid, params.to_vec());
        st.identical.get(&key).filter(|&&t| window > 0 && now - t < window).map(|&t| window - (now - t))
    });
    match wait {
        Some(w) => {
            st.stats.rate_limited += 1;
            Err(Resp::withings(601, json!({ "wait_seconds": w }), Some("Too Many Requests")))
        }
        None => Ok(()),
    }
}

fn int(req: &Req, k: &str) -> Result<Option<i64>, Resp> {
    match req.param(k) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Resp::withings(503, json!({}), Some(&format!("Invalid Params: {k}")))),
    }
}

pub fn handle(shared: &Shared, req: &Req) -> Resp {
    let action = req.param("action").map(str::to_string);
    let (resp, status) = match action.as_deref() {
        Some("getmeas") => getmeas(shared, req),
        _ => (Resp::withings(503, json!({}), Some("Invalid Params: action")), 503),
    };
    let mut st = shared.state();
    st.stats.getmeas += u64::from(action.as_deref() == Some("getmeas"));
    st.record(&req.path, action.as_deref(), req.public_params(), status);
    resp
}

fn getmeas(shared: &Shared, req: &Req) -> (Resp, i64) {
    let caller = match authenticate(shared, req) {
        Ok(c) => c,
        Err(r) => {
            let s = r.app_status();
            return (r, s);
        }
    };
    let params: Vec<(String, String)> =
        req.public_params().into_iter().filter(|(k, _)| k != "userid").collect();
    if !caller.scopes.split(',').any(|s| s.trim() == "user.metrics") {
        return (Resp::withings(401, json!({}), Some("invalid_scope: user.metrics is required")), 401);
    }
    if let Err(r) = limit(shared, &caller, &params) {
        return (r, 601);
    }
    let parsed = (|| -> Result<_, Resp> {
        let types: Option<Vec<i64>> = match req.param("meastypes").or(req.param("meastype")) {
            None | Some("") => None,
            Some(s) => Some(
                s.split(',')
                    .map(|t| t.trim().parse::<i64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| Resp::withings(503, json!({}), Some("Invalid Params: meastypes")))?,
            ),
        };
        Ok((
            types,
            int(req, "category")?,
            int(req, "startdate")?,
            int(req, "enddate")?,
            int(req, "lastupdate")?,
            int(req, "offset")?,
        ))
    })();
    let (types, category, start, end, lastupdate, offset) = match parsed {
        Ok(v) => v,
        Err(r) => return (r, 503),
    };
    let now = shared.now();
    let mut st = shared.state();
    let Ok(user) = st.user(caller.userid) else {
        return (Resp::withings(401, json!({}), Some("invalid user")), 401);
    };
    let timezone = user.timezone.clone();
    let mut groups: Vec<_> = user
        .groups
        .iter()
        .filter(|g| category.is_none_or(|c| g.category == c))
        .filter(|g| match lastupdate {
            // With lastupdate Withings ignores the date range: created or modified since.
            Some(lu) => g.modified >= lu || g.created >= lu,
            None => start.is_none_or(|s| g.date >= s) && end.is_none_or(|e| g.date <= e),
        })
        .filter_map(|g| match &types {
            None => Some(g.clone()),
            Some(ts) => {
                let mut g = g.clone();
                g.measures.retain(|m| ts.contains(&m.kind));
                (!g.measures.is_empty()).then_some(g)
            }
        })
        .collect();
    sort_newest_first(&mut groups);
    let off = offset.unwrap_or(0).max(0) as usize;
    let page = shared.config.page_size.max(1);
    let total = groups.len();
    let slice: Vec<_> = groups.into_iter().skip(off).take(page).collect();
    let more = off + page < total;
    let mut body = json!({ "updatetime": now, "timezone": timezone, "measuregrps": slice });
    if more {
        body["more"] = json!(1);
        body["offset"] = json!(off + page);
    }
    st.identical.insert((caller.userid, params), now);
    (Resp::withings(0, body, None), 0)
}
