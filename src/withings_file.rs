//! Withings' "Download my data" export: its ZIP, or the `weight.csv` inside it, read into
//! weigh-ins with exact kg values. Nothing here touches the database; [`crate::app`] decides
//! which account they join and what is already there.
//!
//! What real exports look like (and what this accepts):
//! - `Date,"Weight (kg)","Fat mass (kg)","Bone mass (kg)","Muscle mass (kg)","Hydration (kg)",Comments`,
//!   newest first, UTF-8, fields quoted only when they hold a space (older exports quote all);
//! - times in local wall-clock time without an offset: `2026-11-30 07:15:00`, and in exports
//!   from before about 2017 `2016-12-27 5:36 AM` or `2014-02-13 6:04 Uhr`;
//! - `.` as the decimal separator in every locale; an lb account writes `(lb)` headers and
//!   values rounded to 0.1 with a trailing `.0` dropped, a kg account two decimals;
//! - German headers (`Gewicht (kg)`, `Fettmasse (kg)`, …) and, in older files, a lean mass
//!   column (`Lean mass (kg)`, `Fettfreier Anteil (kg)`);
//! - the ZIP's `devices.csv` has a `timezone` column.

use std::io::{Read, Seek};

use jiff::civil::{Date, DateTime, Time};

use crate::model::{ExactValue, MeasureType};
use crate::read_limit::{self, Bounded, EntryLimit, TooLarge};
use crate::units::MassUnit;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("line {line}, column {column:?}: {reason}; nothing was imported")]
    Row { line: u64, column: String, reason: String },
    #[error("this file has no weight column (its columns are {0}); nothing was imported")]
    NoWeightColumn(String),
    #[error("this file has no date column (its columns are {0}); nothing was imported")]
    NoDateColumn(String),
    #[error("the ZIP has no weight.csv; is it Withings' \"Download my data\" export? nothing was imported")]
    NoWeightCsv,
    #[error("cannot read the ZIP: {0}; nothing was imported")]
    Zip(String),
    #[error("cannot read the CSV: {0}; nothing was imported")]
    Csv(String),
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    /// A record of a format without lines worth naming (Apple Health's XML, Fitbit's JSON).
    #[error("{at}: {reason}; nothing was imported")]
    Record { at: String, reason: String },
    #[error(
        "{app}'s export does not say whether its weights are in kg or lb: import it again with --unit kg or --unit lb (in the window: \"Its weights are in\"); nothing was imported"
    )]
    NeedsUnit { app: &'static str },
    #[error(
        "{app}'s export gives local times without a time zone: import it again with --timezone ZONE, e.g. Europe/Berlin (in the window: \"Time zone of the export\"); nothing was imported"
    )]
    NeedsTimezone { app: &'static str },
    #[error("{0}; nothing was imported")]
    NotAnExport(String),
}

/// A column Heft reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Date,
    Mass(MeasureType),
    Comment,
}

/// English and German header names (lowercase, without the unit in parentheses).
const NAMES: &[(&str, Column)] = &[
    ("date", Column::Date),
    ("datum", Column::Date),
    ("weight", Column::Mass(MeasureType::WEIGHT)),
    ("gewicht", Column::Mass(MeasureType::WEIGHT)),
    ("fat mass", Column::Mass(MeasureType::FAT_MASS)),
    ("fettmasse", Column::Mass(MeasureType::FAT_MASS)),
    ("bone mass", Column::Mass(MeasureType::BONE_MASS)),
    ("knochenmasse", Column::Mass(MeasureType::BONE_MASS)),
    ("muscle mass", Column::Mass(MeasureType::MUSCLE_MASS)),
    ("muskelmasse", Column::Mass(MeasureType::MUSCLE_MASS)),
    ("hydration", Column::Mass(MeasureType::HYDRATION)),
    ("wasseranteil", Column::Mass(MeasureType::HYDRATION)),
    ("lean mass", Column::Mass(MeasureType::FAT_FREE_MASS)),
    ("fettfreier anteil", Column::Mass(MeasureType::FAT_FREE_MASS)),
    ("comments", Column::Comment),
    ("kommentare", Column::Comment),
];

