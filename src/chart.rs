//! Charts: series → trend → downsampled to the pixel width → plotters SVG or PNG.
//!
//! Long histories are reduced per pixel column to that column's lowest and highest values, so
//! a 100,000-point history draws as fast as a short one and no extreme is ever dropped.

use std::path::Path;
use std::sync::OnceLock;

use jiff::tz::TimeZone;
use plotters::prelude::*;
use plotters::style::FontStyle;
use serde::Serialize;

use crate::model::MeasureType;
use crate::series::{Point, Query};
use crate::store::{Store, StoreError};
use crate::trend::{self, ALPHA};
use crate::units::MassUnit;

static FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("no {0} measurements in this range; pick a longer range or sync first")]
    NoData(String),
    #[error("unknown chart {0:?}; use weight, fat-ratio, fat-mass, lean-mass or composition")]
    UnknownKind(String),
    #[error("unknown range {0:?}; use 30d, 90d, 1y, all or FROM..TO (YYYY-MM-DD..YYYY-MM-DD)")]
    BadRange(String),
    #[error("the chart could not be drawn: {0}")]
    Render(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ChartError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        match self {
            ChartError::NoData(_) => "no_data",
            ChartError::UnknownKind(_) | ChartError::BadRange(_) => "bad_input",
            ChartError::Render(_) => "chart_error",
            ChartError::Store(e) => e.code(),
        }
    }
}

fn render_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Render(e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartKind {
    Weight,
    FatRatio,
    FatMass,
    LeanMass,
    Composition,
}

impl ChartKind {
    pub fn parse(s: &str) -> Result<ChartKind, ChartError> {
        Ok(match s {
            "weight" => ChartKind::Weight,
            "fat-ratio" => ChartKind::FatRatio,
            "fat-mass" => ChartKind::FatMass,
            "lean-mass" => ChartKind::LeanMass,
            "composition" => ChartKind::Composition,
            other => return Err(ChartError::UnknownKind(other.to_string())),
        })
    }

    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Weight => "Weight",
            ChartKind::FatRatio => "Fat ratio",
            ChartKind::FatMass => "Fat mass and lean mass",
            ChartKind::LeanMass => "Lean mass",
            ChartKind::Composition => "Body composition",
        }
    }

    /// The metrics drawn, with their legend names.
    fn metrics(self) -> &'static [(MeasureType, &'static str)] {
        match self {
            ChartKind::Weight => &[(MeasureType::WEIGHT, "Weight")],
            ChartKind::FatRatio => &[(MeasureType::FAT_RATIO, "Fat ratio")],
            ChartKind::FatMass => {
                &[(MeasureType::FAT_MASS, "Fat mass"), (MeasureType::FAT_FREE_MASS, "Lean mass")]
            }
            ChartKind::LeanMass => &[(MeasureType::FAT_FREE_MASS, "Lean mass")],
            ChartKind::Composition => &[
                (MeasureType::MUSCLE_MASS, "Muscle"),
                (MeasureType::HYDRATION, "Water"),
                (MeasureType::FAT_MASS, "Fat"),
                (MeasureType::BONE_MASS, "Bone"),
            ],
        }
    }

    fn is_mass(self) -> bool {
        self != ChartKind::FatRatio
    }
}

/// The time span shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    LastDays(i64),
    All,
    Between(i64, i64),
}

impl Range {
    pub fn parse(s: &str, tz: &TimeZone) -> Result<Range, ChartError> {
        let bad = || ChartError::BadRange(s.to_string());
        Ok(match s {
            "all" => Range::All,
            "30d" | "1m" => Range::LastDays(30),
            "90d" | "3m" => Range::LastDays(90),
            "1y" => Range::LastDays(365),
            other if other.contains("..") => {
                let (a, b) = other.split_once("..").ok_or_else(bad)?;
                let day = |d: &str| -> Result<i64, ChartError> {
                    let date: jiff::civil::Date = d.trim().parse().map_err(|_| bad())?;
                    Ok(date.to_zoned(tz.clone()).map_err(|_| bad())?.timestamp().as_second())
                };
                let (from, to) = (day(a)?, day(b)? + 86_399);
                if from > to {
                    return Err(bad());
                }
                Range::Between(from, to)
            }
            other => {
                let n: i64 = other.strip_suffix('d').and_then(|n| n.parse().ok()).ok_or_else(bad)?;
                Range::LastDays(n.max(1))
            }
        })
    }

