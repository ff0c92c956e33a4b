//! The installed package, as a person gets it: `tests/package.sh` builds the `.deb`, installs
//! it with apt-get, and runs this test against `/usr/bin/heft-desktop` (named by
//! `HEFT_INSTALLED_APP`). First run with an empty data folder shows the welcome screen; a
//! `heft:` link opened by the OS reaches the running window (single instance) and is refused
//! without the right `state`; connecting through the `heft://callback` scheme works end to end.

mod driver;

use std::path::Path;

use driver::{Driver, browser, require_session};
use withings_sim::{ClientApp, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sim, SimConfig};

#[test]
#[ignore = "needs the installed package: run by tests/package.sh inside `make test`"]
fn the_installed_app_starts_fresh_takes_heft_links_and_connects_through_the_scheme() {
    require_session();
    let app = std::env::var("HEFT_INSTALLED_APP").expect("HEFT_INSTALLED_APP names the installed binary");
    assert!(app.starts_with("/usr/"), "the installed binary, not a build: {app}");
    let mut client = ClientApp::default();
    client.redirect_uris.push("heft://callback".into());
    let sim = Sim::start(SimConfig { clients: vec![client], users: 1, years: 1, ..SimConfig::default() })
        .expect("simulator starts");
    let data = tempfile::tempdir().expect("temp dir");
    let service = format!("heft-installed-{}", std::process::id());
    let [(_, browser), (_, mode)] = browser("scheme");
    let (data_dir, url) = (data.path().to_str().unwrap(), sim.url());
    let d = Driver::launch(
        Path::new(&app),
        &[
            ("HEFT_DATA_DIR", data_dir),
            ("HEFT_KEYRING_SERVICE", &service),
            ("HEFT_WITHINGS_API_URL", &url),
            ("HEFT_WITHINGS_AUTH_URL", &url),
            ("HEFT_WITHINGS_CLIENT_ID", DEMO_CLIENT_ID),
            ("HEFT_WITHINGS_CLIENT_SECRET", DEMO_CLIENT_SECRET),
            ("HEFT_REDIRECT_URI", "heft://callback"),
            ("HEFT_BROWSER", &browser),
            ("HEFT_TEST_BROWSER", &mode),
            ("HEFT_CALLBACK_TIMEOUT_SECS", "60"),
        ],
    );

    d.wait("the first-run screen", 30, |d| d.visible("welcome"));
    assert!(!d.visible("app"), "no account yet");
    d.screenshot("installed-first-run.png");

    // A link the OS hands over while nothing waits for one is refused by the running window.
    let last_rejection = |d: &Driver| {
        d.js("return document.body.dataset.lastRejection || '';").as_str().unwrap_or("").to_string()
    };
    let opened = std::process::Command::new("xdg-open")
        .arg("heft://callback?code=stolen&state=forged")
        .status()
        .expect("xdg-open runs");
    assert!(opened.success(), "xdg-open hands heft: links to Heft");
    d.wait("the link refused: no authorization is waiting", 30, |d| {
        last_rejection(d).contains("no authorization")
    });

    // Connect: the stand-in browser first hands over a forged link (wrong state), then the
    // consent page's real `heft://callback?code=…&state=…` redirect.
    d.click("connect-button");
    d.wait("the forged link refused for its state", 60, |d| {
        last_rejection(d).contains("state does not match")
    });
    d.wait("the account connected through the scheme", 60, |d| d.visible("app"));
    assert!(d.text("account").contains("Withings user"), "{}", d.text("account"));
    assert_eq!(sim.stats().token_requests, 1, "one code exchange, for the real callback only");
    d.screenshot("installed-connected.png");
}
