//! When the goal is reached, with an honest range. The trend today and its weekly rate give
//! the expected day; the range comes from the data: the scatter of the last four weeks'
//! weigh-ins around the trend (day-to-day noise) and the standard error of the slope of the
//! last two weeks' weigh-ins (how sure the pace is). Both widen the band
//! `trend + rate × t ± z √(noise² + (se × t)²)`, drawn from today towards the goal; the
//! earliest and latest days are where its near and far edges reach the goal.

use jiff::civil::Date;
use serde::Serialize;

use super::{DayTrend, fit, weekly_rate};

/// The band covers 80 % of outcomes (z of the normal distribution).
pub const Z: f64 = 1.2816;
/// Beyond ten years a date is not useful.
const HORIZON_DAYS: i64 = 3_650;
/// Days of weigh-ins whose scatter around the trend is the noise.
const NOISE_DAYS: usize = 28;
/// Days of weigh-ins whose slope's standard error is the pace's uncertainty.
const PACE_DAYS: usize = 14;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BandPoint {
    pub date: Date,
    pub center: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalBand {
    pub goal_kg: f64,
    pub today: Date,
    pub trend_kg: f64,
    pub weekly_rate_kg: f64,
    /// The trend is at the goal already.
    pub reached: bool,
    /// When the trend line reaches the goal at the current pace; `None`: not reached.
    pub expected: Option<Date>,
    pub earliest: Option<Date>,
    /// `None` when the slow edge of the band does not reach the goal within ten years.
    pub latest: Option<Date>,
    /// The band from today until the latest day (or the expected one, or ten years).
    pub band: Vec<BandPoint>,
}

/// The goal band of a daily trend; `None` without enough days for a rate.
pub fn goal_band(days: &[DayTrend], goal: f64) -> Option<GoalBand> {
    let last = days.last()?;
    let rate = weekly_rate(days)?;
    let per_day = rate / 7.0;
    let recent = &days[days.len().saturating_sub(NOISE_DAYS)..];
    let residuals: Vec<f64> = recent.iter().filter_map(|d| d.reading.map(|w| w - d.trend)).collect();
    let noise = if residuals.len() >= 3 {
        (residuals.iter().map(|r| r * r).sum::<f64>() / (residuals.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    let pace: Vec<(f64, f64)> = days[days.len().saturating_sub(PACE_DAYS)..]
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.reading.map(|w| (i as f64, w)))
        .collect();
    let se = fit(&pace).map(|f| f.slope_se).filter(|s| s.is_finite()).unwrap_or(0.0);
    let down = goal < last.trend;
    let reached = (goal - last.trend).abs() < 0.05;
    let crosses = |v: f64| if down { v <= goal } else { v >= goal };
    let (mut expected, mut earliest, mut latest) = (None, None, None);
    let mut band = Vec::new();
    for t in 0..=HORIZON_DAYS {
        let Ok(date) = last.date.checked_add(jiff::Span::new().days(t)) else { break };
        let center = last.trend + per_day * t as f64;
        let half = Z * (noise * noise + (se * t as f64).powi(2)).sqrt();
        let (low, high) = (center - half, center + half);
        let (near, far) = if down { (low, high) } else { (high, low) };
        if earliest.is_none() && crosses(near) {
            earliest = Some(date);
        }
        if expected.is_none() && crosses(center) {
            expected = Some(date);
        }
        if latest.is_none() && crosses(far) {
            latest = Some(date);
        }
        band.push(BandPoint { date, center, low, high });
        if latest.is_some() {
            break;
        }
    }
    if reached {
        (expected, earliest, latest) = (Some(last.date), Some(last.date), Some(last.date));
    }
    // Drawn to the latest day; without one, to twice the expected time; not reached at all,
    // a quarter ahead, to show where the trend is heading.
    let keep = match (latest, expected) {
        (Some(_), _) => band.len(),
        (None, Some(x)) => 2 * (x - last.date).get_days().max(1) as usize + 1,
        (None, None) => 91,
    };
    band.truncate(keep);
    Some(GoalBand {
        goal_kg: goal,
        today: last.date,
        trend_kg: last.trend,
        weekly_rate_kg: rate,
        reached,
        expected,
        earliest,
        latest,
        band,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trend::{DAY, Method, TrendSpec, compute};
    use jiff::tz::TimeZone;

    const T0: i64 = 1_709_280_000;

    /// A steady loss of 0.1 kg a day with a ±`noise` zigzag.
    fn days(noise: f64) -> Vec<DayTrend> {
        let pts: Vec<(i64, f64)> = (0..120)
            .map(|d| (T0 + d * DAY, 90.0 - 0.1 * d as f64 + if d % 2 == 0 { noise } else { -noise }))
            .collect();
        compute(&pts, &TimeZone::UTC, TrendSpec::of(Method::Ema)).days()
    }

    #[test]
    fn the_band_contains_the_expected_day_and_widens_with_noisier_data() {
        let calm = goal_band(&days(0.2), 70.0).unwrap();
        let (e, x, l) = (calm.earliest.unwrap(), calm.expected.unwrap(), calm.latest.unwrap());
        assert!(e <= x && x <= l, "{e} ≤ {x} ≤ {l}");
        let weeks = (x - calm.today).get_days() as f64 / 7.0;
        let remaining = calm.trend_kg - 70.0;
        assert!((weeks - remaining / 0.7).abs() < 1.5, "expected at the trend's pace: {weeks:.1} weeks");
        assert!(calm.band.iter().all(|b| b.low <= b.center && b.center <= b.high));
        assert!(calm.band.windows(2).all(|w| w[1].high - w[1].low >= w[0].high - w[0].low), "it widens");
        let noisy = goal_band(&days(0.6), 70.0).unwrap();
        let span = |g: &GoalBand| (g.latest.unwrap() - g.earliest.unwrap()).get_days();
        assert!(span(&noisy) > span(&calm), "noisier data, wider range: {} vs {}", span(&noisy), span(&calm));
    }

    #[test]
    fn a_goal_behind_the_trend_is_not_reached_at_the_current_pace() {
        let g = goal_band(&days(0.2), 95.0).unwrap();
        assert_eq!(g.expected, None);
        assert!(!g.reached);
        assert!(!g.band.is_empty(), "the band still shows where the trend heads");
    }
}
