//! The `heft` command-line tool.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Keep your Withings scale history on your own computer.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read a saved Withings `getmeas` answer and summarise it (groups, dates, weights).
    Inspect {
        /// A JSON file holding a getmeas answer.
        file: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("heft: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect { file } => {
            let bytes =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let body = heft::withings::parse_getmeas(&bytes)?;
            println!("groups: {}", body.measuregrps.len());
            if let Some(tz) = &body.timezone {
                println!("timezone: {tz}");
            }
            for g in body.measuregrps.iter().take(10) {
                let weight = g
                    .measures
                    .iter()
                    .find(|m| m.kind == 1)
                    .map(|m| heft::model::RawValue::new(m.value, m.unit).to_string());
                println!(
                    "{} grpid {} attrib {} weight {}",
                    g.date,
                    g.grpid,
                    g.attrib,
                    weight.as_deref().unwrap_or("-")
                );
            }
            Ok(())
        }
    }
}
