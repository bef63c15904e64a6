//! `psa-hub`: the command line. `serve` runs the hub; `demo` runs the whole loop on this
//! machine with a simulated PSA.

mod demo;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use psa_hub::config::Settings;
use psa_hub::Application;

#[derive(Parser, Debug)]
#[command(
    name = "psa-hub",
    version,
    about = "Keeps security-alert events in step with PSA tickets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the hub: the public callout listener and the admin API.
    Serve {
        /// A TOML file of settings (else $PSA_HUB_CONFIG); PSA_HUB__* variables override it.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Run the whole loop with a simulated PSA on SQLite, then keep serving.
    Demo(demo::DemoArgs),
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { config } => serve(config).await,
        Command::Demo(args) => {
            psa_hub::telemetry::init("error");
            demo::run(args).await
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("psa-hub: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    psa_hub::telemetry::init("info");
    let settings = match Settings::load(config.as_deref()) {
        Ok(settings) => settings,
        Err(errors) => {
            eprintln!("psa-hub: {errors}");
            return Ok(ExitCode::from(2));
        }
    };
    Application::build(settings)
        .await?
        .run_until_stopped()
        .await?;
    Ok(ExitCode::SUCCESS)
}
