//! Trend smoothing (The Hacker's Diet / TrendWeight), weekly rate and goal projection.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

/// Smoothing of the classic daily trend: each day moves 10 % of the way to the day's weight.
pub const ALPHA: f64 = 0.1;

/// One day of the daily trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendDay {
    pub date: Date,
    /// The day's first weigh-in, or `None` for a day filled in by interpolation.
    pub measured: Option<f64>,
    /// The value the trend used for that day (measured or interpolated).
    pub value: f64,
    pub trend: f64,
}

/// The local calendar day of a timestamp in the account's time zone.
pub fn local_day(ts: i64, tz: &TimeZone) -> Option<Date> {
    jiff::Timestamp::from_second(ts).ok().map(|t| t.to_zoned(tz.clone()).date())
}

/// The daily exponentially smoothed trend: first weigh-in of each local day, gaps filled by
/// linear interpolation, `trend[i] = trend[i-1] + α (value[i] − trend[i-1])`, starting at the
/// first value. `points` are `(unix seconds, value)`, in any order.
pub fn daily_trend(points: &[(i64, f64)], tz: &TimeZone, alpha: f64) -> Vec<TrendDay> {
    let mut sorted: Vec<(i64, f64)> = points.to_vec();
    sorted.sort_by_key(|p| p.0);
    // Group by local day number first (cheap integer maths with the zone's offset at that
    // instant); build calendar dates only once per day.
    let mut day_numbers: Vec<(i64, i64, f64)> = Vec::new();
    for (ts, v) in sorted {
        let Ok(t) = jiff::Timestamp::from_second(ts) else { continue };
        let offset = i64::from(tz.to_offset(t).seconds());
        let n = (ts + offset).div_euclid(86_400);
        if day_numbers.last().is_none_or(|(last, _, _)| *last != n) {
            day_numbers.push((n, ts, v));
        }
    }
    let days: Vec<(Date, f64)> =
        day_numbers.iter().filter_map(|&(_, ts, v)| local_day(ts, tz).map(|d| (d, v))).collect();
    let mut out: Vec<TrendDay> = Vec::new();
    for (i, &(date, value)) in days.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).map(|j| days[j]) {
            // Fill the days between the previous weigh-in and this one.
            let gap = (date - prev.0).get_days();
            for k in 1..gap {
                let v = prev.1 + (value - prev.1) * f64::from(k) / f64::from(gap);
                let d = prev.0.checked_add(jiff::Span::new().days(k)).unwrap_or(date);
                let t = out.last().map_or(v, |l| l.trend);
                out.push(TrendDay { date: d, measured: None, value: v, trend: t + alpha * (v - t) });
            }
        }
        let trend = match out.last() {
            None => value,
            Some(l) => l.trend + alpha * (value - l.trend),
        };
        out.push(TrendDay { date, measured: Some(value), value, trend });
    }
    out
}

/// Weekly rate of change: least-squares slope of the trend over its last 14 days, × 7.
pub fn weekly_rate(days: &[TrendDay]) -> Option<f64> {
    let tail = &days[days.len().saturating_sub(14)..];
    if tail.len() < 2 {
        return None;
    }
    let n = tail.len() as f64;
    let xs: Vec<f64> = (0..tail.len()).map(|i| i as f64).collect();
    let mx = xs.iter().sum::<f64>() / n;
    let my = tail.iter().map(|d| d.trend).sum::<f64>() / n;
    let sxy: f64 = xs.iter().zip(tail).map(|(x, d)| (x - mx) * (d.trend - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    Some(sxy / sxx * 7.0)
}

/// When the goal is reached at the current pace, as a range (pace ±25 %).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Projection {
    pub from: Date,
    pub to: Date,
}

pub fn project(today: Date, trend: f64, weekly_rate: f64, goal: f64) -> Option<Projection> {
    let remaining = goal - trend;
    if remaining.abs() < 0.05 {
        return Some(Projection { from: today, to: today });
    }
    if weekly_rate == 0.0 || remaining.signum() != weekly_rate.signum() {
        return None; // moving away from the goal, or not moving
    }
    let days_at = |rate: f64| (remaining / rate * 7.0).ceil() as i64;
    let (fast, slow) = (days_at(weekly_rate * 1.25), days_at(weekly_rate * 0.75));
    if slow > 3_650 {
        return None; // more than ten years away: not a useful date
    }
    let add = |d: i64| today.checked_add(jiff::Span::new().days(d)).ok();
    Some(Projection { from: add(fast)?, to: add(slow)? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const DAY: i64 = 86_400;
    // 2024-03-01 08:00 UTC
    const T0: i64 = 1_709_280_000;

    #[test]
    fn daily_trend_matches_hand_computed_values_with_a_gap_and_two_weigh_ins_a_day() {
        let tz = TimeZone::UTC;
        let pts = [
            (T0, 80.0),
            (T0 + 3600, 90.0), // second weigh-in the same day: ignored
            (T0 + DAY, 81.0),
            (T0 + 3 * DAY, 79.0), // day 2 missing: interpolated as 80.0
        ];
        let t = daily_trend(&pts, &tz, ALPHA);
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].trend, 80.0);
        assert!((t[1].trend - 80.1).abs() < 1e-9); // 80 + 0.1 (81 − 80)
        assert_eq!(t[2].measured, None);
        assert!((t[2].value - 80.0).abs() < 1e-9);
        assert!((t[2].trend - 80.09).abs() < 1e-9); // 80.1 + 0.1 (80 − 80.1)
        assert!((t[3].trend - 79.981).abs() < 1e-9); // 80.09 + 0.1 (79 − 80.09)
        assert_eq!(t[3].date, date(2024, 3, 4));
    }

    #[test]
    fn days_follow_the_accounts_time_zone_not_utc() {
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        // 2024-03-01 20:00 UTC is already 2024-03-02 in Tokyo.
        assert_eq!(local_day(T0 + 12 * 3600, &tokyo), Some(date(2024, 3, 2)));
        assert_eq!(local_day(T0 + 12 * 3600, &TimeZone::UTC), Some(date(2024, 3, 1)));
    }

    #[test]
    fn weekly_rate_of_a_steady_loss_and_its_projection() {
        let tz = TimeZone::UTC;
        let pts: Vec<(i64, f64)> = (0..60).map(|d| (T0 + d * DAY, 90.0 - 0.1 * d as f64)).collect();
        let t = daily_trend(&pts, &tz, ALPHA);
        let rate = weekly_rate(&t).unwrap();
        assert!((rate + 0.7).abs() < 0.02, "≈ −0.7 kg/week, got {rate}");
        let last = t.last().unwrap();
        let p = project(last.date, last.trend, rate, last.trend - 7.0).unwrap();
        assert!(p.from < p.to, "a range, not a single day");
        let days_from = (p.from - last.date).get_days();
        assert!((50..=60).contains(&days_from), "7 kg at ~0.875 kg/week ≈ 56 days: {days_from}");
        assert_eq!(project(last.date, last.trend, rate, last.trend + 5.0), None, "moving away");
    }
}
