//! `autotask-sim` binary: serves the simulator for manual use and demos until killed.

use anyhow::Context;
use autotask_sim::{ApiUser, SimConfig, Simulator};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    name = "autotask-sim",
    about = "Autotask PSA REST and webhook simulator"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8181")]
    listen: String,
    /// Multiplier for every Autotask delay (callout timeout, retry delay, threshold window).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// USERNAME:SECRET:INTEGRATION_CODE; repeatable, each user gets its own database.
    #[arg(long = "user")]
    users: Vec<String>,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let listener = std::net::TcpListener::bind(&args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let config = SimConfig {
        time_scale: args.time_scale,
        ..SimConfig::default()
    };
    let sim = Simulator::spawn_on(listener, config).await?;
    for spec in &args.users {
        let parts: Vec<&str> = spec.splitn(3, ':').collect();
        let [name, secret, code] = parts.as_slice() else {
            anyhow::bail!("--user must be USERNAME:SECRET:INTEGRATION_CODE, got {spec}");
        };
        let db = sim.add_database(&format!("db-{name}"));
        sim.add_api_user(db, ApiUser::new(name, secret, code));
        println!("user {name}: database {}", db.0);
    }
    println!("zone lookup: {}?user=<USERNAME>", sim.zone_lookup_url());
    println!("control API: {}/_sim/", sim.base_url());
    // Ctrl-C terminates the process (signals are left at their defaults).
    std::future::pending::<()>().await;
    Ok(())
}
