//! `connectwise-sim` binary: serves the simulator for manual use and demos until killed.

use anyhow::Context;
use clap::Parser;
use connectwise_sim::{ApiMember, CompanyId, SimConfig, Simulator};

#[derive(Parser, Debug)]
#[command(
    name = "connectwise-sim",
    about = "ConnectWise PSA (Manage) REST and callback simulator"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8282")]
    listen: String,
    /// Multiplier for every ConnectWise delay (callback timeout, retries, disabling, rate window).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// COMPANY:PUBLIC_KEY:PRIVATE_KEY; repeatable. Each company is created on first use.
    #[arg(long = "member")]
    members: Vec<String>,
    /// A clientId to accept; repeatable. Without any, every non-empty clientId is accepted.
    #[arg(long = "client-id")]
    client_ids: Vec<String>,
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
        client_ids: args.client_ids.clone(),
        ..SimConfig::default()
    };
    let sim = Simulator::spawn_on(listener, config).await?;
    for spec in &args.members {
        let parts: Vec<&str> = spec.splitn(3, ':').collect();
        let [company, public, private] = parts.as_slice() else {
            anyhow::bail!("--member must be COMPANY:PUBLIC_KEY:PRIVATE_KEY, got {spec}");
        };
        let id: CompanyId = sim.add_company(company, &format!("{company} (simulated)"));
        sim.add_member(
            &id,
            ApiMember::new(&format!("api-{public}"), public, private),
        );
        println!("member {public} of company {company}");
    }
    println!("site: {}", sim.site_url());
    println!(
        "company info: {}/login/companyinfo/<COMPANY>",
        sim.site_url()
    );
    println!("API: {}", sim.api_url());
    println!("control API: {}/_sim/", sim.site_url());
    // Ctrl-C terminates the process (signals are left at their defaults).
    std::future::pending::<()>().await;
    Ok(())
}
