//! Apple Health's export (`export.zip`, its main XML `apple_health_export/export.xml`, named
//! in the phone's language: `exportar.xml`, `eksport.xml`, …), streamed: real exports are
//! hundreds of megabytes of `<Record>`s, of which a few thousand are body measures. What is
//! kept is those few thousand, never the file.
//!
//! ```xml
//! <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Health Mate" unit="kg"
//!   startDate="2023-10-29 07:40:51 +0100" endDate="2023-10-29 07:40:51 +0100" value="81.35"/>
//! <Record type="HKQuantityTypeIdentifierBodyFatPercentage" … unit="%" value="0.213"/>
//! ```
//!
//! Body mass, body fat (a fraction: 0.213 is 21.3 %) and lean body mass; a fat or lean record
//! joins the weigh-in with the same start time (from the same app when there are several).
//! Times carry their offset. `Record`s inside a `Correlation` repeat top-level ones and are
//! skipped, and `export_cda.xml` repeats the whole file and is never read.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use quick_xml::events::{BytesStart, Event};

use super::mass;
use crate::model::{ExactValue, MeasureType};
use crate::units::MassUnit;
use crate::withings_file::{FileError, ImportFile, Moment, Row, Written};

const BODY_MASS: &[u8] = b"HKQuantityTypeIdentifierBodyMass";
const BODY_FAT: &[u8] = b"HKQuantityTypeIdentifierBodyFatPercentage";
const LEAN_MASS: &[u8] = b"HKQuantityTypeIdentifierLeanBodyMass";

/// One body record's attributes.
struct Body {
    at: jiff::Timestamp,
    source: String,
    value: String,
    unit: String,
}

