//! A calendar-aligned time axis: ticks on week, month, quarter or year boundaries in the
//! account's time zone, each labelled with the period it starts, none skipped.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    /// Unix seconds of the boundary (local midnight).
    pub at: i64,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Week,
    Month,
    Quarter,
    Years(i16),
}

fn midnight(d: Date, tz: &TimeZone) -> Option<i64> {
    d.to_zoned(tz.clone()).ok().map(|z| z.timestamp().as_second())
}

fn first_boundary(d: Date, step: Step) -> Option<Date> {
    match step {
        Step::Week => {
            let back = d.weekday().since(Weekday::Monday);
            let monday = d.checked_sub(jiff::Span::new().days(back)).ok()?;
            if monday == d { Some(d) } else { monday.checked_add(jiff::Span::new().weeks(1)).ok() }
        }
        Step::Month | Step::Quarter => {
            let months = if step == Step::Month { 1 } else { 3 };
            let mut m = d.first_of_month();
            while (m.month() - 1) % months != 0 || m < d {
                m = m.checked_add(jiff::Span::new().months(1)).ok()?;
            }
            Some(m)
        }
        Step::Years(n) => {
            let mut y = d.first_of_year();
            while y.year() % n != 0 || y < d {
                y = y.checked_add(jiff::Span::new().years(1)).ok()?;
            }
            Some(y)
        }
    }
}

fn next(d: Date, step: Step) -> Option<Date> {
    let span = match step {
        Step::Week => jiff::Span::new().weeks(1),
        Step::Month => jiff::Span::new().months(1),
        Step::Quarter => jiff::Span::new().months(3),
        Step::Years(n) => jiff::Span::new().years(n),
    };
    d.checked_add(span).ok()
}

fn label(d: Date, step: Step, first: bool) -> String {
    match step {
        Step::Week => d.strftime("%b %-d").to_string(),
        Step::Month | Step::Quarter if first || d.month() == 1 => d.strftime("%b %Y").to_string(),
        Step::Month | Step::Quarter => d.strftime("%b").to_string(),
        Step::Years(_) => d.year().to_string(),
    }
}

/// Ticks for `[from, to]` (Unix seconds), at most about `max_labels` of them.
pub fn ticks(from: i64, to: i64, tz: &TimeZone, max_labels: usize) -> Vec<Tick> {
    let days = (to - from) as f64 / 86_400.0;
    let max = max_labels.max(2) as f64;
    let step = if days / 7.0 <= max && days <= 70.0 {
        Step::Week
    } else if days / 30.4 <= max && days <= 400.0 {
        Step::Month
    } else if days / 91.3 <= max && days <= 1_200.0 {
        Step::Quarter
    } else {
        let n =
            [1, 2, 5, 10, 20, 50].into_iter().find(|n| days / 365.25 / f64::from(*n) <= max).unwrap_or(100);
        Step::Years(n)
    };
    let (Ok(start), Ok(_)) = (jiff::Timestamp::from_second(from), jiff::Timestamp::from_second(to)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut d = first_boundary(start.to_zoned(tz.clone()).date(), step);
    while let Some(day) = d {
        let Some(at) = midnight(day, tz) else { break };
        if at > to {
            break;
        }
        if at >= from {
            out.push(Tick { at, label: label(day, step, out.is_empty()) });
        }
        d = next(day, step);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    fn labels(t: &[Tick]) -> Vec<&str> {
        t.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn ten_years_are_labelled_every_year_on_the_first_of_january() {
        let t = ticks(ts("2016-06-15T00:00:00Z"), ts("2026-06-15T00:00:00Z"), &TimeZone::UTC, 12);
        assert_eq!(
            labels(&t),
            (2017..=2026)
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
        );
        assert!(t.iter().all(|t| (t.at - ts("2017-01-01T00:00:00Z")) % 86_400 == 0));
    }

    #[test]
    fn each_range_gets_its_calendar_unit() {
        let utc = TimeZone::UTC;
        let month = ticks(ts("2026-03-01T10:00:00Z"), ts("2026-03-31T10:00:00Z"), &utc, 8);
        assert_eq!(labels(&month), ["Mar 2", "Mar 9", "Mar 16", "Mar 23", "Mar 30"], "Mondays");
        let quarter = ticks(ts("2026-01-10T00:00:00Z"), ts("2026-04-10T00:00:00Z"), &utc, 8);
        assert_eq!(labels(&quarter), ["Feb 2026", "Mar", "Apr"]);
        let year = ticks(ts("2025-12-01T00:00:00Z"), ts("2026-12-01T00:00:00Z"), &utc, 8);
        assert_eq!(labels(&year), ["Jan 2026", "Apr", "Jul", "Oct"]);
        let decades = ticks(ts("1990-01-01T00:00:00Z"), ts("2026-01-01T00:00:00Z"), &utc, 8);
        assert_eq!(labels(&decades), ["1990", "1995", "2000", "2005", "2010", "2015", "2020", "2025"]);
    }

    #[test]
    fn boundaries_are_local_midnight_in_the_accounts_zone() {
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let t = ticks(ts("2025-06-01T00:00:00Z"), ts("2027-06-01T00:00:00Z"), &tokyo, 3);
        assert_eq!(t[0].at, ts("2025-12-31T15:00:00Z"), "1 Jan 2026 in Tokyo");
    }
}
