//! What a chart shows, read from the store: the series of its metrics, their trends with the
//! account's method (over the whole history, then cut to the range, so the trend does not
//! restart at the left edge), stacked parts, the goal and its band.

use jiff::tz::TimeZone;

use super::{Band, ChartData, ChartError, ChartKind, ChartSpec, Layer, Line, StackPart};
use crate::model::MeasureType;
use crate::series::Query;
use crate::store::{Store, StoreError};
use crate::trend::{self, Trend, TrendSpec};

type Series = Vec<(i64, f64)>;
/// Converts a series to plot points (display units, in range).
type ToXy<'a> = &'a dyn Fn(&[(i64, f64)]) -> Vec<(f64, f64)>;

/// The trend as drawn: daily methods at local noon of each day, `time-aware` at each weigh-in.
fn trend_xy(t: &Trend, tz: &TimeZone) -> Vec<(i64, f64)> {
    t.points
        .iter()
        .map(|p| {
            (if t.spec.method.is_daily() { trend::noon(p.date, tz).unwrap_or(p.at) } else { p.at }, p.trend)
        })
        .collect()
}

/// A metric's counted weigh-ins, those left out, and (for the weight) the flagged ones.
struct Read {
    counted: Series,
    left_out: Series,
    flagged: Series,
}

fn read(
    store: &Store,
    account: i64,
    kind: MeasureType,
    spec: &ChartSpec,
    tz: &TimeZone,
) -> Result<Read, StoreError> {
    let q = Query { account, kind, from: i64::MIN, to: i64::MAX, include_ambiguous: spec.include_ambiguous };
    let pts = store.series(q)?;
    let counted: Vec<(i64, f64, i64)> =
        pts.iter().filter(|p| p.counted).map(|p| (p.ts, p.value, p.grpid)).collect();
    let left_out = pts.iter().filter(|p| !p.counted).map(|p| (p.ts, p.value)).collect();
    let flagged = if kind == MeasureType::WEIGHT {
        let marked: std::collections::HashSet<i64> =
            trend::anomalies(&counted, tz).into_iter().map(|a| a.grpid).collect();
        counted.iter().filter(|p| marked.contains(&p.2)).map(|p| (p.0, p.1)).collect()
    } else {
        Vec::new()
    };
    Ok(Read { counted: counted.into_iter().map(|p| (p.0, p.1)).collect(), left_out, flagged })
}