    fn bounds(self, now: i64, first: i64) -> (i64, i64) {
        match self {
            Range::LastDays(n) => (now - n * 86_400, now),
            Range::All => (first, now),
            Range::Between(a, b) => (a, b),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }
}

struct Palette {
    bg: RGBColor,
    fg: RGBColor,
    muted: RGBColor,
    grid: RGBColor,
    goal: RGBColor,
    series: [RGBColor; 4],
}

fn palette(t: Theme) -> Palette {
    match t {
        Theme::Light => Palette {
            bg: RGBColor(0xff, 0xff, 0xff),
            fg: RGBColor(0x1d, 0x26, 0x24),
            muted: RGBColor(0x5d, 0x6b, 0x68),
            grid: RGBColor(0xe6, 0xeb, 0xea),
            goal: RGBColor(0xc9, 0x7b, 0x1e),
            series: [
                RGBColor(0x26, 0x84, 0x80),
                RGBColor(0xd0, 0x64, 0x3f),
                RGBColor(0x4f, 0x6f, 0xc9),
                RGBColor(0x8a, 0x7a, 0x62),
            ],
        },
        Theme::Dark => Palette {
            bg: RGBColor(0x16, 0x1b, 0x1a),
            fg: RGBColor(0xe6, 0xec, 0xea),
            muted: RGBColor(0x9a, 0xa8, 0xa5),
            grid: RGBColor(0x26, 0x2f, 0x2d),
            goal: RGBColor(0xe6, 0xa5, 0x4f),
            series: [
                RGBColor(0x5c, 0xc2, 0xbc),
                RGBColor(0xef, 0x8a, 0x64),
                RGBColor(0x8c, 0xa8, 0xf0),
                RGBColor(0xc4, 0xb4, 0x96),
            ],
        },
    }
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub kind: ChartKind,
    pub range: Range,
    pub unit: MassUnit,
    pub theme: Theme,
    pub width: u32,
    pub height: u32,
    /// A goal set in Heft, in kg; otherwise Withings' own goal (category 2) is used.
    pub goal_kg: Option<f64>,
    pub include_ambiguous: bool,
}

impl Default for ChartSpec {
    fn default() -> Self {
        ChartSpec {
            kind: ChartKind::Weight,
            range: Range::LastDays(90),
            unit: MassUnit::Kg,
            theme: Theme::Light,
            width: 960,
            height: 480,
            goal_kg: None,
            include_ambiguous: false,
        }
    }
}

/// One drawn series: raw points and trend, in display units, x in Unix seconds.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub trend: Vec<(f64, f64)>,
    /// The trend's last value, formatted for people ("72.3 kg").
    pub end_label: Option<String>,
}

/// Everything a chart shows, before drawing; the desktop app also reads it for hover values.
#[derive(Debug, Clone, Serialize)]
pub struct ChartData {
    pub title: String,
    pub y_label: String,
    pub from: i64,
    pub to: i64,
    pub lines: Vec<Line>,
    pub goal: Option<f64>,
}

fn noon_ts(d: jiff::civil::Date, tz: &TimeZone) -> Option<f64> {
    d.at(12, 0, 0, 0).to_zoned(tz.clone()).ok().map(|z| z.timestamp().as_second() as f64)
}

