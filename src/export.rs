//! Lossless JSON export and import (DESIGN §4): every group with its raw measures exactly as
//! Withings sent them, so an import restores the same data.

use crate::error_code::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::auth::Provider;
use crate::read_limit::{self, Bounded};
use crate::store::{Account, RestoreAccount, RestoreGroup, Store, StoreError, StoredGroup, Verdict};

pub const FORMAT: &str = "heft-export";
pub const VERSION: u32 = 1;

/// What can go wrong writing an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot encode the export: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("cannot write the CSV: {0}")]
    Csv(#[source] csv::Error),
    #[error("cannot encode the FIT file: {0}")]
    Fit(String),
    #[error("cannot write {path}: {source}; nothing was written")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl ExportError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ExportError::Store(e) => e.code(),
            ExportError::Encode(_)
            | ExportError::Csv(_)
            | ExportError::Fit(_)
            | ExportError::Write { .. } => ErrorCode::ExportFailed,
        }
    }
}

/// What can go wrong reading an import; in every case nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("this is not a Heft JSON export ({0}); nothing was imported")]
    NotAnExport(String),
    #[error("this export is version {0}, newer than this Heft understands; update Heft")]
    TooNew(u32),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    File(#[from] crate::withings_file::FileError),
    #[error(transparent)]
    TooLarge(#[from] read_limit::TooLarge),
}

impl ImportError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::Store(e) => e.code(),
            ImportError::NotAnExport(_)
            | ImportError::TooNew(_)
            | ImportError::Read { .. }
            | ImportError::File(_)
            | ImportError::TooLarge(_) => ErrorCode::ImportFailed,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExportAccount {
    pub provider: String,
    pub userid: String,
    #[serde(default)]
    pub timezone: Option<String>,
    /// The name the person gave the account, its goal (kg), unit and colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal_kg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExportGroup {
    /// The Withings userid the group belongs to.
    pub account: String,
    /// The account's provider: the same person can be connected through OAuth 2.0 and 1.0a
    /// (or be a demo user with the same number). Absent in older files, which match by userid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(flatten)]
    pub group: StoredGroup,
    /// The person's decision about it (excluded, "mine", "not me"), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// The person's note on it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where it was read from besides the API (an import's app).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// A Withings weigh-in that stands for one of an imported export file (so no second
    /// imported weigh-in of that minute and weight is taken for a copy of it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stands_for_import: bool,
}

impl ExportGroup {
    fn belongs_to(&self, a: &ExportAccount) -> bool {
        self.account == a.userid && self.provider.as_ref().is_none_or(|p| *p == a.provider)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Export {
    pub format: String,
    pub version: u32,
    pub accounts: Vec<ExportAccount>,
    pub groups: Vec<ExportGroup>,
}

/// What restoring a backup did. A backup only adds: nothing stored here is changed.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub accounts: usize,
    /// Weigh-ins added.
    pub added: u64,
    /// Weigh-ins of the backup already here as they are.
    pub unchanged: u64,
    /// Weigh-ins of which this database holds a different copy under the same number (one
    /// Withings changed since the backup, say), kept as they are here.
    pub skipped: u64,
    /// Account details (name, time zone, goal, unit, colour) kept over the backup's, in words.
    pub kept: Vec<String>,
    /// The counts in words (the window shows it as it is).
    pub summary: String,
}

impl ImportReport {
    fn new(accounts: usize, added: u64, unchanged: u64, skipped: u64, kept: Vec<String>) -> Self {
        let s = |n: u64| if n == 1 { "" } else { "s" };
        let mut summary = format!(
            "Imported {accounts} account{}: {added} weigh-in{} added, {unchanged} already here",
            s(accounts as u64),
            s(added)
        );
        if skipped > 0 {
            summary +=
                &format!("; {skipped} left out because this computer holds a different copy (kept as it is)");
        }
        for k in &kept {
            summary += &format!("; {k}");
        }
        ImportReport { accounts, added, unchanged, skipped, kept, summary }
    }
}

/// Every account's history.
pub fn export(store: &Store) -> Result<Export, ExportError> {
    let mut out =
        Export { format: FORMAT.into(), version: VERSION, accounts: Vec::new(), groups: Vec::new() };
    for a in store.accounts()? {
        let mut verdicts = store.verdicts(a.id)?;
        let mut notes = store.notes(a.id)?;
        let mut sources = store.sources(a.id)?;
        let twins = store.import_twins(a.id)?;
        for g in store.groups(a.id)? {
            out.groups.push(ExportGroup {
                account: a.userid.clone(),
                provider: Some(a.provider.as_str().to_string()),
                verdict: verdicts.remove(&g.grpid),
                note: notes.remove(&g.grpid),
                sources: sources.remove(&g.grpid).unwrap_or_default(),
                stands_for_import: twins.contains(&g.grpid),
                group: g,
            });
        }
        out.accounts.push(ExportAccount {
            provider: a.provider.as_str().to_string(),
            userid: a.userid,
            timezone: a.timezone,
            name: a.name,
            goal_kg: a.goal_kg,
            unit: a.unit,
            colour: a.colour,
        });
    }
    Ok(out)
}

/// Parses the whole file before touching the database: a broken file changes nothing.
pub fn parse(bytes: &[u8]) -> Result<Export, ImportError> {
    parse_reader(bytes)
}

/// [`parse`] as a stream, at most [`read_limit::HEFT_JSON`] of it, so a file of any size
/// never takes more memory than an export of that size would.
pub fn parse_reader(r: impl std::io::Read) -> Result<Export, ImportError> {
    let mut bounded = Bounded::new(r, read_limit::HEFT_JSON);
    let parsed = serde_json::from_reader(std::io::BufReader::new(&mut bounded));
    if bounded.exceeded() {
        return Err(read_limit::file_too_large(read_limit::HEFT_JSON, "Heft export").into());
    }
    validate(parsed.map_err(|e| ImportError::NotAnExport(e.to_string()))?)
}

fn validate(e: Export) -> Result<Export, ImportError> {
    if e.format != FORMAT {
        return Err(ImportError::NotAnExport(format!("format is {:?}", e.format)));
    }
    if e.version > VERSION {
        return Err(ImportError::TooNew(e.version));
    }
    if let Some(bad) = e.accounts.iter().find_map(|a| Provider::parse(&a.provider).err()) {
        return Err(ImportError::NotAnExport(bad.to_string()));
    }
    let implausible = e.groups.iter().find_map(|g| {
        crate::withings::wire::implausible(
            g.group.grpid,
            g.group.date,
            g.group.measures.iter().map(|m| m.unit),
        )
    });
    if let Some(why) = implausible {
        return Err(ImportError::NotAnExport(why));
    }
    if let Some(g) = e.groups.iter().find(|g| !e.accounts.iter().any(|a| g.belongs_to(a))) {
        return Err(ImportError::NotAnExport(format!("group {} names an unknown account", g.group.grpid)));
    }
    Ok(e)
}

/// Restores a backup in one transaction (every account of it or none). It only adds: an
/// account's name, time zone, goal, unit and colour fill in what the account lacks, and a
/// group fills in a number the account lacks; what this database holds (above all what
/// came from Withings) is kept, and the report says what of the backup was left out.
pub fn import(store: &mut Store, data: Export, now: i64) -> Result<ImportReport, ImportError> {
    let here = store.accounts()?;
    let mut plan = Vec::with_capacity(data.accounts.len());
    let mut kept = Vec::new();
    for a in &data.accounts {
        let provider = Provider::parse(&a.provider).map_err(|e| ImportError::NotAnExport(e.to_string()))?;
        let existing = here.iter().find(|x| x.provider == provider && x.userid == a.userid);
        let mine: Vec<&ExportGroup> = data.groups.iter().filter(|g| g.belongs_to(a)).collect();
        let Placed { by_number, renumbered, found_here } = match existing {
            Some(x) => {
                kept.extend(kept_details(x, a));
                place_groups(&store.groups(x.id)?, mine)
            }
            None => Placed { by_number: mine, ..Placed::default() },
        };
        // Those stored here under another number are not added twice.
        let unchanged = found_here.len() as u64;
        let with_verdict = |g: &&ExportGroup| RestoreGroup {
            group: g.group.clone(),
            verdict: g.verdict.clone(),
            note: g.note.clone(),
            sources: g.sources.clone(),
        };
        plan.push((
            RestoreAccount {
                provider,
                userid: a.userid.clone(),
                timezone: a.timezone.clone(),
                name: a.name.clone(),
                goal_kg: a.goal_kg,
                unit: a.unit.clone(),
                colour: a.colour.clone(),
                twins: by_number
                    .iter()
                    .filter(|g| g.stands_for_import && g.group.source.is_withings())
                    .map(|g| g.group.grpid)
                    .collect(),
                by_number: by_number.iter().map(with_verdict).collect(),
                renumbered: renumbered.iter().map(with_verdict).collect(),
                found_here: found_here.iter().map(|(here, g)| (*here, with_verdict(g))).collect(),
            },
            unchanged,
        ));
    }
    let unchanged: u64 = plan.iter().map(|(_, n)| n).sum();
    let accounts: Vec<RestoreAccount> = plan.into_iter().map(|(a, _)| a).collect();
    let out = store.restore(&accounts, now)?;
    Ok(ImportReport::new(accounts.len(), out.added, out.unchanged + unchanged, out.skipped, kept))
}

/// Where a backup's groups go in an account that exists here.
#[derive(Default)]
struct Placed<'a> {
    by_number: Vec<&'a ExportGroup>,
    renumbered: Vec<&'a ExportGroup>,
    /// The person's own weigh-ins stored here under another number: `(that number, group)`.
    found_here: Vec<(i64, &'a ExportGroup)>,
}

/// Which of the person's own groups in the backup keep their number. Withings' groups are
/// theirs by grpid. The person's own keep their number unless this account holds a different
/// weigh-in under it (then they get a new one); one that is here already under another
/// number is not added twice, but what was said of it (note, verdict, sources) goes to it.
fn place_groups<'a>(here: &[StoredGroup], mine: Vec<&'a ExportGroup>) -> Placed<'a> {
    let own_here: Vec<&StoredGroup> = here.iter().filter(|g| !g.source.is_withings()).collect();
    let same_weigh_in = |x: &StoredGroup, y: &StoredGroup| x.date == y.date && x.measures == y.measures;
    let mut placed = Placed::default();
    for g in mine {
        let own = !g.group.source.is_withings();
        let elsewhere = own_here.iter().find(|y| y.grpid != g.group.grpid && same_weigh_in(y, &g.group));
        match own_here.iter().find(|x| x.grpid == g.group.grpid) {
            Some(x) if own && **x != g.group && !own_here.iter().any(|y| same_weigh_in(y, &g.group)) => {
                placed.renumbered.push(g)
            }
            _ if own && elsewhere.is_some() => {
                placed.found_here.extend(elsewhere.map(|y| (y.grpid, g)));
            }
            _ => placed.by_number.push(g),
        }
    }
    placed
}

