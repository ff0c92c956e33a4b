//! Any bytes as Withings' `weight.csv` (see `harness::withings_csv`).
#![no_main]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::withings_csv(data));
