//! Withings' JSON exactly as it arrives, parsed tolerantly.
//!
//! Real answers vary: `userid` and `updatetime` come as numbers or strings, `more`/`offset`
//! may be absent, device fields may be `null`, new keys and new measure types appear. Unknown
//! keys are ignored; unknown types and attribs are kept.

use serde::{Deserialize, Deserializer, de};
use serde_json::value::RawValue;

use super::ApiError;
use super::status::StatusKind;

/// The envelope of every answer: `{"status": N, "body": {...}, "error": "..."}`.
///
/// The body is kept as raw JSON text and deserialized once into its final type: going through
/// a `serde_json::Value` tree first cost about as much as the rest of a page's work.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(deserialize_with = "flex_i64")]
    pub status: i64,
    #[serde(default)]
    pub body: Option<Box<RawValue>>,
    #[serde(default)]
    pub error: Option<String>,
}

impl Envelope {
    pub fn parse(bytes: &[u8]) -> Result<Envelope, ApiError> {
        serde_json::from_slice(bytes).map_err(|e| ApiError::Malformed(describe_json_error(bytes, &e)))
    }

    /// The body as `T` when `status` is 0, or the status as an error.
    pub fn body_as<T: de::DeserializeOwned>(self) -> Result<T, ApiError> {
        serde_json::from_str(self.into_body()?.get())
            .map_err(|e| ApiError::Malformed(format!("unexpected body: {e}")))
    }

    /// The raw body when `status` is 0, or the status as an error.
    pub fn into_body(self) -> Result<Box<RawValue>, ApiError> {
        if self.status != 0 {
            let wait_seconds = self
                .body
                .as_ref()
                .and_then(|b| serde_json::from_str::<serde_json::Value>(b.get()).ok())
                .and_then(|b| b.get("wait_seconds").cloned())
                .and_then(|w| w.as_u64().or_else(|| w.as_str().and_then(|s| s.parse().ok())));
            return Err(ApiError::Status {
                code: self.status,
                message: self.error.unwrap_or_else(|| "no message".into()),
                kind: StatusKind::of(self.status),
                wait_seconds,
            });
        }
        match self.body {
            Some(b) => Ok(b),
            None => RawValue::from_string("null".into())
                .map_err(|e| ApiError::Malformed(format!("unexpected body: {e}"))),
        }
    }
}

fn describe_json_error(bytes: &[u8], e: &serde_json::Error) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]);
    if head.trim_start().starts_with('<') {
        "an HTML page instead of JSON".into()
    } else if e.is_eof() {
        "the answer was cut off".into()
    } else {
        format!("invalid JSON: {e}")
    }
}

/// The body of `getmeas`.
#[derive(Debug, Deserialize)]
pub struct MeasureBody {
    #[serde(default, deserialize_with = "flex_opt_i64")]
    pub updatetime: Option<i64>,
    #[serde(default)]
    pub timezone: Option<String>,
    pub measuregrps: Vec<WireGroup>,
    #[serde(default, deserialize_with = "flex_bool")]
    pub more: bool,
    #[serde(default, deserialize_with = "flex_opt_i64")]
    pub offset: Option<i64>,
}

/// Just `more`, `offset` and the oldest date of a getmeas body, read before the rest so that
/// the next page can be requested while this one is parsed and stored (and a first
/// download's window knows where its pages have got to).
#[derive(Debug, Deserialize)]
pub struct PageHead {
    #[serde(default, deserialize_with = "flex_bool")]
    pub more: bool,
    #[serde(default, deserialize_with = "flex_opt_i64")]
    pub offset: Option<i64>,
    #[serde(rename = "measuregrps", default, deserialize_with = "oldest_date")]
    pub oldest: Option<i64>,
}

/// The earliest `date` of the groups, the rest of each group skipped unread.
fn oldest_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Dated {
        #[serde(deserialize_with = "flex_i64")]
        date: i64,
    }
    let groups: Vec<Dated> = Vec::deserialize(d)?;
    Ok(groups.iter().map(|g| g.date).min())
}

impl PageHead {
    pub fn parse(raw: &RawValue) -> Result<PageHead, ApiError> {
        getmeas_part(raw)
    }
}

impl MeasureBody {
    /// Parses and validates a getmeas body.
    pub fn parse(raw: &RawValue) -> Result<MeasureBody, ApiError> {
        let body: MeasureBody = getmeas_part(raw)?;
        body.validate()?;
        Ok(body)
    }
}

/// A getmeas body, or the part of it `T` reads, from its raw JSON.
fn getmeas_part<T: de::DeserializeOwned>(raw: &RawValue) -> Result<T, ApiError> {
    serde_json::from_str(raw.get()).map_err(|e| ApiError::Malformed(format!("unexpected getmeas body: {e}")))
}

