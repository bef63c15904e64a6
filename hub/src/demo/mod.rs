//! The demo: the whole loop on this machine with nothing else running. A simulated PSA and the
//! hub (on a fresh SQLite file) run in this process; the demo drives the hub through its own
//! admin API as the alerting product would, then keeps serving for a newcomer to try.

mod api;
mod autotask;
mod connectwise;

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use psa_hub::local::local_settings;
use psa_hub::Application;
use reqwest::Method;
use serde_json::{json, Value};
use url::Url;

use api::Api;

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Which PSA the walk-through uses.
    #[arg(long, value_enum, default_value_t = Which::Autotask)]
    psa: Which,
    /// Stop after the walkthrough instead of serving until Ctrl-C.
    #[arg(long)]
    exit: bool,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
enum Which {
    Autotask,
    Connectwise,
}

/// A simulated PSA the walk-through drives.
trait DemoPsa {
    /// The path segment of its routes.
    fn name(&self) -> &'static str;
    fn display_name(&self) -> &'static str;
    /// Where the simulator listens.
    fn location(&self) -> String;
    fn zone_lookup_url(&self) -> anyhow::Result<Url>;
    /// The PUT body of the demo tenant's connection.
    fn connect_body(&self) -> Value;
    /// Opens a ticket as the alerting product would; its id and create date.
    fn open_ticket(&self, summary: &str) -> (i64, Option<String>);
    /// A technician completes the ticket with `resolution`.
    fn complete_ticket(&self, ticket: i64, resolution: &str);
}

const TENANT: &str = "demo-msp";
const RESOLUTION: &str = "Rule removed & password reset";

pub async fn run(args: DemoArgs) -> anyhow::Result<std::process::ExitCode> {
    let psa: Box<dyn DemoPsa> = match args.psa {
        Which::Autotask => Box::new(autotask::AutotaskDemo::start().await?),
        Which::Connectwise => Box::new(connectwise::ConnectWiseDemo::start().await?),
    };
    println!("1. simulated {} at {}", psa.display_name(), psa.location());

    let dir = tempfile::tempdir().context("cannot make a directory for the demo database")?;
    let database = format!("sqlite://{}", dir.path().join("psa-hub-demo.db").display());
    let settings = local_settings(database.clone(), psa.zone_lookup_url()?);
    let token = settings.admin.tokens[0].expose().to_owned();
    let app = Application::build(settings).await?;
    let admin = format!("http://{}", app.admin_addr());
    println!(
        "2. psa-hub started: admin API {admin}, public callouts {}, database {database}",
        app.public_url()
    );
    let handle = app.handle();
    let server = actix_web::rt::spawn(app.run_until_stopped());

    let api = Api::new(&admin, &token);
    connect(&api, psa.as_ref()).await?;
    close_an_event(&api, psa.as_ref()).await?;

    let name = psa.name();
    println!("\nTry it (admin token {token}):");
    println!("  curl -H 'Authorization: Bearer {token}' {admin}/api/v1/tenants/{TENANT}/{name}");
    println!(
        "  curl -H 'Authorization: Bearer {token}' {admin}/api/v1/tenants/{TENANT}/events/evt-1001"
    );
    println!("  curl {admin}/metrics");
    if args.exit {
        handle.stop().await;
        let _ = server.await;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    println!("Serving until Ctrl-C.");
    server.await.context("the hub stopped")??;
    Ok(std::process::ExitCode::SUCCESS)
}

/// Steps 3 and 4: the connection as it predates the webhook (blue banner), then Retry.
async fn connect(api: &Api, psa: &dyn DemoPsa) -> anyhow::Result<()> {
    let path = format!("/api/v1/tenants/{TENANT}/{}", psa.name());
    let mut body = psa.connect_body();
    body["setup_webhook"] = json!(false);
    let status = api.send(Method::PUT, &path, Some(body)).await?;
    println!(
        "3. tenant {TENANT} connected without its webhook: state={} banner={} ({})",
        status["webhook"]["state"],
        status["webhook"]["banner"]["kind"],
        status["webhook"]["banner"]["color"]
    );
    let retry = format!("{path}/webhook/retry");
    let status = api.send(Method::POST, &retry, None).await?;
    if status["webhook"]["state"] != "active" {
        bail!("webhook setup did not complete: {status:#}");
    }
    println!(
        "4. Retry Webhook Setup: state={} banner={} webhook id={} named {}",
        status["webhook"]["state"],
        status["webhook"]["banner"],
        status["webhook"]["id"],
        status["webhook"]["name"]
    );
    Ok(())
}

/// Steps 5 to 7: link an event to a ticket, complete the ticket, see the event closed.
async fn close_an_event(api: &Api, psa: &dyn DemoPsa) -> anyhow::Result<()> {
    let (ticket, created_at) = psa.open_ticket("Suspicious inbox rule for jdoe@customer.example");
    let link =
        json!({"event_id": "evt-1001", "ticket_id": ticket, "ticket_created_at": created_at});
    let events = format!("/api/v1/tenants/{TENANT}/events");
    let event = api.send(Method::POST, &events, Some(link)).await?;
    let display = psa.display_name();
    println!(
        "5. event evt-1001 linked to {display} ticket {ticket}: status={}",
        event["status"]
    );
    let completed = Instant::now();
    psa.complete_ticket(ticket, RESOLUTION);
    println!("6. ticket {ticket} completed in {display} with a resolution");
    let path = format!("{events}/evt-1001");
    let event = loop {
        let event = api.send(Method::GET, &path, None).await?;
        if event["status"] == "closed" {
            break event;
        }
        if completed.elapsed() > Duration::from_secs(10) {
            bail!("the event was not closed within 10 s: {event:#}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    println!(
        "7. signed callout received: event evt-1001 status={} resolution={} ({} ms after completion)",
        event["status"],
        event["resolution"],
        completed.elapsed().as_millis()
    );
    Ok(())
}
