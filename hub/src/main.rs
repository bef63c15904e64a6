//! `psa-hub`: the command line. Until the hub service lands, its one command is `demo`, which
//! runs the Autotask side of the loop against an in-process simulator.

mod demo;

use clap::{Parser, Subcommand};

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
    /// Register the ticket webhook in a simulated Autotask, complete a ticket, and verify and
    /// read the signed callout that arrives.
    Demo,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    match Cli::parse().command {
        Command::Demo => demo::run().await,
    }
}
