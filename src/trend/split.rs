//! What a change was made of: the change in trend weight over a window, split into fat mass and
//! lean (fat-free) mass. All three are smoothed with the same method on the same weigh-ins (the
//! ones that carry both a weight and a fat mass), and every method is linear in its input, so
//! the trend of lean mass (weight − fat) is exactly the weight trend minus the fat trend:
//! fat + lean = weight by construction.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::{DayTrend, Method, TrendSpec, compute};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Split {
    pub from: Date,
    pub to: Date,
    pub method: Method,
    pub weight_change_kg: f64,
    pub fat_change_kg: f64,
    pub lean_change_kg: f64,
    /// Weigh-ins with both a weight and a fat mass in the window.
    pub weigh_ins: usize,
}

/// Only the weigh-ins that carry every one of `series` (paired by time), in the first
/// series' order: the parts of a split or a stacked chart then come from the same weigh-ins.
pub fn paired(series: &[Vec<(i64, f64)>]) -> Vec<Vec<(i64, f64)>> {
    let maps: Vec<HashMap<i64, f64>> = series.iter().map(|s| s.iter().copied().collect()).collect();
    let Some(first) = series.first() else { return Vec::new() };
    let times: Vec<i64> =
        first.iter().map(|p| p.0).filter(|t| maps.iter().all(|m| m.contains_key(t))).collect();
    maps.iter().map(|m| times.iter().map(|t| (*t, m[t])).collect()).collect()
}

/// The trend on day `d`: the last day at or before it (the first day if `d` is earlier).
fn at(days: &[DayTrend], d: Date) -> Option<f64> {
    let i = days.partition_point(|x| x.date <= d);
    days.get(i.saturating_sub(1)).map(|x| x.trend)
}

/// Splits the change between `from` and `to`; `None` when no weigh-in carries both values.
/// `weight` and `fat_mass` are `(unix seconds, kg)`; they pair by time.
pub fn split(
    weight: &[(i64, f64)],
    fat_mass: &[(i64, f64)],
    tz: &TimeZone,
    spec: TrendSpec,
    from: Date,
    to: Date,
) -> Option<Split> {
    let [w, f]: [Vec<(i64, f64)>; 2] = paired(&[weight.to_vec(), fat_mass.to_vec()]).try_into().ok()?;
    if w.is_empty() {
        return None;
    }
    let (wd, fd) = (compute(&w, tz, spec).days(), compute(&f, tz, spec).days());
    let weight_change = at(&wd, to)? - at(&wd, from)?;
    let fat_change = at(&fd, to)? - at(&fd, from)?;
    let (start, end) = (
        from.to_zoned(tz.clone()).ok()?.timestamp().as_second(),
        to.tomorrow().ok()?.to_zoned(tz.clone()).ok()?.timestamp().as_second(),
    );
    Some(Split {
        from,
        to,
        method: spec.method,
        weight_change_kg: weight_change,
        fat_change_kg: fat_change,
        lean_change_kg: weight_change - fat_change,
        weigh_ins: w.iter().filter(|(t, _)| *t >= start && *t < end).count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trend::DAY;
    use jiff::civil::date;

    const T0: i64 = 1_709_280_000; // 2024-03-01 08:00 UTC

    #[test]
    fn fat_and_lean_add_up_to_the_weight_change_for_every_method() {
        // 90 days: weight down 0.05 kg a day, of which fat 0.04; noisy readings.
        let weight: Vec<(i64, f64)> =
            (0..90).map(|d| (T0 + d * DAY, 85.0 - 0.05 * d as f64 + (d % 3) as f64 * 0.3)).collect();
        let fat: Vec<(i64, f64)> =
            (0..90).map(|d| (T0 + d * DAY, 20.0 - 0.04 * d as f64 + (d % 5) as f64 * 0.2)).collect();
        let lean: Vec<(i64, f64)> = weight.iter().zip(&fat).map(|(w, f)| (w.0, w.1 - f.1)).collect();
        for m in Method::ALL {
            let spec = TrendSpec::of(m);
            let s = split(&weight, &fat, &TimeZone::UTC, spec, date(2024, 3, 15), date(2024, 5, 29)).unwrap();
            assert!((s.fat_change_kg + s.lean_change_kg - s.weight_change_kg).abs() < 1e-9, "{s:?}");
            // The lean change is also the trend of lean mass itself: the split is consistent.
            let ld = compute(&lean, &TimeZone::UTC, spec).days();
            let direct = at(&ld, s.to).unwrap() - at(&ld, s.from).unwrap();
            assert!(
                (direct - s.lean_change_kg).abs() < 1e-9,
                "{}: {direct} vs {}",
                m.as_str(),
                s.lean_change_kg
            );
            assert!(s.weight_change_kg < 0.0 && s.fat_change_kg < 0.0, "{s:?}");
            assert_eq!(s.weigh_ins, 76, "15 Mar to 29 May");
        }
    }

    #[test]
    fn weigh_ins_without_a_fat_mass_are_left_out_and_none_at_all_gives_nothing() {
        let weight = [(T0, 80.0), (T0 + DAY, 79.0), (T0 + 2 * DAY, 70.0)];
        let fat = [(T0, 20.0), (T0 + DAY, 19.5)];
        let s =
            split(&weight, &fat, &TimeZone::UTC, TrendSpec::default(), date(2024, 3, 1), date(2024, 3, 3))
                .unwrap();
        assert!((s.weight_change_kg + 0.1).abs() < 1e-9, "70 kg without a fat mass is not in it: {s:?}");
        assert!(
            split(&weight, &[], &TimeZone::UTC, TrendSpec::default(), date(2024, 3, 1), date(2024, 3, 3))
                .is_none()
        );
    }
}
