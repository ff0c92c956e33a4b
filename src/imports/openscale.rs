//! openScale's CSV export (oliexdev/openScale).
//!
//! - 2.x (`CsvHelper`, SimpleCSV): every column quoted in the header, in alphabetical order —
//!   `"biceps","bone",…,"comment","dateTime","fat",…,"lbm","muscle",…,"water","weight"`; times
//!   `yyyy-MM-dd HH:mm` (before 2.1.2 `dd.MM.yyyy HH:mm`) in the phone's zone; weight, bone and
//!   lbm always in kg, fat in percent; a value it does not have is written `0.0`.
//! - 3.x (`ImportExportUseCases.exportUserToCsv`): `DATE,TIME,` then every measure's key in
//!   alphabetical order (`BODY_FAT`, `BONE`, `COMMENT`, `LBM`, …, `WEIGHT`); each measure in the
//!   unit chosen for it in the app, which the file does not name (so `--unit`); an absent
//!   value is empty. Body fat is read as a percentage (the app's default unit for it).
//!
//! Both write local times without a zone (so `--timezone`).

use std::io::Read;

use jiff::civil::DateTime;

use super::{Choices, mass, percent, weight};
use crate::model::{ExactValue, MeasureType};
use crate::units::MassUnit;
use crate::withings_file::{FileError, ImportFile, Moment, Row};

/// Whether a (lowercased) first line is an openScale header.
pub fn is_header(first: &str) -> bool {
    let cols: Vec<&str> = first.split(',').map(|c| c.trim().trim_matches('"')).collect();
    let has = |c: &str| cols.contains(&c);
    (has("datetime") && has("weight")) || (cols.first() == Some(&"date") && cols.get(1) == Some(&"time"))
}

pub fn read(r: impl Read, choices: Choices) -> Result<ImportFile, FileError> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(r);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| FileError::Csv(e.to_string()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let v3 = col("date").is_some() && col("time").is_some();
    let unit =
        if v3 { choices.unit.ok_or(FileError::NeedsUnit { app: "openScale 3" })? } else { MassUnit::Kg };
    let listed = || headers.join(", ");
    let weight_col = col("weight").ok_or_else(|| FileError::NoWeightColumn(listed()))?;
    let (fat_col, bone_col, lean_col, comment_col) = if v3 {
        (col("body_fat"), col("bone"), col("lbm"), col("comment"))
    } else {
        (col("fat"), col("bone"), col("lbm").or_else(|| col("lbw")), col("comment"))
    };
    let read_cols = [
        Some(weight_col),
        fat_col,
        bone_col,
        lean_col,
        comment_col,
        col("date"),
        col("time"),
        col("datetime"),
    ];
    let ignored = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !read_cols.contains(&Some(*i)))
        .map(|(_, h)| h.clone())
        .collect();
    let mut rows = Vec::new();
    for rec in csv.records() {
        let rec = rec.map_err(|e| FileError::Csv(e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != headers.len() {
            // Real 2.x exports end with stray lines of one number each: not a row.
            if rec.len() <= 1 {
                continue;
            }
            return Err(FileError::Row {
                line,
                column: "?".into(),
                reason: format!("{} fields where the header has {}", rec.len(), headers.len()),
            });
        }
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).map(str::trim).unwrap_or("");
        let bad = |i: Option<usize>, reason: String| FileError::Row {
            line,
            column: i.and_then(|i| headers.get(i)).cloned().unwrap_or_default(),
            reason,
        };
        let text = if v3 {
            format!("{} {}", get(col("date")), get(col("time")))
        } else {
            get(col("datetime")).to_string()
        };
        let local = local_time(&text).ok_or_else(|| {
            bad(col("datetime").or(col("date")), format!("{text:?} is not a date and time"))
        })?;
        // 2.x writes 0.0 for a value it does not have.
        let present = |t: &str| {
            !t.is_empty() && ExactValue::parse_decimal(&t.replace(',', ".")).is_some_and(|v| v.value != 0)
        };
        let mut masses = vec![weight(get(Some(weight_col)), unit).map_err(|r| bad(Some(weight_col), r))?];
        for (c, kind) in [(bone_col, MeasureType::BONE_MASS), (lean_col, MeasureType::FAT_FREE_MASS)] {
            if present(get(c)) {
                masses.push(mass(kind, get(c), unit).map_err(|r| bad(c, r))?);
            }
        }
        let fat_ratio = if present(get(fat_col)) {
            Some(percent(get(fat_col)).map_err(|r| bad(fat_col, r))?)
        } else {
            None
        };
        let comment = Some(get(comment_col).to_string()).filter(|c| !c.is_empty());
        rows.push(Row { line, at: Moment::Local(local), masses, fat_ratio, comment, source: None });
    }
    // Newest first, like Withings' export: 2.x writes it so; 3.x oldest first.
    rows.sort_by_key(|r| std::cmp::Reverse(r.at));
    Ok(ImportFile {
        app: if v3 { "openScale 3" } else { "openScale" },
        rows,
        ignored_columns: ignored,
        timezone: None,
        needs_timezone: true,
    })
}

