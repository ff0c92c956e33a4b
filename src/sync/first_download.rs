//! A first download, fetched in date windows side by side.
//!
//! Withings pages by `offset`, and each answer names the next one, so one query is a chain
//! of round trips: ten years of weigh-ins are ten trips back to back. A first download
//! instead splits the years by date (`startdate`/`enddate`) and follows several chains at
//! once, as futures on the network runtime sharing one session. The pages reach one thread,
//! which stores each in its own transaction together with what is left to fetch
//! — the date ranges of the unfinished windows — so a crash or a cancel costs only the pages
//! in flight, and storing stays the same idempotent upsert in whatever order pages arrive.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use futures_util::FutureExt;
use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::mpsc;

use serde_json::value::RawValue;

use super::{Pass, Phase, Progress, Run, SyncError, next_offset, with_offset};
use crate::auth::ApiSession;
use crate::net;
use crate::store::{Checkpoint, CursorUpdate, ResumePoint};
use crate::withings::{MeasureBody, PageHead};

/// How many date windows are fetched at once. Withings allows an app 120 requests a minute
/// over all its users; six at a time is a burst, not a flood.
pub const WINDOWS: usize = 6;

/// 1 June 2009, about when the first Withings scale went on sale: the windows divide the
/// years from here to today (anything older falls in the oldest), and progress is a share
/// of them.
pub const FIRST_SCALE: i64 = 1_243_814_400;

/// A window as the storing thread sees it.
#[derive(Debug)]
struct Window {
    from: i64,
    to: i64,
    /// `from`, shared with the window's thread: raised when the window's older part is handed
    /// to a new window, so the thread knows to stop once its pages reach it.
    floor: Arc<AtomicI64>,
    /// The newest and the oldest date of the window's pages stored so far.
    top: Option<i64>,
    reached: Option<i64>,
    /// Withings answers newest first; only then does `reached` bound what is stored.
    newest_first: bool,
    /// Groups stored, and the largest page that said more was to come (Withings' page size).
    groups: u64,
    page: u64,
    done: bool,
}

impl Window {
    fn new((from, to): (i64, i64)) -> Window {
        Window {
            from,
            to,
            floor: Arc::new(AtomicI64::new(from)),
            top: None,
            reached: None,
            newest_first: true,
            groups: 0,
            page: 0,
            done: false,
        }
    }

    /// What is still to fetch of the window: what is older than its stored pages, and the
    /// date they reached itself (a page may have ended among weigh-ins at one instant).
    fn left(&self) -> Option<(i64, i64)> {
        let to = if self.newest_first { self.reached.unwrap_or(self.to) } else { self.to };
        (!self.done && self.from <= to).then_some((self.from, to))
    }

    /// Notes a stored page of the window.
    fn took(&mut self, body: &MeasureBody, last: bool) {
        for g in &body.measuregrps {
            self.newest_first &= self.reached.is_none_or(|r| g.date <= r);
            self.reached = Some(self.reached.map_or(g.date, |r| r.min(g.date)));
            self.top = Some(self.top.map_or(g.date, |t| t.max(g.date)));
        }
        let n = body.measuregrps.len() as u64;
        self.groups += n;
        if !last {
            self.page = self.page.max(n);
        }
        self.done |= last;
    }

    /// About how many pages are left, from how densely the stored pages are filled; `None`
    /// before the window has a page to judge by.
    fn pages_left(&self) -> Option<f64> {
        let (Some(top), Some(reached), Some((from, _))) = (self.top, self.reached, self.left()) else {
            return None;
        };
        if !self.newest_first || self.page == 0 {
            return None;
        }
        let density = self.groups as f64 / (top - reached).max(1) as f64;
        Some(density * (reached - from.max(FIRST_SCALE)).max(0) as f64 / self.page as f64)
    }
}

/// One answer of a window, and whether it was the window's last; or why the window stopped.
struct Page {
    window: usize,
    answer: Result<(Box<RawValue>, bool), SyncError>,
}

