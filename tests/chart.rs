//! Charts checked on structure, not pixels: real SQLite, the real renderer, the SVG parsed.

use heft::chart::{self, ChartKind, ChartSpec, Range, Theme, downsample};
use heft::store::{Store, StoredGroup, StoredMeasure};
use heft::units::MassUnit;
use jiff::tz::TimeZone;

const DAY: i64 = 86_400;
// 2026-01-01 07:30 UTC
const START: i64 = 1_767_252_600;

fn weigh_in(grpid: i64, date: i64, weight_g: i64, fat_ratio_milli: i64) -> StoredGroup {
    StoredGroup {
        grpid,
        date,
        created: Some(date),
        modified: Some(date),
        category: 1,
        attrib: 0,
        deviceid: None,
        model: None,
        comment: None,
        source: Default::default(),
        measures: vec![
            StoredMeasure {
                kind: 1,
                position: None,
                value: weight_g,
                unit: -3,
                algo: None,
                fm: None,
                written: None,
            },
            StoredMeasure {
                kind: 6,
                position: None,
                value: fat_ratio_milli,
                unit: -3,
                algo: None,
                fm: None,
                written: None,
            },
        ],
    }
}

fn store_with(groups: &[StoredGroup]) -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("heft.db")).unwrap();
    let acct = store.upsert_account(heft::auth::Provider::Withings, "1", None, None, 0).unwrap();
    store.set_timezone(acct, "UTC").unwrap();
    store.apply(acct, groups, &[], None).unwrap();
    (dir, store, acct)
}

fn svg(store: &Store, acct: i64, spec: &ChartSpec, now: i64) -> String {
    let data = chart::chart_data(store, acct, spec, now).expect("chart data");
    chart::render_svg(&data, spec, &TimeZone::UTC).expect("renders")
}

fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

#[test]
fn thirty_days_of_weigh_ins_draw_every_point_axis_dates_and_the_trend_end_value() {
    let groups: Vec<StoredGroup> = (0..30)
        .map(|d| weigh_in(100 + d, START + d * DAY, 80_000 - d * 50 + (d % 3) * 100, 20_000))
        .collect();
    let (_dir, store, acct) = store_with(&groups);
    let now = START + 30 * DAY;
    let spec = ChartSpec { range: Range::LastDays(30), width: 960, height: 480, ..ChartSpec::default() };
    let data = chart::chart_data(&store, acct, &spec, now).expect("chart data");
    let (out, area) = chart::render_svg_with_area(&data, &spec, &TimeZone::UTC).expect("renders");
    let doc = roxmltree::Document::parse(&out).expect("the SVG is well-formed XML");
    let dots = marks(&out, area).iter().filter(|m| m.0 == MarkKind::Dot).count();
    assert_eq!(dots, 30, "30 weigh-ins (no downsampling needed)");
    let circles =
        doc.descendants().filter(|n| n.has_tag_name("circle")).filter(|c| c.attribute("r") == Some("3"));
    assert_eq!(circles.count(), 1, "and one dot in the legend");
    let texts = texts(&doc);
    assert!(texts.iter().any(|t| t.starts_with("Jan")), "day labels for a 30-day range: {texts:?}");
    assert!(texts.iter().any(|t| t == "Weight"), "title");
    // The trend, computed here by hand: t0 = v0, t = t + 0.1 (v − t).
    let mut t = 80.0;
    for d in 1..30 {
        let v = (80_000 - d * 50 + (d % 3) * 100) as f64 / 1000.0;
        t += 0.1 * (v - t);
    }
    let expected = MassUnit::Kg.format(t);
    assert!(texts.iter().any(|x| x == &expected), "trend end label {expected} in {texts:?}");
    let lb = ChartSpec { unit: MassUnit::Lb, ..spec.clone() };
    let out = svg(&store, acct, &lb, now);
    assert!(out.contains(&MassUnit::Lb.format(t)), "the same trend in pounds");
}

