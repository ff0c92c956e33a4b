//! `/notify`: subscribe, list, get and revoke webhook subscriptions.

use serde_json::json;

use crate::Shared;
use crate::http::{Req, Resp};
use crate::measure::authenticate;
use crate::state::Subscription;

pub fn handle(shared: &Shared, req: &Req) -> Resp {
    let caller = match authenticate(shared, req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let appli: i64 = req.param("appli").and_then(|a| a.parse().ok()).unwrap_or(1);
    let callback = req.param("callbackurl").unwrap_or("").to_string();
    let mut st = shared.state();
    let action = req.param("action").unwrap_or("").to_string();
    st.record(&req.path, Some(&action), req.public_params(), 0);
    let subs = st.subscriptions.entry(caller.userid).or_default();
    match action.as_str() {
        "subscribe" => {
            // Withings calls the URL to check it; a desktop app has no public https endpoint.
            let ok =
                url::Url::parse(&callback).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some());
            if !ok {
                return Resp::withings(
                    293,
                    json!({}),
                    Some("The callback URL is either absent or incorrect"),
                );
            }
            subs.retain(|s| !(s.appli == appli && s.callbackurl == callback));
            subs.push(Subscription {
                appli,
                callbackurl: callback,
                expires: 2_147_483_647,
                comment: req.param("comment").unwrap_or("").to_string(),
            });
            Resp::withings(0, json!({}), None)
        }
        "list" => {
            let profiles: Vec<_> =
                subs.iter().filter(|s| req.param("appli").is_none() || s.appli == appli).collect();
            Resp::withings(0, json!({ "profiles": profiles }), None)
        }
        "get" => match subs.iter().find(|s| s.appli == appli && s.callbackurl == callback) {
            Some(s) => Resp::withings(
                0,
                json!({ "appli": s.appli, "callbackurl": s.callbackurl, "comment": s.comment, "expires": s.expires }),
                None,
            ),
            None => Resp::withings(294, json!({}), Some("No such subscription was found")),
        },
        "revoke" => {
            let before = subs.len();
            subs.retain(|s| !(s.appli == appli && s.callbackurl == callback));
            if subs.len() == before {
                Resp::withings(294, json!({}), Some("No such subscription could be deleted"))
            } else {
                Resp::withings(0, json!({}), None)
            }
        }
        _ => Resp::withings(503, json!({}), Some("Invalid Params: action")),
    }
}
