//! How much an import may read. Every file given to `heft import` (and every ZIP entry in
//! one) is read as a stream through a [`Bounded`] reader with a cap that fits its format, so
//! memory stays bounded whatever the file claims to be, and a ZIP entry that inflates far
//! beyond what its format can hold is refused as soon as that is known, before the database
//! is touched.

use std::io::{self, Read};

const MIB: u64 = 1 << 20;

/// Withings' `weight.csv`: a row is about 40-80 bytes, so 100 years of five weigh-ins a day
/// (182,500 rows) is 7-15 MB. 64 MiB leaves four times that and still fits in memory.
pub const WEIGHT_CSV: u64 = 64 * MIB;
/// Withings' `devices.csv`: one line of about 200 bytes per scale, watch or sleep mat.
pub const DEVICES_CSV: u64 = 4 * MIB;
/// Heft's own JSON export, pretty-printed: about 1.5 KB per weigh-in with all its measures,
/// so 256 MiB is 170,000 weigh-ins (a household of four weighing in three times a day for
/// 40 years).
pub const HEFT_JSON: u64 = 256 * MIB;
/// A ZIP entry inflating to more than this many times its compressed size is not a real
/// export but a bomb: text like a CSV deflates 3-10 to 1, at most a few dozen to 1 when every
/// line is alike; deflate's own ceiling is about 1030 to 1.
pub const MAX_RATIO: u64 = 100;
/// Below this an entry's ratio is not judged (a tiny file of identical lines may compress
/// very well and is harmless).
pub const RATIO_FLOOR: u64 = MIB;

/// Why a file or an entry is refused as too large.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {how}; nothing was imported")]
pub struct TooLarge {
    /// "weight.csv in the ZIP", "the file".
    pub what: String,
    /// "inflates to more than 64 MiB, more than a weight.csv of 100 years holds".
    pub how: String,
}

/// What may be read of one ZIP entry, from its compressed size.
#[derive(Debug, Clone, Copy)]
pub struct EntryLimit {
    /// The cap of the entry's format ([`WEIGHT_CSV`], [`DEVICES_CSV`]).
    pub cap: u64,
    pub compressed: u64,
}

impl EntryLimit {
    /// The most bytes the entry may inflate to.
    pub fn allowed(&self) -> u64 {
        self.cap.min(self.compressed.saturating_mul(MAX_RATIO).max(RATIO_FLOOR))
    }

    /// Why `inflated` bytes (declared or read so far) is too many, if it is.
    pub fn check(&self, name: &str, inflated: u64) -> Result<(), TooLarge> {
        if inflated <= self.allowed() {
            return Ok(());
        }
        let what = format!("{name} in the ZIP");
        if inflated > self.cap {
            return Err(TooLarge {
                what,
                how: format!(
                    "inflates to more than {} (at least {}), far more than a real export's {name} holds",
                    size(self.cap),
                    size(inflated)
                ),
            });
        }
        Err(TooLarge {
            what,
            how: format!(
                "inflates from {} to at least {} (more than {MAX_RATIO} to 1, which no real export \
                 does: a ZIP bomb)",
                size(self.compressed),
                size(inflated)
            ),
        })
    }
}

/// A whole file larger than `cap`, the most a `kind` ("weight.csv", "Heft export") holds.
pub fn file_too_large(cap: u64, kind: &str) -> TooLarge {
    TooLarge {
        what: "the file".into(),
        how: format!("is larger than {}, more than any {kind} holds", size(cap)),
    }
}

/// "64 MiB", "1.0 GiB", "1234 bytes".
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// A reader that gives at most `limit` bytes and then fails (it never pulls more than
/// `limit + 1` bytes from the reader it wraps), remembering that it did so the caller can
/// say why rather than pass on a parser's "I/O error".
#[derive(Debug)]
pub struct Bounded<R> {
    inner: R,
    read: u64,
    limit: u64,
    exceeded: bool,
}

impl<R: Read> Bounded<R> {
    pub fn new(inner: R, limit: u64) -> Self {
        Bounded { inner, read: 0, limit, exceeded: false }
    }

    /// Whether more than the limit was there to read.
    pub fn exceeded(&self) -> bool {
        self.exceeded
    }

    /// How many bytes were read (at most `limit + 1`).
    pub fn bytes_read(&self) -> u64 {
        self.read
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.exceeded {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "over the size limit"));
        }
        // One byte more than the limit, to tell "exactly the limit" from "more".
        let room = (self.limit + 1).saturating_sub(self.read);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.read += n as u64;
        if self.read > self.limit {
            self.exceeded = true;
            return Err(io::Error::new(io::ErrorKind::InvalidData, "over the size limit"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_stream_is_cut_off_one_byte_past_the_limit() {
        let mut r = Bounded::new(io::repeat(b'x'), 10 * MIB);
        let err = io::copy(&mut r, &mut io::sink()).expect_err("an endless stream is refused");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(r.exceeded(), "the reader says why it failed");
        assert_eq!(r.bytes_read(), 10 * MIB + 1, "it pulls no more than one byte past the limit");
    }

    #[test]
    fn a_stream_of_exactly_the_limit_is_read_whole() {
        let mut r = Bounded::new(&[7u8; 1000][..], 1000);
        let mut out = Vec::new();
        r.read_to_end(&mut out).expect("exactly the limit is fine");
        assert_eq!(out.len(), 1000);
        assert!(!r.exceeded());
    }

    #[test]
    fn an_entry_is_judged_by_its_format_cap_and_its_ratio_above_a_floor() {
        let csv = |compressed| EntryLimit { cap: WEIGHT_CSV, compressed };
        assert!(csv(100).check("weight.csv", RATIO_FLOOR).is_ok(), "small files are not judged by ratio");
        assert!(csv(MIB).check("weight.csv", 40 * MIB).is_ok(), "40 to 1 is plausible");
        let bomb = csv(MIB).check("weight.csv", 1 << 30).expect_err("1 GiB is refused").to_string();
        assert!(bomb.contains("weight.csv in the ZIP") && bomb.contains("64 MiB"), "{bomb}");
        let ratio =
            csv(100 * 1024).check("weight.csv", 20 * MIB).expect_err("200 to 1 is refused").to_string();
        assert!(ratio.contains("more than 100 to 1"), "{ratio}");
    }
}
