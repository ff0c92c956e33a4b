//! Drawing a [`ChartData`] with plotters: the legend in the header (never over the data), a
//! value range chosen from what is in view, a calendar time axis, raw weigh-ins as dots, the
//! trend as one smooth line, stacked parts, the goal (or a marker at the edge when it is far
//! outside the data) and the goal band.

use std::sync::OnceLock;

use jiff::tz::TimeZone;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::marks::{self, MarkStyle, Marks};
use super::{ChartData, ChartError, ChartSpec, PlotArea, downsample, palette, render_err, ticks};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

/// Margins and areas around the plot, in pixels.
const MARGIN: u32 = 20;
const HEADER: u32 = 40;
const Y_LABEL_AREA: u32 = 64;
const X_LABEL_AREA: u32 = 34;
const END_LABEL_ROOM: u32 = 84;
/// Pixels per time-axis label, at most.
const LABEL_WIDTH: u32 = 64;

fn font(size: u32, color: &RGBColor) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(color)
}

fn register_font() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Render("the embedded font could not be loaded".into())) }
}

/// The plot's width in pixels, for downsampling.
pub(crate) fn plot_columns(spec: &ChartSpec) -> u32 {
    spec.width.saturating_sub(Y_LABEL_AREA + 2 * MARGIN + END_LABEL_ROOM).max(2)
}

/// One point per column (the column's last), so a line has no vertical runs. Columns
/// of two pixels keep consecutive points apart however plotters rounds.
pub(crate) fn thin(points: &[(f64, f64)], x_from: f64, x_to: f64, columns: u32) -> Vec<(f64, f64)> {
    if columns == 0 || x_to <= x_from {
        return points.to_vec();
    }
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len().min(columns as usize + 1));
    let mut last_col = f64::NAN;
    for &p in points {
        let col = ((p.0 - x_from) / (x_to - x_from) * f64::from(columns)).round();
        if col == last_col {
            if let Some(l) = out.last_mut() {
                *l = p;
            }
        } else {
            out.push(p);
            last_col = col;
        }
    }
    out
}

/// Points in plot coordinates: (Unix seconds, display value).
type Xy = Vec<(f64, f64)>;

/// Where the per-weigh-in marks go.
pub(crate) enum MarkSink<'a> {
    /// Drawn as circles (bitmaps).
    Circles,
    /// Kept as SVG, one group per line; plotters draws a placeholder in their place that
    /// [`marks::fill_placeholders`] swaps for them.
    Svg(&'a mut Vec<String>),
}

