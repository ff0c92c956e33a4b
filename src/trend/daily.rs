//! The daily methods: one value per local day (the day's first, lowest or mean weigh-in, as
//! the account's [`DayReading`] says), missing days filled
//! by linear interpolation between their neighbours (nothing before the first or after the
//! last), then smoothed once per day.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::{DayReading, TrendPoint, local_day, noon};

/// The Hacker's Diet's smoothing: each day moves 10 % of the way to the day's weight.
pub const EMA_ALPHA: f64 = 0.1;

/// One day of the daily series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyValue {
    pub date: Date,
    pub at: i64,
    pub value: f64,
    pub measured: bool,
}

/// The daily series of `points` (`(unix seconds, value)`, any order) in `tz`, each day's value
/// its `reading`; a day's time is its first weigh-in's.
pub fn series(points: &[(i64, f64)], tz: &TimeZone, reading: DayReading) -> Vec<DailyValue> {
    let mut sorted: Vec<(i64, f64)> = points.to_vec();
    sorted.sort_by_key(|p| p.0);
    // Group by local day number first (integer maths with the zone's offset at that instant,
    // so a DST change moves the day boundary with the clock); dates once per day.
    let mut by_day: Vec<(i64, i64, Vec<f64>)> = Vec::new();
    for (ts, v) in sorted {
        let Ok(t) = jiff::Timestamp::from_second(ts) else { continue };
        let n = (ts + i64::from(tz.to_offset(t).seconds())).div_euclid(super::DAY);
        match by_day.last_mut() {
            Some((last, _, values)) if *last == n => values.push(v),
            _ => by_day.push((n, ts, vec![v])),
        }
    }
    let firsts: Vec<(i64, i64, f64)> =
        by_day.iter().map(|(n, ts, values)| (*n, *ts, reading.of(values))).collect();
    let days: Vec<(Date, i64, f64)> =
        firsts.iter().filter_map(|&(_, ts, v)| local_day(ts, tz).map(|d| (d, ts, v))).collect();
    let mut out = Vec::with_capacity(days.len());
    for (i, &(date, at, value)) in days.iter().enumerate() {
        if let Some(&(prev_date, _, prev_value)) = i.checked_sub(1).map(|j| &days[j]) {
            let gap = (date - prev_date).get_days();
            for k in 1..gap {
                let Ok(d) = prev_date.checked_add(jiff::Span::new().days(k)) else { continue };
                let v = prev_value + (value - prev_value) * f64::from(k) / f64::from(gap);
                out.push(DailyValue { date: d, at: noon(d, tz).unwrap_or(at), value: v, measured: false });
            }
        }
        out.push(DailyValue { date, at, value, measured: true });
    }
    out
}

fn point(d: &DailyValue, trend: f64, slope: f64) -> TrendPoint {
    TrendPoint { date: d.date, at: d.at, value: d.value, measured: d.measured, trend, slope }
}

/// T₁ = W₁, then Tₙ = Tₙ₋₁ + α (Wₙ − Tₙ₋₁) once per day.
pub fn ema(days: &[DailyValue], alpha: f64) -> Vec<TrendPoint> {
    let mut out: Vec<TrendPoint> = Vec::with_capacity(days.len());
    for d in days {
        let trend = out.last().map_or(d.value, |l| l.trend + alpha * (d.value - l.trend));
        out.push(point(d, trend, 0.0));
    }
    out
}

