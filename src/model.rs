//! The domain model: measure kinds, raw values and their exact decimal form.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Withings measure type id (`type` in the API). Unknown ids are valid and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MeasureType(pub i64);

/// What Heft knows about a measure type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeasureKind {
    pub id: i64,
    /// Stable machine name, used by the CLI (`--metric fat-ratio`).
    pub key: &'static str,
    pub name: &'static str,
    /// SI unit of `value × 10^unit` as Withings reports it.
    pub unit: &'static str,
}

const fn kind(id: i64, key: &'static str, name: &'static str, unit: &'static str) -> MeasureKind {
    MeasureKind { id, key, name, unit }
}

/// Every measure type Withings documents, plus the ones seen in real answers.
///
/// Source: the `meastype` table of "Measure - Getmeas" in Withings' API reference
/// (<https://developer.withings.com/api-reference>, whose text is
/// <https://developer.withings.com/openapi.yaml>). Types 158, 159, 197 and 198 were in earlier
/// versions of that table, and Body Scan still sends 197 and 198
/// (`tests/fixtures/withings/aiowithings_measurement_list_2.json`). Names follow the table, in
/// sentence case, with the unit the table gives moved to `unit`; a value without a physical
/// unit (a score, a classification) has an empty unit.
pub const MEASURE_KINDS: &[MeasureKind] = &[
    kind(1, "weight", "Weight", "kg"),
    kind(4, "height", "Height", "m"),
    kind(5, "lean-mass", "Fat-free mass", "kg"),
    kind(6, "fat-ratio", "Fat ratio", "%"),
    kind(8, "fat-mass", "Fat mass", "kg"),
    kind(9, "diastolic", "Diastolic blood pressure", "mmHg"),
    kind(10, "systolic", "Systolic blood pressure", "mmHg"),
    kind(11, "pulse", "Heart pulse", "bpm"),
    kind(12, "temperature", "Temperature", "°C"),
    kind(54, "spo2", "SpO2", "%"),
    kind(71, "body-temperature", "Body temperature", "°C"),
    kind(73, "skin-temperature", "Skin temperature", "°C"),
    kind(76, "muscle", "Muscle mass", "kg"),
    kind(77, "hydration", "Hydration", "kg"),
    kind(88, "bone", "Bone mass", "kg"),
    kind(91, "pwv", "Pulse wave velocity", "m/s"),
    kind(123, "vo2max", "VO2 max", "ml/min/kg"),
    kind(130, "afib", "Atrial fibrillation result", ""),
    kind(135, "qrs", "QRS interval", "ms"),
    kind(136, "pr", "PR interval", "ms"),
    kind(137, "qt", "QT interval", "ms"),
    kind(138, "qtc", "Corrected QT interval", "ms"),
    kind(139, "afib-ppg", "Atrial fibrillation from PPG", ""),
    kind(155, "vascular-age", "Vascular age", "years"),
    kind(158, "nerve-health-left-foot", "Nerve health score (left foot)", ""),
    kind(159, "nerve-health-right-foot", "Nerve health score (right foot)", ""),
    kind(167, "nerve-health-feet", "Nerve health score (feet)", ""),
    kind(168, "extracellular-water", "Extracellular water", "kg"),
    kind(169, "intracellular-water", "Intracellular water", "kg"),
    kind(170, "visceral-fat", "Visceral fat", ""),
    kind(173, "segment-fat-free-mass", "Fat-free mass per segment", "kg"),
    kind(174, "segment-fat-mass", "Fat mass per segment", "kg"),
    kind(175, "segment-muscle", "Muscle mass per segment", "kg"),
    kind(196, "electrodermal-activity", "Electrodermal activity (feet)", ""),
    kind(197, "electrodermal-activity-left-foot", "Electrodermal activity (left foot)", ""),
    kind(198, "electrodermal-activity-right-foot", "Electrodermal activity (right foot)", ""),
    kind(226, "bmr", "Basal metabolic rate", "kcal"),
    kind(227, "metabolic-age", "Metabolic age", "years"),
    kind(229, "eda", "Electrochemical skin conductance", "µS"),
];

