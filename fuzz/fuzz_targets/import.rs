//! Any bytes as a Heft JSON backup (see `harness::import_file`).
#![no_main]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::import_file(data));