/// The details of an existing account a backup would have changed, in words.
fn kept_details(here: &Account, backup: &ExportAccount) -> Vec<String> {
    let who = here.name.clone().unwrap_or_else(|| format!("account {}", here.userid));
    let mut kept = Vec::new();
    let mut differs = |what: &str, here: Option<String>, theirs: Option<String>| {
        if let (Some(h), Some(t)) = (here, theirs)
            && h != t
        {
            kept.push(format!("{who}: kept its {what} {h:?} (the backup says {t:?})"));
        }
    };
    differs("name", here.name.clone(), backup.name.clone());
    differs("time zone", here.timezone.clone(), backup.timezone.clone());
    differs("goal (kg)", here.goal_kg.map(|g| g.to_string()), backup.goal_kg.map(|g| g.to_string()));
    differs("unit", here.unit.clone(), backup.unit.clone());
    differs("colour", here.colour.clone(), backup.colour.clone());
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(date: i64, unit: i32) -> String {
        format!(
            r#"{{"format":"heft-export","version":1,"accounts":[{{"provider":"withings","userid":"7"}}],
            "groups":[{{"account":"7","grpid":1,"date":{date},"category":1,"attrib":0,
            "measures":[{{"type":1,"value":72345,"unit":{unit}}}]}}]}}"#
        )
    }

    #[test]
    fn the_same_userid_under_two_providers_keeps_its_own_groups() {
        let file = r#"{"format":"heft-export","version":1,
            "accounts":[{"provider":"withings","userid":"7"},{"provider":"withings-oauth1","userid":"7"}],
            "groups":[{"account":"7","provider":"withings","grpid":1,"date":1700000000,"category":1,"attrib":0,
                       "measures":[{"type":1,"value":70000,"unit":-3}]},
                      {"account":"7","provider":"withings-oauth1","grpid":2,"date":1700000100,"category":1,"attrib":0,
                       "measures":[{"type":1,"value":71000,"unit":-3}]}]}"#;
        let mut store = Store::open(std::path::Path::new(":memory:")).expect("store");
        let report = import(&mut store, parse(file.as_bytes()).expect("parses"), 0).expect("imports");
        assert_eq!(report.added, 2, "each group once, in its own account");
        let out = export(&store).expect("exports");
        let ids = |p: &str| -> Vec<i64> {
            out.groups.iter().filter(|g| g.provider.as_deref() == Some(p)).map(|g| g.group.grpid).collect()
        };
        assert_eq!(ids("withings"), vec![1]);
        assert_eq!(ids("withings-oauth1"), vec![2]);
    }

    #[test]
    fn a_backup_of_entries_of_ones_own_never_overwrites_or_doubles_different_ones() {
        let mut store = Store::open(std::path::Path::new(":memory:")).expect("store");
        let id = store.upsert_account(Provider::Local, "local", None, None, 0).expect("account");
        let entry = |date: i64, grams: i64| StoredGroup {
            grpid: 0,
            date,
            created: None,
            modified: None,
            category: 1,
            attrib: 2,
            deviceid: None,
            model: None,
            comment: None,
            source: crate::model::Source::Manual,
            measures: vec![crate::store::StoredMeasure {
                kind: 1,
                position: None,
                value: grams,
                unit: -3,
                algo: None,
                fm: None,
                written: None,
            }],
        };
        store.add_own(id, &[entry(1_700_000_000, 80_000)]).expect("first entry");
        let backup = export(&store).expect("exports");
        // After the backup: that entry deleted and another typed, which gets the same number.
        store.remove_own(id, -1).expect("removed");
        store.add_own(id, &[entry(1_700_100_000, 79_000)]).expect("second entry");
        let r = import(&mut store, backup.clone(), 0).expect("imports");
        assert_eq!((r.added, r.skipped), (1, 0), "the backed-up entry comes back beside the new one");
        let dates: Vec<i64> = store.groups(id).expect("groups").iter().map(|g| g.date).collect();
        assert_eq!(dates, vec![1_700_100_000, 1_700_000_000]);
        let again = import(&mut store, backup, 0).expect("imports again");
        assert_eq!((again.added, again.skipped, again.unchanged), (0, 0, 1), "not twice");
    }

    /// A group from Withings under `grpid` weighing `grams`, as the JSON of a backup writes it.
    fn withings_group(account: &str, grpid: i64, grams: i64) -> String {
        format!(
            r#"{{"account":"{account}","grpid":{grpid},"date":{},"category":1,"attrib":0,
                "measures":[{{"type":1,"value":{grams},"unit":-3}}]}}"#,
            1_700_000_000 + grpid * 86_400
        )
    }

    /// Issue 5 of the import review: a crafted backup overwrote an existing account's name,
    /// zone and goal and its synced Withings weigh-ins.
    #[test]
    fn a_backup_never_changes_what_an_account_already_holds_and_says_what_it_left_out() {
        let mut store = Store::open(std::path::Path::new(":memory:")).expect("store");
        let id = store.upsert_account(Provider::Withings, "7", None, None, 0).expect("account");
        store.set_account_name(id, Some("Anna")).expect("name");
        store.set_timezone(id, "Europe/Berlin").expect("zone");
        store.set_account_goal(id, Some(60.0)).expect("goal");
        let synced = parse(
            format!(
                r#"{{"format":"heft-export","version":1,"accounts":[{{"provider":"withings","userid":"7"}}],
                "groups":[{}]}}"#,
                withings_group("7", 1, 70_000)
            )
            .as_bytes(),
        )
        .expect("parses");
        import(&mut store, synced, 0).expect("the synced weigh-in");
        let before = store.groups(id).expect("groups");

        let crafted = format!(
            r#"{{"format":"heft-export","version":1,
            "accounts":[{{"provider":"withings","userid":"7","name":"Mallory","timezone":"UTC",
                          "goal_kg":99.0,"unit":"lb"}}],
            "groups":[{},{}]}}"#,
            withings_group("7", 1, 50_000),
            withings_group("7", 2, 71_000)
        );
        let r = import(&mut store, parse(crafted.as_bytes()).expect("parses"), 0).expect("imports");
        assert_eq!(
            (r.added, r.skipped, r.unchanged),
            (1, 1, 0),
            "adds the missing one, keeps the synced one"
        );
        let a = store.account(id).expect("account");
        assert_eq!(a.name.as_deref(), Some("Anna"), "the name the person gave is kept");
        assert_eq!(a.timezone.as_deref(), Some("Europe/Berlin"), "the zone is kept");
        assert_eq!(a.goal_kg, Some(60.0), "the goal is kept");
        assert_eq!(a.unit.as_deref(), Some("lb"), "a detail the account lacked is filled in");
        let after = store.groups(id).expect("groups");
        assert_eq!(
            after.iter().find(|g| g.grpid == 1),
            before.iter().find(|g| g.grpid == 1),
            "Withings' copy kept"
        );
        assert!(after.iter().any(|g| g.grpid == 2), "the weigh-in the account lacked is added");
        for word in ["name \"Anna\"", "time zone \"Europe/Berlin\"", "goal (kg) \"60\""] {
            assert!(
                r.kept.iter().any(|k| k.contains(word)),
                "the report says it kept the {word}: {:?}",
                r.kept
            );
        }
        assert!(
            r.summary.contains("1 left out because this computer holds a different copy"),
            "{}",
            r.summary
        );
    }

    /// Each account of a backup was its own transaction: a failure in the second left the
    /// first half-restored.
    #[test]
    fn a_failure_in_the_second_account_of_a_backup_stores_nothing_of_the_first() {
        let mut store = Store::open(std::path::Path::new(":memory:")).expect("store");
        // The second account's weigh-in names the same measure twice: the database refuses it.
        let twice = r#"{"account":"9","grpid":5,"date":1700000000,"category":1,"attrib":0,
            "measures":[{"type":1,"value":70000,"unit":-3},{"type":1,"value":70000,"unit":-3}]}"#;
        let backup = format!(
            r#"{{"format":"heft-export","version":1,
            "accounts":[{{"provider":"withings","userid":"8","name":"Ben"}},{{"provider":"withings","userid":"9"}}],
            "groups":[{},{twice}]}}"#,
            withings_group("8", 1, 80_000)
        );
        let data = parse(backup.as_bytes()).expect("parses");
        assert!(import(&mut store, data, 0).is_err(), "the second account fails");
        assert!(store.accounts().expect("accounts").is_empty(), "no account of the backup is stored");
    }

    #[test]
    fn a_file_with_impossible_values_is_refused_before_anything_is_imported() {
        assert!(parse(file(1_700_000_000, -3).as_bytes()).is_ok());
        for (date, unit, why) in [(1_700_000_000, 400, "exponent 400"), (-5, -3, "impossible date -5")] {
            let err = parse(file(date, unit).as_bytes()).expect_err("refused").to_string();
            assert!(err.contains(why), "{err}");
        }
    }
}
