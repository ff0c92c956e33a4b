//! The sync engine: plan each page (pure), apply it in one transaction.
//!
//! First sync: the whole history, in date windows fetched side by side (`first_download`).
//! Later syncs: `lastupdate` = the
//! server's `updatetime` from the first page of the previous successful sync (never the local
//! clock), then a re-fetch of a recent window by date to catch deletions, which Withings
//! reports by silence. Offset paging is not a snapshot, so a group is only deleted locally
//! when an answer that covers its date in a single page does not contain it.

use crate::error_code::ErrorCode;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::auth::{ApiSession, SessionError};
use crate::net::{self, CancellationToken};
use crate::store::{ApplyOutcome, Checkpoint, CursorUpdate, ResumePoint, Store, StoreError, StoredGroup};
use crate::withings::{ApiError, MeasureBody, PageHead};

mod first_download;

pub use first_download::{FIRST_SCALE, WINDOWS, years_span};

/// How far back every sync re-checks for deletions and edits.
pub const RECENT_WINDOW_SECS: i64 = 30 * 86_400;
/// A sanity bound on pages in one pass (10 years of daily weigh-ins is ~15 pages).
const MAX_PAGES: u32 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Downloading new and changed groups.
    Fetching,
    /// Re-checking recent groups for deletions.
    Reconciling,
    Done,
}

/// Progress after each page, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    pub phase: Phase,
    pub pages: u32,
    pub groups: u64,
    /// During a first download: the newest weigh-in date, the date back to which everything
    /// is stored, and how much of the years since the first Withings scale is fetched, in
    /// thousandths (windows further back are fetched at the same time).
    pub newest: Option<i64>,
    pub reached: Option<i64>,
    pub done_permille: Option<u16>,
    /// This download picks up where an interrupted one stopped.
    pub resumed: bool,
}

/// The window's Cancel: stops the long operation that is running (a sync, a connect's wait)
/// at once — the request in flight, a wait before a retry, the refresh lock's wait. Clones
/// share one slot, so the window can hold one while the operation runs on another thread.
/// Each operation takes a fresh token with [`Cancel::begin`]; a cancelled token stays
/// cancelled, so a Cancel that lands late never stops the next operation.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<Mutex<CancellationToken>>);

impl Cancel {
    fn slot(&self) -> std::sync::MutexGuard<'_, CancellationToken> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn cancel(&self) {
        self.slot().cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.slot().is_cancelled()
    }

    /// A fresh token for an operation that starts now (an earlier Cancel does not stop it).
    pub fn begin(&self) -> CancellationToken {
        let mut slot = self.slot();
        if slot.is_cancelled() {
            *slot = CancellationToken::new();
        }
        slot.clone()
    }

    /// The running operation's token, for the HTTP client.
    pub fn token(&self) -> CancellationToken {
        self.slot().clone()
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    pub userid: String,
    pub full: bool,
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    pub pages: u32,
    pub groups_received: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "Withings kept answering `more` without moving on (offset {0}); stopped — what was stored is kept"
    )]
    PagingLoop(i64),
    #[error("the sync was cancelled; what it downloaded is kept, and the next sync carries on from there")]
    Cancelled,
    #[error(
        "part of the download stopped without an answer; what was stored is kept, and the next sync carries on"
    )]
    Incomplete,
}

impl From<ApiError> for SyncError {
    fn from(e: ApiError) -> Self {
        SyncError::Session(SessionError::Api(e))
    }
}

impl SyncError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            SyncError::Session(e) => e.code(),
            SyncError::Store(e) => e.code(),
            SyncError::PagingLoop(_) | SyncError::Incomplete => ErrorCode::WithingsError,
            SyncError::Cancelled => ErrorCode::Cancelled,
        }
    }
}

