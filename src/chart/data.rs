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

/// A chart's data, read and computed now (no memo).
pub fn chart_data(store: &Store, account: i64, spec: &ChartSpec, now: i64) -> Result<ChartData, ChartError> {
    let prepared = prepare(store, account, spec)?;
    present(&prepared, spec, now)
}

/// [`chart_data`] through `memo`: the whole history's series, trends and goal band are read
/// and computed once per change of the database, so a range, unit, theme or size change only
/// cuts, converts and draws.
pub fn chart_data_memo(
    store: &Store,
    memo: &Memo,
    version: (i64, u64),
    account: i64,
    spec: &ChartSpec,
    now: i64,
) -> Result<ChartData, ChartError> {
    // Withings' own goal (when no goal is set in Heft) is read with the rest, in `prepare`.
    let goal = spec.goal_kg.filter(|_| spec.kind == ChartKind::Weight);
    let key = format!(
        "{account}:{:?}:{}:{:?}:{}:{:?}:{}",
        spec.kind,
        spec.include_ambiguous,
        spec.trend.method,
        spec.trend.smoothing_days,
        goal.map(f64::to_bits),
        spec.goal_band
    );
    let prepared = memo.get_or(version, key, || prepare(store, account, spec))?;
    present(&prepared, spec, now)
}

/// Remembers what was computed from the database (prepared charts, trends) until it changes
/// — through this connection (a sync, an import, an exclusion, an entry) or another one (the
/// window's writer, another `heft` process): SQLite's data version and this connection's
/// change count both say so. `key` names everything else the value depends on.
pub struct Memo<T = Prepared> {
    inner: std::sync::Mutex<MemoInner<T>>,
}

struct MemoInner<T> {
    version: Option<(i64, u64)>,
    charts: std::collections::HashMap<String, std::sync::Arc<T>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo { inner: std::sync::Mutex::new(MemoInner { version: None, charts: Default::default() }) }
    }
}

