//! Weigh-ins worth a second look: far from the trend, or at an hour the person never weighs
//! in. Flagged with the reason, never excluded: only the person's click excludes.
//!
//! Far from the trend: the residual (weigh-in − trend just before it) is more than 3 robust
//! standard deviations from the median residual of the previous 20 weigh-ins, the robust
//! standard deviation being 1.4826 × their median absolute deviation (the MAD of a normal
//! sample estimates σ / 1.4826). Measuring from the median residual rather than from zero
//! keeps a steady loss, which an average always trails, from reading as a run of lows.
//!
//! The rule must not run away when weight really changes fast (a diet, a GLP-1 drug: 5–10 kg
//! in a few months). So every weigh-in moves the trend: a flagged one by its residual clipped
//! to the limit (Huber's rule), so one wrong reading barely moves it but a real change pulls it
//! along; and three flagged weigh-ins in a row on the same side re-anchor the trend on them and
//! take back the flags the person's own scatter raised (a new level, not three mistakes).
//! After a gap the limit widens by what a body can change in that time (0.2 kg a day).
//!
//! Always flagged, whatever the person's scatter and never taken back: a spike of 3.5 kg or
//! more from the trend's usual course in a day (a bag on the scale), and a weigh-in a fifth
//! below or above the trend (someone else on the scale).
//!
//! Unusual hour: none of the previous 20 weigh-ins was within two hours of its time of day.

use std::collections::VecDeque;

use jiff::tz::TimeZone;
use serde::Serialize;

use super::DAY;

/// How many earlier weigh-ins the spread and the habit are learnt from.
pub const WINDOW: usize = 20;
/// How many earlier weigh-ins tell the usual residual (see `Recent`).
const CENTER_WINDOW: usize = 7;
/// Too few earlier weigh-ins say nothing yet.
const MIN_HISTORY: usize = 10;
pub const ROBUST_SDS: f64 = 4.0;
const MAD_TO_SD: f64 = 1.4826;
/// Water alone moves a body by a few hundred grams from one morning to the next, whoever it
/// is: a deviation within 3 × 0.3 kg of the usual one is never worth a second look.
const MIN_SD_KG: f64 = 0.4;
const SMOOTHING_DAYS: f64 = 7.0;
/// Within this many minutes of an earlier weigh-in's time of day is a usual hour.
const USUAL_MINUTES: i64 = 120;
/// A day-to-day jump no body makes: always flagged.
pub const SPIKE_KG: f64 = 3.5;
/// A weigh-in this share of the trend away is another person, whatever the gap before it.
pub const SOMEONE_ELSE_SHARE: f64 = 0.2;
/// What a body can change in a day, sustained (about 1.4 kg a week, a fast diet's pace):
/// the limit widens by this much for every day since the previous weigh-in past the first.
const MAX_KG_PER_DAY: f64 = 0.2;
/// This many flagged weigh-ins in a row, on one side of the trend, are a new level.
const RUN_TO_REANCHOR: usize = 3;
/// A run with a spike or someone else's weight in it needs more: a child who steps on three
/// mornings running must not become the trend, while a real overnight change (a birth, an
/// operation) must not be flagged for ever.
const RUN_OF_SPIKES_TO_REANCHOR: usize = 5;

