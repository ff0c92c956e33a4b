//! Which provider an account belongs to, parsed once where a name enters Heft (settings, a CLI
//! flag, a database row); an unknown name is an error, never a guess.

use serde::Serialize;

use super::flow::Flow;
use super::{demo, oauth1, oauth2};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// Withings with OAuth 2.0 (what Withings serves today).
    Withings,
    /// The original Withings three-legged OAuth 1.0a flow.
    WithingsOauth1,
    /// The demo account, served by the bundled simulator and kept apart from real accounts.
    Demo,
    /// An account that lives only on this computer: made by an import or for manual entries
    /// when no Withings account was chosen. Nothing to authorize, nothing to sync.
    Local,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown provider {0:?}; Heft knows withings, withings-oauth1, demo and local")]
pub struct UnknownProvider(pub String);

impl Provider {
    pub const ALL: [Provider; 4] =
        [Provider::Withings, Provider::WithingsOauth1, Provider::Demo, Provider::Local];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Withings => "withings",
            Provider::WithingsOauth1 => "withings-oauth1",
            Provider::Demo => "demo",
            Provider::Local => "local",
        }
    }

    pub fn parse(s: &str) -> Result<Provider, UnknownProvider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| UnknownProvider(s.to_string()))
    }

    /// How this provider authorizes and calls the API; none for a local account.
    pub fn flow(self) -> Option<&'static dyn Flow> {
        match self {
            Provider::Withings => Some(&oauth2::Oauth2),
            Provider::WithingsOauth1 => Some(&oauth1::Oauth1),
            Provider::Demo => Some(&demo::Demo),
            Provider::Local => None,
        }
    }

    /// Whether the account's data comes from an API that can be synced.
    pub fn syncs(self) -> bool {
        self.flow().is_some()
    }

    pub fn is_demo(self) -> bool {
        self == Provider::Demo
    }

    /// Whether access tokens expire (and so a token expiry is worth showing).
    pub fn has_expiring_tokens(self) -> bool {
        self != Provider::WithingsOauth1
    }

    /// The keychain key of an account's credentials: one entry per (provider, userid).
    pub fn token_key(self, userid: &str) -> String {
        format!("{}:{userid}", self.as_str())
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Provider {
    type Err = UnknownProvider;
    fn from_str(s: &str) -> Result<Provider, UnknownProvider> {
        Provider::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_parses_back_from_its_name_and_nothing_else_does() {
        for p in Provider::ALL {
            assert_eq!(Provider::parse(p.as_str()).unwrap(), p);
        }
        let err = Provider::parse("fitbit").unwrap_err();
        assert!(err.to_string().contains("\"fitbit\""), "{err}");
        assert!(Provider::parse("Withings").is_err(), "names are exact");
    }

    #[test]
    fn token_keys_keep_providers_apart_for_the_same_userid() {
        assert_eq!(Provider::Withings.token_key("7"), "withings:7");
        assert_ne!(Provider::Withings.token_key("7"), Provider::Demo.token_key("7"));
    }
}
