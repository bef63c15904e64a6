//! Ingest throughput and latency against the machine's ceiling: distinct signed completion
//! callouts for linked tickets, posted by `--connections` clients that each keep one request in
//! flight, first at a bare actix-web handler that answers 200 (the ceiling), then at psa-hub
//! (every answer only after the close is committed), in one run; then the ratio of the two.
//!
//! `cargo run --release -p psa-hub-bench --bin ingest -- --help`

#[path = "shared/in_process.rs"]
mod in_process;
#[path = "ingest/load.rs"]
mod load;

use std::sync::Arc;

use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::{bail, Context};
use autotask_sim::{sign, ApiUser, SimConfig, Simulator};
use clap::Parser;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use psa_hub::config::RateLimit;
use psa_hub::local::local_settings;
use psa_hub::store::{NewLink, Store};
use psa_proto::{EventId, TenantId, TicketId};
use serde_json::{json, Value};
use url::Url;

use in_process::InProcessHub;
use load::{Request, Run};

#[derive(Parser, Debug)]
struct Args {
    /// Callouts posted to each target (each closes a distinct linked event on psa-hub).
    #[arg(long, default_value_t = 40_000)]
    callouts: usize,
    /// Concurrent client connections, each with one request in flight.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Tenants the callouts are spread over (each an Autotask connection).
    #[arg(long, default_value_t = 64)]
    tenants: usize,
    /// A PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432) to store in, in a fresh
    /// database `psa_hub_bench`; SQLite in a temporary file when absent.
    #[arg(long)]
    postgres: Option<String>,
}

/// One connected tenant: its id, hook URL path and webhook secret.
struct Tenant {
    id: TenantId,
    path: String,
    secret: String,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = Simulator::spawn(SimConfig::default()).await?;
    let dir = tempfile::tempdir()?;
    let (database, label) = match &args.postgres {
        Some(server) => (fresh_postgres(server).await?, "PostgreSQL"),
        None => (
            format!("sqlite://{}", dir.path().join("bench.db").display()),
            "SQLite",
        ),
    };
    let mut settings = local_settings(database, Url::parse(&sim.zone_lookup_url())?);
    // The load is many callouts on few hook tokens; the flood limit would refuse most.
    settings.public.rate_limit = RateLimit {
        per_second: 10_000_000,
        burst: 10_000_000,
    };
    settings.database.max_connections = 16;
    let InProcessHub {
        admin,
        public,
        token,
        store,
    } = InProcessHub::start(settings).await?;

    let tenants = connect_tenants(&sim, &admin, &token, args.tenants).await?;
    let requests = callouts(&store, &tenants, args.callouts).await?;
    let bare = bare_handler()?;

    println!(
        "ingest: {} distinct signed callouts, {} connections, {} tenants, psa-hub on {label}",
        args.callouts, args.connections, args.tenants
    );
    let ceiling = load::run(&bare, requests.clone(), args.connections).await?;
    ceiling.print("bare actix-web handler (200, body read)");
    let hub = load::run(&public, requests, args.connections).await?;
    hub.print("psa-hub (verified, deduplicated, event closed, committed, then 2xx)");
    println!(
        "ratio psa-hub / bare handler: {:.3}",
        hub.throughput() / ceiling.throughput()
    );
    let closed = closed_events(&store, &tenants).await?;
    println!(
        "events closed in the database: {closed} of {}",
        args.callouts
    );
    if closed != args.callouts || hub.failures > 0 {
        bail!("not every callout closed its event");
    }
    Ok(())
}

/// Creates (again) the database `psa_hub_bench` on `server`; returns its URL.
async fn fresh_postgres(server: &str) -> anyhow::Result<String> {
    use sqlx::Connection as _;
    sqlx::any::install_default_drivers();
    let server = server.trim_end_matches('/');
    let mut admin = sqlx::AnyConnection::connect(&format!("{server}/postgres")).await?;
    for statement in [
        "DROP DATABASE IF EXISTS psa_hub_bench WITH (FORCE)",
        "CREATE DATABASE psa_hub_bench",
    ] {
        sqlx::query(statement).execute(&mut admin).await?;
    }
    Ok(format!("{server}/psa_hub_bench"))
}

