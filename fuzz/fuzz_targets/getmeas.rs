//! Any bytes as a getmeas answer (see `harness::getmeas`).
#![no_main]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::getmeas(data));
