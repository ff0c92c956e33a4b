//! The person's corrections and additions: exclude and restore, the review of weigh-ins the
//! scale could not attribute, entries typed by hand, anomaly flags, a household's names and
//! colours, a Withings export imported and a FIT file exported. None of it ever changes what
//! Withings holds, and no sync undoes it.

use std::collections::HashMap;
use std::io::{Read, Seek};
use std::path::Path;

use jiff::tz::TimeZone;
use serde::Serialize;

use super::{App, AppError, local_time};
use crate::auth::Provider;
use crate::export::ImportError;
use crate::imports::{self, Choices};
use crate::model::{Attrib, Category, ExactValue, MeasureType, Source};
use crate::series::Query;
use crate::store::{
    Account, Standing, StoredGroup, StoredMeasure, Verdict, WrittenWeighIn, at_column_precision,
    pair_weigh_ins,
};
use crate::trend::{self, Anomaly, Reason};
use crate::units::MassUnit;
use crate::withings_file::{self, ImportFile, Kind, Moment, Row};

/// How much of a file's start tells what kind of file it is.
const HEAD: u64 = 64 * 1024;

/// The userid of the account Heft makes when there is no Withings account to attach to.
pub const LOCAL_USERID: &str = "local";

/// A weigh-in as the list shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WeighInRow {
    pub grpid: i64,
    pub ts: i64,
    pub date: String,
    /// The local time as a form field holds it: "2026-11-30T07:15".
    pub local: String,
    pub weight: String,
    pub weight_kg: f64,
    /// The weight in the unit asked for (stones as a decimal), for the edit form: the
    /// window converts no units.
    pub weight_value: f64,
    pub fat_ratio: Option<f64>,
    pub fat: String,
    pub source: Source,
    pub standing: Standing,
    /// The person's reason for excluding it, if they gave one.
    pub reason: Option<String>,
    /// "manual", "imported", "guest?": where it came from and what Withings said.
    pub flags: Vec<&'static str>,
    /// The person's note on it.
    pub note: Option<String>,
    /// Its own comment (Withings', or an imported file's such as Libra's log), apart from the
    /// note: the note is the person's to change, the comment is not.
    pub comment: Option<String>,
    /// Where it was read from besides the API: "Apple Health (Health Mate)", "Libra", …
    pub sources: Vec<String>,
    /// Why it is worth a second look, in words.
    pub anomalies: Vec<String>,
}

/// What a person types for an entry of their own.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// As typed: "80.2".
    pub weight: Option<String>,
    pub unit: Option<MassUnit>,
    /// Percent, as typed: "21.5".
    pub fat_ratio: Option<String>,
    /// "2026-11-30 07:15" in the account's time zone; default now.
    pub at: Option<String>,
}

/// Choices for an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The account a Withings export joins (userid or name).
    pub account: Option<String>,
    /// The time zone the export's wall-clock times are in (an IANA name).
    pub timezone: Option<String>,
    /// The unit of the file's weights, for files that do not say (Fitbit, openScale 3).
    pub unit: Option<MassUnit>,
    /// Which columns of a CSV hold what: the file is read by this map, whatever it is.
    pub map: Option<imports::ColumnMap>,
}

/// What importing a Withings export did.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WithingsImport {
    /// The app whose export it was ("Withings", "Apple Health", "Libra", …).
    pub app: &'static str,
    pub userid: String,
    /// Weigh-ins added.
    pub imported: usize,
    /// Rows that are a weigh-in already stored (synced, imported before or typed by hand):
    /// one within a minute with the same weight at the file's precision, each stored
    /// weigh-in matched to one row only.
    pub already_stored: usize,
    /// Rows that repeat an earlier row exactly (the same second, the same values).
    pub exact_repeats: usize,
    pub ignored_columns: Vec<String>,
    /// The zone the file's wall-clock times were read in, or "written" when every time is an
    /// instant ("times read as written").
    pub timezone: String,
    /// "--timezone", "devices.csv", "the account" or "this computer".
    pub timezone_from: &'static str,
    /// The counts in words, with the rule each follows (the window shows it as it is).
    pub summary: String,
}

