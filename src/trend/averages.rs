//! Weekly and monthly averages: for each calendar week (starting on the locale's first day) or
//! month with a counted weigh-in, the mean of its weigh-ins, the trend at its end and the
//! change of that trend against the period before (the trend, not the means: a week of two
//! weigh-ins after a salty dinner should not read as a gain).

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::Serialize;

use super::{DayTrend, local_day};

/// Calendar weeks from `first_day`, or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week { first_day: Weekday },
    Month,
}

impl Period {
    /// The period holding `d`: its first and last day.
    fn of(self, d: Date) -> (Date, Date) {
        match self {
            Period::Week { first_day } => {
                let back =
                    (d.weekday().to_monday_zero_offset() - first_day.to_monday_zero_offset()).rem_euclid(7);
                let start = d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d);
                (start, start.checked_add(jiff::Span::new().days(6)).unwrap_or(start))
            }
            Period::Month => (d.first_of_month(), d.last_of_month()),
        }
    }
}

/// One period's figures, in kg.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PeriodAverage {
    pub start: Date,
    /// The period's last day.
    pub end: Date,
    pub weigh_ins: usize,
    pub mean_kg: f64,
    /// The trend on the period's last day (or the last day with data, for the current one).
    pub trend_kg: Option<f64>,
    /// `trend_kg` minus the previous period's (none for the first, or after a period without
    /// weigh-ins).
    pub change_kg: Option<f64>,
}

/// The periods of `points` (counted weigh-ins, `(unix seconds, kg)`) with `days`' trend, newest
/// first.
pub fn averages(
    points: &[(i64, f64)],
    days: &[DayTrend],
    tz: &TimeZone,
    period: Period,
) -> Vec<PeriodAverage> {
    let mut by_period: Vec<((Date, Date), Vec<f64>)> = Vec::new();
    let mut sorted: Vec<(i64, f64)> = points.to_vec();
    sorted.sort_by_key(|p| p.0);
    for (ts, kg) in sorted {
        let Some(d) = local_day(ts, tz) else { continue };
        let p = period.of(d);
        match by_period.last_mut() {
            Some((q, values)) if *q == p => values.push(kg),
            _ => by_period.push((p, vec![kg])),
        }
    }
    // The trend at or before a day (days are oldest first, one per day).
    let trend_at = |d: Date| {
        let i = days.partition_point(|x| x.date <= d);
        i.checked_sub(1).map(|i| days[i].trend)
    };
    let mut out: Vec<PeriodAverage> = Vec::with_capacity(by_period.len());
    for ((start, end), values) in by_period {
        let trend_kg = trend_at(end);
        // Against the calendar period just before; after a period without weigh-ins there is
        // none to compare with.
        let adjacent = out.last().filter(|p| p.end.tomorrow().ok() == Some(start));
        let change_kg = match (trend_kg, adjacent.and_then(|p| trend_at(p.end))) {
            (Some(t), Some(before)) => Some(t - before),
            _ => None,
        };
        out.push(PeriodAverage {
            start,
            end,
            weigh_ins: values.len(),
            mean_kg: values.iter().sum::<f64>() / values.len() as f64,
            trend_kg,
            change_kg,
        });
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trend::{TrendSpec, compute};
    use jiff::civil::date;

    fn at(d: Date, hour: i8) -> i64 {
        d.at(hour, 0, 0, 0).to_zoned(TimeZone::UTC).unwrap().timestamp().as_second()
    }

    #[test]
    fn weeks_start_on_the_locales_day_and_months_on_the_first() {
        // Thursday 2026-01-01 to Sunday 2026-01-11, one weigh-in a day, 0.1 kg less each day;
        // two on the 5th (a Monday), a minute apart.
        let mut pts: Vec<(i64, f64)> =
            (0..11).map(|i| (at(date(2026, 1, 1 + i), 7), 80.0 - 0.1 * f64::from(i))).collect();
        pts.push((at(date(2026, 1, 5), 7) + 60, 79.2));
        let days = compute(&pts, &TimeZone::UTC, TrendSpec::default()).days();
        let weeks = averages(&pts, &days, &TimeZone::UTC, Period::Week { first_day: Weekday::Monday });
        let spans: Vec<(Date, Date, usize)> = weeks.iter().map(|w| (w.start, w.end, w.weigh_ins)).collect();
        assert_eq!(
            spans,
            vec![(date(2026, 1, 5), date(2026, 1, 11), 8), (date(2025, 12, 29), date(2026, 1, 4), 4)],
            "newest first; Monday weeks"
        );
        assert!((weeks[1].mean_kg - 79.85).abs() < 1e-9, "{}", weeks[1].mean_kg);
        assert_eq!(weeks[1].change_kg, None, "nothing before the first week");
        let change = weeks[0].change_kg.unwrap();
        let expected = weeks[0].trend_kg.unwrap() - weeks[1].trend_kg.unwrap();
        assert!((change - expected).abs() < 1e-12 && change < 0.0, "{change}");
        let sundays = averages(&pts, &days, &TimeZone::UTC, Period::Week { first_day: Weekday::Sunday });
        assert_eq!((sundays[0].start, sundays[0].end), (date(2026, 1, 11), date(2026, 1, 17)));
        let months = averages(&pts, &days, &TimeZone::UTC, Period::Month);
        assert_eq!(months.len(), 1);
        assert_eq!(
            (months[0].start, months[0].end, months[0].weigh_ins),
            (date(2026, 1, 1), date(2026, 1, 31), 12)
        );
        assert_eq!(
            months[0].trend_kg,
            days.last().map(|d| d.trend),
            "the current month: its last day with data"
        );
    }
}
