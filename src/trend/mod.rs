//! Trend methods, exactly as the apps they come from define them, and what Heft derives from a
//! trend: the weekly rate, how well each method predicts (backtest), an honest goal date, and
//! what a change was made of (fat and lean).
//!
//! - `ema` (The Hacker's Diet, TrendWeight's default): one value per local day (the first
//!   weigh-in), missing days linearly interpolated, T₁ = W₁, T += 0.1 (W − T) per day.
//! - `holt-gentle`, `holt`, `holt-responsive` (TrendWeight's presets of Holt's linear method)
//!   on the same daily series.
//! - `time-aware` (Libra): every weigh-in, k = 1 − exp(−Δt / S), T += k (W − T).

mod anomaly;
mod averages;
mod backtest;
mod daily;
mod goal;
mod split;
mod time_aware;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

pub use anomaly::{Anomaly, Reason, anomalies};
pub use averages::{Period, PeriodAverage, averages};
pub use backtest::{Backtest, backtest};
pub use goal::{GoalBand, goal_band};
pub use split::{Split, paired, split};

/// Seconds in a day.
pub const DAY: i64 = 86_400;
/// Libra's smoothing time for `time-aware`, in days.
pub const DEFAULT_SMOOTHING_DAYS: f64 = 7.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    #[default]
    Ema,
    HoltGentle,
    Holt,
    HoltResponsive,
    TimeAware,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown trend method {0:?}; use ema, holt-gentle, holt, holt-responsive or time-aware")]
pub struct UnknownMethod(pub String);

impl Method {
    pub const ALL: [Method; 5] =
        [Method::Ema, Method::HoltGentle, Method::Holt, Method::HoltResponsive, Method::TimeAware];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Ema => "ema",
            Method::HoltGentle => "holt-gentle",
            Method::Holt => "holt",
            Method::HoltResponsive => "holt-responsive",
            Method::TimeAware => "time-aware",
        }
    }

    pub fn parse(s: &str) -> Result<Method, UnknownMethod> {
        Method::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| UnknownMethod(s.to_string()))
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Method::Ema => "Moving average (Hacker's Diet)",
            Method::HoltGentle => "Holt, gentle",
            Method::Holt => "Holt",
            Method::HoltResponsive => "Holt, responsive",
            Method::TimeAware => "Time-aware (Libra)",
        }
    }

    /// Holt's (α, β), for the Holt presets.
    fn holt(self) -> Option<(f64, f64)> {
        match self {
            Method::HoltGentle => Some((0.1, 0.05)),
            Method::Holt => Some((0.1, 0.1)),
            Method::HoltResponsive => Some((0.15, 0.15)),
            _ => None,
        }
    }

    /// Whether the method works on one value per local day (all but `time-aware`).
    pub fn is_daily(self) -> bool {
        self != Method::TimeAware
    }
}

/// Which of a day's weigh-ins stands for the day in the daily methods (ema, Holt), their
/// backtest and the figures: the first (the Hacker's Diet's rule), the lowest or their mean.
/// `time-aware` and the anomaly baseline use every weigh-in whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum DayReading {
    #[default]
    First,
    Lowest,
    Mean,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown day reading {0:?}; use first, lowest or mean")]
pub struct UnknownDayReading(pub String);

impl DayReading {
    pub const ALL: [DayReading; 3] = [DayReading::First, DayReading::Lowest, DayReading::Mean];

    pub fn as_str(self) -> &'static str {
        match self {
            DayReading::First => "first",
            DayReading::Lowest => "lowest",
            DayReading::Mean => "mean",
        }
    }

    pub fn parse(s: &str) -> Result<DayReading, UnknownDayReading> {
        DayReading::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownDayReading(s.to_string()))
    }

    /// The value standing for a day of `values` (in time order; never empty).
    pub fn of(self, values: &[f64]) -> f64 {
        match self {
            DayReading::First => values[0],
            DayReading::Lowest => values.iter().copied().fold(f64::INFINITY, f64::min),
            DayReading::Mean => values.iter().sum::<f64>() / values.len() as f64,
        }
    }
}

