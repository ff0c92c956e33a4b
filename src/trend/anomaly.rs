//! Weigh-ins worth a second look: far from the trend, or at an hour the person never weighs
//! in. Flagged with the reason, never excluded: only the person's click excludes.
//!
//! Far from the trend: the residual (weigh-in − trend just before it) is more than 3 robust
//! standard deviations from the median residual of the previous 20 weigh-ins, the robust
//! standard deviation being 1.4826 × their median absolute deviation (the MAD of a normal
//! sample estimates σ / 1.4826). The trend is Libra's time-aware average (S = 7 days), which a
//! flagged weigh-in does not move, so one wrong reading does not make its neighbours look wrong.
//!
//! Unusual hour: none of the previous 20 weigh-ins was within two hours of its time of day.

use std::collections::VecDeque;

use jiff::tz::TimeZone;
use serde::Serialize;

use super::DAY;

/// How many earlier weigh-ins the spread and the habit are learnt from.
pub const WINDOW: usize = 20;
/// Too few earlier weigh-ins say nothing yet.
const MIN_HISTORY: usize = 10;
pub const ROBUST_SDS: f64 = 3.0;
const MAD_TO_SD: f64 = 1.4826;
/// Scales read to 50–100 g: a spread below this is the display's rounding, not the person.
const MIN_SD_KG: f64 = 0.1;
const SMOOTHING_DAYS: f64 = 7.0;
/// Within this many minutes of an earlier weigh-in's time of day is a usual hour.
const USUAL_MINUTES: i64 = 120;

/// Why a weigh-in is flagged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// `residual_kg` above or below the trend, where up to `limit_kg` is usual.
    FarFromTrend { residual_kg: f64, limit_kg: f64 },
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

/// The flagged weigh-ins among `points` (counted ones, oldest first).
pub fn anomalies(points: &[WeighInPoint], tz: &TimeZone) -> Vec<Anomaly> {
    let mut out = Vec::new();
    let mut level: Option<(i64, f64)> = None;
    let mut residuals = Window::default();
    let mut minutes: VecDeque<i64> = VecDeque::with_capacity(WINDOW);
    for &(ts, kg, grpid) in points {
        let mut reasons = Vec::new();
        let mut far = false;
        if let Some((at, trend)) = level {
            let residual = kg - trend;
            if residuals.len() >= MIN_HISTORY {
                let (center, mad) = residuals.median_and_mad();
                let sd = (MAD_TO_SD * mad).max(MIN_SD_KG);
                if (residual - center).abs() > ROBUST_SDS * sd {
                    far = true;
                    reasons.push(Reason::FarFromTrend { residual_kg: residual, limit_kg: ROBUST_SDS * sd });
                }
            }
            if !far {
                let k = 1.0 - (-((ts - at).max(0) as f64) / (SMOOTHING_DAYS * DAY as f64)).exp();
                level = Some((ts, trend + k * residual));
                residuals.push(residual);
            }
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
        if !reasons.is_empty() {
            out.push(Anomaly { grpid, ts, reasons });
        }
    }
    out
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
        pts[30].1 = 84.5; // a bag on the scale
        let a = anomalies(&pts, &TimeZone::UTC);
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].grpid, 31);
        let Reason::FarFromTrend { residual_kg, limit_kg } = a[0].reasons[0] else { panic!("{a:?}") };
        assert!((residual_kg - 4.5).abs() < 0.2 && limit_kg < 1.5, "{residual_kg} {limit_kg}");
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
        pts[5].1 = 90.0;
        assert!(anomalies(&pts, &TimeZone::UTC).is_empty());
    }

    #[test]
    fn a_steady_loss_is_not_an_anomaly() {
        let pts: Vec<WeighInPoint> =
            (0..120).map(|d| (T0 + d * DAY, 95.0 - 0.15 * d as f64, d + 1)).collect();
        assert!(anomalies(&pts, &TimeZone::UTC).is_empty());
    }
}