pub(crate) fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    data: &ChartData,
    spec: &ChartSpec,
    tz: &TimeZone,
    mut sink: MarkSink<'_>,
) -> Result<PlotArea, ChartError>
where
    DB::ErrorType: 'static,
{
    register_font()?;
    let mut pal = palette(spec.theme);
    if let Some((r, g, b)) = spec.colour {
        pal.series[0] = RGBColor(r, g, b);
    }
    root.fill(&pal.bg).map_err(render_err)?;
    let x0 = data.from as f64;
    let x1 = (data.x_end as f64).max(x0 + 86_400.0);
    let cols = plot_columns(spec);
    let lines: Vec<(Xy, Xy)> = data
        .lines
        .iter()
        .map(|l| (downsample(&l.points, x0, x1, cols), thin(&l.trend, x0, x1, cols / 2)))
        .collect();
    let layers: Vec<(Xy, Xy)> = data
        .layers
        .iter()
        .map(|l| (thin(&l.lower, x0, x1, cols / 2), thin(&l.upper, x0, x1, cols / 2)))
        .collect();

    // The value range: what is in view. A goal close to it joins it; one far outside is
    // marked at the edge instead of squashing the data.
    let in_view = lines
        .iter()
        .flat_map(|(p, t)| p.iter().chain(t.iter()))
        .chain(layers.iter().flat_map(|(_, u)| u.iter()))
        .map(|(_, y)| *y);
    let (mut lo, mut hi) = in_view.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if !data.layers.is_empty() {
        lo = 0.0; // stacked areas start at zero, so their sizes compare honestly
    }
    let span = (hi - lo).max(1.0);
    let goal_in_view = data.goal.filter(|g| *g >= lo - span * 0.5 && *g <= hi + span * 0.5);
    if let Some(g) = goal_in_view {
        (lo, hi) = (lo.min(g), hi.max(g));
    }
    let pad = ((hi - lo) * 0.08).max(0.5);
    let (y0, y1) = (if data.layers.is_empty() { lo - pad } else { 0.0 }, hi + pad);

    // The legend takes the title's row and as many rows below it as it needs: a narrow window
    // gets every entry, on two rows, instead of losing some.
    let single = data.lines.len() == 1 && data.layers.is_empty();
    let title_style = font(20, &pal.fg);
    let title_left = MARGIN as i32 + Y_LABEL_AREA as i32;
    let (title_w, _) = root.estimate_text_size(&data.title, &title_style).map_err(render_err)?;
    let legend = Legend::lay_out(
        &root,
        legend_entries(data, spec, &pal, single),
        spec.width,
        title_left + title_w as i32,
    )?;
    let (title_area, body) =
        root.split_vertically(HEADER + MARGIN + LEGEND_ROW * (legend.rows.len().max(1) as u32 - 1));
    title_area.draw_text(&data.title, &title_style, (title_left, MARGIN as i32)).map_err(render_err)?;
    let mut chart = ChartBuilder::on(&body)
        .margin(MARGIN)
        .margin_top(4)
        .margin_right(MARGIN + END_LABEL_ROOM)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(render_err)?;
    let y_fmt = |y: &f64| crate::locale::number(format!("{y:.1}"));
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .light_line_style(pal.grid.mix(0.0))
        .bold_line_style(pal.grid)
        .axis_style(pal.grid)
        .y_labels(6)
        .y_label_formatter(&y_fmt)
        .y_desc(&data.y_label)
        .label_style(font(13, &pal.muted))
        .axis_desc_style(font(13, &pal.muted))
        .draw()
        .map_err(render_err)?;

    // The calendar axis: a grid line and a label on each boundary.
    let max_labels = (plot_columns(spec) / LABEL_WIDTH).max(2) as usize;
    for t in ticks(data.from, x1 as i64, tz, max_labels) {
        let x = t.at as f64;
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(x, y0), (x, y1)], pal.grid)))
            .map_err(render_err)?;
        let (px, py) = chart.backend_coord(&(x, y0));
        let style = font(13, &pal.muted).pos(Pos::new(HPos::Center, VPos::Top));
        body.draw_text(&t.label, &style, (px - body.get_base_pixel().0, py - body.get_base_pixel().1 + 8))
            .map_err(render_err)?;
    }

    // Stacked parts, bottom first, each between its lower and upper edge.
    for (i, (lower, upper)) in layers.iter().enumerate() {
        let color = pal.series[(i + 1) % pal.series.len()];
        let outline: Vec<(f64, f64)> = upper.iter().copied().chain(lower.iter().rev().copied()).collect();
        chart
            .draw_series(std::iter::once(Polygon::new(outline, color.mix(0.35).filled())))
            .map_err(render_err)?;
        // The part's size at the right edge, in the middle of its band.
        if let (Some(l), Some(u), Some(text)) = (lower.last(), upper.last(), &data.layers[i].end_label) {
            let style = font(13, &color).pos(Pos::new(HPos::Left, VPos::Center));
            let y = (l.1 + u.1) / 2.0;
            chart
                .draw_series(std::iter::once(Text::new(format!(" {text}"), (u.0, y), style)))
                .map_err(render_err)?;
        }
    }

    if let Some(band) = &data.band {
        let clamp = |y: f64| y.clamp(y0, y1);
        let visible: Vec<&(f64, f64, f64, f64)> = band.iter().filter(|b| b.0 <= x1).collect();
        let outline: Vec<(f64, f64)> = visible
            .iter()
            .map(|b| (b.0, clamp(b.3)))
            .chain(visible.iter().rev().map(|b| (b.0, clamp(b.1))))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(outline, pal.goal.mix(0.16).filled())))
            .map_err(render_err)?;
        let center: Vec<(f64, f64)> = visible.iter().map(|b| (b.0, clamp(b.2))).collect();
        let style = ShapeStyle { color: pal.goal.to_rgba(), filled: false, stroke_width: 1 };
        chart.draw_series(DashedLineSeries::new(center, 3, 4, style)).map_err(render_err)?;
    }

    for (i, ((points, trend), line)) in lines.iter().zip(&data.lines).enumerate() {
        let color = pal.series[i % pal.series.len()];
        // Each weigh-in a dot; left out of the trend: hollow; unusual: a ring in the goal
        // colour, to look at. Each kind once per pixel it lands on.
        let px = |&(x, y): &(f64, f64)| chart.backend_coord(&(x, y.clamp(y0, y1)));
        let visible = |p: &&(f64, f64)| p.0 >= x0 && p.0 <= x1;
        let dot = MarkStyle {
            radius: 2,
            color: color.mix(if single { 0.45 } else { 0.3 }),
            filled: true,
            stroke_width: 1,
        };
        let hollow = MarkStyle { radius: 3, color: color.mix(0.8), filled: false, stroke_width: 1 };
        let ring = MarkStyle { radius: 5, color: pal.goal.to_rgba(), filled: false, stroke_width: 2 };
        let kinds = [
            Marks::new(dot, points.iter().map(|p| chart.backend_coord(p))),
            Marks::new(hollow, line.left_out.iter().filter(visible).map(px)),
            Marks::new(ring, line.flagged.iter().filter(visible).map(px)),
        ];
        match &mut sink {
            MarkSink::Circles => kinds.iter().try_for_each(|m| m.draw(&root))?,
            MarkSink::Svg(groups) => {
                root.draw_text(&marks::placeholder(groups.len()), &font(8, &pal.fg), (0, 0))
                    .map_err(render_err)?;
                groups.push(kinds.iter().map(Marks::svg).collect());
            }
        }
        let stroke = ShapeStyle { color: color.to_rgba(), filled: false, stroke_width: 2 };
        chart.draw_series(LineSeries::new(trend.iter().copied(), stroke)).map_err(render_err)?;
        if let (Some(&(x, y)), Some(text)) = (trend.last(), &line.end_label) {
            let style = font(14, &color).pos(Pos::new(HPos::Left, VPos::Center));
            chart
                .draw_series(std::iter::once(Text::new(format!(" {text}"), (x, y), style)))
                .map_err(render_err)?;
        }
    }

    match (data.goal, goal_in_view) {
        (Some(goal), Some(_)) => {
            let style = ShapeStyle { color: pal.goal.to_rgba(), filled: false, stroke_width: 1 };
            chart
                .draw_series(DashedLineSeries::new(vec![(x0, goal), (x1, goal)], 6, 5, style))
                .map_err(render_err)?;
        }
        (Some(goal), None) => {
            // Far outside the data: an arrow at the edge it lies beyond.
            let (y, arrow, v) = if goal < y0 { (y0, "↓", VPos::Bottom) } else { (y1, "↑", VPos::Top) };
            let style = font(13, &pal.goal).pos(Pos::new(HPos::Right, v));
            let text = crate::locale::number(format!("Goal {goal:.1} {arrow}"));
            chart.draw_series(std::iter::once(Text::new(text, (x1, y), style))).map_err(render_err)?;
        }
        _ => {}
    }

    legend.draw(&title_area, &pal)?;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    root.present().map_err(render_err)?;
    Ok(PlotArea { left: xs.start, right: xs.end, top: ys.start, bottom: ys.end })
}