/// Why a weigh-in is flagged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// `residual_kg` above or below the trend, where up to `limit_kg` is usual.
    FarFromTrend { residual_kg: f64, limit_kg: f64 },
    /// `residual_kg` from the trend in a day or two: more than a body changes.
    Spike { residual_kg: f64 },
    /// So far from the trend (`residual_kg`) that it is most likely someone else's weigh-in.
    SomeoneElse { residual_kg: f64 },
    /// Local time of day, "03:10".
    UnusualHour { time: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomaly {
    pub grpid: i64,
    pub ts: i64,
    pub reasons: Vec<Reason>,
}

/// One counted weigh-in: (unix seconds, kg, grpid), oldest first.
pub type WeighInPoint = (i64, f64, i64);

/// The last `WINDOW` residuals, in arrival order and sorted: the median is read off the
/// sorted copy and the median absolute deviation found by walking outwards from it, so each
/// weigh-in costs a few dozen steps instead of two sorts.
#[derive(Default)]
struct Window {
    fifo: VecDeque<f64>,
    sorted: Vec<f64>,
}

impl Window {
    fn len(&self) -> usize {
        self.fifo.len()
    }

    fn push(&mut self, x: f64) {
        if self.fifo.len() == WINDOW
            && let Some(old) = self.fifo.pop_front()
            && let Ok(i) = self.sorted.binary_search_by(|v| v.total_cmp(&old))
        {
            self.sorted.remove(i);
        }
        self.fifo.push_back(x);
        let at = self.sorted.partition_point(|v| v.total_cmp(&x).is_lt());
        self.sorted.insert(at, x);
    }

    /// (median, median absolute deviation); the window must not be empty.
    fn median_and_mad(&self) -> (f64, f64) {
        let s = &self.sorted;
        let n = s.len();
        let center = if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 };
        // Deviations below the center grow leftwards, those above grow rightwards: merging
        // the two runs yields them in order; the median is the middle one (or two).
        let split = s.partition_point(|v| *v < center);
        let (mut l, mut r) = (split, split);
        let mut next = || -> f64 {
            let left = (l > 0).then(|| center - s[l - 1]);
            let right = (r < n).then(|| s[r] - center);
            match (left, right) {
                (Some(a), Some(b)) if a <= b => {
                    l -= 1;
                    a
                }
                (_, Some(b)) => {
                    r += 1;
                    b
                }
                (Some(a), None) => {
                    l -= 1;
                    a
                }
                (None, None) => 0.0,
            }
        };
        let mut k = 0.0;
        for _ in 0..(n - 1) / 2 {
            k = next();
        }
        let mad = if n % 2 == 1 {
            next()
        } else {
            let a = if n >= 2 { next() } else { k };
            let b = next();
            (a + b) / 2.0
        };
        (center, mad)
    }
}

/// Local minute of the day, from the zone's offset at that instant (no calendar needed).
fn minute_of_day(ts: i64, tz: &TimeZone) -> Option<i64> {
    let offset = tz.to_offset(jiff::Timestamp::from_second(ts).ok()?).seconds();
    Some((ts + i64::from(offset)).rem_euclid(86_400) / 60)
}

/// The last `CENTER_WINDOW` residuals, whose median is the usual residual now. An average
/// trails a loss by its pace × its smoothing time, so the usual residual shifts when the pace
/// does; twenty weigh-ins would take weeks to notice a plateau after a loss and judge the
/// plateau's first days against the loss's lag.
#[derive(Default)]
struct Recent(VecDeque<f64>);

impl Recent {
    fn push(&mut self, x: f64) {
        if self.0.len() == CENTER_WINDOW {
            self.0.pop_front();
        }
        self.0.push_back(x);
    }

