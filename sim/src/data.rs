//! The measurement data set: wire-format groups and the deterministic generator.
//!
//! Groups are kept exactly as Withings serialises them so that the ground truth a test compares
//! against is the same JSON a client receives.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// One measure inside a group, as Withings sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub value: i64,
    #[serde(rename = "type")]
    pub kind: i64,
    pub unit: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algo: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fm: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

/// One measure group, as Withings sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub grpid: i64,
    pub attrib: i64,
    pub date: i64,
    pub created: i64,
    pub modified: i64,
    pub category: i64,
    pub deviceid: Option<String>,
    pub hash_deviceid: Option<String>,
    pub model: Option<String>,
    pub modelid: Option<i64>,
    pub measures: Vec<Measure>,
    pub comment: Option<String>,
}

/// A simulated Withings user and their history.
#[derive(Debug, Clone)]
pub struct User {
    pub userid: i64,
    pub name: String,
    pub timezone: String,
    pub groups: Vec<Group>,
}

const NAMES: [&str; 6] = ["Alex", "Sam", "Robin", "Kim", "Jo", "Max"];
const TIMEZONES: [&str; 6] = [
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "Europe/London",
    "Australia/Sydney",
    "America/Los_Angeles",
];
const DAY: i64 = 86_400;

fn measure(value: i64, kind: i64, unit: i64) -> Measure {
    Measure { value, kind, unit, algo: None, fm: None, position: None }
}

/// Encodes `x` (already in SI units) with `unit` decimal exponent, as a scale would.
fn encode(x: f64, unit: i64) -> i64 {
    (x * 10f64.powi(-unit as i32)).round() as i64
}

/// Generates `users` users with `years` of history ending at `end` (Unix seconds).
///
/// Deterministic for a given `(seed, years, users, end day)`: the same inputs give byte-identical
/// ground truth, which is what lets tests and benchmarks compare runs.
pub fn generate(seed: u64, years: u32, users: u32, end: i64) -> Vec<User> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let end_day = end - end.rem_euclid(DAY);
    let mut next_grpid: i64 = 3_000_000_000 + rng.random_range(0..1_000_000);
    (0..users.max(1))
        .map(|i| {
            let idx = i as usize % NAMES.len();
            let mut user = User {
                userid: 10_000_001 + i as i64 * 7_919,
                name: NAMES[idx].to_string(),
                timezone: TIMEZONES[idx].to_string(),
                groups: Vec::new(),
            };
            generate_history(&mut rng, &mut user, years, end_day, &mut next_grpid);
            // Nothing in the future: today's weigh-ins only up to now.
            user.groups.retain(|g| g.date <= end);
            user
        })
        .collect()
}

