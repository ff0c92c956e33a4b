//! The `heft` command-line tool: the same core as the desktop app.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use heft::app::{App, AppError, ChartRequest, ExportFormat};
use heft::auth::Provider;
use heft::chart::{ChartKind, Theme};
use heft::config::Settings;
use heft::keychain::KeyringStore;
use heft::sync::{Phase, Progress};
use heft::units::MassUnit;
use heft::withings::Waiting;

/// Keep your Withings scale history on your own computer.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProviderArg {
    /// Withings with OAuth 2.0 (what Withings serves today).
    Withings,
    /// The original three-legged OAuth 1.0a flow (host from HEFT_WITHINGS_OAUTH1_URL).
    WithingsOauth1,
}

impl From<ProviderArg> for Provider {
    fn from(p: ProviderArg) -> Provider {
        match p {
            ProviderArg::Withings => Provider::Withings,
            ProviderArg::WithingsOauth1 => Provider::WithingsOauth1,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Everything, losslessly (for backups and `heft import`).
    Json,
    /// Body measurements for spreadsheets.
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum TrendFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Authorize Heft with your Withings account (opens your browser).
    Connect {
        #[arg(long, value_enum, default_value = "withings")]
        provider: ProviderArg,
        /// Use Withings' own demo user instead of your account.
        #[arg(long)]
        demo: bool,
    },
    /// Download new and changed measurements.
    Sync {
        /// Re-verify the whole history, not only what changed.
        #[arg(long)]
        full: bool,
        /// Only this account (Withings userid).
        #[arg(long)]
        account: Option<String>,
    },
    /// Accounts, last sync, token expiry and counts.
    Status,
    /// List connected accounts.
    Accounts,
    /// Write every measurement to a file (or stdout).
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Restore measurements from a Heft JSON export.
    Import { file: PathBuf },
    /// Forget an account's tokens; its history stays unless --delete-data.
    Disconnect {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        delete_data: bool,
    },
    /// Draw a chart to an SVG or PNG file.
    Chart {
        /// weight, fat-ratio, fat-mass, lean-mass or composition.
        #[arg(long, default_value = "weight")]
        metric: String,
        /// 30d, 90d, 1y, all, or FROM..TO (YYYY-MM-DD..YYYY-MM-DD).
        #[arg(long, default_value = "90d")]
        range: String,
        /// kg, lb or st.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, default_value = "light")]
        theme: String,
        #[arg(long, default_value_t = 960)]
        width: u32,
        #[arg(long, default_value_t = 480)]
        height: u32,
        /// Include weigh-ins the scale was unsure were yours.
        #[arg(long)]
        include_ambiguous: bool,
        #[arg(long)]
        account: Option<String>,
        /// Output file; .svg or .png.
        #[arg(long)]
        out: PathBuf,
    },
    /// Today's trend weight, weekly rate and (with a goal) the projected date.
    Trend {
        #[arg(long, value_enum, default_value = "text")]
        format: TrendFormat,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        account: Option<String>,
    },
    /// Set or clear your goal weight (in --unit, default kg).
    Goal {
        /// The goal, e.g. 72.5; leave out with --clear.
        value: Option<f64>,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        clear: bool,
    },
    /// Read a saved Withings `getmeas` answer and summarise it.
    Inspect { file: PathBuf },
}

fn main() -> ExitCode {
    heft::logging::init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(url) = e.downcast_ref::<AppError>().and_then(AppError::manual_url) {
                eprintln!("Open this address in your browser to approve Heft:\n{url}");
            }
            eprintln!("heft: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn open() -> anyhow::Result<App> {
    Ok(App::open(Settings::load()?, Box::new(KeyringStore::from_env()))?)
}

fn when(ts: Option<i64>) -> String {
    ts.and_then(|t| jiff::Timestamp::from_second(t).ok())
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Connect { provider, demo } => {
            let mut app = open()?;
            eprintln!("Opening Withings in your browser; approve Heft there…");
            let a = app.connect(provider.into(), demo)?;
            println!("Connected Withings user {}", a.userid);
        }
        Command::Sync { full, account } => {
            let mut app = open()?;
            let tty = std::io::stderr().is_terminal();
            let mut progress = |userid: &str, p: &Progress| {
                if tty {
                    let what = match p.phase {
                        Phase::Fetching => "fetching",
                        Phase::Reconciling => "checking recent days",
                        Phase::Done => "done",
                    };
                    eprint!("\r\x1b[2KSyncing {userid}: {what} — {} pages, {} groups", p.pages, p.groups);
                    let _ = std::io::stderr().flush();
                }
            };
            let on_wait = |w: &Waiting| eprintln!("\n{w}");
            let reports = app.sync(account.as_deref(), full, &mut progress, on_wait);
            if tty {
                eprintln!();
            }
            for r in reports? {
                println!(
                    "{}: {} added, {} changed, {} removed ({} pages{})",
                    r.userid,
                    r.added,
                    r.changed,
                    r.removed,
                    r.pages,
                    if r.full { ", full" } else { "" }
                );
            }
        }
        Command::Status => {
            let app = open()?;
            let all = app.status()?;
            if all.is_empty() {
                println!("No account connected. Run `heft connect`.");
            }
            for s in all {
                let a = &s.account;
                println!(
                    "{} ({}){}",
                    a.userid,
                    a.provider,
                    if a.needs_reconnect { " — reconnect needed" } else { "" }
                );
                println!("  measurements: {} groups, {} values", s.groups, s.measures);
                println!("  last sync:    {}", when(s.sync.last_sync_at));
                if a.provider.has_expiring_tokens() {
                    println!("  token until:  {}", when(a.token_expires_at));
                }
                if let Some(e) = &s.sync.last_error {
                    println!("  last error:   {e}");
                }
            }
        }
        Command::Accounts => {
            for a in open()?.accounts()? {
                println!("{}\t{}\t{}", a.userid, a.provider, a.timezone.as_deref().unwrap_or("-"));
            }
        }
        Command::Export { format, out } => {
            let app = open()?;
            let format = match format {
                Format::Json => ExportFormat::Json,
                Format::Csv => ExportFormat::Csv,
            };
            match (out, format) {
                (Some(path), _) => {
                    let done = app.export_to(format, &path)?;
                    let what = if format == ExportFormat::Json { "weigh-in groups" } else { "measurements" };
                    eprintln!("Wrote {} {what} to {}", done.items, done.path.display());
                }
                (None, ExportFormat::Json) => println!("{}", app.export_json()?),
                (None, ExportFormat::Csv) => {
                    app.export_csv(std::io::stdout().lock())?;
                }
            }
        }
        Command::Import { file } => {
            let r = open()?.import_file(&file)?;
            println!(
                "Imported {} account{}: {} added, {} changed, {} unchanged",
                r.accounts,
                if r.accounts == 1 { "" } else { "s" },
                r.added,
                r.changed,
                r.unchanged
            );
        }
        Command::Disconnect { account, delete_data } => {
            for a in open()?.disconnect(account.as_deref(), delete_data)? {
                println!(
                    "Disconnected {}{}",
                    a.userid,
                    if delete_data { " and deleted its history" } else { " (history kept)" }
                );
            }
        }
        Command::Chart { metric, range, unit, theme, width, height, include_ambiguous, account, out } => {
            let app = open()?;
            let req = ChartRequest {
                kind: ChartKind::parse(&metric).map_err(AppError::from)?,
                range,
                unit: unit.as_deref().map(parse_unit).transpose()?,
                theme: Theme::parse(&theme)
                    .ok_or_else(|| anyhow::anyhow!("unknown theme {theme:?}; use light or dark"))?,
                width,
                height,
                include_ambiguous,
            };
            app.save_chart(account.as_deref(), &req, &out)?;
            println!("Wrote {}", out.display());
        }
        Command::Trend { format, unit, account } => {
            let app = open()?;
            let t = app.trend(account.as_deref())?;
            match format {
                TrendFormat::Json => println!("{}", serde_json::to_string_pretty(&t)?),
                TrendFormat::Text => {
                    let u = mass_unit(&app, unit.as_deref())?;
                    println!("Trend weight on {}: {}", t.date, u.format(t.trend_kg));
                    if let Some(r) = t.weekly_rate_kg {
                        println!("Weekly rate: {} per week", u.format_delta(r));
                    }
                    if let Some(c) = t.change_30d_kg {
                        println!("Change over 30 days: {}", u.format_delta(c));
                    }
                    match (t.goal_kg, t.projected_from, t.projected_to) {
                        (Some(g), Some(a), Some(b)) => {
                            println!("Goal {}: between {a} and {b} at this pace", u.format(g))
                        }
                        (Some(g), _, _) => println!("Goal {}: not reached at the current pace", u.format(g)),
                        _ => {}
                    }
                }
            }
        }
        Command::Goal { value, unit, clear } => {
            let mut app = open()?;
            let u = mass_unit(&app, unit.as_deref())?;
            match (value, clear) {
                (Some(v), false) => {
                    app.set_goal_kg(Some(u.to_kg(v)))?;
                    println!("Goal set to {}", u.format(u.to_kg(v)));
                }
                (None, true) => {
                    app.set_goal_kg(None)?;
                    println!("Goal cleared; Withings' own goal is used if there is one");
                }
                _ => anyhow::bail!("give a goal weight (e.g. `heft goal 72.5`) or --clear"),
            }
        }
        Command::Inspect { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let body = heft::withings::parse_getmeas(&bytes)?;
            println!("groups: {}", body.measuregrps.len());
            for g in body.measuregrps.iter().take(10) {
                let weight = g
                    .measures
                    .iter()
                    .find(|m| m.kind == 1)
                    .map(|m| heft::model::ExactValue::new(m.value, m.unit).to_string());
                println!(
                    "{} grpid {} attrib {} weight {}",
                    g.date,
                    g.grpid,
                    g.attrib,
                    weight.as_deref().unwrap_or("-")
                );
            }
        }
    }
    Ok(())
}

fn parse_unit(u: &str) -> anyhow::Result<MassUnit> {
    MassUnit::parse(u).ok_or_else(|| anyhow::anyhow!("unknown unit {u:?}; use kg, lb or st"))
}

/// The unit from the flag, else the saved one.
fn mass_unit(app: &App, flag: Option<&str>) -> anyhow::Result<MassUnit> {
    flag.map(parse_unit).unwrap_or_else(|| Ok(app.unit()))
}