/// "Weight (lb)" → ("weight", Some(lb)).
fn split_header(h: &str) -> (String, Option<MassUnit>) {
    let h = h.trim().trim_start_matches('\u{feff}');
    match h.rsplit_once('(') {
        Some((name, unit)) if unit.ends_with(')') => {
            (name.trim().to_lowercase(), MassUnit::parse(unit.trim_end_matches(')')))
        }
        _ => (h.to_lowercase(), None),
    }
}

/// One mass as written, with its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub kind: MeasureType,
    pub value: ExactValue,
    pub unit: MassUnit,
}

impl Written {
    /// "175 lb", "88.00 kg": what the file said.
    pub fn text(&self) -> String {
        format!("{} {}", self.value, self.unit.as_str())
    }

    pub fn exact_kg(&self) -> Option<ExactValue> {
        self.unit.exact_kg(self.value)
    }
}

/// When a weigh-in in a file was: a wall-clock time without a zone (Withings, openScale,
/// Fitbit: the import's time zone decides the instant), or an instant (Apple Health's
/// offsets, Libra's UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Moment {
    Local(DateTime),
    Exact(jiff::Timestamp),
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Moment::Local(dt) => write!(f, "{dt}"),
            Moment::Exact(ts) => write!(f, "{ts}"),
        }
    }
}

/// One weigh-in of a file (a row of `weight.csv`, or a record of another app's export).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The line it starts on (1 is the header), or the record's number in the file.
    pub line: u64,
    pub at: Moment,
    /// The weight first, then the other masses in column order.
    pub masses: Vec<Written>,
    /// Body fat in percent, as written, when the file gives a ratio rather than a mass.
    pub fat_ratio: Option<ExactValue>,
    pub comment: Option<String>,
    /// The app or device that recorded it, where the file says (Apple Health's `sourceName`,
    /// Fitbit's `source`): kept as the weigh-in's device.
    pub source: Option<String>,
}

impl Row {
    pub fn weight(&self) -> &Written {
        &self.masses[0]
    }

    /// Whether `other` says exactly what this row says (the same second, every value as
    /// written, the comment): the one kind of duplicate inside a file.
    pub fn repeats(&self, other: &Row) -> bool {
        self.at == other.at
            && self.masses == other.masses
            && self.fat_ratio == other.fat_ratio
            && self.comment == other.comment
    }
}

/// A whole export, read (Withings' own, or another app's: see [`crate::imports`]).
#[derive(Debug, Clone, Default)]
pub struct ImportFile {
    /// The app that wrote it ("Withings", "Apple Health", "Libra", …).
    pub app: &'static str,
    pub rows: Vec<Row>,
    /// Columns Heft does not read, as headed in the file.
    pub ignored_columns: Vec<String>,
    /// The time zone `devices.csv` names, when the file was the ZIP.
    pub timezone: Option<String>,
    /// Its times are local and the app keeps no zone anywhere a person could point at: the
    /// import needs `--timezone` (Withings' own export falls back to the account's zone).
    pub needs_timezone: bool,
}

/// What a file given to `heft import` is, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    HeftJson,
    WithingsZip,
    WithingsCsv,
}

pub fn detect(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(Kind::WithingsZip);
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace()).map(|i| &text[i..]).unwrap_or(&[]);
    if start.starts_with(b"{") {
        return Some(Kind::HeftJson);
    }
    let first_line = start.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let header = String::from_utf8_lossy(first_line).to_lowercase();
    (header.contains("date") || header.contains("datum")).then_some(Kind::WithingsCsv)
}

/// Reads the ZIP or the CSV (by content).
pub fn read(bytes: &[u8]) -> Result<ImportFile, FileError> {
    if detect(bytes) == Some(Kind::WithingsZip) {
        read_zip(std::io::Cursor::new(bytes))
    } else {
        read_csv(bytes)
    }
}