impl MeasureType {
    pub const WEIGHT: MeasureType = MeasureType(1);
    pub const HEIGHT: MeasureType = MeasureType(4);
    pub const FAT_FREE_MASS: MeasureType = MeasureType(5);
    pub const FAT_RATIO: MeasureType = MeasureType(6);
    pub const FAT_MASS: MeasureType = MeasureType(8);
    pub const MUSCLE_MASS: MeasureType = MeasureType(76);
    pub const HYDRATION: MeasureType = MeasureType(77);
    pub const BONE_MASS: MeasureType = MeasureType(88);

    /// The known kind, or `None` for a type Withings added after this table.
    pub fn kind(self) -> Option<&'static MeasureKind> {
        MEASURE_KINDS.iter().find(|k| k.id == self.0)
    }

    /// A human name, also for a type Withings does not document ("Other measure (type 9999)").
    pub fn name(self) -> String {
        self.kind().map_or_else(|| format!("Other measure (type {})", self.0), |k| k.name.to_string())
    }

    pub fn from_key(key: &str) -> Option<MeasureType> {
        MEASURE_KINDS.iter().find(|k| k.key == key).map(|k| MeasureType(k.id))
    }
}

/// `attrib` of a group: who or what produced it. Unknown values are kept as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Attrib(pub i64);

impl Attrib {
    /// Captured by a device, attributed to the user with certainty.
    pub const DEVICE: Attrib = Attrib(0);
    /// Captured by a device but maybe another person on the scale.
    pub const AMBIGUOUS: Attrib = Attrib(1);
    /// Entered by the user.
    pub const MANUAL: Attrib = Attrib(2);
    /// Entered by the user at account creation.
    pub const MANUAL_AT_CREATION: Attrib = Attrib(4);

    pub fn is_ambiguous(self) -> bool {
        self == Attrib::AMBIGUOUS
    }

    pub fn is_manual(self) -> bool {
        self == Attrib::MANUAL || self == Attrib::MANUAL_AT_CREATION
    }

    /// The flag a list or an export shows beside such a weigh-in, if any.
    pub fn flag(self) -> Option<&'static str> {
        if self.is_manual() {
            Some("manual")
        } else if self.is_ambiguous() {
            Some("unconfirmed")
        } else {
            None
        }
    }
}

/// Where a group came from. Sync owns `Withings` groups only: it never changes or removes a
/// weigh-in the person typed or imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Downloaded from the Withings API.
    #[default]
    Withings,
    /// Entered in Heft (`heft add`, the window's form).
    Manual,
    /// Read from a Withings "Download my data" export.
    Import,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Withings => "withings",
            Source::Manual => "manual",
            Source::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        [Source::Withings, Source::Manual, Source::Import].into_iter().find(|x| x.as_str() == s)
    }

    /// For serde's `skip_serializing_if`, which passes a reference.
    pub fn is_withings(&self) -> bool {
        *self == Source::Withings
    }
}

/// `category` of a group: a real measurement or a user objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Category(pub i64);

impl Category {
    pub const REAL: Category = Category(1);
    pub const GOAL: Category = Category(2);
}

/// A measure value exactly as Withings sends it: `value × 10^unit`.
///
/// Kept as the integer pair so that export, import and display never go through a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExactValue {
    pub value: i64,
    pub unit: i32,
}

impl ExactValue {
    pub fn new(value: i64, unit: i32) -> ExactValue {
        ExactValue { value, unit }
    }

    /// A plain decimal as a person or a file writes it ("88.00", "175", "0.5"): digits with
    /// at most one `.`, no sign, no exponent, no thousands separator. The written precision
    /// is kept (`88.00` is `8800 × 10^-2`).
    pub fn parse_decimal(text: &str) -> Option<ExactValue> {
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() && frac.is_empty() || !digits_only(int) || !digits_only(frac) || frac.len() > 9 {
            return None;
        }
        let value: i64 = format!("{int}{frac}").parse().ok()?;
        Some(ExactValue { value, unit: -(frac.len() as i32) })
    }

