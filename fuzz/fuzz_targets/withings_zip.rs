//! Any bytes as Withings' export ZIP (see `harness::withings_zip`).
#![no_main]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::withings_zip(data));