/// Reads `weight.csv` (and `devices.csv`, for the time zone) out of Withings' ZIP, streaming
/// each entry: one that inflates beyond what its format holds, or far beyond its compressed
/// size, is refused as soon as its header or its bytes say so (a header that lies is caught
/// while reading).
pub fn read_zip<R: Read + Seek>(r: R) -> Result<ImportFile, FileError> {
    let mut zip = zip::ZipArchive::new(r).map_err(|e| FileError::Zip(e.to_string()))?;
    let weight = find_entry(&mut zip, "weight.csv").ok_or(FileError::NoWeightCsv)?;
    let mut file = read_entry(&mut zip, &weight, read_limit::WEIGHT_CSV, |r| parse_csv(r))?;
    if let Some(devices) = find_entry(&mut zip, "devices.csv") {
        file.timezone = read_entry(&mut zip, &devices, read_limit::DEVICES_CSV, |r| Ok(devices_timezone(r)))?;
    }
    Ok(file)
}

/// The full name of the entry called `name` in any folder, ignoring case.
fn find_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<String> {
    zip.file_names()
        .filter_map(Result::ok)
        .find(|n| n.rsplit('/').next().is_some_and(|b| b.eq_ignore_ascii_case(name)))
        .map(|n| n.to_string())
}

/// Parses one entry as it inflates, at most `cap` bytes of it and at most
/// [`read_limit::MAX_RATIO`] times its compressed size.
fn read_entry<R: Read + Seek, T>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    cap: u64,
    parse: impl FnOnce(&mut dyn Read) -> Result<T, FileError>,
) -> Result<T, FileError> {
    let mut f = zip.by_name(name).map_err(|e| FileError::Zip(e.to_string()))?;
    let limit = EntryLimit { cap, compressed: f.compressed_size() };
    let short = name.rsplit('/').next().unwrap_or(name);
    // The header's word first: a bomb that declares its size is refused before a byte inflates.
    limit.check(short, f.size())?;
    let mut bounded = Bounded::new(&mut f, limit.allowed());
    let parsed = parse(&mut bounded);
    if bounded.exceeded() {
        limit.check(short, bounded.bytes_read())?;
    }
    parsed
}

/// Reads a `weight.csv` as a stream, at most [`read_limit::WEIGHT_CSV`] of it.
pub fn read_csv<R: Read>(r: R) -> Result<ImportFile, FileError> {
    let mut bounded = Bounded::new(r, read_limit::WEIGHT_CSV);
    let parsed = parse_csv(&mut bounded);
    if bounded.exceeded() {
        return Err(read_limit::file_too_large(read_limit::WEIGHT_CSV, "weight.csv").into());
    }
    parsed
}

/// The reader without a leading UTF-8 byte order mark.
fn without_bom<R: Read>(mut r: R) -> Result<impl Read, FileError> {
    let mut head = [0u8; 3];
    let mut n = 0;
    while n < head.len() {
        match r.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FileError::Csv(e.to_string())),
        }
    }
    let skip = if head[..n] == *b"\xef\xbb\xbf" { 3 } else { 0 };
    Ok(std::io::Cursor::new(head[skip..n].to_vec()).chain(r))
}

/// The time zone most devices in `devices.csv` name (`None` when it has none; a stream cut
/// off by its limit is told by the caller).
fn devices_timezone(bytes: impl Read) -> Option<String> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let col = r.headers().ok()?.iter().position(|h| h.trim().eq_ignore_ascii_case("timezone"))?;
    let mut counts: Vec<(String, usize)> = Vec::new();
    for rec in r.records() {
        // An error here is the end of what can be read (the caller checks the limit).
        let Ok(rec) = rec else { break };
        let Some(tz) = rec.get(col).map(str::trim).filter(|t| !t.is_empty()) else { continue };
        match counts.iter_mut().find(|(t, _)| t == tz) {
            Some((_, n)) => *n += 1,
            None => counts.push((tz.to_string(), 1)),
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(t, _)| t)
}

