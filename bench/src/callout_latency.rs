//! Callout-to-event-closed time, measured two ways against a hub on SQLite:
//!
//! 1. **End to end**: a ticket is completed in the simulated Autotask (real time, no scaling);
//!    the clock stops when the hub's database shows the linked event closed.
//! 2. **Ingest under load**: signed completion callouts are posted straight to the public
//!    listener by `--concurrency` clients, each closing a distinct linked event. The hub answers
//!    2xx only after the close is committed, so each answer's latency is the callout-to-closed
//!    time Autotask sees.
//!
//! `cargo run --release -p psa-hub-bench --bin callout-latency -- --help`

#[path = "shared/in_process.rs"]
mod in_process;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use autotask_sim::{sign, ApiUser, SimConfig, Simulator};
use clap::Parser;
use futures_util::stream::{self, StreamExt};
use psa_hub::local::local_settings;
use psa_hub::store::{EventStatus, NewLink};
use psa_proto::{EventId, TenantId};
use serde_json::{json, Value};
use url::Url;

use in_process::InProcessHub;

#[derive(Parser, Debug)]
struct Args {
    /// Tickets completed in the simulator, one at a time, for the end-to-end figure.
    #[arg(long, default_value_t = 200)]
    e2e: usize,
    /// Callouts posted straight to the public listener.
    #[arg(long, default_value_t = 5000)]
    callouts: usize,
    /// Concurrent clients posting callouts.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

const USER: &str = "bench@msp.example";
const TENANT: &str = "bench-tenant";

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = Simulator::spawn(SimConfig::default()).await?;
    let db = sim.add_database("Bench MSP");
    sim.add_api_user(db, ApiUser::new(USER, "secret", "BENCHCODE"));
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("bench.db").display());
    let settings = local_settings(database, Url::parse(&sim.zone_lookup_url())?);
    let InProcessHub {
        admin,
        public,
        token,
        store,
    } = InProcessHub::start(settings).await?;
    let http = reqwest::Client::new();
    let tenant = TenantId::parse(TENANT)?;

    let status: Value = http
        .put(format!("{admin}/api/v1/tenants/{TENANT}/autotask"))
        .bearer_auth(&token)
        .json(&json!({"username": USER, "secret": "secret", "integration_code": "BENCHCODE"}))
        .send()
        .await?
        .json()
        .await?;
    if status["webhook"]["state"] != "active" {
        bail!("setup failed: {status}");
    }
    let hook = status["webhook"]["url"]
        .as_str()
        .context("url")?
        .rsplit('/')
        .next()
        .context("token")?
        .to_owned();
    let secret = sim.webhooks(db)[0]["secretKey"]
        .as_str()
        .context("secret")?
        .to_owned();

    // 1. End to end through the simulator.
    let mut e2e = Vec::with_capacity(args.e2e);
    for i in 0..args.e2e {
        let ticket = sim.create_ticket(db, "bench");
        let event = EventId::parse(format!("e2e-{i}"))?;
        store.link_event(&link(&tenant, &event, ticket.0)).await?;
        let started = Instant::now();
        sim.complete_ticket(db, ticket, "resolved");
        loop {
            let record = store.event(&tenant, &event).await?.context("event")?;
            if record.status == EventStatus::Closed {
                break;
            }
            if started.elapsed() > Duration::from_secs(10) {
                bail!("event {event} not closed in 10 s");
            }
            tokio::task::yield_now().await;
        }
        e2e.push(started.elapsed());
    }
    report(
        "end to end (ticket completed in the simulator -> event closed in the database)",
        &mut e2e,
        None,
    );

    // 2. Ingest under load.
    for i in 0..args.callouts {
        let event = EventId::parse(format!("load-{i}"))?;
        store
            .link_event(&link(&tenant, &event, 1_000_000 + i as i64))
            .await?;
    }
    let bodies: Vec<(Vec<u8>, String)> = (0..args.callouts)
        .map(|i| {
            let body = serde_json::to_vec(&json!({
                "Action": "Update", "Guid": "bench-guid", "EntityType": "Ticket", "Id": 1_000_000 + i,
                "Fields": {"CompletedDate": "2026-11-27T12:00:00Z", "Status": 5, "Resolution": "Reset the account & revoked sessions"},
                "EventTime": "2026-11-27T12:00:01Z", "SequenceNumber": i + 1, "PersonID": 29682885
            }))
            .expect("serializes");
            let signature = sign(&secret, &body);
            (body, signature)
        })
        .collect();
    let url = Arc::new(format!("{public}/hooks/autotask/{hook}"));
    let started = Instant::now();
    let results: Vec<anyhow::Result<Duration>> = stream::iter(bodies)
        .map(|(body, signature)| {
            let http = http.clone();
            let url = url.clone();
            async move {
                let sent = Instant::now();
                let response = http
                    .post(url.as_str())
                    .header("Content-Type", "application/json")
                    .header("X-Hook-Signature", signature)
                    .body(body)
                    .send()
                    .await?;
                if !response.status().is_success() {
                    bail!("callout answered {}", response.status());
                }
                Ok(sent.elapsed())
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    let wall = started.elapsed();
    let mut latencies = results.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    let closed = in_process::closed_events(&store, &tenant).await?;
    report(
        &format!(
            "ingest, {} concurrent clients (callout -> committed close -> 2xx)",
            args.concurrency
        ),
        &mut latencies,
        Some(wall),
    );
    println!(
        "  events closed in the database: {closed} of {}",
        args.e2e + args.callouts
    );
    Ok(())
}

fn report(title: &str, samples: &mut [Duration], wall: Option<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("{title}");
    println!(
        "  n={} p50={:.2} ms p90={:.2} ms p99={:.2} ms max={:.2} ms",
        samples.len(),
        ms(pick(0.5)),
        ms(pick(0.9)),
        ms(pick(0.99)),
        ms(samples[samples.len() - 1]),
    );
    if let Some(wall) = wall {
        println!(
            "  throughput {:.0} callouts/s over {:.2} s",
            samples.len() as f64 / wall.as_secs_f64(),
            wall.as_secs_f64()
        );
    }
}

fn link(tenant: &TenantId, event: &EventId, ticket: i64) -> NewLink {
    NewLink {
        tenant: tenant.clone(),
        psa: Some(psa_autotask::NAME),
        event: event.clone(),
        ticket: psa_proto::TicketId(ticket),
        ticket_created_at: None,
    }
}