/// How a trend is computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendSpec {
    pub method: Method,
    /// `time-aware`'s S, in days.
    pub smoothing_days: f64,
    /// Which weigh-in stands for a day (daily methods only).
    pub day_reading: DayReading,
}

impl Default for TrendSpec {
    fn default() -> Self {
        TrendSpec {
            method: Method::Ema,
            smoothing_days: DEFAULT_SMOOTHING_DAYS,
            day_reading: DayReading::First,
        }
    }
}

impl TrendSpec {
    pub fn of(method: Method) -> TrendSpec {
        TrendSpec { method, ..TrendSpec::default() }
    }
}

/// One point of a trend: a day (daily methods) or a weigh-in (`time-aware`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The local day.
    pub date: Date,
    /// Unix seconds: the weigh-in's time, or local noon of an interpolated day.
    pub at: i64,
    /// The value the trend took in: the weigh-in, or the interpolated value of a missing day.
    pub value: f64,
    /// Whether `value` was weighed (false: interpolated).
    pub measured: bool,
    pub trend: f64,
    /// Holt's slope per day after this point (0 for the other methods).
    pub slope: f64,
}

/// A trend over a whole history, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub spec: TrendSpec,
    pub points: Vec<TrendPoint>,
}

/// A day's trend value, for the rate, the figures and the backtest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayTrend {
    pub date: Date,
    pub trend: f64,
    pub slope: f64,
    /// The day's reading (its first, lowest or mean weigh-in: [`DayReading`]), if it had one.
    pub reading: Option<f64>,
}

/// Computes `spec`'s trend of `points` (`(unix seconds, value)`, any order), with days in `tz`.
pub fn compute(points: &[(i64, f64)], tz: &TimeZone, spec: TrendSpec) -> Trend {
    let points = if spec.method == Method::TimeAware {
        time_aware::trend(points, tz, spec.smoothing_days)
    } else {
        let series = daily::series(points, tz, spec.day_reading);
        match spec.method.holt() {
            Some((alpha, beta)) => daily::holt(&series, alpha, beta),
            None => daily::ema(&series, daily::EMA_ALPHA),
        }
    };
    Trend { spec, points }
}

impl Trend {
    pub fn last(&self) -> Option<&TrendPoint> {
        self.points.last()
    }

    /// One trend value per local day from the first to the last weigh-in: the daily series
    /// itself, or for `time-aware` the trend after each day's last weigh-in (it holds between
    /// weigh-ins).
    pub fn days(&self) -> Vec<DayTrend> {
        if self.spec.method.is_daily() {
            return self
                .points
                .iter()
                .map(|p| DayTrend {
                    date: p.date,
                    trend: p.trend,
                    slope: p.slope,
                    reading: p.measured.then_some(p.value),
                })
                .collect();
        }
        let mut out: Vec<DayTrend> = Vec::new();
        for p in &self.points {
            if let Some(last) = out.last_mut().filter(|d| d.date == p.date) {
                last.trend = p.trend;
                continue;
            }
            // Days without a weigh-in keep the trend of the day before.
            if let Some(prev) = out.last().copied() {
                let mut d = prev.date.tomorrow().ok();
                while let Some(day) = d.filter(|day| *day < p.date) {
                    out.push(DayTrend { date: day, reading: None, ..prev });
                    d = day.tomorrow().ok();
                }
            }
            out.push(DayTrend { date: p.date, trend: p.trend, slope: 0.0, reading: Some(p.value) });
        }
        out
    }
}

/// Weekly rate of change: least-squares slope of the last 14 daily trend values, × 7.
pub fn weekly_rate(days: &[DayTrend]) -> Option<f64> {
    let tail = &days[days.len().saturating_sub(14)..];
    let ys: Vec<f64> = tail.iter().map(|d| d.trend).collect();
    fit_line(&ys).map(|f| f.slope * 7.0)
}

/// A least-squares line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LineFit {
    pub slope: f64,
    pub intercept: f64,
    /// Standard error of the slope (∞ with fewer than 3 points).
    pub slope_se: f64,
}

