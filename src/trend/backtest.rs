//! How well each method predicts: the trend of day d (for Holt, level + 7 × slope) against the
//! reading of day d + 7 (its first, lowest or mean weigh-in: the account's [`DayReading`]), as
//! a mean absolute error over the whole history.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::{DayReading, Method, TrendSpec, compute, daily};

/// Days ahead a trend is asked to predict.
pub const HORIZON_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    pub method: Method,
    pub mae_kg: f64,
    /// How many weigh-ins were predicted.
    pub predictions: usize,
}

/// Every method's error on `points`, best first; methods with nothing to predict are left out.
pub fn backtest(
    points: &[(i64, f64)],
    tz: &TimeZone,
    smoothing_days: f64,
    reading: DayReading,
) -> Vec<Backtest> {
    // Every method is asked for the same thing: the day's reading a week ahead.
    let actual: HashMap<Date, f64> = daily::series(points, tz, reading)
        .into_iter()
        .filter(|d| d.measured)
        .map(|d| (d.date, d.value))
        .collect();
    let mut out: Vec<Backtest> = Method::ALL
        .iter()
        .filter_map(|&method| {
            let days = compute(points, tz, TrendSpec { method, smoothing_days, day_reading: reading }).days();
            let (mut sum, mut n) = (0.0, 0usize);
            for d in &days {
                let Ok(target) = d.date.checked_add(jiff::Span::new().days(HORIZON_DAYS)) else { continue };
                let Some(w) = actual.get(&target) else { continue };
                let predicted = d.trend + HORIZON_DAYS as f64 * d.slope;
                sum += (predicted - w).abs();
                n += 1;
            }
            (n > 0).then(|| Backtest { method, mae_kg: sum / n as f64, predictions: n })
        })
        .collect();
    out.sort_by(|a, b| a.mae_kg.total_cmp(&b.mae_kg));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trend::{DAY, DEFAULT_SMOOTHING_DAYS};

    const T0: i64 = 1_709_280_000;

    #[test]
    fn on_a_steady_loss_a_method_that_follows_the_slope_predicts_best() {
        // 0.1 kg a day down, every day for a year: the classic average lags behind the loss,
        // Holt's slope carries the trend forward.
        let pts: Vec<(i64, f64)> = (0..365).map(|d| (T0 + d * DAY, 95.0 - 0.1 * d as f64)).collect();
        let r = backtest(&pts, &TimeZone::UTC, DEFAULT_SMOOTHING_DAYS, DayReading::First);
        assert_eq!(r.len(), 5);
        assert!(matches!(r[0].method, Method::HoltResponsive | Method::Holt), "best: {:?}", r[0]);
        let ema = r.iter().find(|b| b.method == Method::Ema).unwrap();
        // The EMA's steady-state lag is 0.9 kg, plus a week of loss: 1.6 kg.
        assert!((ema.mae_kg - 1.6).abs() < 0.1, "{ema:?}");
        assert!(r[0].mae_kg < 0.1, "{:?}", r[0]);
        assert_eq!(ema.predictions, 358, "every day with a weigh-in a week later");
        assert!(r.windows(2).all(|w| w[0].mae_kg <= w[1].mae_kg), "best first");
    }

    #[test]
    fn on_a_flat_noisy_weight_the_smoothest_method_predicts_best() {
        // Alternating ±0.5 kg around 80: a slope only chases the noise.
        let pts: Vec<(i64, f64)> =
            (0..200).map(|d| (T0 + d * DAY, 80.0 + if d % 2 == 0 { 0.5 } else { -0.5 })).collect();
        let r = backtest(&pts, &TimeZone::UTC, DEFAULT_SMOOTHING_DAYS, DayReading::First);
        let responsive = r.iter().find(|b| b.method == Method::HoltResponsive).unwrap();
        assert!(r[0].mae_kg < responsive.mae_kg, "{r:?}");
        assert_ne!(r[0].method, Method::HoltResponsive);
    }
}