/// The pure half of a page: normalised groups to upsert (later copies of a grpid win).
pub fn plan_page(body: &MeasureBody) -> Vec<StoredGroup> {
    let mut out: Vec<StoredGroup> = Vec::with_capacity(body.measuregrps.len());
    for g in &body.measuregrps {
        let sg = StoredGroup::from_wire(g);
        match out.iter_mut().rev().find(|x| x.grpid == sg.grpid) {
            Some(existing) => *existing = sg,
            None => out.push(sg),
        }
    }
    out
}

/// Local groups in `[from, to]` that an answer did not contain.
pub fn plan_removals(local: &[(i64, i64)], seen: &HashSet<i64>, from: i64, to: i64) -> Vec<i64> {
    local
        .iter()
        .filter(|(id, date)| *date >= from && *date <= to && !seen.contains(id))
        .map(|(id, _)| *id)
        .collect()
}

/// Parses one page in full and stores it; with `cursor` and on the `last` page, the new cursor
/// is committed with it. Returns what the store did and how many groups the page held.
fn store_page(
    store: &mut Store,
    account: i64,
    raw: &RawValue,
    p: &mut Pass,
    last: bool,
    cursor: Option<(bool, i64)>,
    log: Option<i64>,
) -> Result<(ApplyOutcome, u64), SyncError> {
    let body = MeasureBody::parse(raw)?;
    let (upserts, updatetime) = p.take(&body, cursor.map_or(0, |c| c.1));
    let update = match (last, cursor) {
        (true, Some((full, synced_at))) => {
            Some(Checkpoint::Finished(CursorUpdate { cursor: updatetime, synced_at, full }))
        }
        _ => None,
    };
    let outcome = store.apply_logged(account, &upserts, &[], update, log)?;
    tracing::debug!("page stored");
    Ok((outcome, body.measuregrps.len() as u64))
}

/// Where the page after `head` starts, or `None` after the last. Withings' `offset` must move
/// on: one that does not, or a chain past [`MAX_PAGES`], is a paging loop and stops the pass.
fn next_offset(head: &PageHead, offset: Option<i64>, pages: u32) -> Result<Option<i64>, SyncError> {
    match (head.more, head.offset) {
        (true, Some(o)) if o > offset.unwrap_or(0) && pages < MAX_PAGES => Ok(Some(o)),
        (true, Some(o)) => Err(SyncError::PagingLoop(o)),
        _ => Ok(None),
    }
}

fn with_offset(params: &[(String, String)], offset: Option<i64>) -> Vec<(String, String)> {
    let mut form = params.to_vec();
    if let Some(o) = offset {
        form.push(("offset".into(), o.to_string()));
    }
    form
}

#[derive(Default)]
struct Pass {
    first_updatetime: Option<i64>,
    seen: HashSet<i64>,
    pages: u32,
    timezone: Option<String>,
    newest: Option<i64>,
}

impl Pass {
    /// Notes what a page tells about the whole pass; returns its groups to store and the
    /// server time of the pass's first page (`fallback` if Withings sent none).
    fn take(&mut self, body: &MeasureBody, fallback: i64) -> (Vec<StoredGroup>, i64) {
        tracing::debug!(groups = body.measuregrps.len(), more = body.more, "page received");
        let updatetime = *self.first_updatetime.get_or_insert(body.updatetime.unwrap_or(fallback));
        if self.timezone.is_none() {
            self.timezone = body.timezone.clone();
        }
        for g in &body.measuregrps {
            self.newest = Some(self.newest.map_or(g.date, |n| n.max(g.date)));
        }
        let upserts = plan_page(body);
        self.seen.extend(upserts.iter().map(|g| g.grpid));
        (upserts, updatetime)
    }
}

/// One sync in progress: the parts every pass needs.
struct Run<'r> {
    store: &'r mut Store,
    session: &'r mut dyn ApiSession,
    account: i64,
    report: SyncReport,
    applied: ApplyOutcome,
    progress: &'r mut dyn FnMut(&Progress),
    /// The sync-history record each change is itemised in (none for a first download).
    log: Option<i64>,
    /// The interrupted first download this one continues.
    resumed: Option<ResumePoint>,
    /// Date windows a first download fetches at once.
    windows: usize,
    cancel: &'r CancellationToken,
}