/// One Autotask database and API user per tenant, each connected through the admin API.
async fn connect_tenants(
    sim: &Simulator,
    admin: &str,
    token: &str,
    count: usize,
) -> anyhow::Result<Vec<Tenant>> {
    let http = reqwest::Client::new();
    stream::iter(0..count)
        .map(|i| {
            let http = http.clone();
            async move {
                let db = sim.add_database(&format!("Bench MSP {i}"));
                let user = format!("bench{i}@msp.example");
                sim.add_api_user(db, ApiUser::new(&user, "secret", "BENCHCODE"));
                let tenant = format!("bench-{i}");
                let status: Value = http
                    .put(format!("{admin}/api/v1/tenants/{tenant}/autotask"))
                    .bearer_auth(token)
                    .json(&json!({"username": user, "secret": "secret",
                                  "integration_code": "BENCHCODE"}))
                    .send()
                    .await?
                    .json()
                    .await?;
                if status["webhook"]["state"] != "active" {
                    bail!("setup failed: {status}");
                }
                let url = status["webhook"]["url"].as_str().context("url")?;
                let path = Url::parse(url)?.path().to_owned();
                let secret = sim.webhooks(db)[0]["secretKey"]
                    .as_str()
                    .context("secret")?
                    .to_owned();
                Ok(Tenant {
                    id: TenantId::parse(tenant)?,
                    path,
                    secret,
                })
            }
        })
        .buffered(8)
        .try_collect()
        .await
}

/// Links one event per callout and signs each callout; callout `i` goes to tenant `i % n`.
async fn callouts(
    store: &Store,
    tenants: &[Tenant],
    count: usize,
) -> anyhow::Result<Arc<Vec<Request>>> {
    stream::iter(0..count)
        .map(|i| async move {
            let tenant = &tenants[i % tenants.len()];
            let ticket = 1_000_000 + i as i64;
            store
                .link_event(&NewLink {
                    tenant: tenant.id.clone(),
                    psa: Some(psa_autotask::NAME),
                    event: EventId::parse(format!("evt-{i}"))?,
                    ticket: TicketId(ticket),
                    ticket_created_at: None,
                })
                .await?;
            let body = serde_json::to_vec(&json!({
                "Action": "Update", "Guid": "bench-guid", "EntityType": "Ticket", "Id": ticket,
                "Fields": {"CompletedDate": "2026-11-27T12:00:00Z", "Status": 5,
                           "Resolution": "Reset the account & revoked sessions"},
                "EventTime": "2026-11-27T12:00:01Z", "SequenceNumber": i + 1, "PersonID": 29682885
            }))?;
            let signature = sign(&tenant.secret, &body);
            Ok::<_, anyhow::Error>(Request {
                path: tenant.path.clone(),
                body: body.into(),
                signature,
            })
        })
        .buffered(16)
        .try_collect()
        .await
        .map(Arc::new)
}

/// The ceiling: an actix-web server on its own threads whose handler reads the body and
/// answers 200 with a small JSON body, as psa-hub does. Returns its base URL.
fn bare_handler() -> anyhow::Result<String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let system = actix_web::rt::System::new();
        system.block_on(async move {
            let server = HttpServer::new(|| {
                App::new().route(
                    "/hooks/{psa}/{token}",
                    web::post().to(|_body: web::Bytes| async {
                        HttpResponse::Ok().json(json!({"outcome": "closed"}))
                    }),
                )
            })
            .bind("127.0.0.1:0");
            let server = match server {
                Ok(server) => server,
                Err(error) => {
                    let _ = sender.send(Err(error));
                    return;
                }
            };
            let _ = sender.send(Ok(server.addrs()[0]));
            let _ = server.run().await;
        });
    });
    let addr = receiver.recv()??;
    Ok(format!("http://{addr}"))
}

/// Events closed, over every tenant.
async fn closed_events(store: &Store, tenants: &[Tenant]) -> anyhow::Result<usize> {
    let mut closed = 0;
    for tenant in tenants {
        closed += in_process::closed_events(store, &tenant.id).await?;
    }
    Ok(closed)
}

impl Run {
    fn print(&self, title: &str) {
        println!("{title}");
        println!(
            "  {:.0} req/s over {:.2} s; p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms; {} failed",
            self.throughput(),
            self.wall.as_secs_f64(),
            self.percentile(0.5),
            self.percentile(0.99),
            self.percentile(0.999),
            self.percentile(1.0),
            self.failures
        );
    }
}