fn generate_history(rng: &mut ChaCha8Rng, user: &mut User, years: u32, end_day: i64, grpid: &mut i64) {
    let days = i64::from(years) * 365;
    let start_day = end_day - days * DAY;
    let height_m: f64 = rng.random_range(1.58..1.92);
    let mut weight: f64 = rng.random_range(62.0..98.0);
    let mut fat_ratio: f64 = rng.random_range(0.16..0.32);
    let base_fat = fat_ratio;
    let mut drift: f64 = 0.0;
    let base = weight;
    let device = format!("{:040x}", rng.random::<u128>());
    let mut next_id = || {
        *grpid += 1 + (rng_step(*grpid) % 3);
        *grpid
    };

    // Height, entered once in the app when the account was created.
    let first = start_day + 8 * 3600;
    let g = Group {
        grpid: next_id(),
        attrib: 2,
        date: first,
        created: first,
        modified: first,
        category: 1,
        deviceid: None,
        hash_deviceid: None,
        model: None,
        modelid: None,
        measures: vec![measure(encode(height_m, -2), 4, -2)],
        comment: None,
    };
    user.groups.push(g);

    for day in 0..=days {
        // A slow random walk pulled back towards the person's usual weight: a few kg a year.
        drift = (drift + rng.random_range(-0.004..0.004) - (weight - base) * 0.0002).clamp(-0.02, 0.02);
        let season = ((day as f64) / 365.0 * std::f64::consts::TAU).cos() * 0.004;
        weight = (weight + drift + season).clamp(45.0, 160.0);
        fat_ratio =
            (fat_ratio + rng.random_range(-0.002..0.002) - (fat_ratio - base_fat) * 0.01).clamp(0.08, 0.45);
        if rng.random_bool(0.08) {
            continue; // a day without a weigh-in
        }
        let weighins = if rng.random_bool(0.06) { 2 } else { 1 };
        for w in 0..weighins {
            let date = start_day
                + day * DAY
                + 6 * 3600
                + rng.random_range(0..3 * 3600)
                + w * rng.random_range(8 * 3600..12 * 3600);
            let created = date + rng.random_range(5..90);
            let noise = rng.random_range(-0.6..0.6);
            let w_kg = weight + noise;
            let roll: f64 = rng.random();
            if roll < 0.03 {
                // Manual entry in the app: weight only, coarse unit, no device.
                let unit = if rng.random_bool(0.5) { -1 } else { -2 };
                let g = Group {
                    grpid: next_id(),
                    attrib: 2,
                    date,
                    created,
                    modified: created,
                    category: 1,
                    deviceid: None,
                    hash_deviceid: None,
                    model: None,
                    modelid: None,
                    measures: vec![measure(encode(w_kg, unit), 1, unit)],
                    comment: None,
                };
                user.groups.push(g);
                continue;
            }
            // Another person stepped on the scale now and then: the scale is unsure who it was.
            let attrib = if roll < 0.05 { 1 } else { 0 };
            let w_kg = if attrib == 1 { w_kg * rng.random_range(0.7..1.3) } else { w_kg };
            let body_scan = rng.random_bool(0.02);
            let weight_unit = match rng.random_range(0..20) {
                0 => -4,
                1 => -2,
                _ => -3,
            };
            let fat = w_kg * fat_ratio;
            let ffm = w_kg - fat;
            let mut ms = vec![
                with_algo(measure(encode(w_kg, weight_unit), 1, weight_unit)),
                measure(encode(ffm, -2), 5, -2),
                measure(encode(fat_ratio * 100.0, -3), 6, -3),
                with_algo(measure(encode(fat, -2), 8, -2)),
                with_algo(measure(encode(ffm * 0.94, -2), 76, -2)),
                with_algo(measure(encode(ffm * 0.72, -2), 77, -2)),
                with_algo(measure(encode(ffm * 0.05, -2), 88, -2)),
            ];
            if body_scan {
                // Body Scan: segmental measures repeat a type with different positions, and
                // two types Withings does not document yet.
                for (kind, share) in [(173, 0.1), (174, 0.12), (175, 0.05)] {
                    for pos in [2, 3, 10, 11, 12] {
                        let mut m = measure(encode(ffm * share * rng.random_range(0.9..1.1), -2), kind, -2);
                        m.position = Some(pos);
                        ms.push(m);
                    }
                }
                ms.push(measure(rng.random_range(40_000..60_000), 197, -3));
                ms.push(measure(rng.random_range(40_000..60_000), 198, -3));
                ms.push(measure(encode(10.0 + fat_ratio * 20.0, -1), 170, -1));
                ms.push(measure(encode(1400.0 + ffm * 12.0, 0), 226, 0));
            }
            let (model, modelid) = if body_scan { ("Body Scan", 10) } else { ("Body Cardio", 6) };
            let gid = next_id();
            user.groups.push(Group {
                grpid: gid,
                attrib,
                date,
                created,
                modified: created,
                category: 1,
                deviceid: Some(device.clone()),
                hash_deviceid: Some(device.clone()),
                model: Some(model.to_string()),
                modelid: Some(modelid),
                measures: ms,
                comment: None,
            });
            if attrib == 0 && rng.random_bool(0.15) {
                // Body Cardio weigh-in: heart rate and PWV come as separate groups, same date.
                let pulse = Group {
                    grpid: next_id(),
                    attrib: 0,
                    date,
                    created,
                    modified: created,
                    category: 1,
                    deviceid: Some(device.clone()),
                    hash_deviceid: Some(device.clone()),
                    model: Some(model.to_string()),
                    modelid: Some(modelid),
                    measures: vec![measure(rng.random_range(52..84), 11, 0)],
                    comment: None,
                };
                let pwv_attrib = if rng.random_bool(0.1) { 17 } else { 8 };
                let pwv = Group {
                    grpid: next_id(),
                    attrib: pwv_attrib,
                    measures: vec![
                        measure(rng.random_range(6000..9500), 91, -3),
                        measure(rng.random_range(25..70), 155, 0),
                    ],
                    ..pulse.clone()
                };
                user.groups.push(pulse);
                user.groups.push(pwv);
            }
        }
        if day % 400 == 200 {
            // A weight goal, set now and then (category 2).
            let date = start_day + day * DAY + 20 * 3600;
            let goal = (weight - rng.random_range(1.0..6.0)).max(45.0);
            user.groups.push(Group {
                grpid: next_id(),
                attrib: 2,
                date,
                created: date,
                modified: date,
                category: 2,
                deviceid: None,
                hash_deviceid: None,
                model: None,
                modelid: None,
                measures: vec![measure(encode(goal, -3), 1, -3)],
                comment: None,
            });
        }
    }
}

fn with_algo(mut m: Measure) -> Measure {
    m.algo = Some(3);
    m.fm = Some(131);
    m
}

/// A cheap deterministic step so grpids are increasing but not contiguous, like Withings'.
fn rng_step(x: i64) -> i64 {
    (x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407) >> 33).abs()
}