impl Run<'_> {
    /// Fetches every page for `params`, applying each page in its own transaction; with
    /// `cursor` = `(full, synced_at)` the new cursor is committed with the last page.
    fn pass(
        &mut self,
        params: &[(String, String)],
        phase: Phase,
        cursor: Option<(bool, i64)>,
    ) -> Result<Pass, SyncError> {
        let mut p = Pass::default();
        let mut offset: Option<i64> = None;
        let mut fetched = net::block_on(self.session.getmeas_raw(&with_offset(params, None)));
        loop {
            let raw = fetched?;
            let head = PageHead::parse(&raw)?;
            p.pages += 1;
            let next = next_offset(&head, offset, p.pages)?;
            // The next page is requested as soon as its offset is known; this one is parsed and
            // stored while it downloads (the request is on its way once first polled, and the
            // runtime's workers receive the answer meanwhile). Pages are still stored strictly
            // in order, one transaction each, so a crash or an error leaves the same state as a
            // sequential sync.
            let (session, store, account, log) = (&*self.session, &mut *self.store, self.account, self.log);
            let form = next.map(|o| with_offset(params, Some(o)));
            let (next_page, stored) = net::block_on(async {
                let prefetch = async {
                    match &form {
                        Some(form) => Some(session.getmeas_raw(form).await),
                        None => None,
                    }
                };
                let store = async { store_page(store, account, &raw, &mut p, next.is_none(), cursor, log) };
                futures_util::future::join(prefetch, store).await
            });
            let (outcome, received) = stored?;
            self.applied.add(outcome);
            self.report.groups_received += received;
            self.report.pages += 1;
            (self.progress)(&Progress {
                phase,
                pages: self.report.pages,
                groups: self.report.groups_received,
                newest: None,
                reached: None,
                done_permille: None,
                resumed: false,
            });
            if next.is_some() && self.cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            match (next, next_page) {
                (Some(o), Some(page)) => {
                    offset = Some(o);
                    fetched = page;
                }
                _ => return Ok(p),
            }
        }
    }

    /// Re-queries each candidate's date; returns the ones Withings really no longer has.
    fn confirm_missing(&mut self, local: &[(i64, i64)], candidates: &[i64]) -> Result<Vec<i64>, SyncError> {
        let mut dates: Vec<i64> =
            local.iter().filter(|(id, _)| candidates.contains(id)).map(|(_, d)| *d).collect();
        dates.sort_unstable();
        dates.dedup();
        let mut gone = Vec::new();
        for d in dates {
            let params =
                vec![("startdate".to_string(), d.to_string()), ("enddate".to_string(), d.to_string())];
            let p = self.pass(&params, Phase::Reconciling, None)?;
            gone.extend(plan_removals(local, &p.seen, d, d).into_iter().filter(|id| candidates.contains(id)));
        }
        Ok(gone)
    }
}

/// How a sync goes about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    /// Fetch the whole history again, not only what changed.
    pub full: bool,
    /// Date windows a first download fetches at once.
    pub windows: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions { full: false, windows: WINDOWS }
    }
}