/// A legend entry's mark.
enum Mark {
    Dot(RGBColor),
    Line(RGBColor),
    Dashed(RGBColor),
    Area(RGBColor),
    Hollow(RGBColor),
    Ring(RGBColor),
}

/// What the legend names, in reading order.
fn legend_entries(
    data: &ChartData,
    spec: &ChartSpec,
    pal: &super::Palette,
    single: bool,
) -> Vec<(String, Mark)> {
    let mut entries: Vec<(String, Mark)> = Vec::new();
    if single {
        entries.push(("Weigh-ins".into(), Mark::Dot(pal.series[0])));
        entries.push((format!("Trend ({})", spec.trend.method.as_str()), Mark::Line(pal.series[0])));
    } else {
        for (i, l) in data.lines.iter().enumerate() {
            entries.push((format!("{} trend", l.label), Mark::Line(pal.series[i % pal.series.len()])));
        }
    }
    for (i, l) in data.layers.iter().enumerate() {
        entries.push((l.label.clone(), Mark::Area(pal.series[(i + 1) % pal.series.len()])));
    }
    if data.goal.is_some() {
        entries.push(("Goal".into(), Mark::Dashed(pal.goal)));
    }
    if data.band.is_some() {
        entries.push(("Likely path".into(), Mark::Area(pal.goal)));
    }
    // What the hollow dots and the rings mean, when the chart shows some.
    let shown = |pts: &[(f64, f64)]| pts.iter().any(|p| p.0 >= data.from as f64 && p.0 <= data.x_end as f64);
    if data.lines.iter().any(|l| shown(&l.left_out)) {
        entries.push(("Left out".into(), Mark::Hollow(pal.series[0])));
    }
    if data.lines.iter().any(|l| shown(&l.flagged)) {
        entries.push(("Unusual".into(), Mark::Ring(pal.goal)));
    }
    entries
}