/// Earliest and latest plausible measurement dates (1970 to 2200): anything else is a broken
/// answer, not a weigh-in.
const DATE_RANGE: std::ops::RangeInclusive<i64> = 0..=7_258_118_400;
/// Withings sends exponents between -4 and 0; beyond ±30 a value is meaningless.
const UNIT_RANGE: std::ops::RangeInclusive<i32> = -30..=30;

impl MeasureBody {
    /// Rejects answers that parse but cannot be real: absurd dates, exponents, offsets.
    pub fn validate(&self) -> Result<(), ApiError> {
        if let Some(o) = self.offset
            && o < 0
        {
            return Err(ApiError::Malformed(format!("negative offset {o}")));
        }
        match self
            .measuregrps
            .iter()
            .find_map(|g| implausible(g.grpid, g.date, g.measures.iter().map(|m| m.unit)))
        {
            Some(why) => Err(ApiError::Malformed(why)),
            None => Ok(()),
        }
    }
}

/// Why a group cannot be a real measurement, if it cannot: the one plausibility rule for
/// everything that enters the store (API answers and imported files alike).
pub(crate) fn implausible(grpid: i64, date: i64, mut units: impl Iterator<Item = i32>) -> Option<String> {
    if !DATE_RANGE.contains(&date) {
        return Some(format!("group {grpid} has an impossible date {date}"));
    }
    units.find(|u| !UNIT_RANGE.contains(u)).map(|u| format!("group {grpid} has a measure with exponent {u}"))
}

/// One measure group as sent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WireGroup {
    #[serde(deserialize_with = "flex_i64")]
    pub grpid: i64,
    #[serde(default, deserialize_with = "flex_i64")]
    pub attrib: i64,
    #[serde(deserialize_with = "flex_i64")]
    pub date: i64,
    #[serde(default, deserialize_with = "flex_opt_i64")]
    pub created: Option<i64>,
    #[serde(default, deserialize_with = "flex_opt_i64")]
    pub modified: Option<i64>,
    #[serde(default = "real_category", deserialize_with = "flex_i64")]
    pub category: i64,
    #[serde(default)]
    pub deviceid: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    pub measures: Vec<WireMeasure>,
}

fn real_category() -> i64 {
    1
}

/// One measure as sent: the raw `(value, unit)` pair plus optional details.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WireMeasure {
    #[serde(deserialize_with = "flex_i64")]
    pub value: i64,
    #[serde(rename = "type", deserialize_with = "flex_i64")]
    pub kind: i64,
    #[serde(deserialize_with = "flex_i32")]
    pub unit: i32,
    #[serde(default, deserialize_with = "flex_opt_i64")]
    pub algo: Option<i64>,
    #[serde(default, deserialize_with = "flex_opt_i64")]
    pub fm: Option<i64>,
    #[serde(default, deserialize_with = "flex_opt_i64")]
    pub position: Option<i64>,
}

/// The body of `notify?action=list`.
#[derive(Debug, Deserialize)]
pub struct NotifyList {
    #[serde(default)]
    pub profiles: Vec<NotifyProfile>,
}

#[derive(Debug, Deserialize)]
pub struct NotifyProfile {
    #[serde(deserialize_with = "flex_i64")]
    pub appli: i64,
    pub callbackurl: String,
    #[serde(default, deserialize_with = "flex_opt_i64")]
    pub expires: Option<i64>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A number or a string holding one (`"userid": "123"` as well as `"userid": 123`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Flex {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
}

impl Flex {
    fn to_i64<E: de::Error>(&self) -> Result<i64, E> {
        match self {
            Flex::Int(i) => Ok(*i),
            Flex::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Ok(*f as i64),
            Flex::Str(s) => {
                s.trim().parse().map_err(|_| E::custom(format!("expected a number, found {s:?}")))
            }
            Flex::Bool(b) => Ok(i64::from(*b)),
            Flex::Float(f) => Err(E::custom(format!("expected an integer, found {f}"))),
        }
    }
}

fn flex_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Flex::deserialize(d)?.to_i64()
}

fn flex_i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let v = flex_i64(d)?;
    i32::try_from(v).map_err(|_| de::Error::custom(format!("number out of range: {v}")))
}

fn flex_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Flex>::deserialize(d)? {
        None => Ok(None),
        Some(Flex::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(f) => f.to_i64().map(Some),
    }
}

fn flex_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Option::<Flex>::deserialize(d)? {
        None => false,
        Some(Flex::Bool(b)) => b,
        Some(Flex::Str(s)) => !matches!(s.trim(), "" | "0" | "false"),
        Some(f) => f.to_i64::<D::Error>()? != 0,
    })
}

/// A Withings userid, which arrives as a number or a string; stored as text.
pub fn userid_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}