/// Holt's linear method as TrendWeight runs it: L = W₁, b = 0; each day F = L + b,
/// L′ = F + α (W − F), b ← b + β (L′ − L − b), L ← L′. The trend is L.
pub fn holt(days: &[DailyValue], alpha: f64, beta: f64) -> Vec<TrendPoint> {
    let mut out: Vec<TrendPoint> = Vec::with_capacity(days.len());
    let (mut level, mut slope) = (0.0, 0.0);
    for (i, d) in days.iter().enumerate() {
        if i == 0 {
            level = d.value;
        } else {
            let forecast = level + slope;
            let next = forecast + alpha * (d.value - forecast);
            slope += beta * (next - level - slope);
            level = next;
        }
        out.push(point(d, level, slope));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two weigh-ins a minute apart (before and after breakfast, say): the day's value is the
    /// first, the lowest or their mean, as chosen; one weigh-in a day is the same for all three.
    #[test]
    fn the_day_reading_picks_the_value_of_a_day() {
        let t0 = 1_709_280_000;
        let pts = [(t0, 80.4), (t0 + 60, 79.8), (t0 + 86_400, 79.9)];
        let day = |r: DayReading| series(&pts, &TimeZone::UTC, r).iter().map(|d| d.value).collect::<Vec<_>>();
        assert_eq!(day(DayReading::First), vec![80.4, 79.9]);
        assert_eq!(day(DayReading::Lowest), vec![79.8, 79.9]);
        let mean = day(DayReading::Mean);
        assert!((mean[0] - 80.1).abs() < 1e-9 && mean[1] == 79.9, "{mean:?}");
        assert_eq!(
            series(&pts, &TimeZone::UTC, DayReading::Lowest)[0].at,
            t0,
            "the day's time is its first weigh-in's"
        );
    }
    use crate::trend::DAY;
    use jiff::civil::date;

    const T0: i64 = 1_709_280_000; // 2024-03-01 08:00 UTC

    #[test]
    fn ema_matches_hand_computed_values_with_a_gap_and_two_weigh_ins_a_day() {
        let pts = [
            (T0, 80.0),
            (T0 + 3600, 90.0), // a second weigh-in the same day: only the first counts
            (T0 + DAY, 81.0),
            (T0 + 3 * DAY, 79.0), // day 3 missing: interpolated as 80.0
        ];
        let t = ema(&series(&pts, &TimeZone::UTC, DayReading::First), EMA_ALPHA);
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].trend, 80.0);
        assert!((t[1].trend - 80.1).abs() < 1e-9); // 80 + 0.1 (81 − 80)
        assert!(!t[2].measured);
        assert!((t[2].value - 80.0).abs() < 1e-9);
        assert!((t[2].trend - 80.09).abs() < 1e-9); // 80.1 + 0.1 (80 − 80.1)
        assert!((t[3].trend - 79.981).abs() < 1e-9); // 80.09 + 0.1 (79 − 80.09)
        assert_eq!(t[3].date, date(2024, 3, 4));
    }

    #[test]
    fn days_follow_the_accounts_time_zone_across_a_dst_change() {
        // Europe/Paris moves to summer time on 2024-03-31 at 02:00 (UTC+1 → UTC+2).
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let at = |s: &str| s.parse::<jiff::Zoned>().unwrap().timestamp().as_second();
        let pts = [
            (at("2024-03-30T23:30:00+01:00[Europe/Paris]"), 80.0),
            // 00:30 summer time on the 31st is 22:30 UTC on the 30th: a new local day.
            (at("2024-03-31T00:30:00+01:00[Europe/Paris]"), 81.0),
            (at("2024-03-31T23:30:00+02:00[Europe/Paris]"), 99.0), // same local day: ignored
            (at("2024-04-01T00:10:00+02:00[Europe/Paris]"), 82.0),
        ];
        let s = series(&pts, &paris, DayReading::First);
        let days: Vec<(Date, f64)> = s.iter().map(|d| (d.date, d.value)).collect();
        assert_eq!(
            days,
            vec![(date(2024, 3, 30), 80.0), (date(2024, 3, 31), 81.0), (date(2024, 4, 1), 82.0)]
        );
        let utc_days = series(&pts, &TimeZone::UTC, DayReading::First).len();
        assert_eq!(utc_days, 2, "in UTC the same weigh-ins fall on two days");
    }
}
