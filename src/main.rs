//! The `heft` command-line tool: the same core as the desktop app.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use heft::app::{
    App, AppError, ChartRequest, Entry, ExportFormat, ImportOptions, Imported, Standing, TrendChoice,
};
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
    /// A FIT weight file for Garmin Connect (one account: --account).
    Fit,
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

/// A weigh-in as typed.
#[derive(clap::Args, Clone)]
struct EntryArgs {
    /// The weight, e.g. 80.2 (in --unit).
    #[arg(long)]
    weight: Option<String>,
    /// kg, lb or st (default: the account's unit).
    #[arg(long)]
    unit: Option<String>,
    /// Body fat in percent, e.g. 21.5.
    #[arg(long)]
    fat_ratio: Option<String>,
    /// "2026-11-30 07:15" in the account's time zone (default: now).
    #[arg(long)]
    at: Option<String>,
    #[arg(long)]
    account: Option<String>,
}

impl EntryArgs {
    fn entry(&self) -> anyhow::Result<Entry> {
        Ok(Entry {
            weight: self.weight.clone(),
            unit: self.unit.as_deref().map(parse_unit).transpose()?,
            fat_ratio: self.fat_ratio.clone(),
            at: self.at.clone(),
        })
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
        /// The account of a FIT file (JSON and CSV hold every account).
        #[arg(long)]
        account: Option<String>,
    },
    /// Import a Heft JSON export, or Withings' "Download my data" export (its ZIP or its
    /// weight.csv), told apart by content.
    Import {
        file: PathBuf,
        /// The account a Withings export joins (userid or name); default the only one, or a
        /// new local account.
        #[arg(long)]
        account: Option<String>,
        /// The time zone of the export's times (e.g. Europe/Berlin); default the ZIP's
        /// devices.csv, else the account's Withings time zone, else this computer's. Fitbit's
        /// and openScale's exports need it (their times have no zone).
        #[arg(long)]
        timezone: Option<String>,
        /// The unit of the file's weights where it does not say (Fitbit, openScale 3): kg or lb.
        #[arg(long)]
        unit: Option<String>,
        /// Read any CSV by a map of its columns:
        /// "time=Date,weight=Weight (lb),fat=Fat %,unit=lb,zone=Europe/Berlin" (unit and zone
        /// as values, or columns: unit=col:Unit).
        #[arg(long)]
        map: Option<String>,
    },
    /// Every sync of an account, newest first, with the weigh-ins each added, changed or removed.
    Log {
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[command(flatten)]
        shown: Shown,
    },
    /// Weigh-ins with their numbers, where each stands and what looks unusual.
    List {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Only weigh-ins flagged as unusual.
        #[arg(long)]
        flagged: bool,
        #[command(flatten)]
        shown: Shown,
    },
    /// Write a note on a weigh-in ("after the holidays"), or remove it with --clear; no sync
    /// changes it, exports carry it.
    Note {
        /// The weigh-in's number (`heft list`); your own are negative.
        #[arg(allow_negative_numbers = true)]
        grpid: i64,
        /// The note (at most 500 characters).
        #[arg(required_unless_present = "clear")]
        text: Option<String>,
        #[arg(long, conflicts_with = "text")]
        clear: bool,
        #[arg(long)]
        account: Option<String>,
    },
    /// Leave a weigh-in out of the trend, rate, projection and split (Withings keeps it).
    Exclude {
        /// The weigh-in's number (`heft list`); your own are negative.
        #[arg(allow_negative_numbers = true)]
        grpid: i64,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        account: Option<String>,
    },
    /// Count an excluded weigh-in again.
    Include {
        /// The weigh-in's number (`heft list`); your own are negative.
        #[arg(allow_negative_numbers = true)]
        grpid: i64,
        #[arg(long)]
        account: Option<String>,
    },
    /// Weigh-ins the scale could not attribute: list them, or say whose one is.
    Review {
        #[arg(allow_negative_numbers = true)]
        grpid: Option<i64>,
        /// It is mine: count it.
        #[arg(long, conflicts_with = "not_me")]
        mine: bool,
        /// Not mine (a guest): leave it out.
        #[arg(long)]
        not_me: bool,
        #[arg(long)]
        account: Option<String>,
    },
    /// Add a weigh-in of your own (Withings' API cannot take it; it stays in Heft).
    Add {
        #[command(flatten)]
        entry: EntryArgs,
    },
    /// Change a weigh-in you added or imported.
    Edit {
        /// The weigh-in's number (`heft list`); your own are negative.
        #[arg(allow_negative_numbers = true)]
        grpid: i64,
        #[command(flatten)]
        entry: EntryArgs,
    },
    /// Delete a weigh-in you added or imported (exclude a Withings one instead).
    Rm {
        /// The weigh-in's number (`heft list`); your own are negative.
        #[arg(allow_negative_numbers = true)]
        grpid: i64,
        #[arg(long)]
        account: Option<String>,
    },
    /// Name an account, or set its colour or unit (a household on one scale).
    Account {
        /// The account (userid or name); default the only one.
        #[arg(long)]
        account: Option<String>,
        /// "Anna"; an empty name clears it.
        #[arg(long)]
        name: Option<String>,
        /// #rrggbb, or "default".
        #[arg(long)]
        colour: Option<String>,
        /// kg, lb, st, or "default".
        #[arg(long)]
        unit: Option<String>,
    },
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
        /// Which weigh-in stands for a day in the daily methods, their backtest and the
        /// figures: first (default), lowest or mean.
        #[arg(long)]
        day_reading: Option<String>,
        #[arg(long)]
        account: Option<String>,
    },
    /// Reminders due now: no weigh-in for the days you chose, Withings' consent to renew within
    /// 30 days, three failed syncs in a row. `--new` lists only those not listed before (for a
    /// timer that hands them to notify-send); the desktop app says them as notifications.
    Reminders {
        /// Remind after this many days without a weigh-in.
        #[arg(long, conflicts_with = "off")]
        after_days: Option<u32>,
        /// No reminder for days without a weigh-in (the default).
        #[arg(long)]
        off: bool,
        #[arg(long)]
        new: bool,
    },
    /// Weekly (from your locale's first day of the week) or monthly averages, newest first: the
    /// mean of the counted weigh-ins, the trend at the period's end and its change.
    Averages {
        /// Months instead of weeks.
        #[arg(long)]
        monthly: bool,
        /// How many periods to show.
        #[arg(long, default_value_t = 12)]
        limit: usize,
        #[command(flatten)]
        shown: Shown,
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
        #[arg(long)]
        account: Option<String>,
    },
    /// Read a saved Withings `getmeas` answer and summarise it.
    Inspect { file: PathBuf },
}