/// Reads the series of a chart from the store. The trend runs over the whole history and is
/// then cut to the range, so it does not restart at the left edge.
pub fn chart_data(store: &Store, account: i64, spec: &ChartSpec, now: i64) -> Result<ChartData, ChartError> {
    let tz = store.timezone(account)?;
    let mut lines = Vec::new();
    let mut first = now;
    let all: Vec<(MeasureType, &str, Vec<Point>)> = spec
        .kind
        .metrics()
        .iter()
        .map(|(kind, label)| {
            let q = Query {
                account,
                kind: *kind,
                from: i64::MIN,
                to: i64::MAX,
                include_ambiguous: spec.include_ambiguous,
            };
            Ok((*kind, *label, store.series(q)?))
        })
        .collect::<Result<_, StoreError>>()?;
    for (_, _, pts) in &all {
        if let Some(p) = pts.first() {
            first = first.min(p.ts);
        }
    }
    let (from, to) = spec.range.bounds(now, first);
    let conv = |v: f64| if spec.kind.is_mass() { spec.unit.from_kg(v) } else { v };
    for (_, label, pts) in all {
        let raw: Vec<(i64, f64)> = pts.iter().map(|p| (p.ts, p.value)).collect();
        let days = trend::daily_trend(&raw, &tz, ALPHA);
        let points: Vec<(f64, f64)> =
            pts.iter().filter(|p| p.ts >= from && p.ts <= to).map(|p| (p.ts as f64, conv(p.value))).collect();
        let trend_line: Vec<(f64, f64)> = days
            .iter()
            .filter_map(|d| noon_ts(d.date, &tz).map(|x| (x, conv(d.trend))))
            .filter(|(x, _)| *x >= from as f64 && *x <= to as f64 + 43_200.0)
            .collect();
        if points.is_empty() && trend_line.is_empty() {
            continue;
        }
        let end_label = days.last().map(|d| {
            if spec.kind.is_mass() { spec.unit.format(d.trend) } else { format!("{:.1} %", d.trend) }
        });
        lines.push(Line { label: label.to_string(), points, trend: trend_line, end_label });
    }
    if lines.is_empty() {
        return Err(ChartError::NoData(spec.kind.title().to_lowercase()));
    }
    let goal = match spec.kind {
        ChartKind::Weight => spec.goal_kg.or(store.withings_goal_kg(account)?).map(|g| spec.unit.from_kg(g)),
        _ => None,
    };
    let y_label = if spec.kind.is_mass() { spec.unit.axis_label().to_string() } else { "%".to_string() };
    Ok(ChartData { title: spec.kind.title().to_string(), y_label, from, to, lines, goal })
}

/// Keeps, per pixel column, the lowest and the highest point (in time order): at most two
/// points a column, and every extreme survives.
pub fn downsample(points: &[(f64, f64)], x_from: f64, x_to: f64, columns: u32) -> Vec<(f64, f64)> {
    if points.len() <= 2 * columns as usize || columns == 0 || x_to <= x_from {
        return points.to_vec();
    }
    let width = (x_to - x_from) / f64::from(columns);
    let mut out = Vec::with_capacity(2 * columns as usize);
    let mut i = 0;
    while i < points.len() {
        let col = ((points[i].0 - x_from) / width).floor();
        let mut j = i;
        let (mut lo, mut hi) = (i, i);
        while j < points.len() && ((points[j].0 - x_from) / width).floor() == col {
            if points[j].1 < points[lo].1 {
                lo = j;
            }
            if points[j].1 > points[hi].1 {
                hi = j;
            }
            j += 1;
        }
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push(points[a]);
        if b != a {
            out.push(points[b]);
        }
        i = j;
    }
    out
}

fn font(size: u32, color: &RGBColor) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(color)
}

fn register_font() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Render("the embedded font could not be loaded".into())) }
}

/// Date labels that suit the span: days for a few months, months for a few years, else years.
fn date_label(x: f64, span_days: f64, tz: &TimeZone) -> String {
    let Ok(t) = jiff::Timestamp::from_second(x as i64) else { return String::new() };
    let z = t.to_zoned(tz.clone());
    let fmt = if span_days <= 120.0 {
        "%b %-d"
    } else if span_days <= 800.0 {
        "%b %Y"
    } else {
        "%Y"
    };
    z.strftime(fmt).to_string()
}

/// Points in plot coordinates: (Unix seconds, display value).
type Xy = Vec<(f64, f64)>;

/// Left and right margins around the plotting area, for the downsampling width.
const Y_LABEL_AREA: u32 = 64;
const MARGIN: u32 = 24;
const END_LABEL_ROOM: u32 = 80;

