//! Libra's CSV export (Android, net.cachapa.libra), as its maker describes it
//! (libra-app.eu/support/csv):
//!
//! ```text
//! #Version:5
//! #Units:kg
//!
//! #date;weight;weight trend;body fat;body fat trend;log
//! 2008-09-07T06:00:00.000Z;84.1;83.3;15.3;15.3;This is a comment
//! ```
//!
//! `;`-separated, times in UTC, `#Units:kg` or `#Units:lbs`; version 6 adds muscle mass and its
//! trend before `log`. Columns are read by their header names; the trends are Libra's own and
//! left out (Heft computes its own). Body fat is a percentage.

use std::io::{BufRead, BufReader, Read};

use super::{percent, weight};
use crate::units::MassUnit;
use crate::withings_file::{FileError, ImportFile, Moment, Row};

pub fn read(r: impl Read) -> Result<ImportFile, FileError> {
    let mut unit = MassUnit::Kg;
    let mut columns: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, line) in BufReader::new(r).lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = line.map_err(|e| FileError::Csv(e.to_string()))?;
        let line = line.trim_start_matches('\u{feff}').trim_end_matches('\r');
        let bad =
            |column: &str, reason: String| FileError::Row { line: line_no, column: column.into(), reason };
        if let Some(meta) = line.strip_prefix('#') {
            let (key, value) = meta.split_once(':').unwrap_or((meta, ""));
            match key.trim().to_ascii_lowercase().as_str() {
                "units" => {
                    unit = MassUnit::parse(value.trim())
                        .ok_or_else(|| bad("#Units", format!("{:?} is not kg or lbs", value.trim())))?;
                }
                "version" => {
                    let v = value.trim();
                    if v != "5" && v != "6" {
                        return Err(bad(
                            "#Version",
                            format!("Heft reads Libra's versions 5 and 6, not {v:?}"),
                        ));
                    }
                }
                _ if meta.contains(';') => {
                    columns = Some(meta.split(';').map(|c| c.trim().to_ascii_lowercase()).collect());
                }
                _ => {}
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let cols = columns.get_or_insert_with(|| {
            ["date", "weight", "weight trend", "body fat", "body fat trend", "log"].map(String::from).to_vec()
        });
        let fields: Vec<&str> = line.split(';').collect();
        let at = |name: &str| cols.iter().position(|c| c == name);
        let field = |name: &str| at(name).and_then(|i| fields.get(i)).map(|f| f.trim()).unwrap_or("");
        let date = field("date");
        let when: jiff::Timestamp = date
            .parse()
            .map_err(|_| bad("date", format!("{date:?} is not a time like 2008-09-05T06:00:00.000Z")))?;
        let w = weight(field("weight"), unit).map_err(|reason| bad("weight", reason))?;
        let fat = field("body fat");
        let fat_ratio =
            if fat.is_empty() { None } else { Some(percent(fat).map_err(|r| bad("body fat", r))?) };
        // The log is the last column; a `;` inside it splits it, so the rest joins it again.
        let comment = at("log")
            .or_else(|| at("comment"))
            .filter(|&i| i < fields.len())
            .map(|i| fields[i..].join(";").trim().to_string())
            .filter(|c| !c.is_empty());
        rows.push(Row {
            line: line_no,
            at: Moment::Exact(when),
            masses: vec![w],
            fat_ratio,
            comment,
            source: None,
        });
    }
    // Newest first, like Withings' export (the import walks it oldest first).
    rows.reverse();
    Ok(ImportFile { app: "Libra", rows, ignored_columns: Vec::new(), timezone: None, needs_timezone: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ExactValue, MeasureType};

    #[test]
    fn version_5_in_pounds_value_by_value() {
        let file = "#Version:5\n#Units:lbs\n\n#date;weight;weight trend;body fat;body fat trend;log\n\
                    2021-03-01T06:41:12.000Z;182.6;182.6;;;\n\
                    2021-03-03T06:45:03.000Z;182.2;182.5;22.4;22.4;late dinner; then cake\n";
        let f = read(file.as_bytes()).unwrap();
        assert_eq!(f.rows.len(), 2);
        let newest = &f.rows[0];
        assert_eq!(newest.line, 6);
        assert_eq!(newest.at, Moment::Exact("2021-03-03T06:45:03Z".parse().unwrap()));
        assert_eq!(newest.masses[0].kind, MeasureType::WEIGHT);
        assert_eq!(newest.masses[0].text(), "182.2 lb", "as written");
        assert_eq!(newest.fat_ratio, Some(ExactValue::new(224, -1)));
        assert_eq!(newest.comment.as_deref(), Some("late dinner; then cake"));
        assert_eq!(f.rows[1].fat_ratio, None);
    }

    #[test]
    fn version_6_reads_by_header_names() {
        let file = "#Version: 6\n#Units: kg\n\n#date;weight;weight trend;body fat;body fat trend;muscle mass;muscle mass trend;log\n\
                    2018-01-19T17:53:00.000Z;61.5;61.5;18.2;18.2;30.1;30.1;gym\n";
        let f = read(file.as_bytes()).unwrap();
        assert_eq!(f.rows[0].masses[0].text(), "61.5 kg");
        assert_eq!(f.rows[0].fat_ratio, Some(ExactValue::new(182, -1)));
        assert_eq!(f.rows[0].comment.as_deref(), Some("gym"));
    }

    #[test]
    fn a_broken_line_is_named() {
        let file = "#Version:5\n#Units:kg\n\n#date;weight;weight trend;body fat;body fat trend;log\n\
                    2021-03-01T06:41:12.000Z;82.6;82.6;;;\n2021-03-02 06:41;82.4;82.6;;;\n";
        let e = read(file.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with("line 6, column \"date\""), "{e}");
        let e = read("#Units:stone\n".as_bytes()).unwrap_err().to_string();
        assert!(e.contains("not kg or lbs"), "{e}");
    }
}