/// Downloads the whole history, or what an interrupted first download left of it.
/// `now` divides the years and measures progress; it is never a cursor: the cursor is the
/// earliest server time of any answer.
pub(super) fn fetch(run: &mut Run<'_>, now: i64) -> Result<Pass, SyncError> {
    let (cursor, left) = match &run.resumed {
        Some(r) => (Some(r.cursor), r.left.clone()),
        None => (None, vec![(i64::MIN, i64::MAX)]),
    };
    let mut windows: Vec<Window> = split(&left, run.windows, now).into_iter().map(Window::new).collect();
    let mut p = Pass::default();
    let cursor = follow(run, &mut p, &mut windows, cursor, now)?;
    p.first_updatetime = Some(cursor);
    Ok(p)
}

/// How much of the years from [`FIRST_SCALE`] to `end` the date ranges cover, in seconds
/// (what lies outside those years counts for nothing).
pub fn years_span(ranges: &[(i64, i64)], end: i64) -> i64 {
    let clamp = |t: i64| t.clamp(FIRST_SCALE, end.max(FIRST_SCALE));
    ranges.iter().map(|&(from, to)| (clamp(to) - clamp(from)).max(0)).sum()
}

/// Divides the ranges into about `n` windows, newest first, each range into parts by its
/// share of the years since [`FIRST_SCALE`]. Neighbours share their boundary date, so
/// nothing falls between them (a weigh-in there is fetched twice, and stored once). The
/// years end at the end of `now`'s day, so the windows stay the same all day.
fn split(left: &[(i64, i64)], n: usize, now: i64) -> Vec<(i64, i64)> {
    let now = (now.max(FIRST_SCALE) / 86_400 + 1) * 86_400;
    let clamp = |t: i64| t.clamp(FIRST_SCALE, now);
    let span = |r: &(i64, i64)| years_span(std::slice::from_ref(r), now);
    let total = years_span(left, now);
    let mut ranges = left.to_vec();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.1));
    let mut out = Vec::new();
    for r in ranges {
        let parts = if total == 0 { 1 } else { (n as i64 * span(&r) + total / 2) / total };
        let parts = parts.clamp(1, span(&r) / 86_400 + 1);
        let (lo, hi) = (clamp(r.0), clamp(r.1));
        let bound = |k: i64| hi - (hi - lo) * k / parts;
        for k in 0..parts {
            let to = if k == 0 { r.1 } else { bound(k) };
            let from = if k == parts - 1 { r.0 } else { bound(k + 1) };
            out.push((from, to));
        }
    }
    out
}

/// How much of the years since the first scale is fetched, in thousandths.
fn done_permille(left: &[(i64, i64)], now: i64) -> u16 {
    let now = now.max(FIRST_SCALE + 1);
    let share = 1.0 - years_span(left, now) as f64 / (now - FIRST_SCALE) as f64;
    (share.clamp(0.0, 1.0) * 1000.0).round() as u16
}