    fn median(&self) -> f64 {
        let mut v: Vec<f64> = self.0.iter().copied().collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        match n {
            0 => 0.0,
            _ if n % 2 == 1 => v[n / 2],
            _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }
}

/// A flag the run of flags it belongs to may take back once the run proves a new level.
struct Pending {
    /// Index in the output.
    at: usize,
    kg: f64,
    /// Raised by the person's scatter only (a spike or someone else stays flagged).
    scatter_only: bool,
}

/// The flagged weigh-ins among `points` (counted ones, oldest first).
pub fn anomalies(points: &[WeighInPoint], tz: &TimeZone) -> Vec<Anomaly> {
    let mut out: Vec<Anomaly> = Vec::new();
    let mut level: Option<(i64, f64)> = None;
    let mut residuals = Window::default();
    let mut recent = Recent::default();
    let mut minutes: VecDeque<i64> = VecDeque::with_capacity(WINDOW);
    // Consecutive weigh-ins flagged far from the trend, all on the side `run_above`.
    let mut run: Vec<Pending> = Vec::new();
    let mut run_above = false;
    for &(ts, kg, grpid) in points {
        let mut reasons = Vec::new();
        let mut far = None;
        if let Some((at, trend)) = level {
            let residual = kg - trend;
            let days = (ts - at).max(0) as f64 / DAY as f64;
            let drift = MAX_KG_PER_DAY * (days - 1.0).max(0.0);
            let (center, spread) = if residuals.len() >= MIN_HISTORY {
                let (_, mad) = residuals.median_and_mad();
                (recent.median(), Some(ROBUST_SDS * (MAD_TO_SD * mad).max(MIN_SD_KG)))
            } else {
                (0.0, None)
            };
            let off = residual - center;
            let mut scatter_only = false;
            if residual.abs() > SOMEONE_ELSE_SHARE * trend + drift {
                reasons.push(Reason::SomeoneElse { residual_kg: residual });
            } else if off.abs() >= SPIKE_KG + drift {
                reasons.push(Reason::Spike { residual_kg: residual });
            } else if let Some(spread) = spread
                && off.abs() > spread + drift
            {
                scatter_only = true;
                reasons.push(Reason::FarFromTrend { residual_kg: residual, limit_kg: spread + drift });
            }
            // Huber: a flagged weigh-in pulls the trend by no more than the limit.
            let limit = spread.unwrap_or(SPIKE_KG) + drift;
            let used = if reasons.is_empty() { residual } else { center + off.clamp(-limit, limit) };
            if !reasons.is_empty() {
                far = Some((off > 0.0, scatter_only));
            }
            let k = 1.0 - (-days / SMOOTHING_DAYS).exp();
            level = Some((ts, trend + k * used));
            residuals.push(used);
            recent.push(used);
        } else {
            level = Some((ts, kg));
        }
        if let Some(m) = minute_of_day(ts, tz) {
            let near = |x: &i64| {
                let d = (x - m).rem_euclid(1440);
                d.min(1440 - d) <= USUAL_MINUTES
            };
            if minutes.len() >= MIN_HISTORY && !minutes.iter().any(near) {
                reasons.push(Reason::UnusualHour { time: format!("{:02}:{:02}", m / 60, m % 60) });
            }
            if minutes.len() == WINDOW {
                minutes.pop_front();
            }
            minutes.push_back(m);
        }
        let at = out.len();
        if !reasons.is_empty() {
            out.push(Anomaly { grpid, ts, reasons });
        }
        match far {
            Some((above, scatter_only)) => {
                if !run.is_empty() && run_above != above {
                    run.clear();
                }
                run_above = above;
                run.push(Pending { at, kg, scatter_only });
                let needed = if run.iter().all(|p| p.scatter_only) {
                    RUN_TO_REANCHOR
                } else {
                    RUN_OF_SPIKES_TO_REANCHOR
                };
                if run.len() >= needed {
                    reanchor(&mut out, &mut run, &mut level);
                    // The run's clipped residuals told of the old level, not the usual one.
                    recent = Recent::default();
                }
            }
            None => run.clear(),
        }
    }
    out.retain(|a| !a.reasons.is_empty());
    out
}

/// A run of flags on one side is a new level: the trend moves onto it (the median of the
/// run), and the scatter's flags in the run are taken
/// back (the hour's, a spike's and someone else's stay).
fn reanchor(out: &mut [Anomaly], run: &mut Vec<Pending>, level: &mut Option<(i64, f64)>) {
    let mut kgs: Vec<f64> = run.iter().map(|p| p.kg).collect();
    kgs.sort_by(f64::total_cmp);
    let new_level = kgs[kgs.len() / 2];
    if let Some((at, _)) = *level {
        *level = Some((at, new_level));
    }
    for p in run.drain(..) {
        if p.scatter_only
            && let Some(a) = out.get_mut(p.at)
        {
            a.reasons.retain(|r| !matches!(r, Reason::FarFromTrend { .. }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_767_250_800; // 2026-01-01 07:00 UTC

    /// A month of mornings at 07:00 ± a few minutes, 80 kg ± 0.3.
    fn mornings(n: i64) -> Vec<WeighInPoint> {
        (0..n)
            .map(|d| {
                let noise = [0.0, 0.3, -0.2, 0.1, -0.3, 0.2, -0.1][d as usize % 7];
                (T0 + d * DAY + (d % 5) * 240, 80.0 + noise, d + 1)
            })
            .collect()
    }

    /// The sliding window agrees with sorting, for every window size up to a full one and
    /// once it slides.
    #[test]
    fn the_window_median_and_mad_equal_the_sorted_definition() {
        fn sorted_median(v: &mut [f64]) -> f64 {
            v.sort_by(f64::total_cmp);
            let n = v.len();
            if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
        }
        let mut w = Window::default();
        let mut all = Vec::new();
        for i in 0..60u32 {
            let x = f64::from((i * 7919) % 23) / 10.0 - 1.1 + if i % 9 == 0 { 3.0 } else { 0.0 };
            w.push(x);
            all.push(x);
            let mut last: Vec<f64> = all.iter().rev().take(WINDOW).copied().collect();
            let center = sorted_median(&mut last);
            let mut dev: Vec<f64> = last.iter().map(|v| (v - center).abs()).collect();
            let mad = sorted_median(&mut dev);
            let (c, m) = w.median_and_mad();
            assert!(
                (c - center).abs() < 1e-12 && (m - mad).abs() < 1e-12,
                "at {i}: {c} {m} vs {center} {mad}"
            );
        }
    }

    #[test]
    fn a_planted_outlier_is_flagged_and_its_neighbours_are_not() {
        let mut pts = mornings(40);
        pts[30].1 = 82.2; // a heavy dinner, or a coat
        let a = anomalies(&pts, &TimeZone::UTC);
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].grpid, 31);
        let Reason::FarFromTrend { residual_kg, limit_kg } = a[0].reasons[0] else { panic!("{a:?}") };
        assert!((residual_kg - 2.2).abs() < 0.2 && limit_kg < 2.0, "{residual_kg} {limit_kg}");
    }

    #[test]
    fn a_spike_and_someone_else_are_always_flagged_with_their_reason() {
        let mut pts = mornings(40);
        pts[3].1 = 84.0; // before any scatter is known
        pts[20].1 = 84.5; // a bag on the scale
        pts[30].1 = 38.0; // a child
        let a = anomalies(&pts, &TimeZone::UTC);
        assert_eq!(a.iter().map(|x| x.grpid).collect::<Vec<_>>(), vec![4, 21, 31], "{a:?}");
        assert!(matches!(a[0].reasons[..], [Reason::Spike { residual_kg }] if residual_kg > 3.5));
        assert!(matches!(a[1].reasons[..], [Reason::Spike { residual_kg }] if residual_kg > 4.0));
        assert!(matches!(a[2].reasons[..], [Reason::SomeoneElse { residual_kg }] if residual_kg < -40.0));
    }

    /// A flagged weigh-in moves the trend a little, never not at all, and three in a row on
    /// one side are a new level: no run of flags after a real change, however sudden.
    #[test]
    fn a_sudden_lasting_change_is_flagged_for_its_first_days_only() {
        let mut pts = mornings(90);
        for p in &mut pts[30..] {
            p.1 -= 2.5; // e.g. the first week of a diet, all water, in one night
        }
        let a = anomalies(&pts, &TimeZone::UTC);
        assert!(a.len() <= 2, "{a:?}");
        assert!(a.iter().all(|x| x.grpid <= 33), "{a:?}");
    }

    /// Someone else three mornings running stays someone else, and does not pull the trend.
    #[test]
    fn a_child_three_mornings_running_is_flagged_each_time_and_the_trend_stays() {
        let mut pts = mornings(40);
        for p in &mut pts[20..23] {
            p.1 = 31.0;
        }
        let a = anomalies(&pts, &TimeZone::UTC);
        assert_eq!(a.iter().map(|x| x.grpid).collect::<Vec<_>>(), vec![21, 22, 23], "{a:?}");
        assert!(a.iter().all(|x| matches!(x.reasons[..], [Reason::SomeoneElse { .. }])), "{a:?}");
    }

    /// A real overnight change beyond any spike (a birth): flagged for its first days, then
    /// the new level is the trend.
    #[test]
    fn an_overnight_drop_of_six_kilos_is_a_new_level_after_five_days() {
        let mut pts = mornings(60);
        for p in &mut pts[30..] {
            p.1 -= 6.0;
        }
        let a = anomalies(&pts, &TimeZone::UTC);
        assert!(a.len() <= 5 && a.iter().all(|x| (31..=35).contains(&x.grpid)), "{a:?}");
    }

    /// After weeks without weighing in, the weight may have moved by what a body changes in
    /// that time.
    #[test]
    fn the_first_weigh_in_after_a_gap_may_have_moved() {
        let mut pts = mornings(60);
        for p in &mut pts[30..] {
            p.0 += 35 * DAY;
            p.1 -= 4.5;
        }
        assert!(anomalies(&pts, &TimeZone::UTC).is_empty());
    }

    #[test]
    fn a_second_weigh_in_a_minute_later_is_not_unusual() {
        let mut pts = mornings(40);
        let mut again: Vec<WeighInPoint> = pts.iter().map(|p| (p.0 + 60, p.1 + 0.1, p.2 + 1000)).collect();
        pts.append(&mut again);
        pts.sort_by_key(|p| p.0);
        assert!(anomalies(&pts, &TimeZone::UTC).is_empty());
    }

    #[test]
    fn a_weigh_in_in_the_night_is_flagged_for_its_hour_only() {
        let mut pts = mornings(25);
        pts[20].0 = T0 + 20 * DAY - 4 * 3600 - 600; // 02:50
        let a = anomalies(&pts, &TimeZone::UTC);
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].reasons, vec![Reason::UnusualHour { time: "02:50".into() }]);
    }

    #[test]
    fn nothing_is_flagged_before_there_is_a_history_to_compare_with() {
        let mut pts = mornings(8);
        pts[5].1 = 82.5; // a spike of 3.5 kg or more would be flagged even this early
        assert!(anomalies(&pts, &TimeZone::UTC).is_empty());
    }

    #[test]
    fn a_steady_loss_is_not_an_anomaly() {
        let pts: Vec<WeighInPoint> =
            (0..120).map(|d| (T0 + d * DAY, 95.0 - 0.15 * d as f64, d + 1)).collect();
        assert!(anomalies(&pts, &TimeZone::UTC).is_empty());
    }
}

/// Long histories shaped like real people's, for the rule's tests and its figures.
#[cfg(test)]
mod real_histories {
    use std::collections::HashSet;

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    /// One history: the counted weigh-ins, oldest first, and the grpids of the planted
    /// outliers (a bag on the scale, someone else, a weigh-in in the night).
    pub struct History {
        pub points: Vec<WeighInPoint>,
        pub planted: HashSet<i64>,
    }

