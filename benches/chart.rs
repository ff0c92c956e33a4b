//! `cargo bench --bench chart`: render time and SVG size for 1k / 10k / 100k-point histories,
//! next to plotters drawing every point (no downsampling) as the baseline, measured in the
//! same run. Reports medians of several runs.

use std::time::{Duration, Instant};

use heft::chart::{self, ChartSpec, Range};
use heft::store::{Store, StoredGroup, StoredMeasure};
use jiff::tz::TimeZone;
use plotters::prelude::*;

const DAY: i64 = 86_400;
const NOW: i64 = 1_767_252_600;

fn store(n: i64) -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("heft.db")).expect("store");
    let acct = store.upsert_account(heft::auth::Provider::Withings, "1", None, None, 0).expect("account");
    let step = (10 * 365 * DAY / n).max(1);
    let groups: Vec<StoredGroup> = (0..n)
        .map(|i| StoredGroup {
            grpid: i + 1,
            date: NOW - (n - i) * step,
            created: None,
            modified: None,
            category: 1,
            attrib: 0,
            deviceid: None,
            model: None,
            comment: None,
            source: Default::default(),
            measures: vec![StoredMeasure {
                kind: 1,
                position: None,
                value: 70_000 + (i * 7919 % 5000) + (i * 3 / 100),
                unit: -3,
                algo: None,
                fm: None,
                written: None,
            }],
        })
        .collect();
    store.apply(acct, &groups, &[], None).expect("apply");
    (dir, store, acct)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Plotters with every point and the full trend, no downsampling: the baseline.
fn baseline_svg(points: &[(f64, f64)], trend: &[(f64, f64)], w: u32, h: u32) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        root.fill(&WHITE).expect("fill");
        let (x0, x1) = (points[0].0, points[points.len() - 1].0);
        let mut c = ChartBuilder::on(&root)
            .margin(24)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, 60.0..90.0)
            .expect("chart");
        c.draw_series(points.iter().map(|&p| Circle::new(p, 2, BLUE.filled()))).expect("points");
        c.draw_series(LineSeries::new(trend.iter().copied(), &RED)).expect("trend");
        root.present().expect("present");
    }
    out
}

fn main() {
    let runs = 7;
    println!(
        "| points | Heft: read + trend + draw | Heft from memory: range cut + draw (another range, unit or tab) | Heft: draw only | Heft SVG | baseline: plotters drawing every point (data in memory) | baseline SVG | draw speed-up | size ratio |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in [1_000, 10_000, 100_000] {
        let (_dir, store, acct) = store(n);
        let spec = ChartSpec { range: Range::All, width: 960, height: 480, ..ChartSpec::default() };
        let mut heft_times = Vec::new();
        let mut heft_size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let data = chart::chart_data(&store, acct, &spec, NOW).expect("data");
            let svg = chart::render_svg(&data, &spec, &TimeZone::UTC).expect("svg");
            heft_times.push(t.elapsed());
            heft_size = svg.len();
        }
        // From memory: the first chart fills the memo, the next ones (other ranges, units,
        // sizes, the same data) only cut, convert and draw.
        let memo = chart::Memo::default();
        let _ =
            chart::chart_data_memo(&store, &memo, store.data_version().expect("version"), acct, &spec, NOW)
                .expect("data");
        let mut memo_times = Vec::new();
        for i in 0..runs {
            let range =
                if i % 2 == 0 { Range::All } else { Range::parse("1y", &TimeZone::UTC).expect("range") };
            let unit = if i % 3 == 0 { heft::units::MassUnit::Lb } else { heft::units::MassUnit::Kg };
            let s = ChartSpec { range, unit, ..spec.clone() };
            let t = Instant::now();
            let data =
                chart::chart_data_memo(&store, &memo, store.data_version().expect("version"), acct, &s, NOW)
                    .expect("data");
            let _ = chart::render_svg(&data, &s, &TimeZone::UTC).expect("svg");
            memo_times.push(t.elapsed());
        }
        let data = chart::chart_data(&store, acct, &spec, NOW).expect("data");
        let mut read_times = Vec::new();
        let mut draw_times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let d = chart::chart_data(&store, acct, &spec, NOW).expect("data");
            read_times.push(t.elapsed());
            let t = Instant::now();
            let _ = chart::render_svg(&d, &spec, &TimeZone::UTC).expect("svg");
            draw_times.push(t.elapsed());
        }
        let t = Instant::now();
        let q = heft::series::Query {
            account: acct,
            kind: heft::model::MeasureType::WEIGHT,
            from: i64::MIN,
            to: i64::MAX,
            include_ambiguous: false,
        };
        let _ = store.series(q).expect("series");
        eprintln!("  {n}: SQL read alone {:.2} ms", t.elapsed().as_secs_f64() * 1e3);
        let draw = median(draw_times);
        eprintln!(
            "  {n}: read + trend {:.2} ms, draw {:.2} ms",
            median(read_times).as_secs_f64() * 1e3,
            draw.as_secs_f64() * 1e3
        );
        let mut base_times = Vec::new();
        let mut base_size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let svg = baseline_svg(&data.lines[0].points, &data.lines[0].trend, 960, 480);
            base_times.push(t.elapsed());
            base_size = svg.len();
        }
        let (h, b) = (median(heft_times), median(base_times));
        println!(
            "| {n} | {:.2} ms | {:.2} ms | {:.2} ms | {} KB | {:.2} ms | {} KB | {:.1}× | {:.2} |",
            h.as_secs_f64() * 1e3,
            median(memo_times).as_secs_f64() * 1e3,
            draw.as_secs_f64() * 1e3,
            heft_size / 1024,
            b.as_secs_f64() * 1e3,
            base_size / 1024,
            b.as_secs_f64() / draw.as_secs_f64(),
            heft_size as f64 / base_size as f64,
        );
    }
}