/// Fetches every window at once, as futures on the network runtime polled by this thread,
/// which stores the pages as they come. When a window finishes, the one with the most pages
/// left gives its older half to a new window, so all stay busy however the weigh-ins are
/// spread over the years. Returns the cursor: the earliest server time any answer was given
/// at (or the interrupted download's). Whatever ends the download — its last page, an error,
/// the person's Cancel — drops the windows still in flight, and their requests with them.
fn follow(
    run: &mut Run<'_>,
    p: &mut Pass,
    windows: &mut Vec<Window>,
    cursor: Option<i64>,
    now: i64,
) -> Result<i64, SyncError> {
    let Run { store, session, account, report, applied, progress, log, resumed, cancel, windows: busy } = run;
    let session: &dyn ApiSession = &**session;
    let mut cursor = cursor;
    net::block_on(async {
        // A page waits for the store rather than pile up: memory stays at one page a window
        // whatever the history's size.
        let (tx, mut rx) = mpsc::channel::<Page>(1);
        let mut fetching = FuturesUnordered::new();
        let start = |i: usize, w: &Window| {
            std::panic::AssertUnwindSafe(fetch_window(
                session,
                i,
                (w.from, w.to),
                w.floor.clone(),
                tx.clone(),
            ))
            .catch_unwind()
            .map(move |r| {
                // A bug in one window fails the sync with a plain error (what was stored is
                // kept); it must not take the store, and with it the app, down.
                r.err().map(|panic| {
                    let why = panic
                        .downcast_ref::<&str>()
                        .copied()
                        .or(panic.downcast_ref::<String>().map(String::as_str))
                        .unwrap_or("(no message)")
                        .to_string();
                    tracing::error!(window = i, "a download window failed: {why}");
                    i
                })
            })
        };
        for (i, w) in windows.iter().enumerate() {
            fetching.push(start(i, w));
        }
        loop {
            let page = tokio::select! {
                biased;
                page = rx.recv() => page,
                ended = fetching.next(), if !fetching.is_empty() => {
                    if let Some(Some(_panicked)) = ended {
                        return Err(SyncError::Incomplete);
                    }
                    // A window's future ends only after its last page (or its error) is in the
                    // channel: with none left in flight and none waiting, nothing will come.
                    if fetching.is_empty() && rx.is_empty() {
                        return Err(SyncError::Incomplete);
                    }
                    continue;
                }
            };
            let Some(page) = page else { return Err(SyncError::Incomplete) };
            let (raw, last) = page.answer?;
            let body = MeasureBody::parse(&raw)?;
            let answered = body.updatetime.unwrap_or(now);
            let c = *cursor.get_or_insert(answered);
            let c = if resumed.is_some() { c } else { c.min(answered) };
            cursor = Some(c);
            let (upserts, _) = p.take(&body, now);
            windows[page.window].took(&body, last);
            // Keep every window busy: a finished one's place goes to the older half of the
            // window with the most pages left (if halving it saves a round trip).
            while windows.iter().filter(|w| w.left().is_some()).count() < *busy {
                let Some((i, _)) = windows
                    .iter()
                    .enumerate()
                    .filter_map(|(i, w)| w.pages_left().map(|n| (i, n)))
                    .filter(|&(_, n)| n >= 2.0)
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                else {
                    break;
                };
                let w = &mut windows[i];
                let Some((from, reached)) = w.left() else { break };
                let mid = reached - (reached - from.max(FIRST_SCALE)) / 2;
                let older = Window::new((from, mid));
                w.from = mid;
                w.floor.store(mid, Ordering::SeqCst);
                tracing::debug!(window = i, mid, "window halved");
                fetching.push(start(windows.len(), &older));
                windows.push(older);
            }
            let left: Vec<(i64, i64)> = windows.iter().filter_map(Window::left).collect();
            let checkpoint = if left.is_empty() {
                Checkpoint::Finished(CursorUpdate { cursor: c, synced_at: now, full: true })
            } else {
                Checkpoint::Resume(ResumePoint { cursor: c, left: left.clone() })
            };
            // SQLite on this thread, between polls: the answers in flight keep arriving on the
            // runtime's workers meanwhile.
            applied.add(store.apply_logged(*account, &upserts, &[], Some(checkpoint), *log)?);
            tracing::debug!(window = page.window, last, "page stored");
            report.groups_received += body.measuregrps.len() as u64;
            report.pages += 1;
            progress(&Progress {
                phase: Phase::Fetching,
                pages: report.pages,
                groups: report.groups_received,
                newest: p.newest,
                reached: left.iter().map(|r| r.1).max().filter(|&r| r != i64::MAX),
                done_permille: Some(done_permille(&left, now)),
                resumed: resumed.is_some(),
            });
            if left.is_empty() {
                return Ok(c);
            }
            if cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
        }
    })
}

