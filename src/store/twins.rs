//! "The same weigh-in from another source": a weigh-in of a Withings export file and one Heft
//! already holds (synced from the API, imported from another file, typed by hand) are the
//! same when they lie within a minute of each other and the stored weight, in the file's
//! unit, is the written one at the precision it was written with. The match is one to one:
//! each stored weigh-in stands for at most one written weigh-in, so a person who stepped on
//! the scale twice within a minute keeps both weigh-ins.
//!
//! Pure: the store and the import feed it keys and act on the pairs it returns.

use crate::model::{ExactValue, Source};
use crate::units::MassUnit;

/// How far apart (seconds) two records of one weigh-in may lie.
pub const WITHIN_SECONDS: i64 = 60;

/// When and what a stored weigh-in weighed: how an import recognises one it already has.
#[derive(Debug, Clone, PartialEq)]
pub struct WeighInKey {
    pub grpid: i64,
    pub date: i64,
    /// Exact kg.
    pub weight: ExactValue,
    pub source: Source,
    /// What a file or a person wrote ("175 lb"), for Heft's own.
    pub written: Option<String>,
}

/// A weigh-in as a file wrote it: when, and its weight as written ("175.6" in lb).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WrittenWeighIn {
    pub date: i64,
    pub weight: ExactValue,
    pub unit: MassUnit,
}

impl WrittenWeighIn {
    /// "175.6 lb" (as a measure's `written` holds it) at `date`.
    pub fn parse(date: i64, text: &str) -> Option<WrittenWeighIn> {
        let (v, u) = text.split_once(' ')?;
        Some(WrittenWeighIn { date, weight: ExactValue::parse_decimal(v)?, unit: MassUnit::parse(u)? })
    }

    /// The same weight written with at least `decimals` decimals (175 → 175.0).
    fn padded(self, decimals: u32) -> WrittenWeighIn {
        let short = decimals.saturating_sub(self.weight.decimals());
        let padded = 10i64
            .checked_pow(short)
            .and_then(|f| self.weight.checked_mul(ExactValue::new(f, -(short as i32))));
        WrittenWeighIn { weight: padded.unwrap_or(self.weight), ..self }
    }

    /// Whether `stored` is this weigh-in: within a minute, and the same weight at the written
    /// precision.
    pub fn is(&self, stored: &WeighInKey) -> bool {
        (stored.date - self.date).abs() <= WITHIN_SECONDS
            && same_weight(stored.weight, self.weight, self.unit)
    }
}

/// Reads each weight at the precision of its column: a file writes a column at one
/// precision but drops trailing zeros (an lb export writes 175.6 and 175, the latter meaning
/// 175.0, not anything from 174.5 to 175.5), so each weight gets the most decimals any weight
/// in its unit has.
pub fn at_column_precision(written: &mut [WrittenWeighIn]) {
    for unit in [MassUnit::Kg, MassUnit::Lb, MassUnit::St] {
        let of_unit = || written.iter().filter(|w| w.unit == unit);
        let Some(decimals) = of_unit().map(|w| w.weight.decimals()).max() else { continue };
        for w in written.iter_mut().filter(|w| w.unit == unit) {
            *w = w.padded(decimals);
        }
    }
}

/// Whether the exact `kg` reads as `written` in `unit` at the decimals `written` has: it lies
/// within half a unit of the last written digit, ends included (so it holds whichever way the
/// writer rounded a half). Exact decimal arithmetic throughout: 175.6 lb and the 79.65 kg
/// Withings stores for it are compared without a float.
pub fn same_weight(kg: ExactValue, written: ExactValue, unit: MassUnit) -> bool {
    let half_digit = ExactValue::new(5, -(written.decimals() as i32) - 1);
    let (Some(centre), Some(half)) = (unit.exact_kg(written), unit.exact_kg(half_digit)) else {
        return false;
    };
    let exp = kg.unit.min(centre.unit).min(half.unit);
    let at = |v: ExactValue| -> Option<i128> {
        i128::from(v.value).checked_mul(10i128.checked_pow(u32::try_from(v.unit - exp).ok()?)?)
    };
    match (at(kg), at(centre), at(half)) {
        (Some(kg), Some(centre), Some(half)) => (kg - centre).abs() <= half,
        _ => false,
    }
}