fn main() -> ExitCode {
    heft::logging::init();
    heft::locale::init(heft::locale::Locale::from_env());
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

/// Ctrl-C stops a sync or a connect at once through the cancellation the window's Cancel uses
/// (the request in flight is dropped; what was stored is kept and the next sync carries on),
/// watched on the core's runtime. A second Ctrl-C ends the process.
fn cancel_on_ctrl_c(app: &App) {
    let cancel = app.canceller();
    heft::net::runtime().spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping (Ctrl-C again to quit at once)…");
            cancel.cancel();
            heft::auth::callback::cancel_pending_callback();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

fn when(ts: Option<i64>) -> String {
    ts.and_then(|t| jiff::Timestamp::from_second(t).ok())
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Connect { provider, demo } => {
            let app = open()?;
            cancel_on_ctrl_c(&app);
            eprintln!("Opening Withings in your browser; approve Heft there…");
            let a = app.connect(provider.into(), demo)?;
            println!("Connected Withings user {}", a.userid);
        }
        Command::Sync { full, account } => {
            let app = open()?;
            cancel_on_ctrl_c(&app);
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
            let mut failed = 0;
            for s in reports? {
                match &s.result {
                    Ok(r) => println!(
                        "{}: {} added, {} changed, {} removed ({} pages{})",
                        s.label(),
                        r.added,
                        r.changed,
                        r.removed,
                        r.pages,
                        if r.full { ", full" } else { "" }
                    ),
                    Err(e) => {
                        failed += 1;
                        eprintln!("{}: failed — {e}", s.label());
                    }
                }
            }
            if failed > 0 {
                anyhow::bail!(
                    "{failed} account{} did not sync (see above)",
                    if failed == 1 { "" } else { "s" }
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
                let name = a.name.as_deref().map(|n| format!("{n}: ")).unwrap_or_default();
                println!(
                    "{name}{} ({}){}",
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
                println!(
                    "{}\t{}\t{}\t{}",
                    a.userid,
                    a.provider,
                    a.timezone.as_deref().unwrap_or("-"),
                    a.name.as_deref().unwrap_or("-")
                );
            }
        }
        Command::Export { format, out, account } => {
            let app = open()?;
            let format = match format {
                Format::Json => ExportFormat::Json,
                Format::Csv => ExportFormat::Csv,
                Format::Fit => ExportFormat::Fit,
            };
            match (out, format) {
                (Some(path), _) => {
                    let done = app.export_to(format, &path, account.as_deref())?;
                    let what = match format {
                        ExportFormat::Json => "weigh-in groups",
                        ExportFormat::Csv => "measurements",
                        ExportFormat::Fit => "weigh-ins",
                    };
                    eprintln!("Wrote {} {what} to {}", done.items, done.path.display());
                }
                (None, ExportFormat::Json) => println!("{}", app.export_json()?),
                (None, ExportFormat::Csv) => {
                    app.export_csv(std::io::stdout().lock())?;
                }
                (None, ExportFormat::Fit) => {
                    anyhow::bail!("a FIT file is binary: give it a name with --out weight.fit")
                }
            }
        }
        Command::Import { file, account, timezone, unit, map } => {
            let unit = unit.as_deref().map(parse_unit).transpose()?;
            let map = map
                .as_deref()
                .map(heft::imports::ColumnMap::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--map: {e}"))?;
            let opts = ImportOptions { account, timezone, unit, map };
            match open()?.import_path(&file, &opts)? {
                Imported::Heft(r) => println!("{}", r.summary),
                Imported::Withings(w) => {
                    println!("{}", w.summary);
                    println!(
                        "From {}; times read as {} (from {}); account {}",
                        w.app, w.timezone, w.timezone_from, w.userid
                    );
                    if !w.ignored_columns.is_empty() {
                        println!("Ignored columns: {}", w.ignored_columns.join(", "));
                    }
                }
            }
        }
        Command::Log { limit, shown: Shown { format, unit, account } } => {
            let app = open()?;
            let unit = unit.as_deref().map(parse_unit).transpose()?;
            let runs = app.sync_log(account.as_deref(), limit, unit)?;
            match format {
                TrendFormat::Json => println!("{}", serde_json::to_string_pretty(&runs)?),
                TrendFormat::Text => {
                    if runs.is_empty() {
                        println!("No sync yet.");
                    }
                    for r in runs {
                        let kind = if r.full { "full" } else { "incremental" };
                        let what = match &r.error {
                            Some(e) => format!("failed — {e}"),
                            None => {
                                format!("{} added, {} changed, {} removed", r.added, r.changed, r.removed)
                            }
                        };
                        println!("{}  {kind}, {}, {} pages: {what}", r.started, r.took, r.pages);
                        for c in r.changes {
                            let verb = match c.change {
                                heft::store::Change::Added => "added",
                                heft::store::Change::Changed => "changed",
                                heft::store::Change::Removed => "removed",
                            };
                            println!("    {}  {verb}: {}", c.date, c.text);
                        }
                    }
                }
            }
        }
        Command::List { limit, flagged, shown: Shown { format, unit, account } } => {
            let app = open()?;
            let unit = unit.as_deref().map(parse_unit).transpose()?;
            let rows = app.weigh_ins(account.as_deref(), unit, limit, None, flagged)?;
            match format {
                TrendFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                TrendFormat::Text => {
                    for r in rows {
                        let standing = match r.standing {
                            Standing::Counted => "",
                            Standing::Excluded => "  excluded",
                            Standing::AwaitingReview => "  awaiting review (heft review)",
                        };
                        let flags = if r.flags.is_empty() {
                            String::new()
                        } else {
                            format!("  [{}]", r.flags.join(", "))
                        };
                        println!(
                            "{:>11}  {}  {:>14}  fat {:>7}{flags}{standing}",
                            r.grpid, r.date, r.weight, r.fat
                        );
                        if let Some(why) = &r.reason {
                            println!("{:>13}reason: {why}", "");
                        }
                        if let Some(note) = &r.note {
                            println!("{:>13}note: {note}", "");
                        }
                        if let Some(comment) = &r.comment {
                            println!("{:>13}comment: {comment}", "");
                        }
                        if !r.sources.is_empty() {
                            println!("{:>13}from: {}", "", r.sources.join(", "));
                        }
                        for a in &r.anomalies {
                            println!("{:>13}unusual: {a}", "");
                        }
                    }
                }
            }
        }
        Command::Note { grpid, text, clear, account } => {
            open()?.set_note(account.as_deref(), grpid, if clear { None } else { text.as_deref() })?;
            println!("{}", if clear { "Note removed." } else { "Note saved." });
        }
        Command::Exclude { grpid, reason, account } => {
            open()?.exclude(account.as_deref(), grpid, reason.as_deref())?;
            println!("Excluded weigh-in {grpid}; `heft include {grpid}` counts it again");
        }
        Command::Include { grpid, account } => {
            open()?.include(account.as_deref(), grpid)?;
            println!("Weigh-in {grpid} counts again");
        }
        Command::Review { grpid, mine, not_me, account } => {
            let app = open()?;
            match grpid {
                Some(g) if mine || not_me => {
                    app.review(account.as_deref(), g, mine)?;
                    println!("Weigh-in {g}: {}", if mine { "yours, counted" } else { "not yours, left out" });
                }
                Some(_) => anyhow::bail!("say whose it is: --mine or --not-me"),
                None => {
                    let rows = app.weigh_ins(
                        account.as_deref(),
                        None,
                        usize::MAX,
                        Some(Standing::AwaitingReview),
                        false,
                    )?;
                    if rows.is_empty() {
                        println!("Nothing to review: every weigh-in is attributed.");
                    }
                    for r in rows {
                        println!(
                            "{:>11}  {}  {:>14}  — `heft review {} --mine` or `--not-me`",
                            r.grpid, r.date, r.weight, r.grpid
                        );
                    }
                }
            }
        }
        Command::Add { entry } => {
            let app = open()?;
            let (a, grpid) = app.add_entry(entry.account.as_deref(), &entry.entry()?)?;
            println!("Added weigh-in {grpid} to {}", a.name.as_deref().unwrap_or(&a.userid));
        }
        Command::Edit { grpid, entry } => {
            open()?.edit_entry(entry.account.as_deref(), grpid, &entry.entry()?)?;
            println!("Changed weigh-in {grpid}");
        }
        Command::Rm { grpid, account } => {
            open()?.remove_entry(account.as_deref(), grpid)?;
            println!("Deleted weigh-in {grpid}");
        }
        Command::Account { account, name, colour, unit } => {
            let app = open()?;
            let mut a = app.account_for(account.as_deref())?;
            let selector = Some(a.userid.clone());
            if let Some(n) = &name {
                a = app.rename_account(selector.as_deref(), n)?;
            }
            if let Some(c) = &colour {
                app.set_account_colour(selector.as_deref(), (c != "default").then_some(c.as_str()))?;
            }
            if let Some(u) = &unit {
                let u = if u == "default" { None } else { Some(parse_unit(u)?) };
                app.set_account_unit(selector.as_deref(), u)?;
            }
            let a = app.accounts()?.into_iter().find(|x| x.id == a.id).unwrap_or(a);
            println!(
                "{} ({}): name {}, colour {}, unit {}",
                a.userid,
                a.provider,
                a.name.as_deref().unwrap_or("-"),
                a.colour.as_deref().unwrap_or("default"),
                a.unit.as_deref().unwrap_or("default")
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
                    let u = mass_unit(&app, unit.as_deref(), account.as_deref())?;
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
        Command::Method { method, smoothing_days, day_reading, account } => {
            let app = open()?;
            if let Some(r) = day_reading {
                let r = heft::trend::DayReading::parse(&r)?;
                app.set_day_reading(account.as_deref(), r)?;
                println!("Day reading: {}", r.as_str());
                if method.is_none() {
                    return Ok(());
                }
            }
            match method {
                Some(m) => {
                    let m = Method::parse(&m)?;
                    app.set_trend_method(account.as_deref(), m, smoothing_days)?;
                    println!("Trend method: {} ({})", m.as_str(), m.label());
                }
                None => {
                    let spec = app.trend_spec(&app.account_for(account.as_deref())?)?;
                    println!("Trend method: {} ({})", spec.method.as_str(), spec.method.label());
                    println!("Day reading: {} (which weigh-in stands for a day)", spec.day_reading.as_str());
                    if spec.method == Method::TimeAware {
                        println!("Smoothing time: {} days", spec.smoothing_days);
                    }
                }
            }
        }
        Command::Reminders { after_days, off, new } => {
            let app = open()?;
            if after_days.is_some() || off {
                app.set_remind_after_days(after_days)?;
                match after_days {
                    Some(d) => println!("Reminding after {d} days without a weigh-in"),
                    None => println!("No reminder for days without a weigh-in"),
                }
                return Ok(());
            }
            let print = |r: &heft::app::Reminder| println!("{}: {}", r.title, r.body);
            if new {
                app.say_reminders(None, |r| {
                    print(r);
                    Ok(())
                })?;
            } else {
                app.due_reminders()?.iter().for_each(print);
            }
        }
        Command::Averages { monthly, limit, shown: Shown { format, unit, account } } => {
            let app = open()?;
            match format {
                TrendFormat::Json => {
                    let periods: Vec<_> =
                        app.averages(account.as_deref(), monthly)?.into_iter().take(limit).collect();
                    println!("{}", serde_json::to_string_pretty(&periods)?);
                }
                TrendFormat::Text => {
                    let u = mass_unit(&app, unit.as_deref(), account.as_deref())?;
                    for p in app.average_rows(account.as_deref(), monthly, u)?.into_iter().take(limit) {
                        let trend = p.trend.map(|t| format!(", trend {t}")).unwrap_or_default();
                        let change = p.change.map(|c| format!(" ({c})")).unwrap_or_default();
                        let s = if p.weigh_ins == 1 { "" } else { "s" };
                        println!("{}: {} weigh-in{s}, mean {}{trend}{change}", p.period, p.weigh_ins, p.mean);
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
                    let u = mass_unit(&app, unit.as_deref(), account.as_deref())?;
                    println!("{}", heft::app::split_sentence(&s, u));
                    println!(
                        "({} weigh-ins with a fat mass; bio-impedance readings are noisy and short windows mislead)",
                        s.weigh_ins
                    );
                }
            }
        }
        Command::Goal { value, unit, clear, account } => {
            let app = open()?;
            let u = mass_unit(&app, unit.as_deref(), account.as_deref())?;
            match (value, clear) {
                (Some(v), false) => {
                    app.set_goal_kg(account.as_deref(), Some(u.to_kg(v)))?;
                    println!("Goal set to {}", u.format(u.to_kg(v)));
                }
                (None, true) => {
                    app.set_goal_kg(account.as_deref(), None)?;
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

/// The unit from the flag, else the account's, else the saved default.
fn mass_unit(app: &App, flag: Option<&str>, account: Option<&str>) -> anyhow::Result<MassUnit> {
    match flag {
        Some(f) => parse_unit(f),
        None => Ok(app.account_for(account).map(|a| app.unit_of(&a)).unwrap_or_else(|_| app.unit())),
    }
}