/// Follows one window's pages, handing each to the store; stops at the last page, once its
/// pages reach a raised `floor`, or at an error (handed on too).
async fn fetch_window(
    session: &dyn ApiSession,
    window: usize,
    (from, to): (i64, i64),
    floor: Arc<AtomicI64>,
    tx: mpsc::Sender<Page>,
) {
    let mut dates = Vec::new();
    if from != i64::MIN {
        dates.push(("startdate".to_string(), from.to_string()));
    }
    if to != i64::MAX {
        dates.push(("enddate".to_string(), to.to_string()));
    }
    let mut offset: Option<i64> = None;
    let mut pages = 0u32;
    loop {
        let form = with_offset(&dates, offset);
        let answer = session.getmeas_raw(&form).await.map_err(SyncError::from).and_then(|raw| {
            let head = PageHead::parse(&raw)?;
            pages += 1;
            let floor = floor.load(Ordering::SeqCst);
            // The older part was given to another window, and the pages have reached it.
            let handed_on = floor > from && head.oldest.is_some_and(|o| o <= floor);
            let next = if handed_on { None } else { next_offset(&head, offset, pages)? };
            Ok((raw, next))
        });
        let next = answer.as_ref().ok().and_then(|(_, next)| *next);
        let answer = answer.map(|(raw, next)| (raw, next.is_none()));
        if tx.send(Page { window, answer }).await.is_err() {
            return;
        }
        match next {
            Some(o) => offset = Some(o),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    /// Its day ends 6,000 days after the first scale.
    const NOW: i64 = FIRST_SCALE + 5_999 * DAY + 100;

    #[test]
    fn the_whole_history_is_divided_into_equal_windows_that_leave_nothing_between_them() {
        let w = split(&[(i64::MIN, i64::MAX)], 6, NOW);
        assert_eq!(w.len(), 6);
        assert_eq!((w[0].1, w[5].0), (i64::MAX, i64::MIN), "the newest and oldest stay open");
        for pair in w.windows(2) {
            assert_eq!(pair[0].0, pair[1].1, "neighbours share their boundary");
        }
        assert_eq!(w[1].1 - w[1].0, 1_000 * DAY);
    }

    #[test]
    fn what_a_resumed_download_left_is_divided_by_its_share_of_the_years() {
        let left =
            [(FIRST_SCALE + 4_000 * DAY, FIRST_SCALE + 4_500 * DAY), (i64::MIN, FIRST_SCALE + 1_500 * DAY)];
        let w = split(&left, 4, NOW);
        assert_eq!(w.len(), 4, "{w:?}");
        assert_eq!(w[0], left[0], "a quarter of the span left is one window");
        assert_eq!(w[3].0, i64::MIN);
        assert_eq!(w[1].1, FIRST_SCALE + 1_500 * DAY);
        // A range shorter than a day is never split.
        assert_eq!(split(&[(NOW - 10, NOW)], 6, NOW).len(), 1);
    }

    #[test]
    fn a_window_leaves_what_is_older_than_its_stored_pages() {
        let mut w = Window::new((10, 100));
        assert_eq!(w.left(), Some((10, 100)));
        w.reached = Some(40);
        assert_eq!(w.left(), Some((10, 40)), "the date reached is asked again");
        w.newest_first = false;
        assert_eq!(w.left(), Some((10, 100)), "out of order, the whole window again");
        w.done = true;
        assert_eq!(w.left(), None);
    }

    #[test]
    fn progress_is_the_share_of_the_years_since_the_first_scale_fetched() {
        assert_eq!(done_permille(&[(i64::MIN, i64::MAX)], NOW), 0);
        assert_eq!(done_permille(&[], NOW), 1000);
        assert_eq!(done_permille(&[(FIRST_SCALE, FIRST_SCALE + 1_500 * DAY)], NOW), 750);
    }
}