#[test]
fn a_hundred_thousand_points_are_downsampled_to_the_pixel_width_and_stay_small() {
    // Five weigh-ins a day for 55 years: 100,000 points.
    let n = 100_000;
    let groups: Vec<StoredGroup> = (0..n)
        .map(|i| weigh_in(1_000 + i, START - (n - i) * (DAY / 5), 70_000 + (i * 7919 % 5000), 25_000))
        .collect();
    let (_dir, store, acct) = store_with(&groups);
    let spec = ChartSpec { range: Range::All, width: 960, ..ChartSpec::default() };
    let data = chart::chart_data(&store, acct, &spec, START).unwrap();
    assert_eq!(data.lines[0].points.len(), n as usize);
    let (out, area) = chart::render_svg_with_area(&data, &spec, &TimeZone::UTC).unwrap();
    assert!(out.len() < 200_000, "SVG is {} bytes", out.len());
    let dots = marks(&out, area).iter().filter(|m| m.0 == MarkKind::Dot).count();
    assert!(dots <= 2 * 960, "at most two points per pixel column: {dots}");
    assert!(dots > 500, "but the whole range is drawn: {dots}");
}

#[test]
fn downsampling_keeps_the_extremes_of_every_column() {
    let pts: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, ((i * 37) % 101) as f64)).collect();
    let out = downsample(&pts, 0.0, 10_000.0, 100);
    assert!(out.len() <= 200);
    assert!(out.iter().any(|p| p.1 == 0.0) && out.iter().any(|p| p.1 == 100.0), "global min and max survive");
    for col in 0..100 {
        let in_col = |p: &&(f64, f64)| (p.0 / 100.0).floor() as i32 == col;
        let max_in = pts.iter().filter(in_col).map(|p| p.1).fold(f64::MIN, f64::max);
        let max_out = out.iter().filter(in_col).map(|p| p.1).fold(f64::MIN, f64::max);
        assert_eq!(max_in, max_out, "column {col} keeps its maximum");
    }
    assert!(out.windows(2).all(|w| w[0].0 <= w[1].0), "time order kept");
}

#[test]
fn goals_ambiguous_weigh_ins_and_units_are_handled() {
    let mut groups: Vec<StoredGroup> =
        (0..10).map(|d| weigh_in(10 + d, START + d * DAY, 80_000, 20_000)).collect();
    let mut other_person = weigh_in(99, START + 5 * DAY + 3600, 55_000, 30_000);
    other_person.attrib = 1;
    groups.push(other_person);
    let mut goal = weigh_in(98, START, 75_000, 0);
    goal.category = 2;
    goal.measures.truncate(1);
    groups.push(goal);
    let (_dir, store, acct) = store_with(&groups);
    let spec = ChartSpec { range: Range::LastDays(30), ..ChartSpec::default() };
    let data = chart::chart_data(&store, acct, &spec, START + 10 * DAY).unwrap();
    assert_eq!(data.lines[0].points.len(), 10, "the ambiguous weigh-in and the goal are not points");
    assert_eq!(data.goal, Some(75.0), "Withings' goal (category 2) drawn as the goal line");
    let with = ChartSpec { include_ambiguous: true, ..spec.clone() };
    assert_eq!(chart::chart_data(&store, acct, &with, START + 10 * DAY).unwrap().lines[0].points.len(), 11);
    let st = ChartSpec { unit: MassUnit::St, goal_kg: Some(76.2), ..spec };
    let data = chart::chart_data(&store, acct, &st, START + 10 * DAY).unwrap();
    assert!((data.goal.unwrap() - 12.0).abs() < 0.001, "a goal in Heft's settings wins, in stones");
    assert_eq!(data.lines[0].end_label.as_deref(), Some("12 st 8.4 lb"));
}

