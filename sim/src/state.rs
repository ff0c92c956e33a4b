//! The simulator's mutable state: users, credentials, rate windows, faults and counters.

use std::collections::{HashMap, HashSet, VecDeque};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data::{Group, User};
use crate::http::Resp;
use crate::{Shared, SimError};

/// Faults to inject into API answers (`/measure`, `/v2/oauth2`, `/notify`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Faults {
    /// Fraction (0–1) of API requests answered with an HTTP 500 HTML page.
    pub http500_rate: f64,
    /// Delay added to every API request, in milliseconds.
    pub latency_ms: u64,
    /// Fraction of requests that get `spike_ms` extra delay.
    pub spike_rate: f64,
    pub spike_ms: u64,
    /// The next N successful API answers are cut in the middle of the JSON.
    pub truncate_next: u32,
    /// The next N successful API answers are replaced by an HTML page with HTTP 200.
    pub malformed_next: u32,
    /// The next N API requests get `601 Too Many Requests` with `wait_seconds`.
    pub rate_limit_next: u32,
    /// `wait_seconds` sent with injected 601s.
    pub wait_seconds: u32,
    /// After this many more API requests, every access token expires (a token dying mid-sync).
    pub expire_tokens_after: Option<u32>,
}

/// One API request as the simulator saw it, credentials stripped.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequestRecord {
    pub path: String,
    pub action: Option<String>,
    pub params: Vec<(String, String)>,
    /// The application status sent back (0 = ok), or the HTTP status for HTTP-level faults.
    pub status: i64,
}

/// Counters the tests and benchmarks read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub requests: Vec<RequestRecord>,
    pub getmeas: u64,
    pub token_requests: u64,
    pub http500: u64,
    pub rate_limited: u64,
}