/// "Imported 2 weigh-ins (1 matched a weigh-in already stored: same weight within a minute;
/// 1 exact repeat in the file)".
fn summary(imported: usize, already_stored: usize, exact_repeats: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let stored = if already_stored == 1 { "a weigh-in" } else { "weigh-ins" };
    format!(
        "Imported {imported} weigh-in{} ({already_stored} matched {stored} already stored: same weight \
         within a minute; {exact_repeats} exact repeat{} in the file)",
        s(imported),
        s(exact_repeats)
    )
}

/// How a weigh-in's source names an app's file: Withings' own is its export (the API is the
/// other Withings source).
fn export_name(app: &str) -> &str {
    if app == "Withings" { "Withings export" } else { app }
}

/// What `heft import` did, by the kind of file.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Imported {
    Heft(crate::export::ImportReport),
    Withings(WithingsImport),
}

fn reason_text(r: &Reason, unit: MassUnit) -> String {
    // "1.2 kg above", "6.0 kg below": how far from the trend, and on which side.
    let off = |kg: f64| format!("{} {}", unit.format(kg.abs()), if kg > 0.0 { "above" } else { "below" });
    match r {
        Reason::FarFromTrend { residual_kg, limit_kg } => {
            format!("{} the trend (up to {} is usual)", off(*residual_kg), unit.format(*limit_kg))
        }
        Reason::Spike { residual_kg } => {
            format!(
                "{} the trend in a day: more than a body changes (a bag on the scale?)",
                off(*residual_kg)
            )
        }
        Reason::SomeoneElse { residual_kg } => {
            format!("{} the trend: someone else on the scale?", off(*residual_kg))
        }
        Reason::UnusualHour { time } => format!("at {time}, an hour you do not usually weigh in"),
    }
}

impl App {
    fn tz_of(&self, a: &Account) -> Result<TimeZone, AppError> {
        Ok(self.store()?.timezone(a.id)?)
    }

    /// Excludes a weigh-in from the trend, rate, projection and split (Withings keeps it).
    pub fn exclude(&self, userid: Option<&str>, grpid: i64, reason: Option<&str>) -> Result<(), AppError> {
        let a = self.account_for(userid)?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        let v = Verdict { counted: false, reason, decided_at: self.now() };
        Ok(self.store()?.set_verdict(a.id, grpid, &v)?)
    }

    /// Writes the person's note on a weigh-in (any: Withings', typed or imported); an empty or
    /// missing note removes it. Kept apart from the weigh-in, so no sync changes it.
    pub fn set_note(&self, userid: Option<&str>, grpid: i64, note: Option<&str>) -> Result<(), AppError> {
        let a = self.account_for(userid)?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = note
            && n.chars().count() > crate::store::NOTE_MAX_CHARS
        {
            return Err(AppError::BadInput(format!(
                "a note holds at most {} characters, this one {}",
                crate::store::NOTE_MAX_CHARS,
                n.chars().count()
            )));
        }
        Ok(self.store()?.set_note(a.id, grpid, note, self.now())?)
    }

    /// Restores an excluded weigh-in. One Withings was unsure about becomes "mine".
    pub fn include(&self, userid: Option<&str>, grpid: i64) -> Result<(), AppError> {
        let a = self.account_for(userid)?;
        let g = self.group(&a, grpid)?;
        if Attrib(g.attrib).is_ambiguous() {
            return self.review(userid, grpid, true);
        }
        self.store()?.clear_verdict(a.id, grpid)?;
        Ok(())
    }

    /// The answer to "is this yours?" for a weigh-in Withings could not attribute. It stays
    /// whatever Withings says later; an undecided one follows Withings.
    pub fn review(&self, userid: Option<&str>, grpid: i64, mine: bool) -> Result<(), AppError> {
        let a = self.account_for(userid)?;
        self.group(&a, grpid)?;
        let reason = (!mine).then(|| "not me".to_string());
        let v = Verdict { counted: mine, reason, decided_at: self.now() };
        Ok(self.store()?.set_verdict(a.id, grpid, &v)?)
    }

    fn group(&self, a: &Account, grpid: i64) -> Result<StoredGroup, AppError> {
        self.store()?
            .group(a.id, grpid)?
            .ok_or_else(|| crate::store::StoreError::UnknownWeighIn(grpid).into())
    }