#[test]
fn every_chart_kind_renders_in_both_themes_as_svg_and_png() {
    let groups: Vec<StoredGroup> = (0..60)
        .map(|d| {
            let mut g = weigh_in(500 + d, START + d * DAY, 82_000 - d * 20, 22_000);
            for (kind, v) in [(5, 64_000), (8, 18_000), (76, 60_000), (77, 46_000), (88, 3_200)] {
                g.measures.push(StoredMeasure {
                    kind,
                    position: None,
                    value: v - d * 5,
                    unit: -3,
                    algo: None,
                    fm: None,
                    written: None,
                });
            }
            g
        })
        .collect();
    let (dir, store, acct) = store_with(&groups);
    for kind in ["weight", "fat-ratio", "fat-mass", "lean-mass", "composition"] {
        for theme in [Theme::Light, Theme::Dark] {
            let spec = ChartSpec {
                kind: ChartKind::parse(kind).unwrap(),
                theme,
                range: Range::All,
                ..ChartSpec::default()
            };
            let data = chart::chart_data(&store, acct, &spec, START + 60 * DAY).unwrap();
            let out = chart::render_svg(&data, &spec, &TimeZone::UTC).unwrap();
            roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{kind}: {e}"));
            let png = dir.path().join(format!("{kind}.png"));
            chart::render_png(&data, &spec, &TimeZone::UTC, &png).unwrap();
            let bytes = std::fs::read(&png).unwrap();
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{kind}: a PNG file");
        }
    }
    let fat = ChartSpec { kind: ChartKind::FatMass, range: Range::All, ..ChartSpec::default() };
    let data = chart::chart_data(&store, acct, &fat, START + 60 * DAY).unwrap();
    let labels: Vec<&str> = data.layers.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["Lean mass", "Fat mass"], "lean at the bottom, fat on top");
    // The parts add up to the weight trend: the top layer's upper edge is the trend.
    let top = &data.layers[1].upper;
    assert_eq!(top.len(), data.lines[0].trend.len());
    for (a, b) in top.iter().zip(&data.lines[0].trend) {
        assert!((a.1 - b.1).abs() < 1e-9, "lean + fat = weight trend at {}", a.0);
    }
    let comp = ChartSpec { kind: ChartKind::Composition, range: Range::All, ..ChartSpec::default() };
    let data = chart::chart_data(&store, acct, &comp, START + 60 * DAY).unwrap();
    assert_eq!(data.layers.len(), 3, "bone, lean less bone, fat");
    let (top, trend) = (&data.layers[2].upper, &data.lines[0].trend);
    assert!(top.iter().zip(trend).all(|(a, b)| (a.1 - b.1).abs() < 1e-9), "the parts add up to the weight");
}

/// The drawn geometry of an SVG: texts with their position, polylines.
struct Drawn {
    texts: Vec<(String, f64, f64)>,
    polylines: Vec<Vec<(f64, f64)>>,
}

fn drawn(svg: &str) -> Drawn {
    let doc = roxmltree::Document::parse(svg).expect("valid SVG");
    let num = |n: &roxmltree::Node<'_, '_>, a: &str| {
        n.attribute(a).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN)
    };
    let texts = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| (t.trim().to_string(), num(&n, "x"), num(&n, "y"))))
        .collect();
    let polylines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter_map(|n| n.attribute("points"))
        .map(|p| {
            p.split_whitespace()
                .filter_map(|xy| {
                    xy.split_once(',').and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?)))
                })
                .collect()
        })
        .collect();
    Drawn { texts, polylines }
}

fn ten_years() -> (tempfile::TempDir, Store, i64, i64) {
    // 10 years of daily weigh-ins with noise, ending 2026-01-01.
    let start = START - 3_652 * DAY;
    let groups: Vec<StoredGroup> = (0..3_652)
        .map(|d| {
            let w = 85_000 - d * 3 + (d * 7919 % 1200);
            let mut g = weigh_in(10_000 + d, start + d * DAY, w, 22_000);
            g.measures.push(StoredMeasure {
                kind: 8,
                position: None,
                value: w * 22 / 100,
                unit: -3,
                algo: None,
                fm: None,
                written: None,
            });
            g
        })
        .collect();
    let (dir, store, acct) = store_with(&groups);
    (dir, store, acct, START)
}