    fn normal(rng: &mut StdRng) -> f64 {
        // Box–Muller: enough for noise, and no extra dependency.
        let u1: f64 = rng.random_range(f64::EPSILON..1.0);
        let u2: f64 = rng.random_range(0.0..1.0);
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// `years` of mornings: losses and regains of 5–10 kg over 2–4 months, plateaus between
    /// them, daily noise of ~0.4 kg with heavier days after a feast, a second weigh-in a
    /// minute after the first now and then, a skipped day one time in ten, gaps of two to six
    /// weeks about once a year, and an outlier planted about every 200 days.
    pub fn history(seed: u64, years: i64) -> History {
        const T0: i64 = 1_420_095_600; // 2015-01-01 07:00 UTC
        let mut rng = StdRng::seed_from_u64(seed);
        let days = years * 365;
        // The underlying weight, day by day.
        let mut truth = Vec::with_capacity(days as usize);
        let mut w = rng.random_range(75.0..95.0);
        while (truth.len() as i64) < days {
            let plateau = rng.random_range(20..150);
            truth.extend(std::iter::repeat_n(w, plateau));
            let len = rng.random_range(60..=120);
            let change: f64 = rng.random_range(5.0..10.0);
            // Down when heavy, up when light, either way in between.
            let down = if w > 90.0 {
                true
            } else if w < 72.0 {
                false
            } else {
                rng.random_bool(0.6)
            };
            let step = if down { -change } else { change } / f64::from(len);
            for _ in 0..len {
                w += step;
                truth.push(w);
            }
        }
        truth.truncate(days as usize);
        let mut points = Vec::new();
        let mut planted = HashSet::new();
        let mut grpid = 0;
        let mut d = 0;
        let mut next_outlier = rng.random_range(60..200);
        while d < days {
            if rng.random_bool(1.0 / 365.0) {
                d += rng.random_range(14..42);
                continue;
            }
            if rng.random_bool(0.1) {
                d += 1;
                continue;
            }
            let weekend = (d + 3) % 7 >= 5;
            let minute = 7 * 60 + if weekend { 75 } else { 0 } + (normal(&mut rng) * 25.0) as i64;
            let ts = T0 + d * DAY - 7 * 3600 + minute * 60;
            let mut noise = normal(&mut rng) * 0.4;
            if rng.random_bool(0.03) {
                noise += rng.random_range(0.8..1.6);
            }
            let kg = (truth[d as usize] + noise).max(40.0);
            let kg = (kg * 10.0).round() / 10.0;
            grpid += 1;
            // An outlier right after a gap cannot be told from a real change: plant them on
            // a day after a weigh-in.
            let after_gap = points.last().is_none_or(|p: &WeighInPoint| ts - p.0 > 2 * DAY);
            if d >= next_outlier && !after_gap {
                next_outlier = d + rng.random_range(150..250);
                match rng.random_range(0..3) {
                    0 => points.push((ts, kg + rng.random_range(3.8..6.0), grpid)),
                    1 => points.push((ts, rng.random_range(25.0..45.0), grpid)),
                    // Between 02:00 and 03:30.
                    _ => points.push((T0 + d * DAY - 5 * 3600 + rng.random_range(0..5400), kg, grpid)),
                }
                planted.insert(grpid);
            } else {
                points.push((ts, kg, grpid));
                if rng.random_bool(0.03) {
                    grpid += 1;
                    let again = kg + [0.0, 0.1, -0.1][rng.random_range(0..3)];
                    points.push((ts + rng.random_range(30..90), again, grpid));
                }
            }
            d += 1;
        }
        points.sort_by_key(|p| p.0);
        History { points, planted }
    }

    /// (flagged share of the real weigh-ins, most flags of real ones in any 30 days,
    /// planted outliers flagged, planted outliers).
    pub fn score(h: &History, flagged: &[Anomaly]) -> (f64, usize, usize, usize) {
        let flagged_ids: HashSet<i64> = flagged.iter().map(|a| a.grpid).collect();
        let real_flags: Vec<i64> =
            flagged.iter().filter(|a| !h.planted.contains(&a.grpid)).map(|a| a.ts).collect();
        let real = h.points.len() - h.planted.len();
        let mut worst = 0;
        for (i, &t) in real_flags.iter().enumerate() {
            let n = real_flags[i..].iter().take_while(|&&u| u < t + 30 * DAY).count();
            worst = worst.max(n);
        }
        let found = h.planted.iter().filter(|g| flagged_ids.contains(g)).count();
        (real_flags.len() as f64 / real as f64, worst, found, h.planted.len())
    }

    /// The rule's promise on real histories: few flags, never a run of them, every planted
    /// outlier found. Today's figures: `cargo test -p heft --lib real_histories -- --nocapture`.
    #[test]
    fn on_long_real_histories_few_weigh_ins_are_flagged_and_every_planted_outlier_is() {
        for seed in 1..=12 {
            for years in [10, 20] {
                let h = history(seed, years);
                let a = anomalies(&h.points, &TimeZone::UTC);
                let (share, worst, found, planted) = score(&h, &a);
                eprintln!(
                    "seed {seed}, {years} years, {} weigh-ins: {:.1} % of the real ones flagged, \
                     at most {worst} in 30 days; {found} of {planted} planted outliers flagged",
                    h.points.len(),
                    share * 100.0
                );
                assert!(share <= 0.02, "seed {seed}, {years} years: {:.1} % flagged", share * 100.0);
                assert!(worst <= 3, "seed {seed}, {years} years: {worst} flags in 30 days");
                assert_eq!(found, planted, "seed {seed}, {years} years: planted outliers missed");
            }
        }
    }
}