    /// `self × factor`, both exact, or `None` on overflow.
    pub fn checked_mul(self, factor: ExactValue) -> Option<ExactValue> {
        Some(ExactValue { value: self.value.checked_mul(factor.value)?, unit: self.unit + factor.unit })
    }

    /// `self − other`, exact (the finer exponent wins), or `None` on overflow.
    pub fn checked_sub(self, other: ExactValue) -> Option<ExactValue> {
        let unit = self.unit.min(other.unit);
        let at = |v: ExactValue| v.value.checked_mul(10i64.checked_pow((v.unit - unit) as u32)?);
        Some(ExactValue { value: at(self)?.checked_sub(at(other)?)?, unit })
    }

    /// The number of decimals it was written with (`88.00` → 2, `175` → 0).
    pub fn decimals(self) -> u32 {
        self.unit.min(0).unsigned_abs()
    }

    /// The value as a float, for arithmetic (trend, charts). Not for display or export.
    ///
    /// Correctly rounded on every platform: `70975 × 10⁻³` is the float nearest 70.975, not
    /// `70975 × 0.001` (70.97500000000001), and no platform's `powi` is involved (MinGW's
    /// `10f64.powi(-3)` is one unit in the last place off). One IEEE division or
    /// multiplication of two exact operands is correctly rounded; anything beyond exact
    /// operands parses the decimal text, which is too.
    pub fn to_f64(self) -> f64 {
        /// 10⁰ … 10²², every one exact in an f64.
        const POW10: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
            1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        const EXACT_INTEGER: u64 = 1 << 53;
        let scale = POW10.get(self.unit.unsigned_abs() as usize);
        match scale {
            Some(p) if self.value.unsigned_abs() <= EXACT_INTEGER => {
                if self.unit < 0 {
                    self.value as f64 / p
                } else {
                    self.value as f64 * p
                }
            }
            _ => self.to_string().parse().unwrap_or(f64::NAN),
        }
    }
}