#[test]
fn a_ten_year_chart_labels_every_year_on_its_boundary_and_draws_one_smooth_trend() {
    let (_dir, store, acct, now) = ten_years();
    let spec = ChartSpec { range: Range::All, width: 960, height: 480, ..ChartSpec::default() };
    let data = chart::chart_data(&store, acct, &spec, now).unwrap();
    let (svg, area) = chart::render_svg_with_area(&data, &spec, &TimeZone::UTC).unwrap();
    let d = drawn(&svg);
    // Tick labels: below the plot, every year from 2017 to 2026, in order, none skipped.
    let ticks: Vec<&(String, f64, f64)> = d.texts.iter().filter(|t| t.2 > f64::from(area.bottom)).collect();
    let years: Vec<i32> = ticks.iter().filter_map(|t| t.0.parse().ok()).collect();
    assert_eq!(years, (2017..=2026).collect::<Vec<_>>(), "consecutive years: {ticks:?}");
    let (x0, x1) = (data.from as f64, data.x_end as f64);
    let px = |t: f64| f64::from(area.left) + (t - x0) / (x1 - x0) * f64::from(area.right - area.left - 1);
    for t in &ticks {
        let jan1: i64 = format!("{}-01-01T00:00:00Z", t.0).parse::<jiff::Timestamp>().unwrap().as_second();
        assert!(
            (t.1 - px(jan1 as f64)).abs() <= 1.5,
            "{} at x {} sits on 1 January ({})",
            t.0,
            t.1,
            px(jan1 as f64)
        );
    }
    // The trend: the longest polyline, monotone in x, at most one point per pixel column.
    let trend = d.polylines.iter().max_by_key(|p| p.len()).expect("a trend line");
    assert!(trend.len() > 300, "the whole decade: {} points", trend.len());
    let run = trend.windows(2).position(|w| w[1].0 <= w[0].0);
    assert!(
        run.is_none(),
        "strictly increasing x, no vertical runs: {:?}",
        run.map(|i| &trend[i.saturating_sub(2)..(i + 3).min(trend.len())])
    );
    // The legend sits above the plot, away from every data point.
    let legend: Vec<&(String, f64, f64)> =
        d.texts.iter().filter(|t| t.0 == "Weigh-ins" || t.0.starts_with("Trend (")).collect();
    assert_eq!(legend.len(), 2, "{:?}", d.texts);
    assert!(legend.iter().all(|t| t.2 < f64::from(area.top)), "legend above the plot: {legend:?}");
    let dots: Vec<_> = marks(&svg, area).into_iter().filter(|m| m.0 == MarkKind::Dot).collect();
    assert!(dots.len() > 300, "the decade's weigh-ins: {}", dots.len());
    assert!(dots.iter().all(|c| c.2 >= f64::from(area.top) - 2.0), "every weigh-in inside the plot");
}

#[test]
fn every_method_renders_and_a_goal_band_is_drawn_ahead_of_today() {
    let (_dir, store, acct, now) = ten_years();
    for method in heft::trend::Method::ALL {
        let spec = ChartSpec {
            range: Range::LastDays(365),
            goal_kg: Some(70.0),
            trend: heft::trend::TrendSpec::of(method),
            ..ChartSpec::default()
        };
        let data = chart::chart_data(&store, acct, &spec, now).unwrap();
        let svg = chart::render_svg(&data, &spec, &TimeZone::UTC).unwrap();
        let d = drawn(&svg);
        assert!(d.texts.iter().any(|t| t.0 == format!("Trend ({})", method.as_str())), "{}", method.as_str());
        let band = data.band.as_ref().expect("a goal band");
        assert!(band.iter().all(|b| b.1 <= b.2 && b.2 <= b.3), "low ≤ center ≤ high");
        assert!(band.first().is_some_and(|b| b.0 as i64 >= now - DAY), "the band starts today");
        assert!(data.x_end > data.to, "the axis goes on to show the band");
    }
}

#[test]
fn a_goal_far_outside_the_data_is_marked_at_the_edge_instead_of_squashing_it() {
    let (_dir, store, acct, now) = ten_years();
    let spec = ChartSpec {
        range: Range::LastDays(30),
        goal_kg: Some(40.0),
        goal_band: false,
        ..ChartSpec::default()
    };
    let data = chart::chart_data(&store, acct, &spec, now).unwrap();
    let (svg, area) = chart::render_svg_with_area(&data, &spec, &TimeZone::UTC).unwrap();
    let d = drawn(&svg);
    assert!(d.texts.iter().any(|t| t.0.starts_with("Goal 40.0")), "{:?}", d.texts);
    let labels: Vec<f64> =
        d.texts.iter().filter(|t| t.1 < f64::from(area.left)).filter_map(|t| t.0.parse().ok()).collect();
    let lowest = labels.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(lowest > 60.0, "the value axis stays near the data, not down to 40 kg: {labels:?}");
}