    /// Weigh-ins, newest first, with where each stands and why it may need a look; `only`
    /// keeps those awaiting review (or flagged).
    pub fn weigh_ins(
        &self,
        userid: Option<&str>,
        unit: Option<MassUnit>,
        limit: usize,
        only: Option<Standing>,
        flagged_only: bool,
    ) -> Result<Vec<WeighInRow>, AppError> {
        let a = self.account_for(userid)?;
        let unit = unit.unwrap_or_else(|| self.unit_of(&a));
        let tz = self.tz_of(&a)?;
        let verdicts = self.store()?.verdicts(a.id)?;
        let notes = self.store()?.notes(a.id)?;
        let mut sources = self.store()?.sources(a.id)?;
        let flags: HashMap<i64, Anomaly> =
            self.anomalies_of(&a, &tz)?.into_iter().map(|x| (x.grpid, x)).collect();
        let mut rows = Vec::new();
        for w in self.store()?.recent_weigh_ins(a.id, u32::MAX)? {
            let verdict = verdicts.get(&w.grpid);
            let standing = Standing::of(verdict, w.attrib);
            let anomalies: Vec<String> = flags
                .get(&w.grpid)
                .map(|x| x.reasons.iter().map(|r| reason_text(r, unit)).collect())
                .unwrap_or_default();
            if only.is_some_and(|o| o != standing) || (flagged_only && anomalies.is_empty()) {
                continue;
            }
            let mut tags = Vec::new();
            match w.source {
                Source::Manual => tags.push("manual"),
                Source::Import => tags.push("imported"),
                Source::Withings if w.attrib.is_manual() => tags.push("manual"),
                Source::Withings => {}
            }
            if w.attrib.is_ambiguous() {
                tags.push("guest?");
            }
            rows.push(WeighInRow {
                grpid: w.grpid,
                ts: w.ts,
                date: local_time(w.ts, &tz, "%a %b %-d %Y, %H:%M"),
                local: local_time(w.ts, &tz, "%Y-%m-%dT%H:%M"),
                fat_ratio: w.fat_ratio,
                weight: unit.format(w.weight_kg),
                weight_kg: w.weight_kg,
                weight_value: unit.from_kg(w.weight_kg),
                fat: w
                    .fat_ratio
                    .map(|f| crate::locale::number(format!("{f:.1} %")))
                    .unwrap_or_else(|| "—".into()),
                source: w.source,
                standing,
                reason: verdict.and_then(|v| v.reason.clone()),
                flags: tags,
                note: notes.get(&w.grpid).cloned(),
                comment: w.comment.clone(),
                sources: sources.remove(&w.grpid).unwrap_or_default(),
                anomalies,
            });
            if rows.len() >= limit {
                break;
            }
        }
        Ok(rows)
    }

    /// The weigh-in nearest to `ts` (a click on the chart), within `within` seconds.
    pub fn weigh_in_near(
        &self,
        userid: Option<&str>,
        unit: Option<MassUnit>,
        ts: i64,
        within: i64,
    ) -> Result<Option<WeighInRow>, AppError> {
        let rows = self.weigh_ins(userid, unit, usize::MAX, None, false)?;
        Ok(rows.into_iter().filter(|r| (r.ts - ts).abs() <= within).min_by_key(|r| (r.ts - ts).abs()))
    }

    fn anomalies_of(&self, a: &Account, tz: &TimeZone) -> Result<Vec<Anomaly>, AppError> {
        let q = Query {
            account: a.id,
            kind: MeasureType::WEIGHT,
            from: i64::MIN,
            to: i64::MAX,
            include_ambiguous: false,
        };
        let pts: Vec<(i64, f64, i64)> = self
            .store()?
            .series(q)?
            .into_iter()
            .filter(|p| p.counted)
            .map(|p| (p.ts, p.value, p.grpid))
            .collect();
        Ok(trend::anomalies(&pts, tz))
    }