/// Pairs written weigh-ins with stored ones, one to one, as many as can be: the answer holds,
/// for each written weigh-in, the index in `stored` of the one it is, or `None` for a weigh-in
/// not stored yet. Nearer in time is preferred, but never at the cost of a pair.
pub fn pair(stored: &[WeighInKey], written: &[WrittenWeighIn]) -> Vec<Option<usize>> {
    let mut by_date: Vec<usize> = (0..stored.len()).collect();
    by_date.sort_by_key(|&i| stored[i].date);
    let candidates: Vec<Vec<usize>> = written
        .iter()
        .map(|w| {
            let from = by_date.partition_point(|&i| stored[i].date < w.date - WITHIN_SECONDS);
            let to = by_date.partition_point(|&i| stored[i].date <= w.date + WITHIN_SECONDS);
            let mut c: Vec<usize> = by_date[from..to].iter().copied().filter(|&i| w.is(&stored[i])).collect();
            c.sort_by_key(|&i| ((stored[i].date - w.date).abs(), i));
            c
        })
        .collect();
    // The nearest pairs first, then, for a written weigh-in left without one, a pair made by
    // moving others to another of theirs (an augmenting path): the count is the largest possible.
    let mut near: Vec<(i64, i64, usize, usize)> = candidates
        .iter()
        .enumerate()
        .flat_map(|(w, c)| c.iter().map(move |&s| (w, s)))
        .map(|(w, s)| ((stored[s].date - written[w].date).abs(), written[w].date, w, s))
        .collect();
    near.sort_unstable();
    let mut owner: Vec<Option<usize>> = vec![None; stored.len()];
    let mut paired = vec![false; written.len()];
    for (_, _, w, s) in near {
        if !paired[w] && owner[s].is_none() {
            owner[s] = Some(w);
            paired[w] = true;
        }
    }
    let mut left: Vec<usize> =
        (0..written.len()).filter(|&w| !paired[w] && !candidates[w].is_empty()).collect();
    left.sort_by_key(|&w| (written[w].date, w));
    let mut seen = vec![usize::MAX; stored.len()];
    for (round, w) in left.into_iter().enumerate() {
        augment(w, &candidates, &mut owner, &mut seen, round);
    }
    let mut out = vec![None; written.len()];
    for (s, w) in owner.iter().enumerate() {
        if let Some(w) = *w {
            out[w] = Some(s);
        }
    }
    out
}