#[test]
fn ranges_parse_and_empty_ranges_say_so() {
    let tz = TimeZone::UTC;
    assert_eq!(Range::parse("30d", &tz).unwrap(), Range::LastDays(30));
    assert_eq!(Range::parse("1y", &tz).unwrap(), Range::LastDays(365));
    assert!(
        matches!(Range::parse("2026-01-01..2026-01-31", &tz).unwrap(), Range::Between(a, b) if b - a == 31 * DAY - 1)
    );
    assert!(Range::parse("2026-02-01..2026-01-01", &tz).is_err());
    assert!(Range::parse("soon", &tz).is_err());
    let (_dir, store, acct) = store_with(&[]);
    let err = chart::chart_data(&store, acct, &ChartSpec::default(), START).unwrap_err();
    assert!(err.to_string().contains("no weight measurements"), "{err}");
}

/// Charts from memory (`chart_data_memo`): the same data as a fresh read, and never stale —
/// a change through this connection or another one is drawn at once.
#[test]
fn a_remembered_chart_is_the_same_and_follows_every_change_to_the_database() {
    let groups: Vec<StoredGroup> = (0..60)
        .map(|i| {
            let mut g = weigh_in(i + 1, START + i * DAY, 80_000 - i * 50, 21_000);
            // With a fat mass, so the stacked charts have their parts.
            let fat = StoredMeasure { kind: 8, value: 16_800 - i * 20, ..g.measures[0].clone() };
            g.measures.push(fat);
            g
        })
        .collect();
    let (dir, mut store, acct) = store_with(&groups);
    let memo = chart::Memo::default();
    let now = START + 60 * DAY;
    let points = |store: &Store, spec: &ChartSpec| {
        chart::chart_data_memo(store, &memo, store.data_version().unwrap(), acct, spec, now).unwrap().lines[0]
            .points
            .clone()
    };
    for kind in [ChartKind::Weight, ChartKind::FatRatio, ChartKind::FatMass] {
        for range in [Range::All, Range::parse("30d", &TimeZone::UTC).unwrap()] {
            let spec = ChartSpec { kind, range, ..ChartSpec::default() };
            let fresh = chart::chart_data(&store, acct, &spec, now).unwrap();
            let remembered =
                chart::chart_data_memo(&store, &memo, store.data_version().unwrap(), acct, &spec, now)
                    .unwrap();
            let again =
                chart::chart_data_memo(&store, &memo, store.data_version().unwrap(), acct, &spec, now)
                    .unwrap();
            for d in [&remembered, &again] {
                assert_eq!(d.lines.len(), fresh.lines.len(), "{kind:?}");
                assert_eq!(d.lines[0].points, fresh.lines[0].points, "{kind:?}");
                assert_eq!(d.lines[0].trend, fresh.lines[0].trend, "{kind:?}");
                assert_eq!(d.layers.len(), fresh.layers.len(), "{kind:?}");
            }
        }
    }
    let spec =
        ChartSpec { kind: ChartKind::Weight, range: Range::All, unit: MassUnit::Kg, ..ChartSpec::default() };
    assert_eq!(points(&store, &spec).len(), 60);
    // A weigh-in added through this connection…
    store.apply(acct, &[weigh_in(1000, START + 60 * DAY, 70_000, 21_000)], &[], None).unwrap();
    assert_eq!(points(&store, &spec).len(), 61, "drawn at once");
    // …and one removed by another connection (the window's writer, another process).
    let mut other = Store::open(&dir.path().join("heft.db")).unwrap();
    other.apply(acct, &[], &[1000], None).unwrap();
    assert_eq!(points(&store, &spec).len(), 60, "another connection's change is drawn too");
}

