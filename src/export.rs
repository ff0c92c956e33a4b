//! Lossless JSON export and import (DESIGN §4): every group with its raw measures exactly as
//! Withings sent them, so an import restores the same data.

use serde::{Deserialize, Serialize};

use crate::auth::Provider;
use crate::store::{ApplyOutcome, Store, StoreError, StoredGroup, Verdict};

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
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Store(e) => e.code(),
            ExportError::Encode(_)
            | ExportError::Csv(_)
            | ExportError::Fit(_)
            | ExportError::Write { .. } => "export_failed",
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
}

impl ImportError {
    /// A stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Store(e) => e.code(),
            ImportError::NotAnExport(_)
            | ImportError::TooNew(_)
            | ImportError::Read { .. }
            | ImportError::File(_) => "import_failed",
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

/// What an import did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub accounts: usize,
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// Every account's history.
pub fn export(store: &Store) -> Result<Export, ExportError> {
    let mut out =
        Export { format: FORMAT.into(), version: VERSION, accounts: Vec::new(), groups: Vec::new() };
    for a in store.accounts()? {
        let mut verdicts = store.verdicts(a.id)?;
        let twins = store.import_twins(a.id)?;
        for g in store.groups(a.id)? {
            out.groups.push(ExportGroup {
                account: a.userid.clone(),
                provider: Some(a.provider.as_str().to_string()),
                verdict: verdicts.remove(&g.grpid),
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
    let e: Export = serde_json::from_slice(bytes).map_err(|e| ImportError::NotAnExport(e.to_string()))?;
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

/// Restores an export; each account's groups go in in one transaction.
pub fn import(store: &mut Store, data: Export, now: i64) -> Result<ImportReport, ImportError> {
    let mut total = ApplyOutcome::default();
    let mut accounts = 0;
    for a in &data.accounts {
        let provider = Provider::parse(&a.provider).map_err(|e| ImportError::NotAnExport(e.to_string()))?;
        let id = match store.accounts()?.into_iter().find(|x| x.provider == provider && x.userid == a.userid)
        {
            Some(existing) => existing.id,
            None => store.upsert_account(provider, &a.userid, None, None, now)?,
        };
        if let Some(tz) = &a.timezone {
            store.set_timezone(id, tz)?;
        }
        if let Some(n) = &a.name {
            store.set_account_name(id, Some(n))?;
        }
        if a.goal_kg.is_some() {
            store.set_account_goal(id, a.goal_kg)?;
        }
        if let Some(u) = &a.unit {
            store.set_account_unit(id, Some(u))?;
        }
        if let Some(c) = &a.colour {
            store.set_account_colour(id, Some(c))?;
        }
        let mine: Vec<&ExportGroup> = data.groups.iter().filter(|g| g.belongs_to(a)).collect();
        // Withings' groups are theirs by grpid. The person's own keep their number unless this
        // database holds a different weigh-in under it (then they get a new one); one that is
        // here already under another number is not added twice.
        let own_here: Vec<StoredGroup> =
            store.groups(id)?.into_iter().filter(|g| !g.source.is_withings()).collect();
        let same_weigh_in = |x: &StoredGroup, y: &StoredGroup| x.date == y.date && x.measures == y.measures;
        let (mut by_number, mut renumbered): (Vec<&ExportGroup>, Vec<&ExportGroup>) =
            (Vec::new(), Vec::new());
        for g in mine {
            let own = !g.group.source.is_withings();
            match own_here.iter().find(|x| x.grpid == g.group.grpid) {
                Some(x) if own && x != &g.group && !own_here.iter().any(|y| same_weigh_in(y, &g.group)) => {
                    renumbered.push(g)
                }
                _ if own
                    && own_here.iter().any(|y| y.grpid != g.group.grpid && same_weigh_in(y, &g.group)) =>
                {
                    total.unchanged += 1
                }
                _ => by_number.push(g),
            }
        }
        let groups: Vec<StoredGroup> = by_number.iter().map(|g| g.group.clone()).collect();
        total.add(store.apply(id, &groups, &[], None)?);
        let twins: Vec<i64> = by_number
            .iter()
            .filter(|g| g.stands_for_import && g.group.source.is_withings())
            .map(|g| g.group.grpid)
            .collect();
        store.set_import_twins(id, &twins)?;
        for g in by_number {
            if let Some(v) = &g.verdict {
                store.set_verdict(id, g.group.grpid, v)?;
            }
        }
        let fresh: Vec<StoredGroup> = renumbered.iter().map(|g| g.group.clone()).collect();
        let numbers = store.add_own(id, &fresh)?;
        total.added += numbers.len() as u64;
        for (g, n) in renumbered.iter().zip(numbers) {
            if let Some(v) = &g.verdict {
                store.set_verdict(id, n, v)?;
            }
        }
        accounts += 1;
    }
    Ok(ImportReport { accounts, added: total.added, changed: total.changed, unchanged: total.unchanged })
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
        assert_eq!((r.added, r.changed), (1, 0), "the backed-up entry comes back beside the new one");
        let dates: Vec<i64> = store.groups(id).expect("groups").iter().map(|g| g.date).collect();
        assert_eq!(dates, vec![1_700_100_000, 1_700_000_000]);
        let again = import(&mut store, backup, 0).expect("imports again");
        assert_eq!((again.added, again.changed, again.unchanged), (0, 0, 1), "not twice");
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