    /// The flagged weigh-ins (never excluded without the person's click).
    pub fn anomalies(&self, userid: Option<&str>) -> Result<Vec<Anomaly>, AppError> {
        let a = self.account_for(userid)?;
        let tz = self.tz_of(&a)?;
        self.anomalies_of(&a, &tz)
    }

    /// The account an entry or an import joins: the one named, else the only one, else a
    /// local account made for it. With several accounts the person must say which.
    fn target_account(&self, userid: Option<&str>, tz: Option<&str>) -> Result<(Account, bool), AppError> {
        if userid.is_some() {
            return Ok((self.account_for(userid)?, false));
        }
        let all: Vec<Account> = self.store()?.accounts()?.into_iter().filter(|a| !a.demo).collect();
        match all.len() {
            0 => {
                let now = self.now();
                let id = self.store()?.upsert_account(Provider::Local, LOCAL_USERID, None, None, now)?;
                let zone =
                    tz.map(str::to_string).or_else(|| TimeZone::system().iana_name().map(str::to_string));
                if let Some(z) = zone {
                    self.store()?.set_timezone(id, &z)?;
                }
                Ok((self.store()?.account(id)?, true))
            }
            1 => Ok((all.into_iter().next().ok_or(AppError::NoAccounts)?, false)),
            _ => Err(AppError::BadInput(format!(
                "there are {} accounts; choose one with --account ({})",
                all.len(),
                all.iter()
                    .map(|a| a.name.clone().unwrap_or_else(|| a.userid.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn entry_group(
        &self,
        a: &Account,
        e: &Entry,
        old: Option<&StoredGroup>,
    ) -> Result<StoredGroup, AppError> {
        let tz = self.tz_of(a)?;
        let date = match &e.at {
            Some(t) => {
                let local = withings_file::parse_local(t.trim()).ok_or_else(|| {
                    AppError::BadInput(format!("{t:?} is not a date and time; write it as 2026-11-30 07:15"))
                })?;
                local
                    .to_zoned(tz.clone())
                    .map_err(|e| {
                        AppError::BadInput(format!("{t:?} does not exist in {}: {e}", tz_name(&tz)))
                    })?
                    .timestamp()
                    .as_second()
            }
            None => old.map_or_else(|| self.now(), |g| g.date),
        };
        let mut measures: Vec<StoredMeasure> = old.map(|g| g.measures.clone()).unwrap_or_default();
        let mut set = |kind: MeasureType, v: ExactValue, written: String| {
            measures.retain(|m| m.kind != kind.0);
            measures.push(StoredMeasure::own(kind, v, Some(written)));
        };
        if let Some(w) = &e.weight {
            let unit = e.unit.unwrap_or_else(|| self.unit_of(a));
            let written = ExactValue::parse_decimal(w.trim())
                .filter(|v| v.value > 0)
                .ok_or_else(|| AppError::BadInput(format!("{w:?} is not a weight; write it like 80.2")))?;
            let kg = unit
                .exact_kg(written)
                .filter(|k| k.to_f64() < 700.0)
                .ok_or_else(|| AppError::BadInput(format!("{w} {} is not a body weight", unit.as_str())))?;
            set(MeasureType::WEIGHT, kg, format!("{written} {}", unit.as_str()));
        }
        if let Some(f) = &e.fat_ratio {
            let v = ExactValue::parse_decimal(f.trim().trim_end_matches('%').trim())
                .filter(|v| v.to_f64() > 0.0 && v.to_f64() < 100.0)
                .ok_or_else(|| {
                    AppError::BadInput(format!("{f:?} is not a fat percentage between 0 and 100"))
                })?;
            set(MeasureType::FAT_RATIO, v, format!("{v} %"));
        }
        if !measures.iter().any(|m| m.kind == MeasureType::WEIGHT.0) {
            return Err(AppError::BadInput("an entry needs a weight (--weight 80.2)".into()));
        }
        measures.sort_by_key(|m| (m.kind, m.position));
        let now = self.now();
        Ok(StoredGroup {
            grpid: old.map_or(0, |g| g.grpid),
            date,
            created: Some(old.and_then(|g| g.created).unwrap_or(now)),
            modified: Some(now),
            category: Category::REAL.0,
            attrib: Attrib::MANUAL.0,
            deviceid: None,
            model: None,
            comment: old.and_then(|g| g.comment.clone()),
            source: Source::Manual,
            measures,
        })
    }

    /// Adds a weigh-in of the person's own; returns its number (negative: Heft's own).
    pub fn add_entry(&self, userid: Option<&str>, e: &Entry) -> Result<(Account, i64), AppError> {
        let (a, made) = self.target_account(userid, None)?;
        let g = match self.entry_group(&a, e, None) {
            Ok(g) => g,
            Err(err) => {
                if made {
                    self.store()?.delete_account(a.id)?;
                }
                return Err(err);
            }
        };
        let ids = self.store()?.add_own(a.id, &[g])?;
        Ok((a, ids[0]))
    }

    /// Changes what is given of an entry of the person's own (or one they imported).
    pub fn edit_entry(&self, userid: Option<&str>, grpid: i64, e: &Entry) -> Result<(), AppError> {
        let a = self.account_for(userid)?;
        let old = self.store()?.own_group(a.id, grpid)?;
        let mut g = self.entry_group(&a, e, Some(&old))?;
        g.attrib = old.attrib;
        Ok(self.store()?.replace_own(a.id, &g)?)
    }

    /// Deletes an entry of the person's own (Withings' weigh-ins are excluded instead).
    pub fn remove_entry(&self, userid: Option<&str>, grpid: i64) -> Result<(), AppError> {
        let a = self.account_for(userid)?;
        Ok(self.store()?.remove_own(a.id, grpid)?)
    }

    /// Names an account ("Anna"); an empty name clears it.
    pub fn rename_account(&self, userid: Option<&str>, name: &str) -> Result<Account, AppError> {
        let a = self.account_for(userid)?;
        let name = name.trim();
        if name.chars().count() > 40 {
            return Err(AppError::BadInput("a name of at most 40 characters".into()));
        }
        self.store()?.set_account_name(a.id, (!name.is_empty()).then_some(name))?;
        Ok(self.store()?.account(a.id)?)
    }

    /// The account's colour, "#rrggbb", or `None` for the default.
    pub fn set_account_colour(&self, userid: Option<&str>, colour: Option<&str>) -> Result<(), AppError> {
        let a = self.account_for(userid)?;
        if let Some(c) = colour
            && !(c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(AppError::BadInput(format!("{c:?} is not a colour like #2f7d5b")));
        }
        Ok(self.store()?.set_account_colour(a.id, colour.map(|c| c.to_ascii_lowercase()).as_deref())?)
    }

    /// The account's own display unit (`None`: the default).
    pub fn set_account_unit(&self, userid: Option<&str>, unit: Option<MassUnit>) -> Result<(), AppError> {
        let a = self.account_for(userid)?;
        Ok(self.store()?.set_account_unit(a.id, unit.map(MassUnit::as_str))?)
    }

    /// Imports a file by its content: a Heft JSON export, or Withings' export (ZIP or
    /// `weight.csv`). The file is read as a stream with a cap that fits its kind (see
    /// [`crate::read_limit`]); a broken or oversized file stores nothing.
    pub fn import_path(&self, path: &Path, opts: &ImportOptions) -> Result<Imported, AppError> {
        let read_err = |source| ImportError::Read { path: path.display().to_string(), source };
        if path.is_dir() {
            // A Takeout as it unpacks: Fitbit's weight files in it or below it.
            let file = imports::read_folder(path, Choices { unit: opts.unit }).map_err(ImportError::from)?;
            return Ok(Imported::Withings(self.import_withings(&file, opts)?));
        }
        let mut file = std::fs::File::open(path).map_err(read_err)?;
        let mut head = Vec::new();
        (&mut file).take(HEAD).read_to_end(&mut head).map_err(read_err)?;
        file.rewind().map_err(read_err)?;
        // A file larger than its kind can be is refused by its size, before reading on. Apple
        // Health's XML is streamed whatever its size (it keeps only the body records).
        let cap = match (imports::detect(&head), withings_file::detect(&head)) {
            _ if opts.map.is_some() => Some((crate::read_limit::WEIGHT_CSV, "CSV")),
            (Some(imports::Format::AppleHealthXml), _) => None,
            (Some(_), _) => Some((crate::read_limit::WEIGHT_CSV, "export")),
            (None, Some(Kind::HeftJson)) => Some((crate::read_limit::HEFT_JSON, "Heft export")),
            (None, Some(Kind::WithingsCsv)) => Some((crate::read_limit::WEIGHT_CSV, "weight.csv")),
            (None, Some(Kind::WithingsZip) | None) => None,
        };
        let len = file.metadata().map_err(read_err)?.len();
        if let Some((cap, kind)) = cap.filter(|(cap, _)| len > *cap) {
            return Err(ImportError::from(crate::read_limit::file_too_large(cap, kind)).into());
        }
        let name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        self.import_reader(&head, std::io::BufReader::new(file), &name, opts)
    }

    /// A CSV's headers and first rows, for the window's column map.
    pub fn preview_csv(&self, path: &Path) -> Result<imports::generic::Preview, AppError> {
        let read_err = |source| ImportError::Read { path: path.display().to_string(), source };
        let file = std::fs::File::open(path).map_err(read_err)?;
        Ok(imports::generic::preview(std::io::BufReader::new(file), 5).map_err(ImportError::from)?)
    }

    /// [`App::import_path`] for a file's content (the window reads the file it was given).
    pub fn import_bytes(&self, bytes: &[u8], opts: &ImportOptions) -> Result<Imported, AppError> {
        self.import_reader(
            &bytes[..bytes.len().min(HEAD as usize)],
            std::io::Cursor::new(bytes),
            "the file",
            opts,
        )
    }

    /// Imports what `r` holds, told by `head`, its first bytes.
    fn import_reader(
        &self,
        head: &[u8],
        mut r: impl Read + Seek,
        name: &str,
        opts: &ImportOptions,
    ) -> Result<Imported, AppError> {
        let choices = Choices { unit: opts.unit };
        let file = if let Some(map) = &opts.map {
            let mut map = map.clone();
            if map.unit.is_none() {
                map.unit = opts.unit.map(|u| imports::generic::Source::Value(u.as_str().to_string()));
            }
            imports::generic::read(r, &map)
        } else if let Some(format) = imports::detect(head) {
            imports::read(format, r, name, choices)
        } else {
            match withings_file::detect(head) {
                Some(Kind::HeftJson) => return Ok(Imported::Heft(self.import_json(r)?)),
                Some(Kind::WithingsZip) => match imports::read_zip(&mut r, choices)
                    .map_err(ImportError::from)?
                {
                    Some(file) => Ok(file),
                    None => {
                        r.rewind()
                            .map_err(|e| ImportError::from(withings_file::FileError::Zip(e.to_string())))?;
                        withings_file::read_zip(r)
                    }
                },
                Some(Kind::WithingsCsv) => withings_file::read_csv(r),
                None => {
                    return Err(ImportError::from(withings_file::FileError::NotAnExport(
                        "this is not a file Heft reads: a Heft backup (JSON), Withings' export (its ZIP or \
                         weight.csv), Apple Health's export.zip or export.xml, Fitbit's weight files (a Takeout \
                         ZIP, its folder or one weight-….json), openScale's CSV or Libra's CSV"
                            .into(),
                    ))
                    .into());
                }
            }
        };
        let file = file.map_err(ImportError::from)?;
        Ok(Imported::Withings(self.import_withings(&file, opts)?))
    }

    /// Adds a Withings export's weigh-ins to an account in one transaction, leaving out rows
    /// that repeat another exactly and those the account already has (one to one: within a
    /// minute, the same weight at the file's precision).
    pub fn import_withings(
        &self,
        file: &ImportFile,
        opts: &ImportOptions,
    ) -> Result<WithingsImport, AppError> {
        if file.needs_timezone && opts.timezone.is_none() {
            return Err(ImportError::from(withings_file::FileError::NeedsTimezone { app: file.app }).into());
        }
        if let Some(z) = &opts.timezone {
            TimeZone::get(z)
                .map_err(|_| AppError::BadInput(format!("{z:?} is not a time zone (e.g. Europe/Berlin)")))?;
        }
        let (a, made) = self
            .target_account(opts.account.as_deref(), opts.timezone.as_deref().or(file.timezone.as_deref()))?;
        let result = self.import_into(&a, file, opts);
        if result.is_err() && made {
            self.store()?.delete_account(a.id)?;
        }
        result
    }

    fn import_into(
        &self,
        a: &Account,
        file: &ImportFile,
        opts: &ImportOptions,
    ) -> Result<WithingsImport, AppError> {
        let (tz, timezone_from) = match (&opts.timezone, &file.timezone, &a.timezone) {
            (Some(z), ..) => (TimeZone::get(z).ok(), "--timezone"),
            (None, Some(z), _) => (TimeZone::get(z).ok(), "devices.csv"),
            (None, None, Some(z)) => (TimeZone::get(z).ok(), "the account"),
            (None, None, None) => (None, "this computer"),
        };
        let tz = tz.unwrap_or_else(TimeZone::system);
        // Apple Health's and Libra's times are instants: no zone is chosen for them.
        let exact = !file.rows.is_empty() && file.rows.iter().all(|r| matches!(r.at, Moment::Exact(_)));
        let timezone_from =
            if exact { "the file: each time is UTC or carries its offset" } else { timezone_from };
        // Inside the file only an exact repeat is a duplicate: the same second and the same
        // values. Two rows with the same weight seconds apart are two weigh-ins (a person who
        // stepped on twice). Oldest first, so the grpids follow time like Withings' do.
        let mut distinct: HashMap<Moment, Vec<&Row>> = HashMap::new();
        let (mut rows, mut repeats) = (Vec::new(), 0);
        for row in file.rows.iter().rev() {
            let same_second = distinct.entry(row.at).or_default();
            if same_second.iter().any(|r| r.repeats(row)) {
                repeats += 1;
            } else {
                same_second.push(row);
                rows.push((row, row_group(row, &tz, self.now())?));
            }
        }
        // Against what is stored (synced from Withings, an earlier import, typed by hand) a
        // row is a weigh-in already there when one lies within a minute with its weight at
        // the written precision, one to one: each stored weigh-in stands for one row only.
        let stored = self.store()?.weigh_in_keys(a.id)?;
        let mut written: Vec<WrittenWeighIn> = rows
            .iter()
            .map(|(row, g)| WrittenWeighIn {
                date: g.date,
                weight: row.weight().value,
                unit: row.weight().unit,
            })
            .collect();
        at_column_precision(&mut written);
        let pairs = pair_weigh_ins(&stored, &written);
        let stand_for: Vec<i64> = pairs
            .iter()
            .flatten()
            .map(|&i| &stored[i])
            .filter(|k| k.source.is_withings())
            .map(|k| k.grpid)
            .collect();
        // Where each row was read from: the file's app, and the app or device it names.
        let name = |row: &Row| match &row.source {
            // Apple's own "Health" app is Apple Health itself.
            Some(s) if !file.app.contains(s.as_str()) => format!("{} ({s})", export_name(file.app)),
            _ => export_name(file.app).to_string(),
        };
        let found: Vec<(i64, String)> = rows
            .iter()
            .zip(&pairs)
            .filter_map(|((row, _), p)| p.map(|i| (stored[i].grpid, name(row))))
            .collect();
        let (groups, names): (Vec<StoredGroup>, Vec<String>) = rows
            .into_iter()
            .zip(&pairs)
            .filter(|(_, p)| p.is_none())
            .map(|((row, g), _)| (g, name(row)))
            .unzip();
        self.store()?.add_imported(a.id, &groups, &names, &stand_for, &found)?;
        let already_stored = pairs.iter().flatten().count();
        Ok(WithingsImport {
            app: file.app,
            userid: a.userid.clone(),
            imported: groups.len(),
            already_stored,
            exact_repeats: repeats,
            ignored_columns: file.ignored_columns.clone(),
            timezone: if exact { "written".into() } else { tz_name(&tz) },
            timezone_from,
            summary: summary(groups.len(), already_stored, repeats),
        })
    }

    /// Every counted weigh-in of the account as a FIT weight file.
    pub(super) fn fit_bytes(&self, userid: Option<&str>) -> Result<(Vec<u8>, usize), AppError> {
        let a = self.account_for(userid)?;
        let verdicts = self.store()?.verdicts(a.id)?;
        let mut groups = self.store()?.groups(a.id)?;
        groups.reverse();
        let ins: Vec<crate::fit_export::FitWeighIn> = groups
            .iter()
            .filter(|g| g.category == Category::REAL.0)
            .filter(|g| Standing::of(verdicts.get(&g.grpid), Attrib(g.attrib)) == Standing::Counted)
            .filter_map(crate::fit_export::FitWeighIn::from_group)
            .collect();
        if ins.is_empty() {
            return Err(crate::chart::ChartError::NoData("weight".into()).into());
        }
        let bytes = crate::fit_export::encode(&ins, self.now())
            .map_err(|e| crate::export::ExportError::Fit(e.to_string()))?;
        Ok((bytes, ins.len()))
    }
}

fn tz_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("UTC").to_string()
}

/// One row as a group of Heft's own: each mass exact in kg with what the file wrote; the fat
/// ratio (fat mass / weight) and, without a lean mass column, the fat-free mass (weight − fat
/// mass) derived from them.
fn row_group(row: &Row, tz: &TimeZone, now: i64) -> Result<StoredGroup, AppError> {
    let bad = |reason: String| -> AppError {
        ImportError::from(withings_file::FileError::Row { line: row.line, column: "Date".into(), reason })
            .into()
    };
    let date = match row.at {
        Moment::Local(local) => local
            .to_zoned(tz.clone())
            .map_err(|e| bad(format!("{local} does not exist in {}: {e}", tz_name(tz))))?
            .timestamp()
            .as_second(),
        Moment::Exact(at) => at.as_second(),
    };
    let mut measures = Vec::new();
    let mut kg_of: HashMap<i64, ExactValue> = HashMap::new();
    for w in &row.masses {
        let kg = w.exact_kg().ok_or_else(|| bad(format!("{} is too precise to convert", w.text())))?;
        kg_of.insert(w.kind.0, kg);
        measures.push(StoredMeasure::own(w.kind, kg, Some(w.text())));
    }
    let derived = |kind: MeasureType, v: ExactValue| StoredMeasure::own(kind, v, None);
    // A ratio as written (Apple Health, Libra, openScale): the fat mass follows from it, so the
    // fat / lean charts and the split read it like Withings' own.
    if let (Some(ratio), Some(w)) = (row.fat_ratio, kg_of.get(&MeasureType::WEIGHT.0).copied())
        && !kg_of.contains_key(&MeasureType::FAT_MASS.0)
    {
        measures.push(StoredMeasure::own(MeasureType::FAT_RATIO, ratio, Some(format!("{ratio} %"))));
        let fat = w.to_f64() * ratio.to_f64() / 100.0;
        let fat = ExactValue::new((fat * 1000.0).round() as i64, -3);
        measures.push(derived(MeasureType::FAT_MASS, fat));
        if !kg_of.contains_key(&MeasureType::FAT_FREE_MASS.0)
            && let Some(lean) = w.checked_sub(fat)
        {
            measures.push(derived(MeasureType::FAT_FREE_MASS, lean));
        }
    }
    if let (Some(w), Some(f)) = (kg_of.get(&MeasureType::WEIGHT.0), kg_of.get(&MeasureType::FAT_MASS.0)) {
        let ratio = f.to_f64() / w.to_f64() * 100.0;
        measures.push(derived(MeasureType::FAT_RATIO, ExactValue::new((ratio * 1000.0).round() as i64, -3)));
        if !kg_of.contains_key(&MeasureType::FAT_FREE_MASS.0)
            && let Some(lean) = w.checked_sub(*f)
        {
            measures.push(derived(MeasureType::FAT_FREE_MASS, lean));
        }
    }
    measures.sort_by_key(|m| (m.kind, m.position));
    Ok(StoredGroup {
        grpid: 0,
        date,
        created: Some(now),
        modified: Some(now),
        category: Category::REAL.0,
        attrib: Attrib::DEVICE.0,
        deviceid: None,
        model: row.source.clone(),
        comment: row.comment.clone(),
        source: Source::Import,
        measures,
    })
}
