//! Heft's core: everything but the window.
//!
//! Data flows one way: Withings (or `withings-sim`) → [`withings`] → sync → store → charts.
//! This crate never depends on Tauri; the desktop shell in `src-tauri/` only calls into it.

pub mod model;
pub mod withings;