/// `heft chart`'s default size (src/main.rs).
const CLI_DEFAULT: (u32, u32) = (960, 480);
/// The widest chart the window asks for: src-tauri's `chart_request` clamps the width to
/// 4000 px, and ui/app.js asks for a height of 0.42 × the width.
const WIDEST_WINDOW: (u32, u32) = (4000, 1680);
/// What a chart may weigh, in bytes of SVG.
const SVG_BUDGET: usize = 200_000;

/// Weigh-in `d` of a long daily history (with a body composition): a slow drift over the
/// years and a day-to-day noise of ±0.6 kg, `high_kg` higher than that.
fn daily(grpid: i64, at: i64, d: i64, high_kg: i64) -> StoredGroup {
    let base = 80_000 + (5_000.0 * (d as f64 / 400.0).sin()) as i64 + (d * 7919 % 1_200) - 600;
    let mut g = weigh_in(grpid, at, base + high_kg * 1_000, 22_000);
    for (kind, v) in [(8, base * 22 / 100), (5, base * 78 / 100), (88, 3_200)] {
        g.measures.push(StoredMeasure { kind, value: v, ..g.measures[0].clone() });
    }
    g
}

/// `days` daily weigh-ins ending at START; `high(d)` weigh-ins are 6 kg too high (the
/// anomaly finder flags them as unusual) and the person excluded the `excluded(d)` ones.
fn long_history(
    days: i64,
    high: impl Fn(i64) -> bool,
    excluded: impl Fn(i64) -> bool,
) -> (tempfile::TempDir, Store, i64) {
    let start = START - days * DAY;
    let grpid = |d: i64| 100_000 + d;
    let groups: Vec<StoredGroup> =
        (0..days).map(|d| daily(grpid(d), start + d * DAY, d, if high(d) { 6 } else { 0 })).collect();
    let (dir, store, acct) = store_with(&groups);
    store.conn().execute_batch("BEGIN").unwrap();
    for d in (0..days).filter(|d| excluded(*d)) {
        let v = heft::store::Verdict { counted: false, reason: Some("not me".into()), decided_at: START };
        store.set_verdict(acct, grpid(d), &v).unwrap();
    }
    store.conn().execute_batch("COMMIT").unwrap();
    (dir, store, acct)
}

/// What a chart marks per weigh-in, in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkKind {
    Dot,
    Hollow,
    Ring,
}

/// The per-weigh-in marks an SVG draws (not the legend's samples above the plot `area`),
/// whether drawn as circles or as markers on the vertices of a path.
fn marks(svg: &str, area: chart::PlotArea) -> Vec<(MarkKind, f64, f64)> {
    let doc = roxmltree::Document::parse(svg).expect("valid SVG");
    let num = |n: &roxmltree::Node<'_, '_>, a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok());
    // Dots are filled, left-out weigh-ins hollow and small, unusual ones ringed.
    let kind = |c: &roxmltree::Node<'_, '_>| match (num(c, "r")?, c.attribute("fill") == Some("none")) {
        (r, false) if r <= 2.0 => Some(MarkKind::Dot),
        (r, true) if r <= 3.0 => Some(MarkKind::Hollow),
        (r, true) if r >= 4.0 => Some(MarkKind::Ring),
        _ => None,
    };
    // The legend's samples are circles in the header, above the plot.
    let below_legend = |y: f64| y >= f64::from(area.top) - 6.0;
    let mut out = Vec::new();
    let markers: std::collections::HashMap<&str, MarkKind> = doc
        .descendants()
        .filter(|n| n.has_tag_name("marker"))
        .filter_map(|m| {
            Some((m.attribute("id")?, kind(&m.descendants().find(|c| c.has_tag_name("circle"))?)?))
        })
        .collect();
    for n in doc.descendants() {
        if n.has_tag_name("circle")
            && !n.ancestors().any(|a| a.has_tag_name("marker"))
            && let (Some(k), Some(x), Some(y)) = (kind(&n), num(&n, "cx"), num(&n, "cy"))
            && below_legend(y)
        {
            out.push((k, x, y));
        }
        if !n.has_tag_name("path") {
            continue;
        }
        let marker = |a: &str| {
            let id = n.attribute(a)?.strip_prefix("url(#")?.strip_suffix(')')?;
            markers.get(id).copied()
        };
        let (start, mid, end) = (marker("marker-start"), marker("marker-mid"), marker("marker-end"));
        if start.is_none() && mid.is_none() && end.is_none() {
            continue;
        }
        let vertices = path_vertices(n.attribute("d").unwrap_or(""));
        for (i, &(x, y)) in vertices.iter().enumerate() {
            let at = if i == 0 {
                start
            } else if i + 1 == vertices.len() {
                end
            } else {
                mid
            };
            if let Some(k) = at {
                out.push((k, x, y));
            }
        }
    }
    out
}