/// Fits `ys` at x = 0, 1, 2, …
pub(crate) fn fit_line(ys: &[f64]) -> Option<LineFit> {
    let xy: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, y)| (i as f64, *y)).collect();
    fit(&xy)
}

/// Fits `(x, y)` points.
pub(crate) fn fit(xy: &[(f64, f64)]) -> Option<LineFit> {
    if xy.len() < 2 {
        return None;
    }
    let n = xy.len() as f64;
    let mx = xy.iter().map(|p| p.0).sum::<f64>() / n;
    let my = xy.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = xy.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = xy.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let sse: f64 = xy.iter().map(|(x, y)| (y - intercept - slope * x).powi(2)).sum();
    let slope_se = if xy.len() > 2 { (sse / (n - 2.0) / sxx).sqrt() } else { f64::INFINITY };
    Some(LineFit { slope, intercept, slope_se })
}

/// The local calendar day of a timestamp in the account's time zone.
pub fn local_day(ts: i64, tz: &TimeZone) -> Option<Date> {
    jiff::Timestamp::from_second(ts).ok().map(|t| t.to_zoned(tz.clone()).date())
}

/// Local noon of a day, in Unix seconds (where an interpolated day is drawn).
pub fn noon(d: Date, tz: &TimeZone) -> Option<i64> {
    d.at(12, 0, 0, 0).to_zoned(tz.clone()).ok().map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const T0: i64 = 1_709_280_000; // 2024-03-01 08:00 UTC

    fn values(t: &Trend) -> Vec<f64> {
        t.points.iter().map(|p| (p.trend * 1000.0).round() / 1000.0).collect()
    }

    #[test]
    fn holt_reproduces_trendweights_vector() {
        let pts: Vec<(i64, f64)> =
            [70.0, 71.0, 69.0, 70.0].iter().enumerate().map(|(i, w)| (T0 + i as i64 * DAY, *w)).collect();
        let t = compute(&pts, &TimeZone::UTC, TrendSpec::of(Method::Holt));
        assert_eq!(values(&t), vec![70.0, 70.1, 69.999, 69.998]);
    }

    #[test]
    fn time_aware_reproduces_libras_vector() {
        let t =
            compute(&[(T0, 60.0), (T0 + 7 * DAY, 61.0)], &TimeZone::UTC, TrendSpec::of(Method::TimeAware));
        assert_eq!(values(&t), vec![60.0, 60.632]);
        let slower = TrendSpec { method: Method::TimeAware, smoothing_days: 14.0, ..TrendSpec::default() };
        let t = compute(&[(T0, 60.0), (T0 + 7 * DAY, 61.0)], &TimeZone::UTC, slower);
        assert!((t.points[1].trend - (60.0 + 1.0 - (-0.5f64).exp())).abs() < 1e-9, "S = 14 days");
    }

    #[test]
    fn every_method_parses_back_from_its_name() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()).unwrap(), m);
        }
        assert!(Method::parse("kalman").unwrap_err().to_string().contains("holt-responsive"));
    }

    #[test]
    fn the_weekly_rate_of_a_steady_loss_is_its_slope_for_every_method() {
        let pts: Vec<(i64, f64)> = (0..120).map(|d| (T0 + d * DAY, 90.0 - 0.1 * d as f64)).collect();
        for m in Method::ALL {
            let t = compute(&pts, &TimeZone::UTC, TrendSpec::of(m));
            let rate = weekly_rate(&t.days()).unwrap();
            assert!((rate + 0.7).abs() < 0.03, "{}: ≈ −0.7 kg/week, got {rate}", m.as_str());
        }
    }

    #[test]
    fn time_aware_days_hold_the_trend_between_weigh_ins() {
        let t =
            compute(&[(T0, 60.0), (T0 + 3 * DAY, 61.0)], &TimeZone::UTC, TrendSpec::of(Method::TimeAware));
        let days = t.days();
        assert_eq!(days.len(), 4, "one value per day from the first to the last weigh-in");
        assert_eq!((days[1].trend, days[2].trend), (60.0, 60.0));
        assert_eq!((days[1].reading, days[3].reading), (None, Some(61.0)));
    }
}