#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub userid: i64,
    pub redirect_uri: String,
    pub scope: String,
    pub expires_at: i64,
    pub code_challenge: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub client_id: String,
    pub userid: i64,
    pub scope: String,
    pub expires_at: i64,
    pub used: bool,
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub client_id: String,
    pub userid: i64,
    pub scope: String,
    pub expires_at: i64,
    /// The access token issued together with this refresh token.
    pub paired_access: String,
    /// Access tokens issued by refreshing with this token; the first use of any of them
    /// kills this token (Withings' rotation rule).
    pub successors: Vec<String>,
    /// Set on first refresh: the token dies 8 h later even if no successor is used.
    pub dies_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Oauth1Request {
    pub consumer_key: String,
    pub secret: String,
    pub callback: String,
    pub verifier: Option<String>,
    pub userid: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Oauth1Access {
    pub consumer_key: String,
    pub secret: String,
    pub userid: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Subscription {
    pub appli: i64,
    pub callbackurl: String,
    pub expires: i64,
    pub comment: String,
}

pub struct State {
    pub users: Vec<User>,
    pub login_user: Option<i64>,
    pub codes: HashMap<String, AuthCode>,
    pub access: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, RefreshToken>,
    pub o1_requests: HashMap<String, Oauth1Request>,
    pub o1_access: HashMap<String, Oauth1Access>,
    pub nonces: HashSet<(String, String, String)>,
    /// Request times per app, for the per-minute limit.
    pub windows: HashMap<String, VecDeque<i64>>,
    /// Last successful answer time per (userid, arguments), for the identical-request rule.
    pub identical: HashMap<(i64, Vec<(String, String)>), i64>,
    pub subscriptions: HashMap<i64, Vec<Subscription>>,
    pub faults: Faults,
    pub stats: Stats,
    /// Every secret the simulator handed out or was handed (codes, `state`, PKCE verifiers,
    /// tokens, client secrets), so a leak test can look for each of them.
    pub secrets: Vec<String>,
    /// Whether `secrets` and the requests in `stats` are kept ([`crate::SimConfig::ledger`]).
    pub ledger: bool,
    pub rng: ChaCha8Rng,
}

impl Default for State {
    fn default() -> Self {
        State {
            users: Vec::new(),
            login_user: None,
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            o1_requests: HashMap::new(),
            o1_access: HashMap::new(),
            nonces: HashSet::new(),
            windows: HashMap::new(),
            identical: HashMap::new(),
            subscriptions: HashMap::new(),
            faults: Faults::default(),
            stats: Stats::default(),
            secrets: Vec::new(),
            ledger: true,
            rng: ChaCha8Rng::seed_from_u64(0x5eed),
        }
    }
}

impl State {
    pub fn user(&self, userid: i64) -> Result<&User, SimError> {
        self.users.iter().find(|u| u.userid == userid).ok_or(SimError::UnknownUser(userid))
    }

    pub fn user_mut(&mut self, userid: i64) -> Result<&mut User, SimError> {
        self.users.iter_mut().find(|u| u.userid == userid).ok_or(SimError::UnknownUser(userid))
    }

    pub fn login_userid(&self) -> Option<i64> {
        self.login_user.or_else(|| self.users.first().map(|u| u.userid))
    }

    /// A fresh random token (40 hex digits, like Withings').
    pub fn token(&mut self) -> String {
        let a: u128 = rand::rng().random();
        let b: u32 = rand::rng().random();
        format!("{a:032x}{b:08x}")
    }

    pub fn truth(&self, userid: i64) -> Result<Vec<Group>, SimError> {
        let mut groups = self.user(userid)?.groups.clone();
        sort_newest_first(&mut groups);
        Ok(groups)
    }

    pub fn add_group(&mut self, userid: i64, mut group: Group, now: i64) -> Result<Group, SimError> {
        let user = self.user_mut(userid)?;
        if group.grpid == 0 || user.groups.iter().any(|g| g.grpid == group.grpid) {
            group.grpid = user.groups.iter().map(|g| g.grpid).max().unwrap_or(3_000_000_000) + 1;
        }
        group.created = now;
        group.modified = now;
        user.groups.push(group.clone());
        Ok(group)
    }

    pub fn modify_group(
        &mut self,
        userid: i64,
        grpid: i64,
        now: i64,
        change: impl FnOnce(&mut Group),
    ) -> Result<Group, SimError> {
        let user = self.user_mut(userid)?;
        let g = user.groups.iter_mut().find(|g| g.grpid == grpid).ok_or(SimError::UnknownGroup(grpid))?;
        change(g);
        g.grpid = grpid;
        g.modified = now;
        Ok(g.clone())
    }

    pub fn delete_group(&mut self, userid: i64, grpid: i64) -> Result<(), SimError> {
        let user = self.user_mut(userid)?;
        let before = user.groups.len();
        user.groups.retain(|g| g.grpid != grpid);
        if user.groups.len() == before {
            return Err(SimError::UnknownGroup(grpid));
        }
        Ok(())
    }

    pub fn expire_access_tokens(&mut self, userid: i64, now: i64) {
        for t in self.access.values_mut().filter(|t| t.userid == userid) {
            t.expires_at = now - 1;
        }
    }

    pub fn revoke_tokens(&mut self, userid: i64) {
        self.access.retain(|_, t| t.userid != userid);
        self.refresh.retain(|_, t| t.userid != userid);
        self.o1_access.retain(|_, t| t.userid != userid);
    }

    /// Checks a bearer token; the first use of a token issued by a refresh retires the
    /// refresh token it replaced (and that token's access token).
    pub fn use_access_token(&mut self, token: &str, now: i64) -> Option<AccessToken> {
        let t = self.access.get_mut(token)?;
        if t.expires_at <= now {
            return None;
        }
        let first_use = !t.used;
        t.used = true;
        let found = t.clone();
        if first_use {
            let retired: Vec<(String, String)> = self
                .refresh
                .iter()
                .filter(|(_, r)| r.successors.iter().any(|s| s == token))
                .map(|(k, r)| (k.clone(), r.paired_access.clone()))
                .collect();
            for (rt, at) in retired {
                self.refresh.remove(&rt);
                self.access.remove(&at);
            }
        }
        Some(found)
    }

    /// Applies the per-minute limit of the app; `Some(wait)` when over it.
    pub fn rate_limited(&mut self, app: &str, now: i64, per_minute: u32) -> Option<i64> {
        if per_minute == 0 {
            return None;
        }
        let w = self.windows.entry(app.to_string()).or_default();
        while w.front().is_some_and(|&t| t <= now - 60) {
            w.pop_front();
        }
        if w.len() >= per_minute as usize {
            let oldest = w.front().copied().unwrap_or(now);
            return Some((oldest + 60 - now).max(1));
        }
        w.push_back(now);
        None
    }

    /// Remembers a secret for [`crate::Sim::secrets`] (empty values are none).
    pub fn saw_secret(&mut self, value: &str) {
        if self.ledger && !value.is_empty() && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_string());
        }
    }

    pub fn record(&mut self, path: &str, action: Option<&str>, params: Vec<(String, String)>, status: i64) {
        if !self.ledger {
            return;
        }
        self.stats.requests.push(RequestRecord {
            path: path.to_string(),
            action: action.map(str::to_string),
            params,
            status,
        });
    }
}

