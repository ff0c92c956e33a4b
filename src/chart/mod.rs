//! Charts: series → the account's trend method → downsampled to the pixel width → plotters SVG
//! or PNG, on a calendar-aligned time axis.
//!
//! Raw weigh-ins are reduced per pixel column to that column's lowest and highest values, so a
//! 100,000-point history draws as fast as a short one and no extreme is ever dropped; the
//! trend, a smooth line, keeps one point per column. Each kind of mark (dot, hollow left-out
//! mark, ring around an unusual weigh-in) is drawn once per pixel it lands on, and in SVG all
//! marks of a kind are one path (see `marks`), so a 20-year chart stays small at any width.
//! Fat and lean mass (and the body composition) are stacked so that their parts visibly add
//! up to the weight trend.

mod axis;
mod data;
mod draw;
mod marks;

use crate::error_code::ErrorCode;
use std::path::Path;

use jiff::tz::TimeZone;
use plotters::prelude::*;
use serde::Serialize;

use crate::model::MeasureType;
use crate::store::StoreError;
use crate::trend::TrendSpec;
use crate::units::MassUnit;

pub use axis::{Tick, ticks};
pub use data::{Memo, chart_data, chart_data_memo};

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
    pub fn code(&self) -> ErrorCode {
        match self {
            ChartError::NoData(_) => ErrorCode::NoData,
            ChartError::UnknownKind(_) | ChartError::BadRange(_) => ErrorCode::BadInput,
            ChartError::Render(_) => ErrorCode::ChartError,
            ChartError::Store(e) => e.code(),
        }
    }
}

pub(crate) fn render_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Render(e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ChartKind {
    Weight,
    FatRatio,
    FatMass,
    LeanMass,
    Composition,
}

impl ChartKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChartKind::Weight => "weight",
            ChartKind::FatRatio => "fat-ratio",
            ChartKind::FatMass => "fat-mass",
            ChartKind::LeanMass => "lean-mass",
            ChartKind::Composition => "composition",
        }
    }

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

    /// The metrics drawn, with their legend names; stacked charts start with the weight.
    pub(crate) fn metrics(self) -> &'static [(MeasureType, &'static str)] {
        match self {
            ChartKind::Weight => &[(MeasureType::WEIGHT, "Weight")],
            ChartKind::FatRatio => &[(MeasureType::FAT_RATIO, "Fat ratio")],
            ChartKind::FatMass => &[(MeasureType::WEIGHT, "Weight"), (MeasureType::FAT_MASS, "Fat mass")],
            ChartKind::LeanMass => &[(MeasureType::FAT_FREE_MASS, "Lean mass")],
            ChartKind::Composition => &[
                (MeasureType::WEIGHT, "Weight"),
                (MeasureType::BONE_MASS, "Bone"),
                (MeasureType::FAT_MASS, "Fat"),
            ],
        }
    }

    /// Charts whose parts are stacked to add up to the weight trend.
    pub fn is_stacked(self) -> bool {
        matches!(self, ChartKind::FatMass | ChartKind::Composition)
    }

    /// The stacked parts, bottom first.
    pub(crate) fn stack_order(self) -> &'static [StackPart] {
        match self {
            ChartKind::FatMass => &[StackPart::Remainder("Lean mass"), StackPart::Measured(1)],
            ChartKind::Composition => {
                &[StackPart::Measured(1), StackPart::Remainder("Lean, less bone"), StackPart::Measured(2)]
            }
            _ => &[],
        }
    }

    pub(crate) fn is_mass(self) -> bool {
        self != ChartKind::FatRatio
    }
}

/// One part of a stacked chart: a measured metric (its index in `metrics()`), or what remains
/// of the weight when the measured parts are taken off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StackPart {
    Measured(usize),
    Remainder(&'static str),
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

    pub(crate) fn bounds(self, now: i64, first: i64) -> (i64, i64) {
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

pub(crate) struct Palette {
    bg: RGBColor,
    fg: RGBColor,
    muted: RGBColor,
    grid: RGBColor,
    goal: RGBColor,
    series: [RGBColor; 4],
}

pub(crate) fn palette(t: Theme) -> Palette {
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
    /// The account's trend method.
    pub trend: TrendSpec,
    /// Draw the goal band (weight charts with a goal).
    pub goal_band: bool,
    /// The account's colour for its weigh-ins and trend (a household tells its people
    /// apart by it); `None`: the theme's.
    pub colour: Option<(u8, u8, u8)>,
}

/// "#2f7d5b" → (0x2f, 0x7d, 0x5b).
pub fn parse_colour(hex: &str) -> Option<(u8, u8, u8)> {
    let h = hex.strip_prefix('#').filter(|h| h.len() == 6 && h.is_ascii())?;
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
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
            trend: TrendSpec::default(),
            goal_band: true,
            colour: None,
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
    /// Weigh-ins that do not count (excluded, "not me", awaiting review): drawn hollow.
    pub left_out: Vec<(f64, f64)>,
    /// Counted weigh-ins flagged as unusual: ringed.
    pub flagged: Vec<(f64, f64)>,
}

/// One part of a stacked chart: the area between `lower` and `upper` (same x values).
#[derive(Debug, Clone, Serialize)]
pub struct Layer {
    pub label: String,
    pub lower: Vec<(f64, f64)>,
    pub upper: Vec<(f64, f64)>,
    /// The part's last value, formatted for people.
    pub end_label: Option<String>,
}

/// The goal band in display units: `(x, low, center, high)` from today on.
pub type Band = Vec<(f64, f64, f64, f64)>;

/// Everything a chart shows, before drawing; the desktop app also reads it for hover values.
#[derive(Debug, Clone, Serialize)]
pub struct ChartData {
    pub title: String,
    pub y_label: String,
    pub from: i64,
    pub to: i64,
    pub lines: Vec<Line>,
    /// Stacked parts, bottom first; their top edge is the first line's trend.
    pub layers: Vec<Layer>,
    pub goal: Option<f64>,
    pub band: Option<Band>,
    /// Where the time axis ends: `to`, or later to show the goal band.
    pub x_end: i64,
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

/// Where the plotting area sits in the image, in pixels, so a UI can map the pointer to a
/// date (hover values) without knowing the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    let mut marks = Vec::new();
    let area = {
        let root = SVGBackend::with_string(&mut out, (spec.width, spec.height)).into_drawing_area();
        draw::draw(root, data, spec, tz, draw::MarkSink::Svg(&mut marks))?
    };
    marks::fill_placeholders(&mut out, &marks)?;
    Ok((out, area))
}

/// Draws to a PNG file.
pub fn render_png(data: &ChartData, spec: &ChartSpec, tz: &TimeZone, path: &Path) -> Result<(), ChartError> {
    let root = BitMapBackend::new(path, (spec.width, spec.height)).into_drawing_area();
    draw::draw(root, data, spec, tz, draw::MarkSink::Circles).map(|_| ())
}