/// Syncs one account. `now` is used only for bookkeeping (`last_sync_at`, the history), never
/// as a cursor. Every sync is kept in the history, with the weigh-ins it touched (a first
/// download only as counts) and how it ended.
pub fn sync_account(
    store: &mut Store,
    session: &mut dyn ApiSession,
    account: i64,
    options: SyncOptions,
    now: i64,
    progress: &mut dyn FnMut(&Progress),
    cancel: &CancellationToken,
) -> Result<SyncReport, SyncError> {
    let started = std::time::Instant::now();
    let state = store.sync_state(account)?;
    let first_download = state.cursor.is_none();
    let full = options.full || first_download;
    let record = store.begin_sync_run(account, now, full)?;
    let log = state.cursor.is_some().then_some(record);
    let report = SyncReport { userid: session.userid().to_string(), full, ..SyncReport::default() };
    let resumed = state.resume.filter(|_| first_download);
    if let Some(r) = &resumed {
        tracing::info!(ranges = r.left.len(), "resuming an interrupted first download");
    }
    let mut run = Run {
        store,
        session,
        account,
        report,
        applied: ApplyOutcome::default(),
        progress,
        log,
        resumed,
        cancel,
        windows: options.windows.max(1),
    };
    let result = sync_passes(&mut run, full, state.cursor, now).map_err(|e| match e {
        // A request or a wait given up on, because the person cancelled.
        SyncError::Session(SessionError::Api(ApiError::Stopped)) => SyncError::Cancelled,
        other => other,
    });
    let a = run.applied;
    let error = result.as_ref().err().map(ToString::to_string);
    let ms = started.elapsed().as_millis() as i64;
    if let Err(e) = run.store.end_sync_run(
        record,
        ms,
        (a.added, a.changed, a.removed),
        run.report.pages,
        error.as_deref(),
    ) {
        tracing::warn!("could not record the end of the sync: {e}");
    }
    result.map(|()| run.report)
}

fn sync_passes(run: &mut Run<'_>, full: bool, cursor: Option<i64>, now: i64) -> Result<(), SyncError> {
    let account = run.account;
    // What the main pass was to fetch, when not everything: an interrupted download's rest.
    let asked = run.resumed.as_ref().map(|r| r.left.clone());
    let main = match cursor {
        None => first_download::fetch(run, now)?,
        Some(c) => {
            let params: Vec<(String, String)> =
                if full { Vec::new() } else { vec![("lastupdate".into(), c.to_string())] };
            run.pass(&params, Phase::Fetching, Some((full, now)))?
        }
    };
    if let Some(tz) = &main.timezone {
        run.store.set_timezone(account, tz)?;
    }
    let server_now = main.first_updatetime.unwrap_or(now);
    let local = run.store.group_dates(account)?;
    let removals = if full {
        // The full pass saw everything Withings has, but paging may have skipped a group that
        // moved between pages: confirm each candidate by its date before deleting it.
        // A resumed download saw only the date ranges left to it; the rest was stored by the
        // attempt it continues, moments ago.
        let candidates: Vec<i64> = match &asked {
            None => plan_removals(&local, &main.seen, i64::MIN, i64::MAX),
            Some(left) => {
                left.iter().flat_map(|&(from, to)| plan_removals(&local, &main.seen, from, to)).collect()
            }
        };
        run.confirm_missing(&local, &candidates)?
    } else {
        let from = server_now - RECENT_WINDOW_SECS;
        let window = vec![
            ("startdate".to_string(), from.to_string()),
            ("enddate".to_string(), server_now.to_string()),
        ];
        let w = run.pass(&window, Phase::Reconciling, None)?;
        let candidates = plan_removals(&local, &w.seen, from, server_now);
        if w.pages == 1 {
            candidates // one page is one consistent answer
        } else {
            run.confirm_missing(&local, &candidates)?
        }
    };
    if !removals.is_empty() {
        let outcome = run.store.apply_logged(account, &[], &removals, None, run.log)?;
        run.applied.add(outcome);
    }
    let a = run.applied;
    (run.report.added, run.report.changed, run.report.removed) = (a.added, a.changed, a.removed);
    let r = &run.report;
    (run.progress)(&Progress {
        phase: Phase::Done,
        pages: r.pages,
        groups: r.groups_received,
        newest: None,
        reached: None,
        done_permille: None,
        resumed: run.resumed.is_some(),
    });
    tracing::info!(report = ?run.report, "sync finished");
    Ok(())
}
