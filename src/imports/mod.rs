//! Other apps' exports, read into the same weigh-ins as Withings' own ([`ImportFile`]): Apple
//! Health (`export.zip` or its `export.xml`, streamed), Fitbit's weight files from a Google
//! Takeout (a ZIP, a folder or one `weight-….json`), openScale's CSV (2.x and 3.x) and Libra's
//! CSV. Told apart by content, never by the file's name. Nothing here touches the database.
//!
//! Where a file does not say something the import needs (Fitbit's and openScale 3.x's unit,
//! the zone of local times), the import asks for it (`--unit`, `--timezone`) and refuses
//! rather than guess. The formats and their sources are described in the README.

mod apple_health;
mod fitbit;
pub mod generic;
mod libra;
mod openscale;

use std::io::{Read, Seek};
use std::path::Path;

use crate::model::{ExactValue, MeasureType};
use crate::units::MassUnit;
use crate::withings_file::{FileError, ImportFile, Written};

/// Another app's export, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    AppleHealthXml,
    FitbitJson,
    OpenScale,
    Libra,
}

/// What the person says about a file that does not say it itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Choices {
    /// The unit of the file's weights, where the file does not name it.
    pub unit: Option<MassUnit>,
}

pub use generic::ColumnMap;

/// Tells another app's export by its first bytes (after a byte order mark); ZIPs and folders
/// are looked into by [`read_zip`] and [`read_folder`].
pub fn detect(head: &[u8]) -> Option<Format> {
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let text = String::from_utf8_lossy(&text[..text.len().min(16 * 1024)]);
    let start = text.trim_start();
    if start.starts_with("<?xml") || start.starts_with("<!DOCTYPE") || start.starts_with("<HealthData") {
        return (text.contains("<!DOCTYPE HealthData") || text.contains("<HealthData"))
            .then_some(Format::AppleHealthXml);
    }
    if start.starts_with('[') && text.contains("\"logId\"") {
        return Some(Format::FitbitJson);
    }
    let first = start.lines().next().unwrap_or("").trim().to_ascii_lowercase();
    if first.starts_with("#version") || first.starts_with("#units") || first.starts_with("#date;weight") {
        return Some(Format::Libra);
    }
    if openscale::is_header(&first) {
        return Some(Format::OpenScale);
    }
    None
}

/// Reads a file [`detect`] recognised; `name` is how errors name it.
pub fn read(format: Format, r: impl Read, name: &str, choices: Choices) -> Result<ImportFile, FileError> {
    match format {
        Format::AppleHealthXml => apple_health::read(r, name),
        Format::FitbitJson => {
            fitbit::read_files(vec![(name.to_string(), read_all(r, "weight file")?)], choices)
        }
        Format::OpenScale => openscale::read(r, choices),
        Format::Libra => libra::read(r),
    }
}

/// Another app's export inside a ZIP (Apple Health's `export.zip`, a Google Takeout with
/// Fitbit's weight files); `None` when the ZIP holds neither.
pub fn read_zip<R: Read + Seek>(r: R, choices: Choices) -> Result<Option<ImportFile>, FileError> {
    let mut zip = zip::ZipArchive::new(r).map_err(|e| FileError::Zip(e.to_string()))?;
    let names: Vec<String> = zip.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    let fitbit: Vec<&String> = names.iter().filter(|n| fitbit::is_weight_file(base(n))).collect();
    if !fitbit.is_empty() {
        let mut files = Vec::new();
        for name in fitbit {
            let mut entry = zip.by_name(name).map_err(|e| FileError::Zip(e.to_string()))?;
            files.push((base(name).to_string(), read_all(&mut entry, "weight file")?));
        }
        return fitbit::read_files(files, choices).map(Some);
    }
    // Apple's main file is renamed in other languages (exportar.xml, eksport.xml, 导出.xml): the
    // one XML one folder deep that starts like a Health export; export_cda.xml repeats it.
    for name in
        names.iter().filter(|n| n.matches('/').count() == 1 && n.to_ascii_lowercase().ends_with(".xml"))
    {
        if base(name).eq_ignore_ascii_case("export_cda.xml") {
            continue;
        }
        let mut head = Vec::new();
        zip.by_name(name)
            .map_err(|e| FileError::Zip(e.to_string()))?
            .take(16 * 1024)
            .read_to_end(&mut head)
            .map_err(|e| FileError::Zip(e.to_string()))?;
        if detect(&head) == Some(Format::AppleHealthXml) {
            let entry = zip.by_name(name).map_err(|e| FileError::Zip(e.to_string()))?;
            return apple_health::read(std::io::BufReader::new(entry), base(name)).map(Some);
        }
    }
    Ok(None)
}

/// A folder: Fitbit's weight files in it or below it (a Takeout as it unpacks).
pub fn read_folder(dir: &Path, choices: Choices) -> Result<ImportFile, FileError> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| FileError::Csv(format!("{}: {e}", d.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                todo.push(path);
            } else if fitbit::is_weight_file(&name) {
                let bytes =
                    std::fs::read(&path).map_err(|e| FileError::Csv(format!("{}: {e}", path.display())))?;
                files.push((name, bytes));
            }
        }
    }
    if files.is_empty() {
        return Err(FileError::NotAnExport(format!(
            "{} holds no Fitbit weight files (weight-YYYY-MM-DD.json)",
            dir.display()
        )));
    }
    fitbit::read_files(files, choices)
}

/// The last part of a path inside a ZIP.
fn base(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// A whole small file (Fitbit's are a month of weigh-ins each, a CSV of weigh-ins some MB), at
/// most 64 MiB; `what` names it when it is larger.
fn read_all(r: impl Read, what: &str) -> Result<Vec<u8>, FileError> {
    let mut bytes = Vec::new();
    r.take(crate::read_limit::WEIGHT_CSV + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::Csv(e.to_string()))?;
    if bytes.len() as u64 > crate::read_limit::WEIGHT_CSV {
        return Err(crate::read_limit::file_too_large(crate::read_limit::WEIGHT_CSV, what).into());
    }
    Ok(bytes)
}

/// A weight as written, checked to be a body mass.
fn weight(text: &str, unit: MassUnit) -> Result<Written, String> {
    mass(MeasureType::WEIGHT, text, unit)
}

/// A mass as written ("81.35", or "81,35" from a spreadsheet), checked to be a body's.
fn mass(kind: MeasureType, text: &str, unit: MassUnit) -> Result<Written, String> {
    let value = ExactValue::parse_decimal(&text.trim().replace(',', "."))
        .filter(|v| v.value > 0)
        .ok_or_else(|| format!("{text:?} is not a mass"))?;
    let w = Written { kind, value, unit };
    let kg = w.exact_kg().map(ExactValue::to_f64).unwrap_or(f64::NAN);
    if !(0.5..1000.0).contains(&kg) {
        return Err(format!("{} is not a body mass", w.text()));
    }
    Ok(w)
}

/// Body fat in percent as written ("21.3"), checked to be one.
fn percent(text: &str) -> Result<ExactValue, String> {
    let value = ExactValue::parse_decimal(&text.trim().replace(',', "."))
        .ok_or_else(|| format!("{text:?} is not a percentage"))?;
    if !(0.0..=100.0).contains(&value.to_f64()) {
        return Err(format!("{text} % is not a body fat"));
    }
    Ok(value)
}
