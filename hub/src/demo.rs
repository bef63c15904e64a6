//! The demo: the whole loop on this machine with nothing else running. A simulated Autotask
//! and the hub (on a fresh SQLite file) run in this process; the demo drives the hub through
//! its own admin API as the alerting product would, then keeps serving for a newcomer to try.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use autotask_sim::{ApiUser, SimConfig, Simulator};
use psa_hub::local::local_settings;
use psa_hub::Application;
use serde_json::{json, Value};
use url::Url;

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Stop after the walkthrough instead of serving until Ctrl-C.
    #[arg(long)]
    exit: bool,
}

const USER: &str = "api@demo-msp.example";
const SECRET: &str = "demo-secret";
const CODE: &str = "DEMOINTEGRATIONCODE00000001";
const RESOLUTION: &str = "Rule removed & password reset";

pub async fn run(args: DemoArgs) -> anyhow::Result<std::process::ExitCode> {
    let sim = Simulator::spawn(SimConfig {
        time_scale: 0.01,
        ..SimConfig::default()
    })
    .await
    .context("cannot start the Autotask simulator")?;
    let db = sim.add_database("Demo MSP");
    sim.add_api_user(db, ApiUser::new(USER, SECRET, CODE));
    println!("1. simulated Autotask at {}", sim.base_url());

    let dir = tempfile::tempdir().context("cannot make a directory for the demo database")?;
    let database = format!("sqlite://{}", dir.path().join("psa-hub-demo.db").display());
    let zone_lookup = Url::parse(&sim.zone_lookup_url()).context("simulator zone URL")?;
    let settings = local_settings(database.clone(), zone_lookup);
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
    let connect = json!({"username": USER, "secret": SECRET, "integration_code": CODE, "setup_webhook": false});
    let status = api
        .send(
            reqwest::Method::PUT,
            "/api/v1/tenants/demo-msp/autotask",
            Some(connect),
        )
        .await?;
    println!(
        "3. tenant demo-msp connected without its webhook: state={} banner={} ({})",
        status["webhook"]["state"],
        status["webhook"]["banner"]["kind"],
        status["webhook"]["banner"]["color"]
    );
    let status = api
        .send(
            reqwest::Method::POST,
            "/api/v1/tenants/demo-msp/autotask/webhook/retry",
            None,
        )
        .await?;
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

    let ticket = sim.create_ticket(db, "Suspicious inbox rule for jdoe@customer.example");
    let created_at = sim
        .ticket(db, ticket)
        .and_then(|t| t["createDate"].as_str().map(str::to_owned));
    let link =
        json!({"event_id": "evt-1001", "ticket_id": ticket.0, "ticket_created_at": created_at});
    let event = api
        .send(
            reqwest::Method::POST,
            "/api/v1/tenants/demo-msp/events",
            Some(link),
        )
        .await?;
    println!(
        "5. event evt-1001 linked to Autotask ticket {}: status={}",
        ticket.0, event["status"]
    );

    let completed = Instant::now();
    sim.complete_ticket(db, ticket, RESOLUTION);
    println!(
        "6. ticket {} completed in Autotask with a resolution",
        ticket.0
    );
    let event = loop {
        let event = api
            .send(
                reqwest::Method::GET,
                "/api/v1/tenants/demo-msp/events/evt-1001",
                None,
            )
            .await?;
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

    println!("\nTry it (admin token {token}):");
    println!("  curl -H 'Authorization: Bearer {token}' {admin}/api/v1/tenants/demo-msp/autotask");
    println!(
        "  curl -H 'Authorization: Bearer {token}' {admin}/api/v1/tenants/demo-msp/events/evt-1001"
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

/// The admin API as the alerting product calls it.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(base: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            token: token.to_owned(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("calling {path}"))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .with_context(|| format!("reading {path}"))?;
        if !status.is_success() {
            bail!("{path} answered {status}: {body}");
        }
        Ok(body)
    }
}