fn plot_columns(spec: &ChartSpec) -> u32 {
    spec.width.saturating_sub(Y_LABEL_AREA + 2 * MARGIN + END_LABEL_ROOM).max(1)
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    data: &ChartData,
    spec: &ChartSpec,
    tz: &TimeZone,
) -> Result<PlotArea, ChartError>
where
    DB::ErrorType: 'static,
{
    register_font()?;
    let pal = palette(spec.theme);
    root.fill(&pal.bg).map_err(render_err)?;
    let (x0, x1) = (data.from as f64, (data.to as f64).max(data.from as f64 + 86_400.0));
    let cols = plot_columns(spec);
    let lines: Vec<(Xy, Xy)> = data
        .lines
        .iter()
        .map(|l| (downsample(&l.points, x0, x1, cols), downsample(&l.trend, x0, x1, cols)))
        .collect();
    let ys = lines.iter().flat_map(|(p, t)| p.iter().chain(t.iter()).map(|(_, y)| *y)).chain(data.goal);
    let (mut lo, mut hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(0.5);
    let (y0, y1) = (lo - pad, hi + pad);
    let span_days = (x1 - x0) / 86_400.0;

    let mut chart = ChartBuilder::on(&root)
        .margin(MARGIN)
        .margin_right(MARGIN + END_LABEL_ROOM)
        .caption(&data.title, font(20, &pal.fg))
        .x_label_area_size(36)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(render_err)?;
    let x_fmt = |x: &f64| date_label(*x, span_days, tz);
    let y_fmt = |y: &f64| format!("{y:.1}");
    chart
        .configure_mesh()
        .light_line_style(pal.grid.mix(0.0))
        .bold_line_style(pal.grid)
        .axis_style(pal.grid)
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .y_desc(&data.y_label)
        .label_style(font(12, &pal.muted))
        .axis_desc_style(font(12, &pal.muted))
        .draw()
        .map_err(render_err)?;

    // One series: "Weigh-ins" and "Trend" in the legend; several: one entry per metric.
    let single = data.lines.len() == 1;
    for (i, ((points, trend), line)) in lines.iter().zip(&data.lines).enumerate() {
        let color = pal.series[i % pal.series.len()];
        let dot = color.mix(if single { 0.45 } else { 0.3 });
        let dots = chart
            .draw_series(points.iter().map(|&(x, y)| Circle::new((x, y), 2, dot.filled())))
            .map_err(render_err)?;
        if single {
            dots.label("Weigh-ins").legend(move |(x, y)| Circle::new((x + 10, y), 3, dot.filled()));
        }
        let stroke = ShapeStyle { color: color.to_rgba(), filled: false, stroke_width: 2 };
        chart
            .draw_series(LineSeries::new(trend.iter().copied(), stroke))
            .map_err(render_err)?
            .label(if single { "Trend".to_string() } else { line.label.clone() })
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], stroke));
        if let (Some(&(x, y)), Some(text)) = (trend.last(), &line.end_label) {
            let style = font(13, &color).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            ));
            chart
                .draw_series(std::iter::once(Text::new(format!(" {text}"), (x, y), style)))
                .map_err(render_err)?;
        }
    }
    if let Some(goal) = data.goal {
        let style = ShapeStyle { color: pal.goal.to_rgba(), filled: false, stroke_width: 1 };
        chart
            .draw_series(DashedLineSeries::new(vec![(x0, goal), (x1, goal)], 6, 5, style))
            .map_err(render_err)?
            .label("Goal")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(pal.bg.filled())
        .border_style(pal.grid)
        .label_font(font(12, &pal.fg))
        .draw()
        .map_err(render_err)?;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    root.present().map_err(render_err)?;
    Ok(PlotArea { left: xs.start, right: xs.end, top: ys.start, bottom: ys.end })
}

/// Where the plotting area sits in the image, in pixels, so a UI can map the pointer to a
/// date (hover values) without knowing the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlotArea {
    pub left: i32,
    pub right: i32,
    pub top: i32,
    pub bottom: i32,
}

/// Draws to an SVG string.
pub fn render_svg(data: &ChartData, spec: &ChartSpec, tz: &TimeZone) -> Result<String, ChartError> {
    Ok(render_svg_with_area(data, spec, tz)?.0)
}

/// Draws to an SVG string and says where the plotting area is.
pub fn render_svg_with_area(
    data: &ChartData,
    spec: &ChartSpec,
    tz: &TimeZone,
) -> Result<(String, PlotArea), ChartError> {
    let mut out = String::new();
    let area = {
        let root = SVGBackend::with_string(&mut out, (spec.width, spec.height)).into_drawing_area();
        draw(root, data, spec, tz)?
    };
    Ok((out, area))
}

/// Draws to a PNG file.
pub fn render_png(data: &ChartData, spec: &ChartSpec, tz: &TimeZone, path: &Path) -> Result<(), ChartError> {
    let root = BitMapBackend::new(path, (spec.width, spec.height)).into_drawing_area();
    draw(root, data, spec, tz).map(|_| ())
}