/// The legend's rows, right-aligned above the plot (never over the data): the first beside the
/// title, the others below it.
struct Legend {
    rows: Vec<Vec<(String, Mark, i32)>>,
    right: i32,
    style: TextStyle<'static>,
}

/// The height of each legend row after the first.
const LEGEND_ROW: u32 = 20;
/// A mark and the gaps around it, beside its text.
const MARK_ROOM: i32 = 22 + 18;

impl Legend {
    fn lay_out<DB: DrawingBackend>(
        area: &DrawingArea<DB, plotters::coord::Shift>,
        entries: Vec<(String, Mark)>,
        width: u32,
        title_end: i32,
    ) -> Result<Legend, ChartError>
    where
        DB::ErrorType: 'static,
    {
        let style = font(13, &RGBColor(0, 0, 0));
        let right = width as i32 - MARGIN as i32;
        let mut rows: Vec<Vec<(String, Mark, i32)>> = vec![Vec::new()];
        let mut room = right - title_end - 24;
        for (text, mark) in entries {
            let (w, _) = area.estimate_text_size(&text, &style).map_err(render_err)?;
            let need = w as i32 + MARK_ROOM;
            let row_is_empty = rows.last().is_none_or(Vec::is_empty);
            if need > room && !row_is_empty {
                rows.push(Vec::new());
                room = right - MARGIN as i32;
            }
            room -= need;
            if let Some(row) = rows.last_mut() {
                row.push((text, mark, w as i32));
            }
        }
        Ok(Legend { rows, right, style })
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        pal: &super::Palette,
    ) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        let style = self.style.color(&pal.fg);
        for (r, row) in self.rows.iter().enumerate() {
            let y = MARGIN as i32 + 8 + r as i32 * LEGEND_ROW as i32;
            let mut x = self.right;
            for (text, mark, w) in row.iter().rev() {
                x -= w;
                area.draw_text(text, &style.pos(Pos::new(HPos::Left, VPos::Center)), (x, y))
                    .map_err(render_err)?;
                x -= 22;
                let (a, b) = ((x, y), (x + 16, y));
                match mark {
                    Mark::Dot(c) => area.draw(&Circle::new((x + 8, y), 3, c.mix(0.6).filled())),
                    Mark::Line(c) => area.draw(&PathElement::new(
                        vec![a, b],
                        ShapeStyle { color: c.to_rgba(), filled: false, stroke_width: 2 },
                    )),
                    Mark::Dashed(c) => area
                        .draw(&PathElement::new(vec![a, (x + 6, y)], c.stroke_width(1)))
                        .and_then(|_| area.draw(&PathElement::new(vec![(x + 10, y), b], c.stroke_width(1)))),
                    Mark::Area(c) => {
                        area.draw(&Rectangle::new([(x, y - 5), (x + 16, y + 5)], c.mix(0.35).filled()))
                    }
                    Mark::Hollow(c) => area.draw(&Circle::new((x + 8, y), 3, c.mix(0.8).stroke_width(1))),
                    Mark::Ring(c) => area.draw(&Circle::new((x + 8, y), 5, c.stroke_width(2))),
                }
                .map_err(render_err)?;
                x -= 18;
            }
        }
        Ok(())
    }
}
