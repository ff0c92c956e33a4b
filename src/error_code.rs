//! The stable codes every layer's errors carry, in one closed list: the window branches on
//! them (its TypeScript type is generated from this enum), the database keeps the last sync's
//! code, and a person never sees one without a sentence beside it.

use serde::{Deserialize, Serialize};

/// A problem, named for what the person (or the window) does about it. Serialized in
/// snake_case ("reconnect_needed"), as stored in `sync_state.last_error_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadInput,
    BrowserFailed,
    CallbackRejected,
    Cancelled,
    ClientRejected,
    ConfigError,
    ConnectDenied,
    ConnectFailed,
    ConnectRefused,
    ConnectTimedOut,
    DataFolderError,
    DatabaseError,
    DatabaseTooNew,
    DemoNotRunning,
    DiskFull,
    ExportFailed,
    FromWithings,
    ImportFailed,
    InsecureUrl,
    Internal,
    KeychainDamaged,
    KeychainError,
    KeychainUnavailable,
    LocalOnly,
    NoAccount,
    NoData,
    NoWeighIn,
    NotConfigured,
    Offline,
    PortInUse,
    ReconnectNeeded,
    RefreshBusy,
    RefreshRefused,
    SettingsBusy,
    WithingsError,
    WithingsMalformed,
    ChartError,
    /// The desktop shell's own: the bundled simulator did not start.
    DemoFailed,
    /// A sync waits because Withings asked it to slow down (an event, not a failure).
    RateLimited,
    /// A sync waits to try a failed request again (an event, not a failure).
    Retrying,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadInput => "bad_input",
            ErrorCode::BrowserFailed => "browser_failed",
            ErrorCode::CallbackRejected => "callback_rejected",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::ClientRejected => "client_rejected",
            ErrorCode::ConfigError => "config_error",
            ErrorCode::ConnectDenied => "connect_denied",
            ErrorCode::ConnectFailed => "connect_failed",
            ErrorCode::ConnectRefused => "connect_refused",
            ErrorCode::ConnectTimedOut => "connect_timed_out",
            ErrorCode::DataFolderError => "data_folder_error",
            ErrorCode::DatabaseError => "database_error",
            ErrorCode::DatabaseTooNew => "database_too_new",
            ErrorCode::DemoNotRunning => "demo_not_running",
            ErrorCode::DiskFull => "disk_full",
            ErrorCode::ExportFailed => "export_failed",
            ErrorCode::FromWithings => "from_withings",
            ErrorCode::ImportFailed => "import_failed",
            ErrorCode::InsecureUrl => "insecure_url",
            ErrorCode::Internal => "internal",
            ErrorCode::KeychainDamaged => "keychain_damaged",
            ErrorCode::KeychainError => "keychain_error",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::LocalOnly => "local_only",
            ErrorCode::NoAccount => "no_account",
            ErrorCode::NoData => "no_data",
            ErrorCode::NoWeighIn => "no_weigh_in",
            ErrorCode::NotConfigured => "not_configured",
            ErrorCode::Offline => "offline",
            ErrorCode::PortInUse => "port_in_use",
            ErrorCode::ReconnectNeeded => "reconnect_needed",
            ErrorCode::RefreshBusy => "refresh_busy",
            ErrorCode::RefreshRefused => "refresh_refused",
            ErrorCode::SettingsBusy => "settings_busy",
            ErrorCode::WithingsError => "withings_error",
            ErrorCode::WithingsMalformed => "withings_malformed",
            ErrorCode::ChartError => "chart_error",
            ErrorCode::DemoFailed => "demo_failed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Retrying => "retrying",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Tests and callers compare with the stored spelling.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// The stored spelling is serde's: a code written by one and read by the other is the same.
    #[test]
    fn as_str_is_the_serialized_name() {
        let all: Vec<ErrorCode> = serde_json::from_str(
            r#"["bad_input","browser_failed","callback_rejected","cancelled","client_rejected",
            "config_error","connect_denied","connect_failed","connect_refused","connect_timed_out",
            "data_folder_error","database_error","database_too_new","demo_not_running","disk_full",
            "export_failed","from_withings","import_failed","insecure_url","internal",
            "keychain_damaged","keychain_error","keychain_unavailable","local_only","no_account",
            "no_data","no_weigh_in","not_configured","offline","port_in_use","reconnect_needed",
            "refresh_busy","refresh_refused","settings_busy","withings_error","withings_malformed","chart_error","demo_failed",
            "rate_limited","retrying"]"#,
        )
        .expect("every code parses");
        for c in all {
            assert_eq!(serde_json::to_value(c).ok(), Some(serde_json::Value::from(c.as_str())), "{c:?}");
        }
    }
}