/// The exact decimal: `ExactValue::new(72345, -3)` → `72.345`, `(5, 2)` → `500`, `(-5, -3)` → `-0.005`.
impl fmt::Display for ExactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.value < 0;
        let digits = self.value.unsigned_abs().to_string();
        let sign = if neg { "-" } else { "" };
        if self.unit >= 0 {
            let zeros = if digits == "0" { 0 } else { self.unit as usize };
            return write!(f, "{sign}{digits}{}", "0".repeat(zeros));
        }
        let scale = self.unit.unsigned_abs() as usize;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_form_is_exact_for_every_exponent_seen_in_real_answers() {
        let cases = [
            ((72345, -3), "72.345"),
            ((118003, -3), "118.003"),
            ((839, -1), "83.9"),
            ((838700, -4), "83.8700"),
            ((8390, -2), "83.90"),
            ((120, 0), "120"),
            ((5, 2), "500"),
            ((0, 2), "0"),
            ((5, -3), "0.005"),
            ((-5, -3), "-0.005"),
            ((i64::MIN, -2), "-92233720368547758.08"),
        ];
        for ((v, u), want) in cases {
            assert_eq!(ExactValue::new(v, u).to_string(), want, "value {v} unit {u}");
        }
    }

    #[test]
    fn a_written_decimal_keeps_its_precision_and_anything_else_is_refused() {
        assert_eq!(ExactValue::parse_decimal("88.00"), Some(ExactValue::new(8800, -2)));
        assert_eq!(ExactValue::parse_decimal("175"), Some(ExactValue::new(175, 0)));
        assert_eq!(ExactValue::parse_decimal(".5"), Some(ExactValue::new(5, -1)));
        assert_eq!(ExactValue::parse_decimal("88.00").unwrap().to_string(), "88.00");
        for bad in ["", ".", "88,5", "-1", "1e3", "1.2.3", " 8", "12345678901234567890"] {
            assert_eq!(ExactValue::parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn float_form_is_close_to_the_decimal() {
        assert!((ExactValue::new(72345, -3).to_f64() - 72.345).abs() < 1e-9);
    }

    /// Every `meastype` of "Measure - Getmeas" in Withings' API reference
    /// (https://developer.withings.com/openapi.yaml), and 158, 159, 197, 198 from its earlier
    /// versions.
    const DOCUMENTED_TYPES: [i64; 39] = [
        1, 4, 5, 6, 8, 9, 10, 11, 12, 54, 71, 73, 76, 77, 88, 91, 123, 130, 135, 136, 137, 138, 139, 155,
        158, 159, 167, 168, 169, 170, 173, 174, 175, 196, 197, 198, 226, 227, 229,
    ];

    #[test]
    fn every_documented_measure_type_has_a_name_of_its_own() {
        for id in DOCUMENTED_TYPES {
            let t = MeasureType(id);
            assert!(t.kind().is_some(), "type {id} is documented by Withings, so Heft must know it");
            assert!(!t.name().starts_with("Other measure"), "type {id} would be shown as {:?}", t.name());
        }
    }

    #[test]
    fn body_scan_foot_measures_197_and_198_are_named() {
        // Regression: "Latest body measures" showed them as "Type 197" and "Type 198".
        assert_eq!(MeasureType(197).name(), "Electrodermal activity (left foot)");
        assert_eq!(MeasureType(198).name(), "Electrodermal activity (right foot)");
    }

    #[test]
    fn an_undocumented_type_reads_as_other_measure_with_its_number() {
        assert_eq!(MeasureType(9999).name(), "Other measure (type 9999)");
        assert_eq!(MeasureType(9999).kind(), None, "an unknown type has no kind, so no key and no unit");
    }

    #[test]
    fn keys_and_ids_are_unique_and_keys_are_kebab_case() {
        let mut ids = std::collections::HashSet::new();
        let mut keys = std::collections::HashSet::new();
        for k in MEASURE_KINDS {
            assert!(ids.insert(k.id), "type {} is listed twice", k.id);
            assert!(keys.insert(k.key), "key {:?} is used twice: `--metric` would be ambiguous", k.key);
            let kebab = !k.key.is_empty()
                && !k.key.starts_with('-')
                && !k.key.ends_with('-')
                && !k.key.contains("--")
                && k.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            assert!(kebab, "key {:?} is not kebab-case", k.key);
            assert!(!k.name.is_empty(), "type {} has no name", k.id);
        }
    }

    #[test]
    fn the_table_lists_exactly_the_documented_types_in_order() {
        let ids: Vec<i64> = MEASURE_KINDS.iter().map(|k| k.id).collect();
        assert_eq!(ids, DOCUMENTED_TYPES, "a type added to one list must be added to the other");
    }

    #[test]
    fn known_types_round_trip_their_key_and_keep_the_keys_the_cli_uses() {
        for k in MEASURE_KINDS {
            assert_eq!(MeasureType::from_key(k.key), Some(MeasureType(k.id)), "key {:?}", k.key);
        }
        assert_eq!(MeasureType::from_key("fat-ratio"), Some(MeasureType::FAT_RATIO));
        assert_eq!(MeasureType::from_key("other"), None);
        assert_eq!(MeasureType::HYDRATION.kind().map(|k| k.unit), Some("kg"));
    }

    /// Every exact value is the float nearest its decimal, as parsing the decimal gives it.
    #[test]
    fn an_exact_value_is_the_float_nearest_its_decimal() {
        assert_eq!(ExactValue::new(70975, -3).to_f64().to_string(), "70.975");
        assert_eq!(ExactValue::new(75000, -3).to_f64(), 75.0);
        assert_eq!(ExactValue::new(-5, 2).to_f64(), -500.0);
        assert_eq!(
            ExactValue::new(i64::MAX, -30).to_f64(),
            "9223372036854775807e-30".parse::<f64>().unwrap()
        );
        for unit in -6..=3 {
            for value in (0..200_000).step_by(7).chain([i64::from(i32::MAX), 1 << 53, (1 << 53) + 1]) {
                let exact = ExactValue::new(value, unit);
                let parsed: f64 = exact.to_string().parse().unwrap();
                assert_eq!(exact.to_f64(), parsed, "{exact}");
            }
        }
    }
}
