//! Any CSV of weigh-ins, read by a map of its columns that the person gives (`heft import FILE
//! --map "time=Date,weight=Weight (lb),fat=Body fat %,unit=lb,zone=Europe/Berlin"`): which
//! column holds the time, the weight and (optionally) body fat in percent, and either a column
//! or a fixed value for the unit and the time zone. Nothing is guessed: a map that names a
//! column the file lacks, or leaves out what the file does not say, is refused.
//!
//! Times: `2026-11-30 07:15[:00]`, `2026-11-30T07:15[:00]` (local, in the zone) or with an
//! offset or `Z` (RFC 3339: an instant). Numbers with `.` or `,` as the decimal separator.
//! `,` or `;` separates the fields (the header line tells which). A zone given in the map turns
//! local times into instants here; without one the import asks for `--timezone`.

use std::io::Read;

use jiff::civil::DateTime;

use super::{percent, weight};
use crate::units::MassUnit;
use crate::withings_file::{FileError, ImportFile, Moment, Row, parse_local};

/// Where each part of a weigh-in is: a column's header, or a value for every row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnMap {
    pub time: String,
    pub weight: String,
    pub fat: Option<String>,
    /// A column holding kg / lb / st, or `=kg` for every row.
    pub unit: Option<Source>,
    /// A column holding an IANA zone, or `=Europe/Berlin` for every row (only local times need it).
    pub zone: Option<Source>,
}

/// A part of the map: a column, or a fixed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Column(String),
    Value(String),
}

impl ColumnMap {
    /// `time=Date,weight=Weight (lb),fat=Fat %,unit=lb,zone=Europe/Berlin`: `unit` and `zone`
    /// are values when they read as one (a unit, a zone name with a `/`, `UTC`), else columns;
    /// `unit=col:Unit` forces a column.
    pub fn parse(text: &str) -> Result<ColumnMap, String> {
        let mut map = ColumnMap::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("{part:?} is not key=column"))?;
            let value = value.trim().to_string();
            match key.trim() {
                "time" => map.time = value,
                "weight" => map.weight = value,
                "fat" => map.fat = Some(value),
                "unit" => {
                    map.unit = Some(match value.strip_prefix("col:") {
                        Some(c) => Source::Column(c.to_string()),
                        None if MassUnit::parse(&value).is_some() => Source::Value(value),
                        None => Source::Column(value),
                    })
                }
                "zone" => {
                    map.zone = Some(match value.strip_prefix("col:") {
                        Some(c) => Source::Column(c.to_string()),
                        None if value.contains('/') || value == "UTC" => Source::Value(value),
                        None => Source::Column(value),
                    })
                }
                other => return Err(format!("{other:?} is not one of time, weight, fat, unit, zone")),
            }
        }
        if map.time.is_empty() || map.weight.is_empty() {
            return Err("the map needs time=COLUMN and weight=COLUMN".into());
        }
        Ok(map)
    }
}

/// A CSV's first rows, for the window's column map: its headers and up to `n` rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preview {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The file's bytes (at most what a weight CSV may hold), without a byte order mark.
fn whole(r: impl Read) -> Result<Vec<u8>, FileError> {
    let bytes = super::read_all(r, "CSV")?;
    Ok(bytes.strip_prefix(b"\xef\xbb\xbf").map(<[u8]>::to_vec).unwrap_or(bytes))
}

/// A reader of `text` with the separator its header line uses (`;` or `,`).
fn reader(text: &[u8]) -> csv::Reader<&[u8]> {
    let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let semicolons = first.iter().filter(|b| **b == b';').count();
    let delimiter = if semicolons > first.iter().filter(|b| **b == b',').count() { b';' } else { b',' };
    csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text)
}