fn parse_csv(r: impl Read) -> Result<ImportFile, FileError> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(without_bom(r)?);
    let headers = r.headers().map_err(|e| FileError::Csv(e.to_string()))?.clone();
    let mut columns: Vec<Option<(Column, Option<MassUnit>)>> = Vec::new();
    let mut ignored = Vec::new();
    for h in headers.iter() {
        let (name, unit) = split_header(h);
        let known = NAMES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
        // A column of the same meaning twice: the first one counts.
        let known = known.filter(|c| !columns.iter().flatten().any(|(x, _)| x == c));
        match known {
            Some(c @ Column::Mass(_)) => columns.push(Some((c, Some(unit.unwrap_or(MassUnit::Kg))))),
            Some(c) => columns.push(Some((c, None))),
            None => {
                ignored.push(h.trim().to_string());
                columns.push(None);
            }
        }
    }
    let listed = || headers.iter().map(|h| format!("{:?}", h.trim())).collect::<Vec<_>>().join(", ");
    let date_col = columns
        .iter()
        .position(|c| matches!(c, Some((Column::Date, _))))
        .ok_or_else(|| FileError::NoDateColumn(listed()))?;
    let weight_col = columns
        .iter()
        .position(|c| matches!(c, Some((Column::Mass(MeasureType::WEIGHT), _))))
        .ok_or_else(|| FileError::NoWeightColumn(listed()))?;
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| FileError::Csv(e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let bad = |col: usize, reason: String| FileError::Row {
            line,
            column: headers.get(col).unwrap_or("?").trim().to_string(),
            reason,
        };
        let date_text = rec.get(date_col).unwrap_or("").trim();
        let local = parse_local(date_text)
            .ok_or_else(|| bad(date_col, format!("{date_text:?} is not a date and time")))?;
        let mut masses = Vec::new();
        let mut comment = None;
        // The weight first: everything else hangs on it.
        let order = std::iter::once(weight_col).chain((0..columns.len()).filter(|&i| i != weight_col));
        for i in order {
            let Some((col, unit)) = columns[i] else { continue };
            let text = rec.get(i).unwrap_or("").trim();
            match col {
                Column::Date => {}
                Column::Comment => comment = (!text.is_empty()).then(|| text.to_string()),
                Column::Mass(kind) => {
                    if text.is_empty() {
                        if kind == MeasureType::WEIGHT {
                            return Err(bad(i, "the weight is empty".into()));
                        }
                        continue;
                    }
                    let value = ExactValue::parse_decimal(text)
                        .filter(|v| v.value > 0 || kind != MeasureType::WEIGHT)
                        .ok_or_else(|| bad(i, format!("{text:?} is not a mass (digits and a '.')")))?;
                    let w = Written { kind, value, unit: unit.unwrap_or(MassUnit::Kg) };
                    let kg = w.exact_kg().map(ExactValue::to_f64).unwrap_or(f64::NAN);
                    if !(0.0..1000.0).contains(&kg) {
                        return Err(bad(i, format!("{} is not a body mass", w.text())));
                    }
                    masses.push(w);
                }
            }
        }
        rows.push(Row { line, at: Moment::Local(local), masses, fat_ratio: None, comment, source: None });
    }
    Ok(ImportFile { app: "Withings", rows, ignored_columns: ignored, timezone: None, needs_timezone: false })
}

