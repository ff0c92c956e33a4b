//! `/_sim/` control endpoints: the HTTP face of the methods on [`crate::Sim`], for scripts and
//! for tests that drive a simulator running in another process.

use serde_json::json;

use crate::data::Group;
use crate::http::{Req, Resp};
use crate::state::Faults;
use crate::{Shared, SimError};

fn bad(msg: impl std::fmt::Display) -> Resp {
    Resp::json(&json!({ "error": msg.to_string() })).with_status(400)
}

fn ok(v: serde_json::Value) -> Resp {
    Resp::json(&v)
}

fn sim_err(e: SimError) -> Resp {
    Resp::json(&json!({ "error": e.to_string() })).with_status(404)
}

fn userid(shared: &Shared, req: &Req) -> Result<i64, Resp> {
    match req.param("userid") {
        Some(u) => u.parse().map_err(|_| bad("userid must be a number")),
        None => shared.state().login_userid().ok_or_else(|| bad("no users")),
    }
}

fn held(shared: &Shared) -> serde_json::Value {
    json!({ "held": shared.hold.is_held(), "waiting": shared.hold.waiting() })
}

pub fn handle(shared: &Shared, req: &Req) -> Resp {
    match handle_inner(shared, req) {
        Ok(r) | Err(r) => r,
    }
}

fn handle_inner(shared: &Shared, req: &Req) -> Result<Resp, Resp> {
    let now = shared.now();
    let route = req.path.trim_start_matches("/_sim/");
    Ok(match (req.method.as_str(), route) {
        ("GET", "users") => {
            let st = shared.state();
            let users: Vec<_> = st
                .users
                .iter()
                .map(|u| json!({ "userid": u.userid, "name": u.name, "timezone": u.timezone, "groups": u.groups.len() }))
                .collect();
            ok(json!({ "users": users, "client_id": crate::DEMO_CLIENT_ID, "now": now }))
        }
        // For leak tests: every secret of every connect and refresh (the control endpoints are
        // off unless a test turns them on).
        ("GET", "secrets") => ok(json!({ "secrets": shared.state().secrets.clone() })),
        ("GET", "truth") => {
            let uid = userid(shared, req)?;
            let groups = shared.state().truth(uid).map_err(sim_err)?;
            ok(json!({ "userid": uid, "measuregrps": groups }))
        }
        ("POST", "groups") => {
            let uid = userid(shared, req)?;
            let g: Group = serde_json::from_slice(&req.body).map_err(bad)?;
            let g = shared.state().add_group(uid, g, now).map_err(sim_err)?;
            ok(serde_json::to_value(g).unwrap_or_default())
        }
        ("PUT", r) if r.starts_with("groups/") => {
            let uid = userid(shared, req)?;
            let grpid: i64 = r["groups/".len()..].parse().map_err(bad)?;
            let new: Group = serde_json::from_slice(&req.body).map_err(bad)?;
            let g = shared.state().modify_group(uid, grpid, now, |g| *g = new).map_err(sim_err)?;
            ok(serde_json::to_value(g).unwrap_or_default())
        }
        ("DELETE", r) if r.starts_with("groups/") => {
            let uid = userid(shared, req)?;
            let grpid: i64 = r["groups/".len()..].parse().map_err(bad)?;
            shared.state().delete_group(uid, grpid).map_err(sim_err)?;
            ok(json!({ "deleted": grpid }))
        }
        ("POST", "expire_tokens") => {
            let uid = userid(shared, req)?;
            shared.state().expire_access_tokens(uid, now);
            ok(json!({ "expired": uid }))
        }
        ("POST", "revoke_tokens") => {
            let uid = userid(shared, req)?;
            shared.state().revoke_tokens(uid);
            ok(json!({ "revoked": uid }))
        }
        ("POST", "login_user") => {
            let uid = userid(shared, req)?;
            let mut st = shared.state();
            st.user(uid).map_err(sim_err)?;
            st.login_user = Some(uid);
            ok(json!({ "login_user": uid }))
        }
        ("POST", "faults") => {
            let f: Faults = serde_json::from_slice(&req.body).map_err(bad)?;
            shared.state().faults = f.clone();
            ok(serde_json::to_value(f).unwrap_or_default())
        }
        ("POST", "advance") => {
            let secs: i64 = req.param("seconds").unwrap_or("0").parse().map_err(bad)?;
            shared.offset.fetch_add(secs, std::sync::atomic::Ordering::Relaxed);
            ok(json!({ "now": shared.now() }))
        }
        // Hold API answers until released, and how many requests wait (see `Sim::hold_answers`);
        // `?only=continuations` holds only the later pages of a chain (`Sim::hold_continuations`).
        ("POST", "hold") => {
            match req.param("only") {
                None => shared.hold.hold(),
                Some("continuations") => shared.hold.hold_only(crate::hold::Held::Continuations),
                Some(other) => return Err(bad(format!("hold only what? {other:?} (continuations)"))),
            }
            ok(held(shared))
        }
        ("POST", "release") => {
            shared.hold.release();
            ok(held(shared))
        }
        ("GET", "held") => ok(held(shared)),
        ("GET", "stats") => ok(serde_json::to_value(&shared.state().stats).unwrap_or_default()),
        ("POST", "reset_stats") => {
            shared.state().stats = Default::default();
            ok(json!({}))
        }
        _ => return Err(Resp::json(&json!({ "error": "unknown control endpoint" })).with_status(404)),
    })
}
