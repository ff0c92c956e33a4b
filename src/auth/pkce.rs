//! `state` and PKCE S256 (RFC 7636), both from the OS CSPRNG.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AuthError;
use crate::redact::PkceVerifier;

fn random_b64(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// The `state` of one authorization: 256 random bits, used once, compared in constant time.
pub struct State(String);

impl State {
    pub fn generate() -> Result<State, AuthError> {
        Ok(State(random_b64(32)?))
    }

    /// Rebuilds a state from its value (the deep-link path keeps it while waiting; the fuzz
    /// targets need a known one).
    pub fn from_secret(value: String) -> State {
        State(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, other: &str) -> bool {
        bool::from(self.0.as_bytes().ct_eq(other.as_bytes()))
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("State([redacted])")
    }
}

/// A PKCE verifier and its S256 challenge.
pub struct Pkce {
    pub verifier: PkceVerifier,
    pub challenge: String,
}

impl Pkce {
    pub fn generate() -> Result<Pkce, AuthError> {
        Ok(Pkce::from_verifier(PkceVerifier::new(random_b64(32)?)))
    }

    pub fn from_verifier(verifier: PkceVerifier) -> Pkce {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()));
        Pkce { verifier, challenge }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_challenge_matches_rfc7636_appendix_b() {
        let p = Pkce::from_verifier(PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn states_are_long_unique_and_compare_exactly() {
        let a = State::generate().unwrap();
        let b = State::generate().unwrap();
        assert!(a.as_str().len() >= 43, "at least 256 bits in base64url");
        assert_ne!(a.as_str(), b.as_str());
        assert!(a.matches(a.as_str()));
        assert!(!a.matches(b.as_str()));
        assert!(!a.matches(""));
        assert!(!a.matches(&a.as_str()[1..]));
    }
}
