//! The `heft` command-line tool: the same core as the desktop app.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use heft::app::{App, AppError, ChartRequest, ExportFormat, TrendChoice};
use heft::auth::Provider;
use heft::chart::{ChartKind, Theme};
use heft::config::Settings;
use heft::keychain::KeyringStore;
use heft::sync::{Phase, Progress};
use heft::trend::Method;
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

/// How a report is shown, and for which account.
#[derive(clap::Args, Clone)]
struct Shown {
    #[arg(long, value_enum, default_value = "text")]
    format: TrendFormat,
    /// kg, lb or st (default: the saved unit).
    #[arg(long)]
    unit: Option<String>,
    #[arg(long)]
    account: Option<String>,
}

/// A trend method for this command only (else the account's).
#[derive(clap::Args, Clone)]
struct MethodArgs {
    /// ema, holt-gentle, holt, holt-responsive or time-aware.
    #[arg(long)]
    method: Option<String>,
    /// time-aware's smoothing time S, in days (default 7).
    #[arg(long)]
    smoothing_days: Option<f64>,
}

impl MethodArgs {
    fn choice(&self) -> anyhow::Result<TrendChoice> {
        let method = self.method.as_deref().map(Method::parse).transpose()?;
        Ok(TrendChoice { method, smoothing_days: self.smoothing_days })
    }
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
        #[command(flatten)]
        method: MethodArgs,
        #[arg(long)]
        account: Option<String>,
        /// Output file; .svg or .png.
        #[arg(long)]
        out: PathBuf,
    },
    /// Today's trend weight, weekly rate and (with a goal) the projected date.
    Trend {
        #[command(flatten)]
        shown: Shown,
        #[command(flatten)]
        method: MethodArgs,
        /// With --format json: the points the figures came from.
        #[arg(long)]
        series: bool,
    },
    /// Show or choose the account's trend method (every chart and figure uses it).
    Method {
        /// ema, holt-gentle, holt, holt-responsive or time-aware; leave out to show it.
        method: Option<String>,
        /// time-aware's smoothing time S, in days (default 7).
        #[arg(long)]
        smoothing_days: Option<f64>,
        #[arg(long)]
        account: Option<String>,
    },
    /// How well each trend method predicts your weigh-in a week ahead (best first).
    Backtest {
        #[arg(long, value_enum, default_value = "text")]
        format: TrendFormat,
        #[arg(long)]
        account: Option<String>,
    },
    /// What a change in trend weight was made of: fat mass and lean mass.
    Split {
        /// YYYY-MM-DD (default: 90 days before --to).
        #[arg(long)]
        from: Option<String>,
        /// YYYY-MM-DD (default: today).
        #[arg(long)]
        to: Option<String>,
        #[command(flatten)]
        method: MethodArgs,
        #[command(flatten)]
        shown: Shown,
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
        Command::Chart {
            metric,
            range,
            unit,
            theme,
            width,
            height,
            include_ambiguous,
            method,
            account,
            out,
        } => {
            let app = open()?;
            let trend = method.choice()?;
            let req = ChartRequest {
                kind: ChartKind::parse(&metric).map_err(AppError::from)?,
                range,
                unit: unit.as_deref().map(parse_unit).transpose()?,
                theme: Theme::parse(&theme)
                    .ok_or_else(|| anyhow::anyhow!("unknown theme {theme:?}; use light or dark"))?,
                width,
                height,
                include_ambiguous,
                trend,
            };
            app.save_chart(account.as_deref(), &req, &out)?;
            println!("Wrote {}", out.display());
        }
        Command::Trend { shown: Shown { format, unit, account }, method, series } => {
            let app = open()?;
            let choice = method.choice()?;
            let t = app.trend(account.as_deref(), choice)?;
            match format {
                TrendFormat::Json if series => {
                    let s = app.trend_series(account.as_deref(), choice)?;
                    let points: Vec<serde_json::Value> = s
                        .points
                        .iter()
                        .map(|p| {
                            let at = if s.spec.method.is_daily() {
                                ("date", serde_json::json!(p.date.to_string()))
                            } else {
                                ("at", serde_json::json!(p.at))
                            };
                            serde_json::json!({at.0: at.1, "value_kg": p.value, "trend_kg": p.trend})
                        })
                        .collect();
                    let mut v = serde_json::to_value(&t)?;
                    v["series"] = serde_json::Value::Array(points);
                    println!("{}", serde_json::to_string_pretty(&v)?);
                }
                TrendFormat::Json => println!("{}", serde_json::to_string_pretty(&t)?),
                TrendFormat::Text => {
                    let u = mass_unit(&app, unit.as_deref())?;
                    let text = t.in_unit(u);
                    println!("Trend weight on {} ({}): {}", t.date, t.method.as_str(), text.trend);
                    if let Some(r) = &text.weekly_rate {
                        println!("Weekly rate: {r}");
                    }
                    if let Some(c) = &text.change_30d {
                        println!("Change over 30 days: {c}");
                    }
                    if let Some(b) = &text.bmi {
                        println!("BMI: {b}");
                    }
                    if let (Some(g), Some(p)) = (&text.goal, &text.projected) {
                        println!("Goal {g}: {p}");
                    }
                }
            }
        }
        Command::Method { method, smoothing_days, account } => {
            let mut app = open()?;
            match method {
                Some(m) => {
                    let m = Method::parse(&m)?;
                    app.set_trend_method(account.as_deref(), m, smoothing_days)?;
                    println!("Trend method: {} ({})", m.as_str(), m.label());
                }
                None => {
                    let spec = app.trend_spec(&app.account_for(account.as_deref())?)?;
                    println!("Trend method: {} ({})", spec.method.as_str(), spec.method.label());
                    if spec.method == Method::TimeAware {
                        println!("Smoothing time: {} days", spec.smoothing_days);
                    }
                }
            }
        }
        Command::Backtest { format, account } => {
            let r = open()?.backtest(account.as_deref())?;
            match format {
                TrendFormat::Json => println!("{}", serde_json::to_string_pretty(&r)?),
                TrendFormat::Text => {
                    println!("Error predicting the weigh-in a week ahead (mean absolute error):");
                    for (i, b) in r.iter().enumerate() {
                        let best = if i == 0 { "  ← best for you" } else { "" };
                        println!(
                            "  {:<16} {:.2} kg over {} weigh-ins{best}",
                            b.method.as_str(),
                            b.mae_kg,
                            b.predictions
                        );
                    }
                }
            }
        }
        Command::Split { from, to, method, shown: Shown { format, unit, account } } => {
            let app = open()?;
            let day = |s: Option<String>| -> anyhow::Result<Option<jiff::civil::Date>> {
                s.map(|d| d.parse().with_context(|| format!("{d:?} is not a date (YYYY-MM-DD)"))).transpose()
            };
            let choice = method.choice()?;
            let s = app.split(account.as_deref(), day(from)?, day(to)?, choice)?;
            match format {
                TrendFormat::Json => println!("{}", serde_json::to_string_pretty(&s)?),
                TrendFormat::Text => {
                    let u = mass_unit(&app, unit.as_deref())?;
                    println!("{}", heft::app::split_sentence(&s, u));
                    println!(
                        "({} weigh-ins with a fat mass; bio-impedance readings are noisy and short windows mislead)",
                        s.weigh_ins
                    );
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