pub fn read(r: impl Read, name: &str) -> Result<ImportFile, FileError> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(256 * 1024, r));
    let mut buf = Vec::new();
    let (mut weights, mut fats, mut leans) = (Vec::new(), Vec::new(), Vec::new());
    let (mut records, mut in_correlation, mut saw_root) = (0u64, 0usize, false);
    loop {
        let event = xml.read_event_into(&mut buf).map_err(|e| FileError::Record {
            at: format!("{name}, byte {}", xml.error_position()),
            reason: format!("not well-formed XML ({e})"),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"HealthData" => saw_root = true,
            Event::Start(e) if e.local_name().as_ref() == b"Correlation" => in_correlation += 1,
            Event::End(e) if e.local_name().as_ref() == b"Correlation" => {
                in_correlation = in_correlation.saturating_sub(1)
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Record" => {
                records += 1;
                if in_correlation > 0 {
                    continue;
                }
                let kind = attr(&xml, &e, b"type")?.unwrap_or_default();
                let list = match kind.as_bytes() {
                    BODY_MASS => &mut weights,
                    BODY_FAT => &mut fats,
                    LEAN_MASS => &mut leans,
                    _ => continue,
                };
                let at =
                    |reason: String| FileError::Record { at: format!("{name}, record {records}"), reason };
                let start = attr(&xml, &e, b"startDate")?.unwrap_or_default();
                let when = jiff::Timestamp::strptime("%Y-%m-%d %H:%M:%S %z", &start).map_err(|_| {
                    at(format!("startDate {start:?} is not a time like 2023-10-29 07:40:51 +0100"))
                })?;
                list.push((
                    records,
                    Body {
                        at: when,
                        source: attr(&xml, &e, b"sourceName")?.unwrap_or_default(),
                        value: attr(&xml, &e, b"value")?.unwrap_or_default(),
                        unit: attr(&xml, &e, b"unit")?.unwrap_or_default(),
                    },
                ));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err(FileError::NotAnExport(format!(
            "{name} is not an Apple Health export (no <HealthData>)"
        )));
    }
    rows(name, weights, fats, leans)
}

/// An attribute's value, unescaped.
fn attr<R: BufRead>(
    xml: &quick_xml::Reader<R>,
    e: &BytesStart,
    key: &[u8],
) -> Result<Option<String>, FileError> {
    let Some(a) = e.try_get_attribute(key).map_err(|err| FileError::Record {
        at: format!("byte {}", xml.buffer_position()),
        reason: format!("a broken attribute ({err})"),
    })?
    else {
        return Ok(None);
    };
    let value = a.decode_and_unescape_value(xml.decoder()).map_err(|err| FileError::Record {
        at: format!("byte {}", xml.buffer_position()),
        reason: format!("a broken attribute value ({err})"),
    })?;
    Ok(Some(value.into_owned()))
}

/// The weigh-ins, each with the fat and lean records of its start time.
fn rows(
    name: &str,
    weights: Vec<(u64, Body)>,
    fats: Vec<(u64, Body)>,
    leans: Vec<(u64, Body)>,
) -> Result<ImportFile, FileError> {
    // By start time, then by app: a weigh-in takes its own app's fat first.
    let by_time = |list: Vec<(u64, Body)>| {
        let mut map: HashMap<jiff::Timestamp, Vec<(u64, Body)>> = HashMap::new();
        for (n, b) in list {
            map.entry(b.at).or_default().push((n, b));
        }
        map
    };
    let (fats, leans) = (by_time(fats), by_time(leans));
    let pick =
        |map: &HashMap<jiff::Timestamp, Vec<(u64, Body)>>, w: &Body| -> Option<(u64, String, String)> {
            let same = map.get(&w.at)?;
            let (n, b) = same.iter().find(|(_, b)| b.source == w.source).or_else(|| same.first())?;
            Some((*n, b.value.clone(), b.unit.clone()))
        };
    let mut rows = Vec::new();
    for (n, w) in &weights {
        let bad = |n: u64, reason: String| FileError::Record { at: format!("{name}, record {n}"), reason };
        let mut masses = vec![body_mass(MeasureType::WEIGHT, &w.value, &w.unit).map_err(|r| bad(*n, r))?];
        if let Some((ln, value, unit)) = pick(&leans, w) {
            masses.push(body_mass(MeasureType::FAT_FREE_MASS, &value, &unit).map_err(|r| bad(ln, r))?);
        }
        let fat_ratio = match pick(&fats, w) {
            Some((fnum, value, unit)) => Some(fat_percent(&value, &unit).map_err(|r| bad(fnum, r))?),
            None => None,
        };
        let source = (!w.source.is_empty()).then(|| w.source.clone());
        rows.push(Row { line: *n, at: Moment::Exact(w.at), masses, fat_ratio, comment: None, source });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.at));
    Ok(ImportFile {
        app: "Apple Health",
        rows,
        ignored_columns: Vec::new(),
        timezone: None,
        needs_timezone: false,
    })
}

/// A mass in the record's own unit: kg, lb, st or g (a file may mix them).
fn body_mass(kind: MeasureType, value: &str, unit: &str) -> Result<Written, String> {
    if unit == "g" {
        let grams = ExactValue::parse_decimal(value).ok_or_else(|| format!("{value:?} is not a mass"))?;
        return mass(kind, &ExactValue::new(grams.value, grams.unit - 3).to_string(), MassUnit::Kg);
    }
    let unit = MassUnit::parse(unit)
        .ok_or_else(|| format!("{unit:?} is not a unit of mass Heft knows (kg, lb, st, g)"))?;
    mass(kind, value, unit)
}

/// Apple's body fat is a fraction (`0.213` with unit `%`); a value above 1 was written as a
/// percentage by some other app and is taken as one.
fn fat_percent(value: &str, unit: &str) -> Result<ExactValue, String> {
    if unit != "%" && !unit.is_empty() {
        return Err(format!("body fat in {unit:?}, not %"));
    }
    let v = ExactValue::parse_decimal(value).ok_or_else(|| format!("{value:?} is not a body fat"))?;
    let percent = if v.to_f64() <= 1.0 { ExactValue::new(v.value, v.unit + 2) } else { v };
    super::percent(&percent.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
]>
<HealthData locale="de_DE">
 <ExportDate value="2024-03-02 09:12:44 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Simon’s iPhone" unit="count" startDate="2023-10-29 07:00:00 +0100" endDate="2023-10-29 07:10:00 +0100" value="329"/>
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Health Mate" sourceVersion="6020001" unit="kg" creationDate="2023-10-29 07:41:02 +0100" startDate="2023-10-29 07:40:51 +0100" endDate="2023-10-29 07:40:51 +0100" value="81.35">
  <MetadataEntry key="HKWasUserEntered" value="0"/>
 </Record>
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Health" sourceVersion="17.2" unit="lb" creationDate="2023-10-28 08:02:10 +0200" startDate="2023-10-28 08:00:00 +0200" endDate="2023-10-28 08:00:00 +0200" value="180.6"/>
 <Record type="HKQuantityTypeIdentifierBodyFatPercentage" sourceName="Health Mate" sourceVersion="6020001" unit="%" creationDate="2023-10-29 07:41:02 +0100" startDate="2023-10-29 07:40:51 +0100" endDate="2023-10-29 07:40:51 +0100" value="0.213"/>
 <Record type="HKQuantityTypeIdentifierLeanBodyMass" sourceName="Health Mate" sourceVersion="6020001" unit="kg" creationDate="2023-10-29 07:41:02 +0100" startDate="2023-10-29 07:40:51 +0100" endDate="2023-10-29 07:40:51 +0100" value="64.02"/>
 <Correlation type="HKCorrelationTypeIdentifierFood" sourceName="X" startDate="2023-10-29 07:40:51 +0100" endDate="2023-10-29 07:40:51 +0100">
  <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Health Mate" unit="kg" startDate="2023-10-29 07:40:51 +0100" endDate="2023-10-29 07:40:51 +0100" value="81.35"/>
 </Correlation>
</HealthData>
"#;

    #[test]
    fn body_records_value_by_value() {
        let f = read(SAMPLE.as_bytes(), "export.xml").unwrap();
        assert_eq!(f.rows.len(), 2, "the Correlation's copy is not a third weigh-in");
        let r = &f.rows[0];
        assert_eq!(r.at, Moment::Exact("2023-10-29T06:40:51Z".parse().unwrap()), "the offset is kept");
        assert_eq!(r.masses[0].text(), "81.35 kg");
        assert_eq!(r.masses[1].kind, MeasureType::FAT_FREE_MASS);
        assert_eq!(r.masses[1].text(), "64.02 kg");
        assert_eq!(r.fat_ratio, Some(ExactValue::new(213, -1)), "0.213 is 21.3 %");
        assert_eq!(r.source.as_deref(), Some("Health Mate"));
        assert_eq!(f.rows[1].masses[0].text(), "180.6 lb", "each record in its own unit");
        assert_eq!(f.rows[1].at, Moment::Exact("2023-10-28T06:00:00Z".parse().unwrap()));
    }

    #[test]
    fn a_broken_record_is_named() {
        let bad = SAMPLE.replace("value=\"81.35\">", "value=\"heavy\">");
        let e = read(bad.as_bytes(), "export.xml").unwrap_err().to_string();
        assert!(e.starts_with("export.xml, record 2:"), "{e}");
        let cut = &SAMPLE[..SAMPLE.len() / 2];
        assert!(
            read(cut.as_bytes(), "export.xml").is_err()
                || read(cut.as_bytes(), "export.xml").is_ok_and(|f| !f.rows.is_empty())
        );
    }
}
