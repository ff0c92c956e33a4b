//! A FIT weight file for Garmin Connect (what withings-sync exists for): a `file_id` of type
//! weight, then one `weight_scale` message per counted weigh-in with weight, fat %, hydration %,
//! bone and muscle mass. Encoded by `rustyfit`; checked in the tests by an independent decoder.

use rustyfit::Encoder;
use rustyfit::profile::{mesgdef, typedef};
use rustyfit::proto::{FIT, Message};

use crate::model::MeasureType;
use crate::store::StoredGroup;

/// One weigh-in as the FIT file holds it (kg and %, before FIT's ×100 scaling).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitWeighIn {
    pub ts: i64,
    pub weight_kg: f64,
    pub percent_fat: Option<f64>,
    pub percent_hydration: Option<f64>,
    pub bone_mass_kg: Option<f64>,
    pub muscle_mass_kg: Option<f64>,
}

impl FitWeighIn {
    /// From a stored group with a weight; Withings' hydration is a mass, FIT wants a percent.
    pub fn from_group(g: &StoredGroup) -> Option<FitWeighIn> {
        let get = |k: MeasureType| {
            g.measures
                .iter()
                .find(|m| m.kind == k.0 && m.position.is_none())
                .map(|m| crate::model::ExactValue::new(m.value, m.unit).to_f64())
        };
        let weight_kg = get(MeasureType::WEIGHT).filter(|w| *w > 0.0)?;
        Some(FitWeighIn {
            ts: g.date,
            weight_kg,
            percent_fat: get(MeasureType::FAT_RATIO)
                .or_else(|| get(MeasureType::FAT_MASS).map(|f| f / weight_kg * 100.0)),
            percent_hydration: get(MeasureType::HYDRATION).map(|h| h / weight_kg * 100.0),
            bone_mass_kg: get(MeasureType::BONE_MASS),
            muscle_mass_kg: get(MeasureType::MUSCLE_MASS),
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot encode the FIT file: {0}")]
pub struct FitError(String);

/// FIT's fixed-point fields: value × 100 as u16, 0xFFFF meaning "none".
fn centi(v: Option<f64>) -> u16 {
    match v {
        Some(x) if x.is_finite() && x >= 0.0 && x * 100.0 < f64::from(u16::MAX - 1) => {
            (x * 100.0).round() as u16
        }
        _ => u16::MAX,
    }
}

/// The whole file, `created` stamping its `file_id`.
pub fn encode(weigh_ins: &[FitWeighIn], created: i64) -> Result<Vec<u8>, FitError> {
    let stamp = |ts: i64| typedef::DateTime::new(ts.max(0) as u64).unwrap_or(typedef::DateTime(u32::MAX));
    let mut messages = Vec::with_capacity(weigh_ins.len() + 1);
    let mut file_id = mesgdef::FileId::new();
    file_id.r#type = typedef::File::WEIGHT;
    file_id.manufacturer = typedef::Manufacturer::DEVELOPMENT;
    file_id.product = 1;
    file_id.time_created = stamp(created);
    messages.push(Message::from(file_id));
    for w in weigh_ins {
        let mut m = mesgdef::WeightScale::new();
        m.timestamp = stamp(w.ts);
        m.weight = typedef::Weight(centi(Some(w.weight_kg)));
        m.percent_fat = centi(w.percent_fat);
        m.percent_hydration = centi(w.percent_hydration);
        m.bone_mass = centi(w.bone_mass_kg);
        m.muscle_mass = centi(w.muscle_mass_kg);
        messages.push(Message::from(m));
    }
    let mut fit = FIT { messages, ..Default::default() };
    let mut out = std::io::Cursor::new(Vec::new());
    Encoder::new(embedded_io_adapters::std::FromStd::new(&mut out))
        .encode(&mut fit)
        .map_err(|e| FitError(format!("{e:?}")))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decoded by `fitparser`, which shares no code with the encoder.
    #[test]
    fn an_independent_decoder_reads_back_every_value() {
        let ins = [
            FitWeighIn {
                ts: 1_764_486_900,
                weight_kg: 80.25,
                percent_fat: Some(21.5),
                percent_hydration: Some(55.03),
                bone_mass_kg: Some(3.1),
                muscle_mass_kg: Some(60.2),
            },
            FitWeighIn {
                ts: 1_764_573_300,
                weight_kg: 79.9,
                percent_fat: None,
                percent_hydration: None,
                bone_mass_kg: None,
                muscle_mass_kg: None,
            },
        ];
        let bytes = encode(&ins, 1_764_600_000).expect("encodes");
        let records = fitparser::from_bytes(&bytes).expect("a valid FIT file");
        let kinds: Vec<String> = records.iter().map(|r| r.kind().to_string()).collect();
        assert_eq!(kinds, ["file_id", "weight_scale", "weight_scale"]);
        let field = |r: &fitparser::FitDataRecord, name: &str| -> Option<fitparser::Value> {
            r.fields().iter().find(|f| f.name() == name).map(|f| f.value().clone())
        };
        assert_eq!(field(&records[0], "type").map(|v| v.to_string()), Some("weight".into()));
        let num = |v: Option<fitparser::Value>| -> Option<f64> {
            match v? {
                fitparser::Value::Float64(x) => Some(x),
                fitparser::Value::Float32(x) => Some(f64::from(x)),
                fitparser::Value::UInt16(x) => Some(f64::from(x)),
                // fitparser leaves `weight` (a profile type of its own) unscaled: 0.01 kg.
                fitparser::Value::SInt64(x) => Some(x as f64 / 100.0),
                other => panic!("unexpected {other:?}"),
            }
        };
        let first = &records[1];
        assert_eq!(num(field(first, "weight")), Some(80.25));
        assert_eq!(num(field(first, "percent_fat")), Some(21.5));
        assert_eq!(num(field(first, "percent_hydration")), Some(55.03));
        assert_eq!(num(field(first, "bone_mass")), Some(3.1));
        assert_eq!(num(field(first, "muscle_mass")), Some(60.2));
        let Some(fitparser::Value::Timestamp(t)) = field(first, "timestamp") else { panic!("no timestamp") };
        assert_eq!(t.timestamp(), 1_764_486_900);
        let second = &records[2];
        assert_eq!(num(field(second, "weight")), Some(79.9));
        assert_eq!(field(second, "percent_fat"), None, "an absent value is absent, not 655.35");
    }
}