/// Finds a free stored weigh-in for `start` by handing, along a path, each stored one on to
/// the next written weigh-in that can take another (Kuhn's step, with its own stack rather
/// than recursion, so a long run of look-alike weigh-ins cannot overflow the thread's).
fn augment(
    start: usize,
    candidates: &[Vec<usize>],
    owner: &mut [Option<usize>],
    seen: &mut [usize],
    round: usize,
) -> bool {
    // (written weigh-in, next candidate to try); `path[k]` is the stored one level k tries.
    let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
    let mut path: Vec<usize> = Vec::new();
    while let Some(top) = stack.last_mut() {
        let (w, next) = *top;
        let Some(&s) = candidates[w].get(next) else {
            stack.pop();
            path.pop();
            continue;
        };
        top.1 += 1;
        if seen[s] == round {
            continue;
        }
        seen[s] = round;
        path.push(s);
        match owner[s] {
            Some(holder) => stack.push((holder, 0)),
            None => {
                for (level, &s) in path.iter().enumerate() {
                    owner[s] = Some(stack[level].0);
                }
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(grpid: i64, date: i64, kg: &str) -> WeighInKey {
        WeighInKey {
            grpid,
            date,
            weight: ExactValue::parse_decimal(kg).unwrap(),
            source: Source::Withings,
            written: None,
        }
    }

    fn lb(date: i64, text: &str) -> WrittenWeighIn {
        WrittenWeighIn { date, weight: ExactValue::parse_decimal(text).unwrap(), unit: MassUnit::Lb }
    }

    fn kg(date: i64, text: &str) -> WrittenWeighIn {
        WrittenWeighIn { date, weight: ExactValue::parse_decimal(text).unwrap(), unit: MassUnit::Kg }
    }

    #[test]
    fn the_same_weight_is_the_written_one_at_its_precision_exactly() {
        let v = |s: &str| ExactValue::parse_decimal(s).unwrap();
        // 175.6 lb is 79.650820172 kg; Withings stores grams.
        assert!(same_weight(v("79.651"), v("175.6"), MassUnit::Lb));
        assert!(same_weight(v("79.63"), v("175.6"), MassUnit::Lb), "175.56 lb rounds to 175.6");
        assert!(!same_weight(v("79.60"), v("175.6"), MassUnit::Lb), "175.49 lb is 175.5");
        // Half a digit either way, ends included: 175.55 lb and 175.65 lb, exactly.
        let low = MassUnit::Lb.exact_kg(v("175.55")).unwrap();
        let high = MassUnit::Lb.exact_kg(v("175.65")).unwrap();
        assert!(same_weight(low, v("175.6"), MassUnit::Lb) && same_weight(high, v("175.6"), MassUnit::Lb));
        let below = low.checked_sub(ExactValue::new(1, -12)).unwrap();
        assert!(!same_weight(below, v("175.6"), MassUnit::Lb), "a trillionth of a kg below is not");
        // Written without decimals, a weight is the whole number (see `at_column_precision`
        // for a column that has them).
        assert!(same_weight(MassUnit::Lb.exact_kg(v("175.4")).unwrap(), v("175"), MassUnit::Lb));
        assert!(
            same_weight(v("88.405"), v("88.40"), MassUnit::Kg)
                && same_weight(v("88.405"), v("88.41"), MassUnit::Kg)
        );
        assert!(!same_weight(v("88.406"), v("88.40"), MassUnit::Kg));
        assert!(same_weight(v("88.40"), v("88.4"), MassUnit::Kg), "88.40 written as 88.4");
        assert!(!same_weight(ExactValue::new(i64::MAX, 20), v("88.4"), MassUnit::Kg), "no overflow");
    }

    #[test]
    fn a_weight_without_decimals_in_a_column_with_them_is_at_the_column_precision() {
        let mut w = [lb(0, "175"), lb(60, "175.6"), kg(120, "80"), kg(180, "80.25")];
        at_column_precision(&mut w);
        let shown: Vec<String> = w.iter().map(|w| w.weight.to_string()).collect();
        assert_eq!(shown, ["175.0", "175.6", "80.00", "80.25"]);
        let stored = [key(
            1,
            0,
            &MassUnit::Lb.exact_kg(ExactValue::parse_decimal("175.1").unwrap()).unwrap().to_string(),
        )];
        assert_eq!(
            pair(&stored, &w[..1]),
            vec![None],
            "175.1 lb is not the 175.0 an lb export writes as 175"
        );
    }

    #[test]
    fn each_stored_weigh_in_stands_for_one_written_weigh_in() {
        // Stepped on twice, 30 s apart: both stored, both written.
        let stored = [key(1, 1000, "79.651"), key(2, 1030, "79.651")];
        assert_eq!(pair(&stored, &[lb(1000, "175.6"), lb(1030, "175.6")]), vec![Some(0), Some(1)]);
        // Only one stored: one of the two is new.
        assert_eq!(pair(&stored[..1], &[lb(1000, "175.6"), lb(1030, "175.6")]), vec![Some(0), None]);
        // The nearest pair first: the stored one is the written one at its second.
        assert_eq!(pair(&stored[1..], &[lb(1000, "175.6"), lb(1030, "175.6")]), vec![None, Some(0)]);
        // Not the same weight, or more than a minute apart: not the same weigh-in.
        assert_eq!(pair(&stored, &[lb(1000, "175.5"), lb(1091, "175.6")]), vec![None, None]);
        assert_eq!(pair(&[], &[kg(0, "80.0")]), vec![None]);
    }

    #[test]
    fn a_nearer_pair_gives_way_when_that_pairs_everyone() {
        // Written at 0 could be stored at 40 (nearest) or -50; written at 90 only stored 40.
        let stored = [key(1, 40, "80.0"), key(2, -50, "80.0")];
        let written = [kg(0, "80.0"), kg(90, "80.0")];
        assert_eq!(pair(&stored, &written), vec![Some(1), Some(0)]);
        // A chain of look-alikes a second apart: every one paired, no stack overflow.
        let n = 5_000;
        let stored: Vec<WeighInKey> = (0..n).map(|i| key(i, i, "80.0")).collect();
        let written: Vec<WrittenWeighIn> = (0..n).map(|i| kg(i + 1, "80.0")).collect();
        let paired = pair(&stored, &written);
        assert!(paired.iter().all(Option::is_some), "all {n} paired");
        let mut used: Vec<usize> = paired.into_iter().flatten().collect();
        used.sort_unstable();
        used.dedup();
        assert_eq!(used.len(), n as usize, "each stored weigh-in at most once");
    }
}