/// The vertices of an SVG path made of moves and straight lines (M, m, L, l, h, v).
fn path_vertices(d: &str) -> Vec<(f64, f64)> {
    let mut tokens: Vec<String> = Vec::new();
    for c in d.chars() {
        if c.is_ascii_alphabetic() {
            tokens.push(c.to_string());
            tokens.push(String::new());
        } else if c == ' ' || c == ',' {
            tokens.push(String::new());
        } else {
            if c == '-' && tokens.last().is_some_and(|t| !t.is_empty() && !t.ends_with('e')) {
                tokens.push(String::new());
            }
            match tokens.last_mut() {
                Some(t) => t.push(c),
                None => tokens.push(c.to_string()),
            }
        }
    }
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).filter(|t| !t.is_empty()).collect();
    let (mut out, mut at, mut cmd) = (Vec::new(), (0.0, 0.0), "M");
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].chars().all(|c| c.is_ascii_alphabetic()) {
            cmd = tokens[i];
            i += 1;
            continue;
        }
        let n =
            |k: usize| tokens.get(i + k).and_then(|t| t.parse::<f64>().ok()).expect("a number in the path");
        match cmd {
            "M" | "L" => (at, i) = ((n(0), n(1)), i + 2),
            "m" | "l" => (at, i) = ((at.0 + n(0), at.1 + n(1)), i + 2),
            "h" => (at, i) = ((at.0 + n(0), at.1), i + 1),
            "v" => (at, i) = ((at.0, at.1 + n(0)), i + 1),
            other => panic!("a path command this test does not read: {other}"),
        }
        out.push(at);
        // After a move, further pairs are lines.
        cmd = match cmd {
            "M" => "L",
            "m" => "l",
            c => c,
        };
    }
    out
}

/// The pixel columns a series' weigh-ins fall in, mapped as the chart maps time.
fn columns_of(points: &[(f64, f64)], data: &chart::ChartData, area: chart::PlotArea) -> Vec<i64> {
    let (x0, x1) = (data.from as f64, data.x_end as f64);
    let px = |t: f64| f64::from(area.left) + (t - x0) / (x1 - x0) * f64::from(area.right - area.left - 1);
    let mut cols: Vec<i64> =
        points.iter().filter(|p| p.0 >= x0 && p.0 <= x1).map(|p| px(p.0).round() as i64).collect();
    cols.dedup();
    cols
}

