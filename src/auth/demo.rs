//! The demo account: the OAuth 2.0 flow against the bundled simulator. Its own provider so
//! that its tokens and history never mix with a real account's, even for the same userid.

use super::ConnectError;
use super::flow::{Authorized, ConnectOptions, Endpoint, Flow};
use super::oauth2::Oauth2;
use super::session::{ApiSession, SessionError};
use super::tokens::{Credentials, SessionContext};
use crate::withings::Client;

pub struct Demo;

impl Flow for Demo {
    fn authorize(
        &self,
        ep: &Endpoint,
        client: &Client,
        opts: &ConnectOptions<'_>,
        now: i64,
    ) -> Result<Authorized, ConnectError> {
        let opts = ConnectOptions { withings_demo_user: false, ..*opts };
        Oauth2.authorize(ep, client, &opts, now)
    }

    fn session<'a>(
        &self,
        ep: &Endpoint,
        userid: &str,
        key: String,
        credentials: Credentials,
        ctx: SessionContext<'a>,
    ) -> Result<Box<dyn ApiSession + 'a>, SessionError> {
        Oauth2.session(ep, userid, key, credentials, ctx)
    }
}