/// Withings' order: newest `date` first; ties by grpid, newest first.
pub fn sort_newest_first(groups: &mut [Group]) {
    groups.sort_by(|a, b| b.date.cmp(&a.date).then(b.grpid.cmp(&a.grpid)));
}

pub enum Fault {
    None,
    Delay(u64),
    Http500,
    RateLimited(u32),
}

/// Decides, before routing, whether this API request is delayed or fails with HTTP 500.
pub fn pre_fault(shared: &Shared) -> Fault {
    let mut st = shared.state();
    let f = st.faults.clone();
    let mut delay = f.latency_ms;
    if f.spike_rate > 0.0 && st.rng.random_bool(f.spike_rate.clamp(0.0, 1.0)) {
        delay += f.spike_ms;
    }
    if f.http500_rate > 0.0 && st.rng.random_bool(f.http500_rate.clamp(0.0, 1.0)) {
        st.stats.http500 += 1;
        st.record("(fault)", None, Vec::new(), 500);
        return Fault::Http500;
    }
    if st.faults.rate_limit_next > 0 {
        st.faults.rate_limit_next -= 1;
        st.stats.rate_limited += 1;
        st.record("(fault)", None, Vec::new(), 601);
        return Fault::RateLimited(f.wait_seconds.max(1));
    }
    if let Some(n) = st.faults.expire_tokens_after {
        if n == 0 {
            st.faults.expire_tokens_after = None;
            let now = shared.now();
            for t in st.access.values_mut() {
                t.expires_at = now - 1;
            }
        } else {
            st.faults.expire_tokens_after = Some(n - 1);
        }
    }
    if delay > 0 { Fault::Delay(delay) } else { Fault::None }
}

/// Corrupts a successful answer when a truncation or malformed-body fault is pending.
pub fn post_fault(shared: &Shared, mut resp: Resp) -> Resp {
    let mut st = shared.state();
    if resp.status != 200 {
        return resp;
    }
    if st.faults.truncate_next > 0 {
        st.faults.truncate_next -= 1;
        let half = resp.body.len() / 2;
        resp.body.truncate(half);
        return resp;
    }
    if st.faults.malformed_next > 0 {
        st.faults.malformed_next -= 1;
        return Resp::html(200, "<html><body>Service temporarily unavailable</body></html>".into());
    }
    resp
}

/// Who is calling: the user the credentials belong to and the app (for rate limits).
pub(crate) struct Caller {
    pub userid: i64,
    pub app: String,
    /// Granted scopes, comma-separated (OAuth 1.0a tokens had every scope).
    pub scopes: String,
}