/// `2026-11-30 07:15:00`, `2026-11-30 07:15`, `2016-12-27 5:36 AM`, `2014-02-13 6:04 Uhr`
/// (also what a person types for an entry's time).
pub fn parse_local(text: &str) -> Option<DateTime> {
    let (date, rest) = text.split_once(' ')?;
    let date: Date = date.parse().ok()?;
    let rest = rest.trim();
    let (clock, pm) = if let Some(c) = rest.strip_suffix("AM").or_else(|| rest.strip_suffix("am")) {
        (c.trim(), Some(false))
    } else if let Some(c) = rest.strip_suffix("PM").or_else(|| rest.strip_suffix("pm")) {
        (c.trim(), Some(true))
    } else {
        (rest.strip_suffix("Uhr").unwrap_or(rest).trim(), None)
    };
    let mut parts = clock.split(':');
    let num = |s: Option<&str>| -> Option<i8> {
        let s = s?;
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let mut hour = num(parts.next())?;
    let minute = num(parts.next())?;
    let second = match parts.next() {
        Some(s) => num(Some(s))?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    if let Some(pm) = pm {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    let time = Time::new(hour, minute, second, 0).ok()?;
    Some(date.to_datetime(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_time_format_real_exports_use_is_read() {
        let dt = |s: &str| parse_local(s).map(|d| d.to_string());
        assert_eq!(dt("2026-11-30 07:15:00").as_deref(), Some("2026-11-30T07:15:00"));
        assert_eq!(dt("2016-12-27 5:36 AM").as_deref(), Some("2016-12-27T05:36:00"));
        assert_eq!(dt("2016-12-27 12:10 AM").as_deref(), Some("2016-12-27T00:10:00"));
        assert_eq!(dt("2016-12-27 12:10 PM").as_deref(), Some("2016-12-27T12:10:00"));
        assert_eq!(dt("2016-12-27 9:05 PM").as_deref(), Some("2016-12-27T21:05:00"));
        assert_eq!(dt("2014-02-13 6:04 Uhr").as_deref(), Some("2014-02-13T06:04:00"));
        for bad in [
            "2026-11-30",
            "2026-13-01 07:00:00",
            "2026-11-30 25:00:00",
            "30.11.2026 07:15",
            "2016-12-27 13:10 PM",
        ] {
            assert_eq!(dt(bad), None, "{bad}");
        }
    }

    #[test]
    fn headers_name_their_unit() {
        assert_eq!(split_header("Weight (lb)"), ("weight".into(), Some(MassUnit::Lb)));
        assert_eq!(split_header("Gewicht (kg)"), ("gewicht".into(), Some(MassUnit::Kg)));
        assert_eq!(split_header("Comments"), ("comments".into(), None));
    }

    /// A ZIP of `weight.csv` holding `body`, its header claiming `claimed` bytes.
    fn zip_claiming(body: &[u8], claimed: Option<u32>) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("weight.csv", opts).unwrap();
        zip.write_all(body).unwrap();
        let mut bytes = zip.finish().unwrap().into_inner();
        if let Some(claimed) = claimed {
            // The uncompressed size in the local header (offset 22) and in the central
            // directory entry (offset 24 after its signature).
            bytes[22..26].copy_from_slice(&claimed.to_le_bytes());
            let cd = bytes.windows(4).position(|w| w == b"PK\x01\x02").expect("central directory");
            bytes[cd + 24..cd + 28].copy_from_slice(&claimed.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn a_zip_entry_whose_header_understates_its_size_is_cut_off_while_inflating() {
        let mut body = b"Date,Weight (kg)\n".to_vec();
        body.extend(b"2026-11-30 07:15:00,88.00\n".repeat(200_000));
        let honest = read(&zip_claiming(&body, None));
        let err = honest.expect_err("5 MB of one row is more than 100 to 1").to_string();
        assert!(err.contains("more than 100 to 1"), "{err}");
        // Claiming 1000 bytes passes the header check; the inflating stream is cut off at the
        // size it claimed.
        let err = read(&zip_claiming(&body, Some(1000))).expect_err("a lying header is caught").to_string();
        assert!(err.contains("larger than its declared") && err.contains("nothing was imported"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_before_a_quoted_header_is_skipped_while_streaming() {
        let f = read(b"\xef\xbb\xbf\"Date\",\"Weight (kg)\"\n2026-11-30 07:15:00,88.00\n").expect("reads");
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.rows[0].weight().text(), "88.00 kg");
    }

    #[test]
    fn the_kind_of_file_is_told_by_its_content() {
        assert_eq!(detect(b"PK\x03\x04rest"), Some(Kind::WithingsZip));
        assert_eq!(detect(b"  {\"format\":\"heft-export\"}"), Some(Kind::HeftJson));
        assert_eq!(detect(b"Date,\"Weight (kg)\"\n"), Some(Kind::WithingsCsv));
        assert_eq!(detect(b"hello"), None);
    }
}