impl<T> Memo<T> {
    /// The value for `key` at this `version` of the database, made by `make` if not known.
    pub fn get_or<E>(
        &self,
        version: (i64, u64),
        key: String,
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<std::sync::Arc<T>, E> {
        {
            let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            if m.version != Some(version) {
                m.charts.clear();
                m.version = Some(version);
            }
            if let Some(p) = m.charts.get(&key) {
                return Ok(p.clone());
            }
        }
        let p = std::sync::Arc::new(make()?);
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if m.version == Some(version) {
            m.charts.insert(key, p.clone());
        }
        Ok(p)
    }
}

/// One line of a chart over the whole history, in kg (or %), before the range is cut.
struct PreparedLine {
    label: String,
    points: Series,
    trend: Series,
    end: Option<f64>,
    left_out: Series,
    flagged: Series,
}

struct PreparedLayer {
    label: String,
    lower: Series,
    upper: Series,
    end: Option<f64>,
}

/// What a chart shows over the whole history, independent of range, unit and size.
pub struct Prepared {
    first: Option<i64>,
    lines: Vec<PreparedLine>,
    layers: Vec<PreparedLayer>,
    goal_kg: Option<f64>,
    /// The goal band in kg: (local noon, low, centre, high).
    band: Option<Vec<(i64, f64, f64, f64)>>,
}

fn prepare(store: &Store, account: i64, spec: &ChartSpec) -> Result<Prepared, ChartError> {
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
    let first = all.iter().filter_map(|(_, s)| s.first().map(|p| p.0)).min();
    let mut lines = Vec::new();
    let mut layers = Vec::new();
    let mut weight_trend: Option<Trend> = None;
    if spec.kind.is_stacked() {
        let series: Vec<Series> = all.iter().map(|(_, s)| s.clone()).collect();
        let parts = trend::paired(&series);
        if parts.first().is_some_and(|p| !p.is_empty()) {
            stack(&parts, &all, spec.trend, &tz, &mut lines, &mut layers, spec.kind.stack_order());
            if let (Some(line), Some((left_out, _))) = (lines.last_mut(), extra.first()) {
                line.left_out = left_out.clone();
            }
        }
    } else {
        for ((label, pts), (left_out, flagged)) in all.iter().zip(extra) {
            let t = trend::compute(pts, &tz, spec.trend);
            lines.push(PreparedLine {
                label: label.to_string(),
                points: pts.clone(),
                trend: trend_xy(&t, &tz),
                end: t.last().map(|p| p.trend),
                left_out,
                flagged,
            });
            if spec.kind == ChartKind::Weight {
                weight_trend = Some(t);
            }
        }
    }
    let goal_kg = match spec.kind {
        ChartKind::Weight => spec.goal_kg.or(store.withings_goal_kg(account)?),
        _ => None,
    };
    let band = match (spec.goal_band, goal_kg, &weight_trend) {
        (true, Some(g), Some(t)) => trend::goal_band(&t.days(), g).map(|b| {
            b.band.iter().filter_map(|p| Some((trend::noon(p.date, &tz)?, p.low, p.center, p.high))).collect()
        }),
        _ => None,
    };
    Ok(Prepared { first, lines, layers, goal_kg, band })
}

/// Cuts a prepared chart to its range and converts it to the display unit.
fn present(p: &Prepared, spec: &ChartSpec, now: i64) -> Result<ChartData, ChartError> {
    let (from, to) = spec.range.bounds(now, p.first.unwrap_or(now));
    let in_range = |x: i64| x >= from && x <= to + 43_200;
    let conv = |v: f64| if spec.kind.is_mass() { spec.unit.from_kg(v) } else { v };
    let xy = |s: &[(i64, f64)]| -> Vec<(f64, f64)> {
        s.iter().filter(|p| in_range(p.0)).map(|p| (p.0 as f64, conv(p.1))).collect()
    };
    let end_label = |kg: f64| {
        if spec.kind.is_mass() { spec.unit.format(kg) } else { crate::locale::number(format!("{kg:.1} %")) }
    };
    let mut lines = Vec::new();
    for l in &p.lines {
        let (points, trend_line) = (xy(&l.points), xy(&l.trend));
        // A line with nothing in range is left out (a stacked chart keeps its weight line).
        if points.is_empty() && trend_line.is_empty() && p.layers.is_empty() {
            continue;
        }
        lines.push(Line {
            label: l.label.clone(),
            points,
            trend: trend_line,
            end_label: l.end.map(end_label),
            left_out: xy(&l.left_out),
            flagged: xy(&l.flagged),
        });
    }
    let layers: Vec<Layer> = p
        .layers
        .iter()
        .map(|l| Layer {
            label: l.label.clone(),
            lower: xy(&l.lower),
            upper: xy(&l.upper),
            end_label: l.end.map(end_label),
        })
        .collect();
    if lines.is_empty() {
        return Err(ChartError::NoData(spec.kind.title().to_lowercase()));
    }
    let band: Option<Band> = p
        .band
        .as_ref()
        .map(|b| b.iter().map(|&(x, low, c, high)| (x as f64, conv(low), conv(c), conv(high))).collect());
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
        goal: p.goal_kg.map(conv),
        band,
        x_end,
    })
}

/// Fat mass and lean mass (or bone, lean less bone and fat) as stacked trends whose top is the
/// weight trend. `parts[0]` is the weight, the others the measured parts in `metrics()` order;
/// the remainder (weight minus the measured parts) is a part of its own, so the parts add up
/// to the weight trend by construction.
fn stack(
    parts: &[Series],
    all: &[(&str, Series)],
    spec: TrendSpec,
    tz: &TimeZone,
    lines: &mut Vec<PreparedLine>,
    layers: &mut Vec<PreparedLayer>,
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
        let end = t.last().map(|p| p.1);
        layers.push(PreparedLayer { label, lower: lower.clone(), upper: upper.clone(), end });
        lower = upper;
    }
    lines.push(PreparedLine {
        label: all[0].0.to_string(),
        points: parts[0].clone(),
        trend: weight.clone(),
        end: weight.last().map(|p| p.1),
        left_out: Vec::new(),
        flagged: Vec::new(),
    });
}
