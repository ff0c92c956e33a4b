//! `withings-sim`: run the simulator until interrupted, printing its address first.

use std::io::Write;

use clap::Parser;
use withings_sim::{ClientApp, Sim, SimConfig};

/// A faithful Withings API simulator on loopback.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed of the generated data set.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Years of daily weigh-ins per user.
    #[arg(long, default_value_t = 3)]
    years: u32,
    /// Number of users.
    #[arg(long, default_value_t = 2)]
    users: u32,
    /// Redirect at once instead of showing the consent page.
    #[arg(long)]
    auto_approve: bool,
    /// Groups per getmeas page.
    #[arg(long, default_value_t = 500)]
    page_size: usize,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 10_800)]
    token_lifetime: i64,
    /// Seconds within which identical getmeas arguments get 601 (0 disables).
    #[arg(long, default_value_t = 10)]
    identical_window: i64,
    /// Requests per minute before 601 (0 disables).
    #[arg(long, default_value_t = 120)]
    rate_limit: u32,
    /// Extra registered redirect URI (repeatable).
    #[arg(long)]
    redirect_uri: Vec<String>,
    /// Serve no `/_sim/` control endpoints (scripts and benchmarks use them, so they are on).
    #[arg(long)]
    no_control: bool,
}

fn main() -> std::process::ExitCode {
    let a = Args::parse();
    let mut client = ClientApp::default();
    client.redirect_uris.extend(a.redirect_uri);
    let config = SimConfig {
        port: a.port,
        seed: a.seed,
        years: a.years,
        users: a.users,
        clients: vec![client],
        auto_approve: a.auto_approve,
        page_size: a.page_size,
        access_token_lifetime: a.token_lifetime,
        identical_request_window: a.identical_window,
        requests_per_minute: a.rate_limit,
        // The binary is the scripts' simulator: its control endpoints are on unless refused.
        control: !a.no_control,
        ..SimConfig::default()
    };
    let sim = match Sim::start(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("withings-sim: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{}", sim.url());
    let _ = std::io::stdout().flush();
    eprintln!(
        "withings-sim: users {:?}; client id {} / secret {}",
        sim.userids(),
        withings_sim::DEMO_CLIENT_ID,
        withings_sim::DEMO_CLIENT_SECRET
    );
    loop {
        std::thread::park();
    }
}
