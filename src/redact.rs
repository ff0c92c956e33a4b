//! Secret newtypes: tokens, codes, verifiers and client secrets.
//!
//! They print as `[redacted]`, have no `Display` and no `Serialize`, so a secret cannot slip
//! into a log line, an IPC reply, a JSON export or a panic message by accident. Reading the
//! value takes a deliberate call to `expose()`.

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The secret itself, for the one place that must send or store it.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// An OAuth 2.0 access token (Withings: valid 3 hours).
    AccessToken
);
secret_type!(
    /// An OAuth 2.0 refresh token (Withings: rotated on every refresh).
    RefreshToken
);
secret_type!(
    /// A single-use authorization code (Withings: dies after 30 seconds).
    AuthCode
);
secret_type!(
    /// A PKCE code verifier (RFC 7636).
    PkceVerifier
);
secret_type!(
    /// The client secret of a Withings developer app, or an OAuth 1.0a consumer secret.
    ClientSecret
);
secret_type!(
    /// An OAuth 1.0a token secret.
    TokenSecret
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_secret() {
        let t = AccessToken::new("abc123-very-secret");
        assert_eq!(format!("{t:?}"), "AccessToken([redacted])");
        let nested = format!("{:?}", Some((RefreshToken::new("r-secret"), ClientSecret::new("c-secret"))));
        assert_eq!(nested, "Some((RefreshToken([redacted]), ClientSecret([redacted])))");
        assert_eq!(t.expose(), "abc123-very-secret");
    }
}
