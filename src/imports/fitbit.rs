//! Fitbit's weight files, as a Google Takeout holds them
//! (`Takeout/Fitbit/Global Export Data/weight-YYYY-MM-DD.json`, a month each; older account
//! archives: `…/Personal & Account/weight-….json`): a JSON array of
//!
//! ```json
//! { "logId" : 1499258640000, "weight" : 193.9, "bmi" : 28.08, "fat" : 24.00200080871582,
//!   "date" : "07/05/17", "time" : "12:44:00", "source" : "Aria" }
//! ```
//!
//! `date` is MM/DD/YY and `time` the wall clock, without a zone (so `--timezone`); the file
//! names no unit (so `--unit`: public converters report pounds whatever the account's
//! setting, Heft asks rather than guess); `fat` is a percentage, a 32-bit float printed in
//! full, kept to a thousandth. Files overlap: a record in
//! two files is one weigh-in (an exact repeat).

use jiff::civil::DateTime;
use serde_json::Value;

use super::{Choices, percent, weight};
use crate::withings_file::{FileError, ImportFile, Moment, Row};

/// `weight-2023-01-01.json`.
pub fn is_weight_file(name: &str) -> bool {
    name.strip_prefix("weight-")
        .and_then(|r| r.strip_suffix(".json"))
        .is_some_and(|d| d.len() == 10 && d.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
}

/// Reads the weight files (name, bytes), oldest file first.
pub fn read_files(mut files: Vec<(String, Vec<u8>)>, choices: Choices) -> Result<ImportFile, FileError> {
    let unit = choices.unit.ok_or(FileError::NeedsUnit { app: "Fitbit" })?;
    files.sort();
    let mut rows = Vec::new();
    let mut number = 0;
    for (name, bytes) in &files {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let records: Vec<Value> = serde_json::from_slice(bytes).map_err(|e| FileError::Record {
            at: name.clone(),
            reason: format!("not a Fitbit weight file ({e})"),
        })?;
        for (i, rec) in records.iter().enumerate() {
            number += 1;
            let bad = |reason: String| FileError::Record { at: format!("{name}, record {}", i + 1), reason };
            let text = |key: &str| match &rec[key] {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) => Some(s.clone()),
                _ => None,
            };
            let (date, time) = (text("date").unwrap_or_default(), text("time").unwrap_or_default());
            let local = DateTime::strptime("%m/%d/%y %H:%M:%S", format!("{date} {time}"))
                .map_err(|_| bad(format!("{date:?} {time:?} is not a date (MM/DD/YY) and a time")))?;
            let w =
                weight(&text("weight").ok_or_else(|| bad("it has no weight".into()))?, unit).map_err(bad)?;
            // Fitbit writes fat as a 32-bit float printed in full (22.51099967956543 for 22.511):
            // what the scale measured is its first seven digits, kept to a thousandth.
            let fat = match &rec["fat"] {
                Value::Number(n) => n.as_f64().map(|f| format!("{f:.3}")),
                _ => None,
            };
            let fat_ratio = fat.map(|f| percent(&f)).transpose().map_err(bad)?;
            let source = text("source");
            rows.push(Row {
                line: number,
                at: Moment::Local(local),
                masses: vec![w],
                fat_ratio,
                comment: None,
                source,
            });
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.at));
    Ok(ImportFile { app: "Fitbit", rows, ignored_columns: Vec::new(), timezone: None, needs_timezone: true })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ExactValue;
    use crate::units::MassUnit;

    /// Two records shaped like a real Takeout's (tests/fixtures/fitbit, shared with tests/your_data.rs).
    const JAN: &str = include_str!("../../tests/fixtures/fitbit/weight-2023-01-01.json");

    #[test]
    fn weight_files_value_by_value_and_the_unit_is_asked() {
        let files = || vec![("weight-2023-01-01.json".to_string(), JAN.as_bytes().to_vec())];
        let e = read_files(files(), Choices::default()).unwrap_err().to_string();
        assert!(e.contains("--unit kg or --unit lb"), "{e}");
        let f = read_files(files(), Choices { unit: Some(MassUnit::Lb) }).unwrap();
        assert!(f.needs_timezone);
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[0].at, Moment::Local("2023-01-03T07:35:12".parse().unwrap()));
        assert_eq!(f.rows[0].masses[0].text(), "181.9 lb");
        assert_eq!(f.rows[0].fat_ratio, Some(ExactValue::new(22511, -3)), "a float32's noise left out");
        assert_eq!(f.rows[1].fat_ratio, None);
        assert!(is_weight_file("weight-2023-01-01.json") && !is_weight_file("height-2023-01-01.json"));
    }

    #[test]
    fn a_broken_record_is_named() {
        let broken = JAN.replace("\"01/03/23\"", "\"2023-01-03\"");
        let files = vec![("weight-2023-01-01.json".to_string(), broken.into_bytes())];
        let e = read_files(files, Choices { unit: Some(MassUnit::Kg) }).unwrap_err().to_string();
        assert!(e.starts_with("weight-2023-01-01.json, record 2:"), "{e}");
    }
}
