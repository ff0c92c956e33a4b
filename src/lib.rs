//! Heft's core: everything but the window.
//!
//! Data flows one way: Withings (or `withings-sim`) → [`withings`] → [`sync`] → [`store`] →
//! charts. Secrets flow only between [`auth`], [`session`] and [`secrets`]. This crate never
//! depends on Tauri; the desktop shell in `src-tauri/` only calls into it.

pub mod app;
pub mod auth;
pub mod chart;
pub mod config;
pub mod csv_export;
pub mod export;
pub mod model;
pub mod secret;
pub mod secrets;
pub mod series;
pub mod session;
pub mod store;
pub mod sync;
pub mod trend;
pub mod units;
pub mod withings;