/// `2024-02-03 07:12`, `03.02.2024 07:12` (before 2.1.2), `2025-04-05 07:12:09` and
/// `2025-04-06 07:05:44.12` (3.x).
fn local_time(text: &str) -> Option<DateTime> {
    let text = text.trim();
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]
        .iter()
        .find_map(|f| DateTime::strptime(f, text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const V2: &str = "\"biceps\",\"bone\",\"caliper1\",\"caliper2\",\"caliper3\",\"calories\",\"chest\",\"comment\",\"dateTime\",\"fat\",\"hip\",\"lbm\",\"muscle\",\"neck\",\"thigh\",\"visceralFat\",\"waist\",\"water\",\"weight\"
0.0,3.1,0.0,0.0,0.0,0.0,0.0,\"\",\"2024-02-03 07:12\",21.3,0.0,0.0,38.9,0.0,0.0,0.0,0.0,55.2,81.35
0.0,0.0,0.0,0.0,0.0,0.0,0.0,\"after holidays\",\"2024-02-01 22:40\",0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,82.4
3.2
5
";

    #[test]
    fn version_2_value_by_value() {
        assert!(is_header(&V2.lines().next().unwrap().to_ascii_lowercase()));
        let f = read(V2.as_bytes(), Choices::default()).unwrap();
        assert_eq!(f.rows.len(), 2, "the stray lines at the end are not rows");
        assert!(f.needs_timezone);
        let r = &f.rows[0];
        assert_eq!(r.at, Moment::Local("2024-02-03T07:12".parse().unwrap()));
        assert_eq!(r.masses[0].text(), "81.35 kg");
        assert_eq!(r.masses[1].kind, MeasureType::BONE_MASS);
        assert_eq!(r.fat_ratio, Some(ExactValue::new(213, -1)));
        let r = &f.rows[1];
        assert_eq!(
            (r.masses.len(), r.fat_ratio, r.comment.as_deref()),
            (1, None, Some("after holidays")),
            "0.0 is no value"
        );
    }

    #[test]
    fn version_3_needs_its_unit() {
        let v3 = "DATE,TIME,BODY_FAT,COMMENT,WATER,WEIGHT\n2025-04-05,07:12:09,21.3,,55.2,179.4\n2025-04-06,07:05:44.12,,\"after holidays, heavy\",,180.6\n";
        let e = read(v3.as_bytes(), Choices::default()).unwrap_err().to_string();
        assert!(e.contains("--unit"), "{e}");
        let f = read(v3.as_bytes(), Choices { unit: Some(MassUnit::Lb) }).unwrap();
        assert_eq!(f.rows[0].masses[0].text(), "180.6 lb", "newest first");
        assert_eq!(f.rows[0].comment.as_deref(), Some("after holidays, heavy"));
        assert_eq!(f.rows[1].fat_ratio, Some(ExactValue::new(213, -1)));
        assert_eq!(f.ignored_columns, vec!["water".to_string()]);
    }

    #[test]
    fn a_broken_row_is_named() {
        let bad = V2.replace("81.35", "eighty");
        let e = read(bad.as_bytes(), Choices::default()).unwrap_err().to_string();
        assert!(e.starts_with("line 2, column \"weight\""), "{e}");
    }
}