pub fn chart_data(store: &Store, account: i64, spec: &ChartSpec, now: i64) -> Result<ChartData, ChartError> {
    let tz = store.timezone(account)?;
    let mut extra: Vec<(Series, Series)> = Vec::new();
    let all: Vec<(&str, Series)> = spec
        .kind
        .metrics()
        .iter()
        .map(|(kind, label)| {
            let r = read(store, account, *kind, spec, &tz)?;
            extra.push((r.left_out, r.flagged));
            Ok((*label, r.counted))
        })
        .collect::<Result<_, StoreError>>()?;
    let first = all.iter().filter_map(|(_, s)| s.first().map(|p| p.0)).min().unwrap_or(now);
    let (from, to) = spec.range.bounds(now, first);
    let in_range = |x: i64| x >= from && x <= to + 43_200;
    let conv = |v: f64| if spec.kind.is_mass() { spec.unit.from_kg(v) } else { v };
    let xy = |s: &[(i64, f64)]| -> Vec<(f64, f64)> {
        s.iter().filter(|p| in_range(p.0)).map(|p| (p.0 as f64, conv(p.1))).collect()
    };
    let end_label = |kg: f64| {
        if spec.kind.is_mass() { spec.unit.format(kg) } else { crate::locale::number(format!("{kg:.1} %")) }
    };
    let mut lines = Vec::new();
    let mut layers = Vec::new();
    let mut weight_trend: Option<Trend> = None;
    if spec.kind.is_stacked() {
        let series: Vec<Series> = all.iter().map(|(_, s)| s.clone()).collect();
        let parts = trend::paired(&series);
        if parts.first().is_some_and(|p| !p.is_empty()) {
            stack(
                &parts,
                &all,
                spec.trend,
                &tz,
                &xy,
                &mut lines,
                &mut layers,
                end_label,
                spec.kind.stack_order(),
            );
            if let (Some(line), Some((left_out, _))) = (lines.last_mut(), extra.first()) {
                line.left_out = xy(left_out);
            }
        }
    } else {
        for ((label, pts), (left_out, flagged)) in all.iter().zip(&extra) {
            let t = trend::compute(pts, &tz, spec.trend);
            let trend_line = xy(&trend_xy(&t, &tz));
            let points = xy(pts);
            if points.is_empty() && trend_line.is_empty() {
                continue;
            }
            let end = t.last().map(|p| end_label(p.trend));
            lines.push(Line {
                label: label.to_string(),
                points,
                trend: trend_line,
                end_label: end,
                left_out: xy(left_out),
                flagged: xy(flagged),
            });
            if spec.kind == ChartKind::Weight {
                weight_trend = Some(t);
            }
        }
    }
    if lines.is_empty() {
        return Err(ChartError::NoData(spec.kind.title().to_lowercase()));
    }
    let goal_kg = match spec.kind {
        ChartKind::Weight => spec.goal_kg.or(store.withings_goal_kg(account)?),
        _ => None,
    };
    let band: Option<Band> = match (spec.goal_band, goal_kg, &weight_trend) {
        (true, Some(g), Some(t)) => trend::goal_band(&t.days(), g).map(|b| {
            b.band
                .iter()
                .filter_map(|p| {
                    let x = trend::noon(p.date, &tz)? as f64;
                    Some((x, conv(p.low), conv(p.center), conv(p.high)))
                })
                .collect()
        }),
        _ => None,
    };
    // Show the band's way ahead, but never more than a third of the visible span.
    let span = (to - from).max(trend::DAY);
    // The last day's trend sits at its noon, which may be later than `to`.
    let last_x = lines.iter().filter_map(|l| l.trend.last().map(|p| p.0 as i64)).max().unwrap_or(to);
    let end = to.max(last_x);
    let x_end = match &band {
        Some(b) => b.last().map_or(end, |p| (p.0 as i64).clamp(end, end + span / 3)),
        None => end,
    };
    let y_label = if spec.kind.is_mass() { spec.unit.axis_label().to_string() } else { "%".to_string() };
    Ok(ChartData {
        title: spec.kind.title().to_string(),
        y_label,
        from,
        to,
        lines,
        layers,
        goal: goal_kg.map(conv),
        band,
        x_end,
    })
}

/// Fat mass and lean mass (or bone, lean less bone and fat) as stacked trends whose top is the
/// weight trend. `parts[0]` is the weight, the others the measured parts in `metrics()` order;
/// the remainder (weight minus the measured parts) is a part of its own, so the parts add up
/// to the weight trend by construction.
#[allow(clippy::too_many_arguments)]
fn stack(
    parts: &[Series],
    all: &[(&str, Series)],
    spec: TrendSpec,
    tz: &TimeZone,
    xy: ToXy<'_>,
    lines: &mut Vec<Line>,
    layers: &mut Vec<Layer>,
    end_label: impl Fn(f64) -> String,
    order: &[StackPart],
) {
    let trends: Vec<Vec<(i64, f64)>> =
        parts.iter().map(|s| trend_xy(&trend::compute(s, tz, spec), tz)).collect();
    let weight = &trends[0];
    let remainder: Vec<(i64, f64)> = weight
        .iter()
        .enumerate()
        .map(|(k, w)| (w.0, w.1 - trends[1..].iter().map(|t| t[k].1).sum::<f64>()))
        .collect();
    let mut lower: Vec<(i64, f64)> = weight.iter().map(|p| (p.0, 0.0)).collect();
    for part in order {
        let (label, t) = match part {
            StackPart::Measured(i) => (all[*i].0.to_string(), &trends[*i]),
            StackPart::Remainder(label) => (label.to_string(), &remainder),
        };
        let upper: Vec<(i64, f64)> = lower.iter().zip(t).map(|(l, v)| (l.0, l.1 + v.1)).collect();
        let end = t.last().map(|p| end_label(p.1));
        layers.push(Layer { label, lower: xy(&lower), upper: xy(&upper), end_label: end });
        lower = upper;
    }
    let last = weight.last().map(|p| end_label(p.1));
    lines.push(Line {
        label: all[0].0.to_string(),
        points: xy(&parts[0]),
        trend: xy(weight),
        end_label: last,
        left_out: Vec::new(),
        flagged: Vec::new(),
    });
}
