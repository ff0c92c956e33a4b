//! Weigh-ins as CSV for spreadsheets: one row per measurement, one column per body metric,
//! values as exact decimals (what Withings sent, never a float artefact) and times in the
//! account's own time zone. The lossless format for backups stays the JSON export.

use std::io::Write;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::export::ExportError;
use crate::model::{Attrib, Category, ExactValue, MeasureType};
use crate::store::{Standing, Store, StoredGroup};

/// The metric columns, in the order a person reads them.
const METRICS: &[(MeasureType, &str)] = &[
    (MeasureType::WEIGHT, "Weight (kg)"),
    (MeasureType::FAT_RATIO, "Fat ratio (%)"),
    (MeasureType::FAT_MASS, "Fat mass (kg)"),
    (MeasureType::FAT_FREE_MASS, "Fat-free mass (kg)"),
    (MeasureType::MUSCLE_MASS, "Muscle mass (kg)"),
    (MeasureType::HYDRATION, "Hydration (kg)"),
    (MeasureType::BONE_MASS, "Bone mass (kg)"),
];

/// Writes every account's body measurements, oldest first; goals and groups without any of
/// the metric columns (blood pressure, say) are left out. Returns the number of rows.
pub fn write_csv(store: &Store, out: impl Write) -> Result<usize, ExportError> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["Account", "Date", "Time zone"];
    header.extend(METRICS.iter().map(|(_, name)| *name));
    header.extend(["Source", "Counted", "Group id"]);
    w.write_record(&header).map_err(ExportError::Csv)?;
    let mut rows = 0;
    for a in store.accounts()? {
        let zone_name = a.timezone.clone().unwrap_or_else(|| "UTC".into());
        let zone = TimeZone::get(&zone_name).unwrap_or(TimeZone::UTC);
        let account = format!("{}:{}", a.provider, a.userid);
        let verdicts = store.verdicts(a.id)?;
        for g in store.groups(a.id)?.iter().rev() {
            let Some(values) = metric_values(g) else { continue };
            let date = Timestamp::from_second(g.date)
                .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default();
            let mut record = vec![account.clone(), date, zone_name.clone()];
            record.extend(values);
            // Whether the trend counts it, and the person's reason when it does not.
            let verdict = verdicts.get(&g.grpid);
            let counted = match Standing::of(verdict, Attrib(g.attrib)) {
                Standing::Counted => "yes".to_string(),
                Standing::AwaitingReview => "no: awaiting review".to_string(),
                Standing::Excluded => verdict
                    .and_then(|v| v.reason.as_ref())
                    .map_or_else(|| "no".to_string(), |r| format!("no: {r}")),
            };
            record.extend([source(g), counted, g.grpid.to_string()]);
            w.write_record(&record).map_err(ExportError::Csv)?;
            rows += 1;
        }
    }
    w.flush().map_err(|e| ExportError::Csv(e.into()))?;
    Ok(rows)
}

/// The metric cells of a real measurement, or `None` for goals and groups with no metric.
fn metric_values(g: &StoredGroup) -> Option<Vec<String>> {
    if Category(g.category) != Category::REAL {
        return None;
    }
    let cells: Vec<String> = METRICS
        .iter()
        .map(|(kind, _)| {
            g.measures
                .iter()
                .find(|m| m.kind == kind.0 && m.position.is_none())
                .map(|m| ExactValue::new(m.value, m.unit).to_string())
                .unwrap_or_default()
        })
        .collect();
    cells.iter().any(|c| !c.is_empty()).then_some(cells)
}

fn source(g: &StoredGroup) -> String {
    let a = Attrib(g.attrib);
    match g.source {
        crate::model::Source::Manual => return "manual".into(),
        crate::model::Source::Import => return "imported".into(),
        crate::model::Source::Withings => {}
    }
    match a.flag() {
        Some(flag) => flag.into(),
        None if a == Attrib::DEVICE => "scale".into(),
        None => format!("other ({})", a.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoredMeasure;

    fn group(grpid: i64, date: i64, category: i64, attrib: i64, measures: &[(i64, i64, i32)]) -> StoredGroup {
        StoredGroup {
            grpid,
            date,
            created: None,
            modified: None,
            category,
            attrib,
            deviceid: None,
            model: None,
            comment: None,
            source: Default::default(),
            measures: measures
                .iter()
                .map(|&(kind, value, unit)| StoredMeasure {
                    kind,
                    position: None,
                    value,
                    unit,
                    algo: None,
                    fm: None,
                    written: None,
                })
                .collect(),
        }
    }

    #[test]
    fn rows_are_exact_local_and_leave_out_goals_and_other_metrics() {
        let mut store = Store::open(std::path::Path::new(":memory:")).expect("store");
        let id = store.upsert_account(crate::auth::Provider::Withings, "42", None, None, 0).expect("account");
        store.set_timezone(id, "Europe/Paris").expect("tz");
        let groups = [
            // 2024-01-15 07:30:00 in Paris (UTC+1); weight 72.345 kg, fat ratio 21.5 %.
            group(1, 1_705_300_200, 1, 0, &[(1, 72345, -3), (6, 215, -1)]),
            group(2, 1_705_400_000, 2, 0, &[(1, 70, 0)]), // a goal
            group(3, 1_705_500_000, 1, 0, &[(9, 80, 0), (10, 120, 0)]), // blood pressure only
            group(4, 1_705_600_000, 1, 2, &[(1, 7100, -2)]), // typed in by hand
        ];
        store.apply(id, &groups, &[], None).expect("stored");
        let mut out = Vec::new();
        assert_eq!(write_csv(&store, &mut out).expect("written"), 2);
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "Account,Date,Time zone,Weight (kg),Fat ratio (%),Fat mass (kg),Fat-free mass (kg),\
             Muscle mass (kg),Hydration (kg),Bone mass (kg),Source,Counted,Group id"
        );
        assert_eq!(lines[1], "withings:42,2024-01-15 07:30:00,Europe/Paris,72.345,21.5,,,,,,scale,yes,1");
        assert_eq!(lines[2], "withings:42,2024-01-18 18:46:40,Europe/Paris,71.00,,,,,,,manual,yes,4");
        assert_eq!(lines.len(), 3);
    }
}
