//! Heft's core: everything but the window.
//!
//! Data flows one way: Withings (or `withings-sim`) → [`withings`] → [`sync`] → [`store`] →
//! charts. Secrets flow only between [`auth`] (which knows what they mean) and [`keychain`]
//! (which keeps them). [`app`] is the one surface the CLI and the desktop shell call. This crate
//! never depends on Tauri; the desktop shell in `src-tauri/` only calls into it.

pub mod app;
pub mod auth;
pub mod autostart;
pub mod chart;
pub mod config;
pub mod csv_export;
pub mod error_code;
pub mod export;
pub mod files;
pub mod fit_export;
pub mod imports;
pub mod keychain;
pub mod locale;
pub mod logging;
pub mod model;
pub mod net;
pub mod read_limit;
pub mod redact;
pub mod series;
pub mod store;
pub mod sync;
pub mod trend;
pub mod units;
pub mod withings;
pub mod withings_file;