/// A decade or two of daily weigh-ins, three in ten 6 kg too high (flagged as unusual) and
/// three in ten excluded, stays under 200 KB of SVG for every chart, at the CLI's size and the
/// window's widest, and still marks every pixel column that has a weigh-in, a flagged one or a
/// left-out one. With a `<circle>` per mark this history drew 359 KB (10 years) and 564 KB
/// (20 years) at the CLI's size, 474 KB and 931 KB at the window's widest.
#[test]
fn a_chart_of_twenty_years_with_many_flagged_and_left_out_weigh_ins_stays_under_200_kb() {
    let mut sizes = Vec::new();
    for years in [10, 20] {
        let days = years * 36_525 / 100;
        let (_dir, store, acct) = long_history(days, |d| d % 10 % 3 == 1, |d| d % 10 % 3 == 2);
        for kind in ["weight", "fat-ratio", "fat-mass", "lean-mass", "composition"] {
            for (width, height) in [CLI_DEFAULT, WIDEST_WINDOW] {
                let spec = ChartSpec {
                    kind: ChartKind::parse(kind).unwrap(),
                    range: Range::All,
                    width,
                    height,
                    ..ChartSpec::default()
                };
                let data = chart::chart_data(&store, acct, &spec, START).unwrap();
                let line = &data.lines[0];
                let counted = line.points.len() as f64;
                assert!(line.left_out.len() as f64 > 0.4 * counted, "{kind}: three in ten left out");
                if kind == "weight" {
                    assert!(
                        line.flagged.len() as f64 > 0.4 * counted,
                        "three in ten flagged as unusual (the 6 kg high ones): {} of {counted}",
                        line.flagged.len()
                    );
                }
                let (svg, area) = chart::render_svg_with_area(&data, &spec, &TimeZone::UTC).unwrap();
                sizes.push((years, kind, width, svg.len()));
                // Nothing a person sees is lost: every pixel column with a weigh-in of a kind
                // still has that kind's mark (within a pixel of rounding).
                let drawn = marks(&svg, area);
                for (what, points) in [
                    (MarkKind::Dot, &line.points),
                    (MarkKind::Hollow, &line.left_out),
                    (MarkKind::Ring, &line.flagged),
                ] {
                    let xs: Vec<f64> = drawn.iter().filter(|m| m.0 == what).map(|m| m.1).collect();
                    for col in columns_of(points, &data, area) {
                        assert!(
                            xs.iter().any(|x| (x - col as f64).abs() <= 1.5),
                            "{years} years, {kind} at {width} px: no {what:?} mark in column {col}"
                        );
                    }
                }
            }
        }
    }
    eprintln!("SVG sizes (years, chart, width, bytes): {sizes:?}");
    let heavy: Vec<_> = sizes.iter().filter(|s| s.3 >= SVG_BUDGET).collect();
    assert!(heavy.is_empty(), "charts of {SVG_BUDGET} bytes or more: {heavy:?}");
}

/// Thinning never hides a lone mark: in a decade of ordinary weigh-ins, the one flagged as
/// unusual keeps its ring and the one left out its hollow mark, where they are.
#[test]
fn a_lone_flagged_and_a_lone_left_out_weigh_in_keep_their_marks_in_a_long_history() {
    let days = 3_652;
    let (high, out) = (2_000, 3_000);
    let (_dir, store, acct) = long_history(days, |d| d == high, |d| d == out);
    for (width, height) in [CLI_DEFAULT, WIDEST_WINDOW] {
        let spec = ChartSpec { range: Range::All, width, height, ..ChartSpec::default() };
        let data = chart::chart_data(&store, acct, &spec, START).unwrap();
        let line = &data.lines[0];
        assert_eq!(line.flagged.len(), 1, "only the 6 kg high weigh-in is unusual");
        assert_eq!(line.left_out.len(), 1, "only the excluded one is left out");
        let (svg, area) = chart::render_svg_with_area(&data, &spec, &TimeZone::UTC).unwrap();
        let drawn = marks(&svg, area);
        for (what, points) in [(MarkKind::Ring, &line.flagged), (MarkKind::Hollow, &line.left_out)] {
            let at: Vec<_> = drawn.iter().filter(|m| m.0 == what).collect();
            assert_eq!(at.len(), 1, "{width} px: one {what:?} mark: {at:?}");
            let col = columns_of(points, &data, area)[0] as f64;
            assert!((at[0].1 - col).abs() <= 1.5, "{width} px: the {what:?} mark sits at x {col}: {at:?}");
        }
        // The ring is around the high weigh-in's dot: above the others.
        let ring = drawn.iter().find(|m| m.0 == MarkKind::Ring).unwrap();
        let dot = drawn.iter().filter(|m| m.0 == MarkKind::Dot).min_by(|a, b| {
            ((a.1 - ring.1).hypot(a.2 - ring.2)).total_cmp(&(b.1 - ring.1).hypot(b.2 - ring.2))
        });
        assert!(dot.is_some_and(|d| (d.1 - ring.1).abs() <= 1.0 && (d.2 - ring.2).abs() <= 1.0), "{dot:?}");
    }
}
