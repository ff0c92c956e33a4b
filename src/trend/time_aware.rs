//! Libra's time-aware trend: every weigh-in counts, no daily selection or interpolation. Each
//! next weigh-in moves the trend by k = 1 − exp(−Δt / S) of the way, Δt the exact time since
//! the previous weigh-in, so one weigh-in after a week away counts as much as a week of them.

use jiff::tz::TimeZone;

use super::{DAY, TrendPoint, local_day};

pub fn trend(points: &[(i64, f64)], tz: &TimeZone, smoothing_days: f64) -> Vec<TrendPoint> {
    let mut sorted: Vec<(i64, f64)> = points.to_vec();
    sorted.sort_by_key(|p| p.0);
    let s = smoothing_days.max(f64::MIN_POSITIVE) * DAY as f64;
    let mut out: Vec<TrendPoint> = Vec::with_capacity(sorted.len());
    for (at, value) in sorted {
        let Some(date) = local_day(at, tz) else { continue };
        let trend = match out.last() {
            None => value,
            Some(prev) => {
                let k = 1.0 - (-((at - prev.at) as f64) / s).exp();
                prev.trend + k * (value - prev.trend)
            }
        };
        out.push(TrendPoint { date, at, value, measured: true, trend, slope: 0.0 });
    }
    out
}
