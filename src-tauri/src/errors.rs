//! The shell's errors: the one shape of every problem the window hears about (from a command
//! or an event), and the shell's own failure, the demo simulator not starting.

use heft::app::AppError;
use heft::error_code::ErrorCode;
use serde::Serialize;
use ts_rs::TS;

/// The bundled simulator could not start.
#[derive(Debug, thiserror::Error)]
#[error("the demo simulator could not start: {0}")]
pub struct DemoError(#[source] pub withings_sim::SimError);

/// An error the window can act on: a stable `code` to branch on and a sentence for people.
/// Events that report a problem carry the same shape.
#[derive(Debug, Clone, Serialize, TS)]
pub struct UiError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        UiError { code: e.code(), message: e.to_string() }
    }
}

impl From<DemoError> for UiError {
    fn from(e: DemoError) -> Self {
        UiError { code: ErrorCode::DemoFailed, message: e.to_string() }
    }
}

impl From<tauri::Error> for UiError {
    fn from(e: tauri::Error) -> Self {
        UiError { code: ErrorCode::Internal, message: e.to_string() }
    }
}
