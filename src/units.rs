//! Display units for body mass: kilograms, pounds, stones and pounds.

use serde::{Deserialize, Serialize};

use crate::model::ExactValue;

pub const KG_PER_LB: f64 = 0.453_592_37;
/// The international pound, exactly: 0.45359237 kg.
const KG_PER_LB_EXACT: ExactValue = ExactValue { value: 45_359_237, unit: -8 };
/// The stone, 14 lb, exactly: 6.35029318 kg.
const KG_PER_ST_EXACT: ExactValue = ExactValue { value: 635_029_318, unit: -8 };
const LB_PER_ST: f64 = 14.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum MassUnit {
    #[default]
    Kg,
    Lb,
    St,
}

impl MassUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            MassUnit::Kg => "kg",
            MassUnit::Lb => "lb",
            MassUnit::St => "st",
        }
    }

    pub fn parse(s: &str) -> Option<MassUnit> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kg" => Some(MassUnit::Kg),
            "lb" | "lbs" => Some(MassUnit::Lb),
            "st" => Some(MassUnit::St),
            _ => None,
        }
    }

    /// The number plotted on an axis: kg, lb, or stones as a decimal.
    pub fn from_kg(self, kg: f64) -> f64 {
        match self {
            MassUnit::Kg => kg,
            MassUnit::Lb => kg / KG_PER_LB,
            MassUnit::St => kg / KG_PER_LB / LB_PER_ST,
        }
    }

    pub fn to_kg(self, v: f64) -> f64 {
        match self {
            MassUnit::Kg => v,
            MassUnit::Lb => v * KG_PER_LB,
            MassUnit::St => v * KG_PER_LB * LB_PER_ST,
        }
    }

    /// A mass written in this unit as exact kilograms: 175 lb is exactly 79.37866475 kg.
    pub fn exact_kg(self, written: ExactValue) -> Option<ExactValue> {
        match self {
            MassUnit::Kg => Some(written),
            MassUnit::Lb => written.checked_mul(KG_PER_LB_EXACT),
            MassUnit::St => written.checked_mul(KG_PER_ST_EXACT),
        }
    }

    pub fn axis_label(self) -> &'static str {
        match self {
            MassUnit::Kg => "kg",
            MassUnit::Lb => "lb",
            MassUnit::St => "st",
        }
    }

    /// A mass for people: "72.3 kg", "159.4 lb", "11 st 5.2 lb" (one decimal, rounded once).
    pub fn format(self, kg: f64) -> String {
        crate::locale::number(self.format_plain(kg))
    }

    /// [`MassUnit::format`] with a decimal point whatever the locale.
    fn format_plain(self, kg: f64) -> String {
        match self {
            MassUnit::Kg => format!("{:.1} kg", kg),
            MassUnit::Lb => format!("{:.1} lb", kg / KG_PER_LB),
            MassUnit::St => {
                // Round the total first so 11 st 13.96 lb shows as 12 st 0.0 lb, not 11 st 14.0 lb.
                let tenths = (kg.abs() / KG_PER_LB * 10.0).round() as i64;
                let st = tenths / 140;
                let lb = (tenths % 140) as f64 / 10.0;
                let sign = if kg < 0.0 && tenths > 0 { "-" } else { "" };
                format!("{sign}{st} st {lb:.1} lb")
            }
        }
    }

    /// A small mass, such as an error, to the hundredth: "0.32 kg", "0.71 lb" (stones count
    /// small masses in pounds).
    pub fn format_small(self, kg: f64) -> String {
        crate::locale::number(match self {
            MassUnit::Kg => format!("{kg:.2} kg"),
            MassUnit::Lb | MassUnit::St => format!("{:.2} lb", kg / KG_PER_LB),
        })
    }

    /// A change of mass with its sign: "+0.4 kg", "−1.2 lb".
    pub fn format_delta(self, kg: f64) -> String {
        let v = match self {
            MassUnit::Kg => kg,
            MassUnit::Lb | MassUnit::St => kg / KG_PER_LB,
        };
        let unit = if self == MassUnit::Kg { "kg" } else { "lb" };
        let sign = if v >= 0.05 {
            "+"
        } else if v <= -0.05 {
            "−"
        } else {
            "±"
        };
        crate::locale::number(format!("{sign}{:.1} {unit}", v.abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_masses_keep_their_hundredths() {
        assert_eq!(MassUnit::Kg.format_small(0.323), "0.32 kg");
        assert_eq!(MassUnit::Lb.format_small(0.323), "0.71 lb");
        assert_eq!(MassUnit::St.format_small(0.333), "0.73 lb");
    }

    #[test]
    fn formats_each_unit_with_correct_rounding() {
        assert_eq!(MassUnit::Kg.format(72.345), "72.3 kg");
        assert_eq!(MassUnit::Lb.format(72.345), "159.5 lb");
        assert_eq!(MassUnit::St.format(72.345), "11 st 5.5 lb");
        assert_eq!(
            MassUnit::St.format(76.2),
            "12 st 0.0 lb",
            "76.2 kg is 167.99 lb: rounds to 12 st, not 11 st 14.0 lb"
        );
        assert_eq!(MassUnit::St.format(6.35029318), "1 st 0.0 lb");
        assert_eq!(MassUnit::Kg.format_delta(-0.44), "−0.4 kg");
        assert_eq!(MassUnit::Lb.format_delta(0.5), "+1.1 lb");
        assert_eq!(MassUnit::Kg.format_delta(0.01), "±0.0 kg");
    }

    #[test]
    fn written_pounds_and_stones_become_exact_kilograms() {
        let w = |s| ExactValue::parse_decimal(s).unwrap();
        assert_eq!(MassUnit::Lb.exact_kg(w("175")).unwrap().to_string(), "79.37866475");
        assert_eq!(MassUnit::Lb.exact_kg(w("176.4")).unwrap().to_string(), "80.013694068");
        assert_eq!(MassUnit::St.exact_kg(w("12.5")).unwrap().to_string(), "79.378664750");
        assert_eq!(MassUnit::Kg.exact_kg(w("80.2")), Some(w("80.2")));
    }

    #[test]
    fn conversions_round_trip() {
        for u in [MassUnit::Kg, MassUnit::Lb, MassUnit::St] {
            assert!((u.to_kg(u.from_kg(81.7)) - 81.7).abs() < 1e-9);
        }
        assert_eq!(MassUnit::parse("LB"), Some(MassUnit::Lb));
        assert_eq!(MassUnit::parse("stone"), None);
    }
}