/// The header line's names, trimmed.
fn headers(csv: &mut csv::Reader<&[u8]>) -> Result<Vec<String>, FileError> {
    Ok(csv
        .headers()
        .map_err(|e| FileError::Csv(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect())
}

/// The headers and first `n` rows of a CSV.
pub fn preview(r: impl Read, n: usize) -> Result<Preview, FileError> {
    let text = whole(r)?;
    let mut csv = reader(&text);
    let headers = headers(&mut csv)?;
    let mut rows = Vec::new();
    for rec in csv.records().take(n) {
        rows.push(
            rec.map_err(|e| FileError::Csv(e.to_string()))?.iter().map(|f| f.trim().to_string()).collect(),
        );
    }
    Ok(Preview { headers, rows })
}

pub fn read(r: impl Read, map: &ColumnMap) -> Result<ImportFile, FileError> {
    let text = whole(r)?;
    let mut csv = reader(&text);
    let headers = headers(&mut csv)?;
    let listed = || headers.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ");
    let column = |name: &str| {
        headers.iter().position(|h| h.eq_ignore_ascii_case(name)).ok_or_else(|| {
            FileError::NotAnExport(format!(
                "the map names a column {name:?} this file lacks (its columns are {})",
                listed()
            ))
        })
    };
    let source = |s: &Option<Source>| -> Result<Option<Result<usize, String>>, FileError> {
        Ok(match s {
            Some(Source::Column(c)) => Some(Ok(column(c)?)),
            Some(Source::Value(v)) => Some(Err(v.clone())),
            None => None,
        })
    };
    let (time_col, weight_col) = (column(&map.time)?, column(&map.weight)?);
    let fat_col = map.fat.as_deref().map(column).transpose()?;
    let (unit, zone) = (source(&map.unit)?, source(&map.zone)?);
    let used = [Some(time_col), Some(weight_col), fat_col];
    let ignored = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(&Some(*i)) && unit != Some(Ok(*i)) && zone != Some(Ok(*i)))
        .map(|(_, h)| h.clone())
        .collect();
    let fixed_zone =
        match &zone {
            Some(Err(z)) => Some(jiff::tz::TimeZone::get(z).map_err(|_| {
                FileError::NotAnExport(format!("{z:?} is not a time zone (e.g. Europe/Berlin)"))
            })?),
            _ => None,
        };
    let mut rows = Vec::new();
    for rec in csv.records() {
        let rec = rec.map_err(|e| FileError::Csv(e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |i: usize| rec.get(i).map(str::trim).unwrap_or("");
        let bad = |i: usize, reason: String| FileError::Row { line, column: headers[i].clone(), reason };
        let unit_text = match &unit {
            Some(Ok(i)) => get(*i).to_string(),
            Some(Err(v)) => v.clone(),
            None => return Err(FileError::NeedsUnit { app: "This CSV" }),
        };
        let u = MassUnit::parse(&unit_text).ok_or_else(|| match &unit {
            Some(Ok(i)) => bad(*i, format!("{unit_text:?} is not kg, lb or st")),
            _ => FileError::NotAnExport(format!("{unit_text:?} is not kg, lb or st")),
        })?;
        let time = get(time_col);
        let at = if let Ok(ts) = time.parse::<jiff::Timestamp>() {
            Moment::Exact(ts)
        } else {
            let local = parse_local(&time.replacen('T', " ", 1))
                .or_else(|| DateTime::strptime("%Y-%m-%d %H:%M", time.replacen('T', " ", 1)).ok())
                .ok_or_else(|| {
                    bad(time_col, format!("{time:?} is not a date and time like 2026-11-30 07:15"))
                })?;
            let tz = match (&zone, &fixed_zone) {
                (Some(Ok(i)), _) => {
                    let z = get(*i);
                    Some(
                        jiff::tz::TimeZone::get(z)
                            .map_err(|_| bad(*i, format!("{z:?} is not a time zone")))?,
                    )
                }
                (_, Some(tz)) => Some(tz.clone()),
                _ => None,
            };
            match tz {
                Some(tz) => {
                    Moment::Exact(local.to_zoned(tz).map_err(|e| bad(time_col, e.to_string()))?.timestamp())
                }
                None => Moment::Local(local),
            }
        };
        let w = weight(get(weight_col), u).map_err(|r| bad(weight_col, r))?;
        let fat_ratio = match fat_col.map(get).filter(|f| !f.is_empty()) {
            Some(f) => {
                Some(percent(f.trim_end_matches('%').trim()).map_err(|r| bad(fat_col.unwrap_or(0), r))?)
            }
            None => None,
        };
        rows.push(Row { line, at, masses: vec![w], fat_ratio, comment: None, source: None });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.at));
    let local = rows.iter().any(|r| matches!(r.at, Moment::Local(_)));
    Ok(ImportFile { app: "a CSV", rows, ignored_columns: ignored, timezone: None, needs_timezone: local })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ExactValue;

    #[test]
    fn a_map_reads_any_csv_value_by_value() {
        let file = "Datum;Gewicht;Fett %;Notiz\n2026-11-30 07:15;80,4;21,3 %;\n2026-11-29T07:02:10;80.6;;nach dem Lauf\n";
        let map =
            ColumnMap::parse("time=Datum,weight=Gewicht,fat=Fett %,unit=kg,zone=Europe/Berlin").unwrap();
        let f = read(file.as_bytes(), &map).unwrap();
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[0].at, Moment::Exact("2026-11-30T06:15:00Z".parse().unwrap()), "Berlin's 07:15");
        assert_eq!(f.rows[0].masses[0].text(), "80.4 kg", "a decimal comma read");
        assert_eq!(f.rows[0].fat_ratio, Some(ExactValue::new(213, -1)));
        assert_eq!(f.ignored_columns, vec!["Notiz".to_string()]);
        assert!(!f.needs_timezone);
    }

    #[test]
    fn units_and_zones_from_columns_and_instants_as_written() {
        let file =
            "when,w,u,tz\n2026-11-30T07:15:00Z,176.4,lb,UTC\n2026-11-29 07:15,80.0,kg,America/New_York\n";
        let map = ColumnMap::parse("time=when,weight=w,unit=col:u,zone=col:tz").unwrap();
        let f = read(file.as_bytes(), &map).unwrap();
        assert_eq!(f.rows[0].at, Moment::Exact("2026-11-30T07:15:00Z".parse().unwrap()));
        assert_eq!(f.rows[0].masses[0].text(), "176.4 lb");
        assert_eq!(f.rows[1].at, Moment::Exact("2026-11-29T12:15:00Z".parse().unwrap()), "New York's 07:15");
    }

    #[test]
    fn a_preview_shows_the_headers_and_the_first_rows() {
        let file = "Datum;Gewicht\n2026-11-30 07:15;80,4\n2026-11-29 07:02;80,6\n2026-11-28 07:00;80,9\n";
        let p = preview(file.as_bytes(), 2).unwrap();
        assert_eq!(p.headers, vec!["Datum", "Gewicht"]);
        assert_eq!(p.rows, vec![vec!["2026-11-30 07:15", "80,4"], vec!["2026-11-29 07:02", "80,6"]]);
    }

    #[test]
    fn nothing_is_guessed() {
        let file = "Date,Weight\n2026-11-30 07:15,80.4\n";
        let no_unit =
            read(file.as_bytes(), &ColumnMap::parse("time=Date,weight=Weight").unwrap()).unwrap_err();
        assert!(no_unit.to_string().contains("--unit"), "{no_unit}");
        let missing =
            read(file.as_bytes(), &ColumnMap::parse("time=Date,weight=Mass,unit=kg").unwrap()).unwrap_err();
        assert!(missing.to_string().contains("\"Mass\" this file lacks"), "{missing}");
        assert!(ColumnMap::parse("weight=Weight").is_err(), "the time column is needed");
        let local =
            read(file.as_bytes(), &ColumnMap::parse("time=Date,weight=Weight,unit=kg").unwrap()).unwrap();
        assert!(local.needs_timezone, "local times without a zone are asked for");
        let broken = read(
            "Date,Weight\n2026-11-30 07:15,heavy\n".as_bytes(),
            &ColumnMap::parse("time=Date,weight=Weight,unit=kg").unwrap(),
        );
        assert!(broken.unwrap_err().to_string().starts_with("line 2, column \"Weight\""));
    }
}
